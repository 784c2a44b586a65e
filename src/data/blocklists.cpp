/// \file Loading lists/dnsbl.toml (toml++ stays in this file) and classifying list answers.
#include "mailrep/data/blocklists.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <system_error>
#include <utility>

#include <toml++/toml.h>

#include "mailrep/util/text.hpp"
#include "toml_read.hpp"

namespace mailrep::data {

namespace {

// The typed toml++ access and "line: reason" failures shared with the other lists loaders.
using detail::bad;
using detail::check_keys;
using detail::Failure;
using util::format_uint;
using detail::line_of;
using detail::opt_bool;
using detail::opt_string;
using detail::opt_table_array;
using detail::Parsed;
using detail::quoted;
using detail::req_string;

constexpr unsigned max_weight = 100;
constexpr std::uint64_t max_rate_limit_qps = 100000;
constexpr std::string_view key_placeholder = "{key}";
constexpr std::array<std::string_view, 3> key_providers = {"spamhaus", "spamrats", "abusix"};

// ---- small syntax helpers -------------------------------------------------------------------

/// Strict dotted quad, no leading zeros, host order.
std::optional<std::uint32_t> parse_v4(std::string_view s) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
    unsigned octet = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), octet);
    const auto used = static_cast<std::size_t>(ptr - s.data());
    if (ec != std::errc{} || used == 0 || octet > 255 || (used > 1 && s.front() == '0')) return std::nullopt;
    s.remove_prefix(used);
    value = (value << 8) | octet;
  }
  if (!s.empty()) return std::nullopt;
  return value;
}

bool in_127(std::uint32_t v) { return (v >> 24) == 127; }

/// A DNS name of letters, digits, '-' and '_' (test points such as "_dnsbl_.test" use '_'),
/// labels of 1..63, at most 253 characters, no trailing dot.
bool valid_dns_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (std::string_view label : util::split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!util::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

/// A key must be usable as one DNS label.
bool valid_key(std::string_view key) {
  return !key.empty() && key.size() <= 63 &&
         std::all_of(key.begin(), key.end(), [](char c) { return util::is_alnum(c) || c == '-'; });
}

std::string replace_placeholder(std::string_view key_zone, std::string_view with) {
  std::string out(key_zone);
  const auto at = out.find(key_placeholder);
  if (at != std::string::npos) out.replace(at, key_placeholder.size(), with);
  return out;
}

std::optional<ListKind> parse_kind(std::string_view s) {
  if (s == "ip") return ListKind::ip;
  if (s == "domain") return ListKind::domain;
  if (s == "allow-ip") return ListKind::allow_ip;
  if (s == "allow-domain") return ListKind::allow_domain;
  return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "critical") return Severity::critical;
  if (s == "warning") return Severity::warning;
  if (s == "info") return Severity::info;
  if (s == "good") return Severity::good;
  return std::nullopt;
}

/// "127.0.0.2", "127.0.0.2-127.0.0.9" or "mask:0x04"; every address inside 127.0.0.0/8.
std::optional<AnswerMatch> parse_match(std::string_view s, std::string& why) {
  AnswerMatch m;
  m.text = std::string(s);
  if (s.starts_with("mask:")) {
    std::string_view hex = s.substr(5);
    if (!hex.starts_with("0x") && !hex.starts_with("0X")) {
      why = "a mask is written mask:0xNN";
      return std::nullopt;
    }
    hex.remove_prefix(2);
    unsigned bits = 0;
    auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), bits, 16);
    if (ec != std::errc{} || ptr != hex.data() + hex.size() || hex.size() > 2 || bits == 0 || bits > 255) {
      why = "a mask must be 0x01..0xff (bits of the last octet)";
      return std::nullopt;
    }
    m.kind = AnswerMatch::Kind::mask;
    m.mask = static_cast<std::uint8_t>(bits);
    return m;
  }
  const auto dash = s.find('-');
  const auto low = parse_v4(s.substr(0, dash));
  const auto high = dash == std::string_view::npos ? low : parse_v4(s.substr(dash + 1));
  if (!low || !high) {
    why = "expected an IPv4 address, a range 'a-b' or 'mask:0xNN'";
    return std::nullopt;
  }
  if (!in_127(*low) || !in_127(*high)) {
    why = "answers must lie inside 127.0.0.0/8 (RFC 5782 2.1)";
    return std::nullopt;
  }
  if (*low > *high) {
    why = "range start is above its end";
    return std::nullopt;
  }
  m.kind = dash == std::string_view::npos ? AnswerMatch::Kind::exact : AnswerMatch::Kind::range;
  m.low = *low;
  m.high = *high;
  return m;
}

