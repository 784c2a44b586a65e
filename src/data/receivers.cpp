/// \file Loading lists/receivers.toml (toml++ and RE2 stay in src/data) and the pure lookups:
/// receiver by domain or MX host, and classification of SMTP replies.
#include "mailrep/data/receivers.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "mailrep/util/text.hpp"
#include "toml_read.hpp"

namespace mailrep::data {

namespace {

using detail::bad;
using detail::check_keys;
using util::format_uint;
using detail::line_of;
using detail::opt_bool;
using detail::opt_string;
using detail::opt_table_array;
using detail::Parsed;
using detail::quoted;
using detail::req_string;

constexpr std::array<std::string_view, 15> category_names = {
    "blocked",     "badreputation", "requireptr", "authfailure", "policyviolation",
    "spamdetected", "rejected",     "userunknown", "mailboxfull", "ratelimited",
    "greylisted",  "contenterror",  "expired",    "systemerror", "other"};

constexpr std::array<std::string_view, 28> requirement_ids = {
    "ptr",           "fcrdns",        "ptr-not-generic",       "no-dynamic-ip",
    "imprint",       "known-reputation", "helo-fqdn",          "sender-domain-mx",
    "sender-domain-soa", "not-blocklisted", "rfc5322",         "tls",
    "spf",           "spf-or-dkim",   "spf-and-dkim",          "dkim-aligned",
    "dkim-strict-alignment", "dkim-key-size", "dmarc",         "dmarc-aligned",
    "one-click-unsubscribe", "unsubscribe", "consent",         "spam-rate",
    "bounce-handling", "connection-limit", "no-url-shorteners", "bulk-aligned-identity"};

std::optional<mailrep::Severity> parse_severity(std::string_view s) {
  if (s == "critical") return mailrep::Severity::critical;
  if (s == "warning") return mailrep::Severity::warning;
  if (s == "info") return mailrep::Severity::info;
  return std::nullopt;
}

std::optional<Confidence> parse_confidence(std::string_view s) {
  if (s == "high") return Confidence::high;
  if (s == "medium") return Confidence::medium;
  if (s == "low") return Confidence::low;
  return std::nullopt;
}

std::optional<Fixer> parse_fixer(std::string_view s) {
  if (s == "provider") return Fixer::provider;
  if (s == "domain-owner") return Fixer::domain_owner;
  if (s == "receiver") return Fixer::receiver;
  if (s == "sender-admin") return Fixer::sender_admin;
  if (s == "user") return Fixer::user;
  return std::nullopt;
}

bool is_email(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size() || s.find('@', at + 1) != std::string_view::npos)
    return false;
  std::string host;
  return std::none_of(s.begin(), s.end(), [](char c) { return util::is_space(c) || static_cast<unsigned char>(c) < 0x20; }) &&
         detail::normalise_host(s.substr(at + 1), host) && host.find('.') != std::string::npos;
}

/// A required value from a fixed set, read with `parse`; `names` lists the choices in messages.
template <class T, class Parse>
Parsed<T> req_enum(const toml::table& t, std::string_view key, std::uint32_t header, Parse parse, std::string_view names) {
  auto text = req_string(t, key, header);
  if (!text) return tl::unexpected(text.error());
  const std::optional<T> v = parse(*text);
  if (!v) return bad(*t.get(key), "unknown " + std::string(key) + " " + quoted(*text) + " (" + std::string(names) + ")");
  return *v;
}

Parsed<std::string> req_id(const toml::table& t, std::uint32_t header) {
  auto id = req_string(t, "id", header);
  if (!id) return tl::unexpected(id.error());
  if (!detail::valid_id(*id)) return bad(*t.get("id"), "id " + quoted(*id) + " must be lower-case letters, digits and '-'");
  return std::move(*id);
}

/// Reads optional string keys into fields, in one go.
Parsed<void> read_strings(const toml::table& t, std::initializer_list<std::pair<std::string_view, std::string*>> fields) {
  for (auto [key, field] : fields) {
    auto v = opt_string(t, key);
    if (!v) return tl::unexpected(v.error());
    *field = v->value_or(std::string{});
  }
  return {};
}

Parsed<ReceiverContact> read_contact(const toml::table& t) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t, {"id", "address", "purpose_en", "purpose_de", "source"}, "[[receiver.contact]]"); !ok)
    return tl::unexpected(ok.error());
  ReceiverContact c;
  c.line = header;
  auto id = req_id(t, header);
  if (!id) return tl::unexpected(id.error());
  c.id = std::move(*id);
  for (auto [key, field] : {std::pair{"address", &c.address}, std::pair{"purpose_en", &c.purpose_en},
                            std::pair{"purpose_de", &c.purpose_de}, std::pair{"source", &c.source}}) {
    auto v = req_string(t, key, header);
    if (!v) return tl::unexpected(v.error());
    *field = std::move(*v);
  }
  if (detail::is_http_url(c.address)) {
    c.kind = ContactKind::url;
  } else if (is_email(c.address)) {
    c.kind = ContactKind::email;
  } else {
    return bad(*t.get("address"), "address " + quoted(c.address) + " is neither an e-mail address nor an http(s) URL");
  }
  return c;
}