// ---- typed access to toml tables ------------------------------------------------------------

Parsed<std::optional<unsigned>> opt_weight(const toml::table& t) {
  const toml::node* n = t.get("weight");
  if (n == nullptr) return std::optional<unsigned>{};
  const auto* i = n->as_integer();
  if (i == nullptr || i->get() < 0 || i->get() > static_cast<std::int64_t>(max_weight))
    return bad(*n, "'weight' must be an integer 0.." + format_uint(max_weight));
  return std::optional<unsigned>{static_cast<unsigned>(i->get())};
}

Parsed<AnswerMatch> read_match(const toml::table& t, std::uint32_t header) {
  auto text = req_string(t, "match", header);
  if (!text) return tl::unexpected(text.error());
  std::string why;
  auto m = parse_match(*text, why);
  if (!m) return bad(*t.get("match"), "bad match " + quoted(*text) + ": " + why);
  return std::move(*m);
}

Parsed<AnswerRule> read_answer(const toml::table& t, unsigned list_weight) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t, {"match", "meaning", "severity", "weight"}, "[[list.answer]]"); !ok)
    return tl::unexpected(ok.error());
  AnswerRule rule;
  rule.line = header;
  auto match = read_match(t, header);
  if (!match) return tl::unexpected(match.error());
  rule.match = std::move(*match);
  auto meaning = req_string(t, "meaning", header);
  if (!meaning) return tl::unexpected(meaning.error());
  rule.meaning = std::move(*meaning);
  auto severity = req_string(t, "severity", header);
  if (!severity) return tl::unexpected(severity.error());
  const auto sev = parse_severity(*severity);
  if (!sev) return bad(*t.get("severity"), "unknown severity " + quoted(*severity) + " (critical, warning, info, good)");
  rule.severity = *sev;
  auto weight = opt_weight(t);
  if (!weight) return tl::unexpected(weight.error());
  rule.weight = weight->value_or(list_weight);
  return rule;
}

Parsed<ErrorRule> read_error(const toml::table& t) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t, {"match", "meaning"}, "[[list.error]]"); !ok) return tl::unexpected(ok.error());
  ErrorRule rule;
  rule.line = header;
  auto match = read_match(t, header);
  if (!match) return tl::unexpected(match.error());
  rule.match = std::move(*match);
  auto meaning = req_string(t, "meaning", header);
  if (!meaning) return tl::unexpected(meaning.error());
  rule.meaning = std::move(*meaning);
  return rule;
}

TestPoints default_test_points(const Blocklist& list) {
  TestPoints tp;
  if (list.is_domain()) {
    tp.listed = {"test"};  // RFC 5782 section 5
    tp.unlisted = {"invalid"};
    return tp;
  }
  if (list.ipv4) {
    tp.listed.emplace_back("127.0.0.2");
    tp.unlisted.emplace_back("127.0.0.1");
  }
  if (list.ipv6) {
    tp.listed.emplace_back("::ffff:7f00:2");
    tp.unlisted.emplace_back("::ffff:7f00:1");
  }
  return tp;
}

Parsed<std::vector<std::string>> read_points(const toml::table& t, std::string_view key, const Blocklist& list) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const auto* arr = n->as_array();
  if (arr == nullptr) return bad(*n, "'test_points." + std::string(key) + "' must be an array of strings");
  for (const toml::node& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return bad(item, "'test_points." + std::string(key) + "' must be an array of strings");
    const std::string value = util::lower(s->get());
    const bool ok = list.is_domain() ? valid_dns_name(value) : util::IpAddress::parse(value).has_value();
    if (!ok)
      return bad(item, "test point " + quoted(value) + (list.is_domain() ? " is not a domain name" : " is not an IP address"));
    out.push_back(value);
  }
  return out;
}

Parsed<TestPoints> read_test_points(const toml::table& list_table, const Blocklist& list) {
  const toml::node* n = list_table.get("test_points");
  if (n == nullptr) return default_test_points(list);
  const auto* t = n->as_table();
  if (t == nullptr) return bad(*n, "'test_points' must be a table { listed = [...], unlisted = [...] }");
  if (auto ok = check_keys(*t, {"listed", "unlisted"}, "test_points"); !ok) return tl::unexpected(ok.error());
  TestPoints tp;
  auto listed = read_points(*t, "listed", list);
  if (!listed) return tl::unexpected(listed.error());
  auto unlisted = read_points(*t, "unlisted", list);
  if (!unlisted) return tl::unexpected(unlisted.error());
  tp.listed = std::move(*listed);
  tp.unlisted = std::move(*unlisted);
  return tp;
}

/// Reads a zone-valued key: lower case, trailing dot dropped, valid name ("{key}" allowed once
/// as a whole label when `templated`).
Parsed<std::optional<std::string>> read_zone(const toml::table& t, std::string_view key, bool templated) {
  auto raw = opt_string(t, key);
  if (!raw || !*raw) return raw;
  std::string zone = util::lower(**raw);
  if (!zone.empty() && zone.back() == '.') zone.pop_back();
  const toml::node& node = *t.get(key);
  if (templated) {
    const auto at = zone.find(key_placeholder);
    const bool whole_label = at != std::string::npos &&
                             (at == 0 || zone[at - 1] == '.') &&
                             (at + key_placeholder.size() == zone.size() || zone[at + key_placeholder.size()] == '.');
    if (!whole_label || zone.find(key_placeholder, at + 1) != std::string::npos)
      return bad(node, "'" + std::string(key) + "' must contain {key} once, as a whole label");
    if (!valid_dns_name(replace_placeholder(zone, "k"))) return bad(node, quoted(zone) + " is not a valid zone name");
  } else if (!valid_dns_name(zone)) {
    return bad(node, quoted(zone) + " is not a valid zone name");
  }
  return std::optional<std::string>{std::move(zone)};
}

Parsed<std::string> read_provider(const toml::table& t, std::string_view key) {
  auto v = opt_string(t, key);
  if (!v) return tl::unexpected(v.error());
  if (!*v) return std::string{};
  if (std::find(key_providers.begin(), key_providers.end(), **v) == key_providers.end())
    return bad(*t.get(key), "unknown key provider " + quoted(**v) + " (spamhaus, spamrats, abusix)");
  return std::move(**v);
}