Parsed<Requirement> read_requirement(const toml::table& t) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t, {"id", "text_en", "text_de", "severity", "applies_to", "since", "confidence", "source"},
                           "[[receiver.requirement]]");
      !ok)
    return tl::unexpected(ok.error());
  Requirement r;
  r.line = header;
  auto id = req_id(t, header);
  if (!id) return tl::unexpected(id.error());
  r.id = std::move(*id);
  for (auto [key, field] : {std::pair{"text_en", &r.text_en}, std::pair{"text_de", &r.text_de},
                            std::pair{"source", &r.source}}) {
    auto v = req_string(t, key, header);
    if (!v) return tl::unexpected(v.error());
    *field = std::move(*v);
  }
  auto severity = req_enum<mailrep::Severity>(t, "severity", header, parse_severity, "critical, warning, info");
  if (!severity) return tl::unexpected(severity.error());
  r.severity = *severity;
  auto confidence = req_enum<Confidence>(t, "confidence", header, parse_confidence, "high, medium, low");
  if (!confidence) return tl::unexpected(confidence.error());
  r.confidence = *confidence;
  auto audience = opt_string(t, "applies_to");
  if (!audience) return tl::unexpected(audience.error());
  if (*audience) {
    if (**audience == "all") {
      r.applies_to = Audience::all;
    } else if (**audience == "bulk") {
      r.applies_to = Audience::bulk;
    } else {
      return bad(*t.get("applies_to"), "unknown applies_to " + quoted(**audience) + " (all, bulk)");
    }
  }
  auto since = opt_string(t, "since");
  if (!since) return tl::unexpected(since.error());
  if (*since) {
    const std::string& d = **since;
    const bool iso = d.size() == 10 && d[4] == '-' && d[7] == '-' &&
                     std::all_of(d.begin(), d.end(), [](char c) { return util::is_digit(c) || c == '-'; });
    if (!iso) return bad(*t.get("since"), "'since' must be a date YYYY-MM-DD");
    r.since = d;
  }
  return r;
}