Parsed<Blocklist> read_list(const toml::table& t) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t,
                           {"id", "name", "zone", "kind", "ipv4", "ipv6", "weight", "delist", "access", "source",
                            "enabled", "dead", "dead_reason", "keyed", "requires_key", "key_zone", "query",
                            "rate_limit_qps", "rate_burst", "rate_scope", "test_points", "answer", "error"},
                           "[[list]]");
      !ok)
    return tl::unexpected(ok.error());

  Blocklist list;
  list.line = header;
  auto id = req_string(t, "id", header);
  if (!id) return tl::unexpected(id.error());
  const bool id_ok = util::is_alnum(id->front()) && id->size() <= 64 &&
                     std::all_of(id->begin(), id->end(), [](char c) {
                       return util::is_digit(c) || (c >= 'a' && c <= 'z') || c == '-';
                     });
  if (!id_ok) return bad(*t.get("id"), "id " + quoted(*id) + " must be lower-case letters, digits and '-'");
  list.id = std::move(*id);

  auto name = req_string(t, "name", header);
  if (!name) return tl::unexpected(name.error());
  list.name = std::move(*name);

  auto zone = read_zone(t, "zone", false);
  if (!zone) return tl::unexpected(zone.error());
  if (!*zone) return bad(header, "missing 'zone'");
  list.zone = std::move(**zone);
  list.display_zone = list.zone;

  auto kind_text = req_string(t, "kind", header);
  if (!kind_text) return tl::unexpected(kind_text.error());
  const auto kind = parse_kind(*kind_text);
  if (!kind) return bad(*t.get("kind"), "unknown kind " + quoted(*kind_text) + " (ip, domain, allow-ip, allow-domain)");
  list.kind = *kind;

  // Address families (ip kinds) or query form (domain kinds).
  auto ipv4 = opt_bool(t, "ipv4");
  if (!ipv4) return tl::unexpected(ipv4.error());
  auto ipv6 = opt_bool(t, "ipv6");
  if (!ipv6) return tl::unexpected(ipv6.error());
  auto query = opt_string(t, "query");
  if (!query) return tl::unexpected(query.error());
  if (list.is_domain()) {
    if (ipv4->has_value() || ipv6->has_value())
      return bad(*t.get(ipv4->has_value() ? "ipv4" : "ipv6"), "'ipv4'/'ipv6' are for ip lists only");
    if (!*query) return bad(header, "missing 'query' (\"host\" or \"registered\") for a domain list");
    if (**query == "host") {
      list.query_form = QueryForm::host;
    } else if (**query == "registered") {
      list.query_form = QueryForm::registered;
    } else {
      return bad(*t.get("query"), "unknown query " + quoted(**query) + " (host, registered)");
    }
    list.ipv4 = false;
  } else {
    if (*query) return bad(*t.get("query"), "'query' is for domain lists only");
    list.ipv4 = ipv4->value_or(true);
    list.ipv6 = ipv6->value_or(false);
    if (!list.ipv4 && !list.ipv6) return bad(header, "an ip list must answer ipv4 or ipv6 queries");
  }

  auto weight = opt_weight(t);
  if (!weight) return tl::unexpected(weight.error());
  list.weight = weight->value_or(0);

  for (auto [key, field] : {std::pair{"delist", &list.delist}, std::pair{"access", &list.access},
                            std::pair{"source", &list.source}, std::pair{"dead_reason", &list.dead_reason}}) {
    auto v = opt_string(t, key);
    if (!v) return tl::unexpected(v.error());
    *field = v->value_or(std::string{});
  }

  auto dead = opt_bool(t, "dead");
  if (!dead) return tl::unexpected(dead.error());
  list.dead = dead->value_or(false);
  if (list.dead && util::trim(list.dead_reason).empty()) return bad(header, "a dead list needs a 'dead_reason'");
  if (!list.dead && t.contains("dead_reason")) return bad(*t.get("dead_reason"), "'dead_reason' without dead = true");

  // Keys.
  auto keyed = read_provider(t, "keyed");
  if (!keyed) return tl::unexpected(keyed.error());
  list.keyed = std::move(*keyed);
  auto requires_key = read_provider(t, "requires_key");
  if (!requires_key) return tl::unexpected(requires_key.error());
  list.requires_key = std::move(*requires_key);
  auto key_zone = read_zone(t, "key_zone", true);
  if (!key_zone) return tl::unexpected(key_zone.error());
  list.key_zone = key_zone->value_or(std::string{});
  if (!list.keyed.empty() && !list.requires_key.empty())
    return bad(*t.get("requires_key"), "'keyed' and 'requires_key' exclude each other");
  const bool has_provider = !list.keyed.empty() || !list.requires_key.empty();
  if (has_provider && list.key_zone.empty()) return bad(header, "missing 'key_zone' for a keyed list");
  if (!has_provider && !list.key_zone.empty())
    return bad(*t.get("key_zone"), "'key_zone' needs 'keyed' or 'requires_key'");

  auto enabled = opt_bool(t, "enabled");
  if (!enabled) return tl::unexpected(enabled.error());
  if (enabled->value_or(false) && list.dead) return bad(*t.get("enabled"), "a dead list cannot be enabled");
  if (enabled->value_or(false) && !list.requires_key.empty())
    return bad(*t.get("enabled"), "a list that requires a key is enabled only when its key is given");
  list.enabled = enabled->value_or(!list.dead && list.requires_key.empty());

  if (const toml::node* n = t.get("rate_limit_qps")) {
    const auto qps = n->value<double>();  // integers convert too
    if (!qps || !(*qps > 0) || *qps > static_cast<double>(max_rate_limit_qps))
      return bad(*n, "'rate_limit_qps' must be a number above 0 and at most " + format_uint(max_rate_limit_qps));
    list.rate_limit_qps = *qps;
    list.rate_burst = std::max(1.0, *qps);  // one second's worth unless the list says more
  }
  if (const toml::node* n = t.get("rate_burst")) {
    const auto burst = n->value<double>();
    if (!t.get("rate_limit_qps")) return bad(*n, "'rate_burst' needs 'rate_limit_qps'");
    if (!burst || !(*burst >= 1) || *burst > static_cast<double>(max_rate_limit_qps))
      return bad(*n, "'rate_burst' must be a number of queries from 1 to " + format_uint(max_rate_limit_qps));
    list.rate_burst = *burst;
  }
  auto scope = read_zone(t, "rate_scope", false);
  if (!scope) return tl::unexpected(scope.error());
  if (*scope) {
    const toml::node& n = *t.get("rate_scope");
    if (!t.get("rate_limit_qps")) return bad(n, "'rate_scope' needs 'rate_limit_qps'");
    list.rate_scope = std::move(**scope);
    if (list.rate_zone() != list.rate_scope)
      return bad(n, "'rate_scope' " + quoted(list.rate_scope) + " must be the zone or a parent of it");
  }

  auto points = read_test_points(t, list);
  if (!points) return tl::unexpected(points.error());
  list.test_points = std::move(*points);

  auto answers = opt_table_array(t, "answer", "[[list.answer]]");
  if (!answers) return tl::unexpected(answers.error());
  if (*answers != nullptr) {
    for (const toml::node& n : **answers) {
      auto rule = read_answer(*n.as_table(), list.weight);
      if (!rule) return tl::unexpected(rule.error());
      list.answers.push_back(std::move(*rule));
    }
  }
  if (list.answers.empty() && !list.dead) return bad(header, "a list needs at least one [[list.answer]]");

  auto errors = opt_table_array(t, "error", "[[list.error]]");
  if (!errors) return tl::unexpected(errors.error());
  if (*errors != nullptr) {
    for (const toml::node& n : **errors) {
      auto rule = read_error(*n.as_table());
      if (!rule) return tl::unexpected(rule.error());
      list.errors.push_back(std::move(*rule));
    }
  }
  return list;
}

Parsed<Catalogue> read_catalogue(const toml::table& root, std::string_view source_name) {
  if (auto ok = check_keys(root, {"list"}, "the top level"); !ok) return tl::unexpected(ok.error());
  auto lists = opt_table_array(root, "list", "[[list]]");
  if (!lists) return tl::unexpected(lists.error());
  if (*lists == nullptr || (*lists)->empty()) return bad(1, "no [[list]] tables");

  Catalogue cat;
  for (const toml::node& n : **lists) {
    const auto& table = *n.as_table();
    auto list = read_list(table);
    if (!list) return tl::unexpected(list.error());
    for (const Blocklist& earlier : cat.lists) {
      if (earlier.id == list->id)
        return bad(*table.get("id"), "duplicate id " + quoted(list->id) + " (first at line " + format_uint(earlier.line) + ")");
      if (earlier.zone == list->zone && !earlier.dead && !list->dead)
        cat.warnings.push_back(std::string(source_name) + ":" + format_uint(list->line) + ": zone " + quoted(list->zone) +
                               " is also used by list " + quoted(earlier.id));
    }
    cat.lists.push_back(std::move(*list));
  }
  return cat;
}

}  // namespace

// ---- public API -----------------------------------------------------------------------------

std::string_view to_string(ListKind k) {
  switch (k) {
    case ListKind::ip: return "ip";
    case ListKind::domain: return "domain";
    case ListKind::allow_ip: return "allow-ip";
    case ListKind::allow_domain: return "allow-domain";
  }
  return "ip";
}

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::critical: return "critical";
    case Severity::warning: return "warning";
    case Severity::info: return "info";
    case Severity::good: return "good";
  }
  return "warning";
}

std::string_view to_string(QueryForm f) {
  switch (f) {
    case QueryForm::address: return "address";
    case QueryForm::host: return "host";
    case QueryForm::registered: return "registered";
  }
  return "address";
}