Parsed<ReplyCode> read_code(const toml::table& t, const Receiver& receiver) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t,
                           {"id", "pattern", "receiver_code", "meaning_en", "meaning_de", "category", "who_can_fix",
                            "contact", "temporary", "hint_only", "confidence", "source"},
                           "[[receiver.code]]");
      !ok)
    return tl::unexpected(ok.error());
  ReplyCode c;
  c.line = header;
  auto id = req_id(t, header);
  if (!id) return tl::unexpected(id.error());
  c.id = std::move(*id);
  auto pattern_text = req_string(t, "pattern", header);
  if (!pattern_text) return tl::unexpected(pattern_text.error());
  auto pattern = detail::compile_at(*t.get("pattern"), *pattern_text, Pattern::Anchor::partial);
  if (!pattern) return tl::unexpected(pattern.error());
  c.pattern = std::move(*pattern);
  for (auto [key, field] : {std::pair{"receiver_code", &c.receiver_code}, std::pair{"meaning_en", &c.meaning_en},
                            std::pair{"meaning_de", &c.meaning_de}, std::pair{"source", &c.source}}) {
    auto v = req_string(t, key, header);
    if (!v) return tl::unexpected(v.error());
    *field = std::move(*v);
  }
  auto category = req_enum<ReplyCategory>(t, "category", header, parse_reply_category,
                                          "blocked, badreputation, requireptr, authfailure, policyviolation, "
                                          "spamdetected, rejected, userunknown, mailboxfull, ratelimited, greylisted, "
                                          "contenterror, expired, systemerror, other");
  if (!category) return tl::unexpected(category.error());
  c.category = *category;
  auto fixer = req_enum<Fixer>(t, "who_can_fix", header, parse_fixer, "provider, domain-owner, receiver, sender-admin, user");
  if (!fixer) return tl::unexpected(fixer.error());
  c.who_can_fix = *fixer;
  auto confidence = req_enum<Confidence>(t, "confidence", header, parse_confidence, "high, medium, low");
  if (!confidence) return tl::unexpected(confidence.error());
  c.confidence = *confidence;
  auto contact = opt_string(t, "contact");
  if (!contact) return tl::unexpected(contact.error());
  if (*contact) {
    if (receiver.contact(**contact) == nullptr)
      return bad(*t.get("contact"), "contact " + quoted(**contact) + " is not a [[receiver.contact]] of receiver " +
                                        quoted(receiver.id) + " (contacts come before codes)");
    c.contact = std::move(**contact);
  }
  auto temporary = opt_bool(t, "temporary");
  if (!temporary) return tl::unexpected(temporary.error());
  c.temporary = *temporary;
  auto hint_only = opt_bool(t, "hint_only");
  if (!hint_only) return tl::unexpected(hint_only.error());
  c.hint_only = hint_only->value_or(false);
  return c;
}

template <class T, class Reader>
Parsed<void> read_each(const toml::table& t, std::string_view key, std::string_view shown, std::vector<T>& out,
                       Reader&& read) {
  auto arr = opt_table_array(t, key, shown);
  if (!arr) return tl::unexpected(arr.error());
  if (*arr == nullptr) return {};
  for (const toml::node& n : **arr) {
    const auto& table = *n.as_table();
    auto item = read(table);
    if (!item) return tl::unexpected(item.error());
    for (const T& earlier : out)
      if (earlier.id == item->id)
        return bad(*table.get("id"), "duplicate " + std::string(shown) + " id " + quoted(item->id) + " (first at line " +
                                         format_uint(earlier.line) + ")");
    out.push_back(std::move(*item));
  }
  return {};
}

Parsed<Receiver> read_receiver(const toml::table& t, std::string_view source_name, std::vector<std::string>& warnings) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t,
                           {"id", "name", "domains", "mx_patterns", "reply_markers", "postmaster", "notes", "source",
                            "contact", "requirement", "code"},
                           "[[receiver]]");
      !ok)
    return tl::unexpected(ok.error());
  Receiver r;
  r.line = header;
  auto id = req_id(t, header);
  if (!id) return tl::unexpected(id.error());
  r.id = std::move(*id);
  for (auto [key, field] : {std::pair{"name", &r.name}, std::pair{"source", &r.source}}) {
    auto v = req_string(t, key, header);
    if (!v) return tl::unexpected(v.error());
    *field = std::move(*v);
  }
  if (auto ok = read_strings(t, {{"postmaster", &r.postmaster}, {"notes", &r.notes}}); !ok) return tl::unexpected(ok.error());
  if (!r.postmaster.empty() && !detail::is_http_url(r.postmaster))
    return bad(*t.get("postmaster"), "'postmaster' must be an http(s) URL");

  auto domains = detail::opt_host_array(t, "domains");
  if (!domains) return tl::unexpected(domains.error());
  r.domains = std::move(*domains);
  auto mx = detail::opt_pattern_array(t, "mx_patterns", Pattern::Anchor::full);
  if (!mx) return tl::unexpected(mx.error());
  r.mx_patterns = std::move(*mx);
  if (r.domains.empty() && r.mx_patterns.empty())
    return bad(header, "a receiver needs 'domains' or 'mx_patterns' (or both)");
  auto markers = detail::opt_pattern_array(t, "reply_markers", Pattern::Anchor::partial);
  if (!markers) return tl::unexpected(markers.error());
  r.reply_markers = std::move(*markers);

  if (auto ok = read_each(t, "contact", "[[receiver.contact]]", r.contacts, read_contact); !ok)
    return tl::unexpected(ok.error());
  if (auto ok = read_each(t, "requirement", "[[receiver.requirement]]", r.requirements, read_requirement); !ok)
    return tl::unexpected(ok.error());
  for (const Requirement& req : r.requirements) {
    const auto known = known_requirement_ids();
    if (std::find(known.begin(), known.end(), req.id) == known.end())
      warnings.push_back(std::string(source_name) + ":" + format_uint(req.line) + ": requirement id " + quoted(req.id) +
                         " is not one checks know about");
  }
  if (auto ok = read_each(t, "code", "[[receiver.code]]", r.codes, [&r](const toml::table& c) { return read_code(c, r); });
      !ok)
    return tl::unexpected(ok.error());
  return r;
}