bool AnswerMatch::matches(std::uint32_t answer_v4) const {
  switch (kind) {
    case Kind::exact: return answer_v4 == low;
    case Kind::range: return answer_v4 >= low && answer_v4 <= high;
    case Kind::mask:
      // Only 127.0.0.x carries bits; 127.255.255.255 (an error) must not match every bit.
      return (answer_v4 & 0xFFFFFF00U) == 0x7F000000U && (answer_v4 & mask) != 0;
  }
  return false;
}

const Blocklist* Catalogue::find(std::string_view id) const {
  for (const Blocklist& l : lists)
    if (l.id == id) return &l;
  return nullptr;
}

Result<Catalogue> parse_blocklists(std::string_view toml_text, std::string_view source_name) {
  return detail::parse_document<Catalogue>(toml_text, source_name, read_catalogue);
}

Result<Catalogue> load_blocklists(const std::string& path) {
  auto text = detail::read_file(path, "blocklist catalogue");
  if (!text) return tl::unexpected(text.error());
  return parse_blocklists(*text, path);
}

Classification classify(const Blocklist& list, const util::IpAddress& answer) {
  Classification c;
  if (!answer.is_v4() || !in_127(answer.v4_value())) {
    c.state = Classification::State::not_127;
    c.meaning = "answer outside 127.0.0.0/8: not a listing (filtering or rewriting resolver, or a broken zone)";
    return c;
  }
  const std::uint32_t v = answer.v4_value();
  for (const ErrorRule& e : list.errors) {
    if (e.match.matches(v)) {
      c.state = Classification::State::error;
      c.error = &e;
      c.meaning = e.meaning;
      return c;
    }
  }
  for (const AnswerRule& r : list.answers) {
    if (r.match.matches(v)) {
      c.state = Classification::State::listed;
      c.rule = &r;
      c.meaning = r.meaning;
      c.severity = r.severity;
      return c;
    }
  }
  c.state = Classification::State::undocumented;
  c.meaning = "return code not documented for this list: not read as a listing";
  return c;
}

std::vector<const AnswerRule*> matching_rules(const Blocklist& list, const util::IpAddress& answer) {
  std::vector<const AnswerRule*> out;
  if (!answer.is_v4()) return out;
  const std::uint32_t v = answer.v4_value();
  if (!in_127(v) || std::any_of(list.errors.begin(), list.errors.end(), [v](const ErrorRule& e) { return e.match.matches(v); }))
    return out;
  for (const AnswerRule& r : list.answers)
    if (r.match.matches(v)) out.push_back(&r);
  return out;
}

Result<void> apply_keys(Catalogue& catalogue, const Keys& keys) {
  const std::array<std::pair<std::string_view, const std::string*>, 3> given = {
      std::pair{key_providers[0], &keys.spamhaus}, std::pair{key_providers[1], &keys.spamrats},
      std::pair{key_providers[2], &keys.abusix}};
  for (const auto& [provider, key] : given)
    if (!key->empty() && !valid_key(*key))
      return fail(ErrorCode::invalid_input,
                  std::string(provider) + " key must be 1-63 letters, digits or '-' (one DNS label)");

  // Work out every change first so a failure leaves the catalogue untouched.
  std::vector<std::pair<Blocklist*, std::string>> changes;
  for (Blocklist& list : catalogue.lists) {
    const std::string& provider = list.keyed.empty() ? list.requires_key : list.keyed;
    if (provider.empty() || list.dead) continue;
    for (const auto& [name, key] : given) {
      if (name != provider || key->empty()) continue;
      std::string zone = replace_placeholder(list.key_zone, *key);
      if (!valid_dns_name(zone))
        return fail(ErrorCode::invalid_input, std::string(name) + " key makes the zone of list " + list.id + " too long");
      changes.emplace_back(&list, std::move(zone));
    }
  }
  for (auto& [list, zone] : changes) {
    list->zone = std::move(zone);
    list->display_zone = replace_placeholder(list->key_zone, "<key>");
    list->key_applied = true;
    list->enabled = true;
  }
  return {};
}

Result<void> apply_spamhaus_key(Catalogue& catalogue, std::string key) {
  Keys keys;
  keys.spamhaus = std::move(key);
  return apply_keys(catalogue, keys);
}

}  // namespace mailrep::data