Parsed<ReceiverCatalogue> read_catalogue(const toml::table& root, std::string_view source_name) {
  if (auto ok = check_keys(root, {"receiver"}, "the top level"); !ok) return tl::unexpected(ok.error());
  auto receivers = opt_table_array(root, "receiver", "[[receiver]]");
  if (!receivers) return tl::unexpected(receivers.error());
  if (*receivers == nullptr || (*receivers)->empty()) return bad(1, "no [[receiver]] tables");

  ReceiverCatalogue cat;
  for (const toml::node& n : **receivers) {
    const auto& table = *n.as_table();
    auto r = read_receiver(table, source_name, cat.warnings);
    if (!r) return tl::unexpected(r.error());
    for (const Receiver& earlier : cat.receivers) {
      if (earlier.id == r->id)
        return bad(*table.get("id"), "duplicate id " + quoted(r->id) + " (first at line " + format_uint(earlier.line) + ")");
      for (const std::string& d : r->domains)
        if (std::find(earlier.domains.begin(), earlier.domains.end(), d) != earlier.domains.end())
          return bad(*table.get("domains"), "domain " + quoted(d) + " is also a domain of receiver " + quoted(earlier.id));
    }
    cat.receivers.push_back(std::move(*r));
  }
  return cat;
}

/// Lower case, trailing dot dropped.
std::string host_key(std::string_view name) {
  name = util::trim(name);
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return util::lower(name);
}

/// The reply's status class: the first 3-digit reply code ("554 ", "421-", "550;") or, failing
/// that, the first enhanced status code ("4.7.0"). Digits inside addresses ("[212.227.17.8]") are
/// not codes.
std::optional<char> status_class(std::string_view reply) {
  auto opens = [](char c) { return c == ' ' || c == ':' || c == ';' || c == '(' || c == '"' || c == '\'' || c == '<'; };
  auto closes = [](char c) { return c == ' ' || c == '-' || c == ';' || c == ','; };
  for (std::size_t i = 0; i + 3 <= reply.size(); ++i) {
    if ((reply[i] == '2' || reply[i] == '4' || reply[i] == '5') && util::is_digit(reply[i + 1]) &&
        util::is_digit(reply[i + 2]) && (i == 0 || opens(reply[i - 1])) && (i + 3 == reply.size() || closes(reply[i + 3])))
      return reply[i];
  }
  for (std::size_t i = 0; i + 5 <= reply.size(); ++i)
    if ((i == 0 || opens(reply[i - 1])) && (reply[i] == '4' || reply[i] == '5') && reply[i + 1] == '.' &&
        util::is_digit(reply[i + 2]) && reply[i + 3] == '.' && util::is_digit(reply[i + 4]))
      return reply[i];
  return std::nullopt;
}

std::optional<CodeMatch> try_codes(const Receiver& r, const std::string& reply, bool include_hint_only) {
  for (const ReplyCode& code : r.codes) {
    if (code.hint_only && !include_hint_only) continue;
    auto captures = code.pattern.match(reply);
    if (!captures) continue;
    CodeMatch m;
    m.receiver = &r;
    m.code = &code;
    m.captures = std::move(*captures);
    const std::string_view code_capture = m.capture("code");
    m.receiver_code = code_capture.empty() ? code.receiver_code : std::string(code_capture);
    if (code.temporary) {
      m.temporary = *code.temporary;
    } else {
      m.temporary = status_class(reply) == '4';
    }
    return m;
  }
  return std::nullopt;
}

}  // namespace

// ---- public API -----------------------------------------------------------------------------

std::string_view to_string(ReplyCategory c) {
  const auto i = static_cast<std::size_t>(c);
  return i < category_names.size() ? category_names[i] : "other";
}

std::optional<ReplyCategory> parse_reply_category(std::string_view text) {
  for (std::size_t i = 0; i < category_names.size(); ++i)
    if (category_names[i] == text) return static_cast<ReplyCategory>(i);
  return std::nullopt;
}

std::string_view to_string(Confidence c) {
  switch (c) {
    case Confidence::high: return "high";
    case Confidence::medium: return "medium";
    case Confidence::low: return "low";
  }
  return "medium";
}

std::string_view to_string(Audience a) { return a == Audience::bulk ? "bulk" : "all"; }

std::span<const std::string_view> known_requirement_ids() { return requirement_ids; }

const ReceiverContact* Receiver::contact(std::string_view contact_id) const {
  for (const ReceiverContact& c : contacts)
    if (c.id == contact_id) return &c;
  return nullptr;
}

const Requirement* Receiver::requirement(std::string_view requirement_id) const {
  for (const Requirement& r : requirements)
    if (r.id == requirement_id) return &r;
  return nullptr;
}

const ReplyCode* Receiver::code(std::string_view code_id) const {
  for (const ReplyCode& c : codes)
    if (c.id == code_id) return &c;
  return nullptr;
}

const Receiver* ReceiverCatalogue::find(std::string_view id) const {
  for (const Receiver& r : receivers)
    if (r.id == id) return &r;
  return nullptr;
}

Result<ReceiverCatalogue> parse_receivers(std::string_view toml_text, std::string_view source_name) {
  return detail::parse_document<ReceiverCatalogue>(toml_text, source_name, read_catalogue);
}

Result<ReceiverCatalogue> load_receivers(const std::string& path) {
  auto text = detail::read_file(path, "receiver catalogue");
  if (!text) return tl::unexpected(text.error());
  return parse_receivers(*text, path);
}

const Receiver* receiver_for_domain(const ReceiverCatalogue& cat, std::string_view domain) {
  const std::string key = host_key(domain);
  if (key.empty()) return nullptr;
  for (const Receiver& r : cat.receivers)
    if (std::find(r.domains.begin(), r.domains.end(), key) != r.domains.end()) return &r;
  return nullptr;
}

const Receiver* receiver_for_mx(const ReceiverCatalogue& cat, std::string_view mx_host) {
  const std::string key = host_key(mx_host);
  if (key.empty() || key.size() > 253) return nullptr;
  for (const Receiver& r : cat.receivers)
    for (const Pattern& p : r.mx_patterns)
      if (p.matches(key)) return &r;
  return nullptr;
}

std::string normalise_reply(std::string_view reply_text) {
  std::string out;
  out.reserve(std::min(reply_text.size(), max_reply_bytes));
  bool pending_space = false;
  for (char c : reply_text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == ' ') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      if (out.size() + 1 >= max_reply_bytes) break;
      out += ' ';
      pending_space = false;
    }
    if (out.size() >= max_reply_bytes) break;
    out += c;
  }
  return out;
}

std::string_view CodeMatch::capture(std::string_view name) const {
  for (const Capture& c : captures)
    if (c.name == name) return c.value;
  return {};
}

const ReceiverContact* CodeMatch::contact() const {
  if (receiver == nullptr || code == nullptr || code->contact.empty()) return nullptr;
  return receiver->contact(code->contact);
}

std::optional<CodeMatch> classify_reply(const ReceiverCatalogue& cat, const Receiver* hint, std::string_view reply_text) {
  const std::string reply = normalise_reply(reply_text);
  if (reply.empty()) return std::nullopt;
  if (hint != nullptr)
    if (auto m = try_codes(*hint, reply, true)) return m;
  std::vector<const Receiver*> rest;
  for (const Receiver& r : cat.receivers) {
    if (&r == hint) continue;
    const bool marked = std::any_of(r.reply_markers.begin(), r.reply_markers.end(),
                                    [&reply](const Pattern& p) { return p.matches(reply); });
    if (!marked) {
      rest.push_back(&r);
      continue;
    }
    if (auto m = try_codes(r, reply, true)) return m;
  }
  for (const Receiver* r : rest)
    if (auto m = try_codes(*r, reply, false)) return m;
  return std::nullopt;
}

}  // namespace mailrep::data
