// Unit tests for the blocklist catalogue: the shipped lists/dnsbl.toml, answer classification,
// keys, and rejection of bad files with file:line messages.
#include "mailrep/data/blocklists.hpp"
#include "mailrep/dnsbl/dnsbl.hpp"

#include <doctest/doctest.h>

#include <array>
#include <charconv>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR (source root, string literal) must be defined by the build"
#endif

namespace {

using mailrep::data::Blocklist;
using mailrep::data::Catalogue;
using mailrep::data::Classification;
using mailrep::data::Severity;
using State = mailrep::data::Classification::State;

const std::string shipped_path = std::string(MAILREP_SOURCE_DIR) + "/lists/dnsbl.toml";

const Catalogue& shipped() {
  static const Catalogue cat = [] {
    auto loaded = mailrep::data::load_blocklists(shipped_path);
    if (!loaded) FAIL("shipped catalogue rejected: " << loaded.error().message);
    return loaded ? std::move(*loaded) : Catalogue{};
  }();
  return cat;
}

mailrep::util::IpAddress ip(std::string_view text) {
  auto parsed = mailrep::util::IpAddress::parse(text);
  REQUIRE(parsed.has_value());
  return *parsed;
}

const Blocklist& list(std::string_view id) {
  const Blocklist* l = shipped().find(id);
  REQUIRE_MESSAGE(l != nullptr, "no list " << id);
  return *l;
}

std::string decimal(int v) {
  std::array<char, 16> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string();
}

std::string_view state_name(State s) {
  switch (s) {
    case State::listed: return "listed";
    case State::error: return "error";
    case State::undocumented: return "undocumented";
    case State::not_127: return "not_127";
  }
  return "?";
}

}  // namespace

TEST_SUITE("data::blocklists") {

TEST_CASE("the shipped catalogue loads without errors or warnings") {
  auto loaded = mailrep::data::load_blocklists(shipped_path);
  REQUIRE_MESSAGE(loaded.has_value(), (loaded ? std::string() : loaded.error().message));
  CHECK(loaded->lists.size() > 40);
  CHECK_MESSAGE(loaded->warnings.empty(), (loaded->warnings.empty() ? std::string() : loaded->warnings.front()));
}

TEST_CASE("the Spam Eating Monkey lists share one rate limit, as their operator's terms count them together") {
  auto loaded = mailrep::data::load_blocklists(shipped_path);
  REQUIRE(loaded.has_value());
  std::size_t sem = 0;
  for (const auto& l : loaded->lists) {
    if (!l.zone.ends_with(".spameatingmonkey.net")) continue;
    ++sem;
    CAPTURE(l.id);
    CHECK(l.rate_limit_qps == doctest::Approx(5.0));
    CHECK(l.rate_zone() == "spameatingmonkey.net");
  }
  CHECK(sem >= 5);
}

TEST_CASE("shipped catalogue invariants") {
  for (const Blocklist& l : shipped().lists) {
    CAPTURE(l.id);
    CHECK(!l.source.empty());
    CHECK(l.display_zone == l.zone);
    if (l.dead) {
      CHECK(!l.enabled);
      CHECK(!l.queryable());
      CHECK(!l.dead_reason.empty());
    } else {
      CHECK(!l.answers.empty());
      CHECK(!l.name.empty());
    }
    if (!l.requires_key.empty()) {
      CHECK(!l.enabled);
      CHECK(!l.queryable());
    }
    if (l.is_allow()) {
      for (const auto& rule : l.answers) CHECK(rule.severity != Severity::critical);
    }
  }
}

TEST_CASE("answers are classified per list") {
  struct Row {
    std::string_view list;
    std::string_view answer;
    State state;
    Severity severity;          // checked only when listed
    std::string_view contains;  // in the meaning
  };
  const Row rows[] = {
      {"spamhaus-zen", "127.0.0.2", State::listed, Severity::critical, "SBL"},
      {"spamhaus-zen", "127.0.0.4", State::listed, Severity::critical, "XBL"},
      {"spamhaus-zen", "127.0.0.10", State::listed, Severity::warning, "PBL"},
      {"spamhaus-zen", "127.255.255.254", State::error, Severity::warning, "public"},
      {"spamhaus-zen", "127.255.255.252", State::error, Severity::warning, "typo"},
      {"spamhaus-zen", "127.255.255.255", State::error, Severity::warning, "excessive"},
      {"spamhaus-zen", "127.0.0.99", State::undocumented, Severity::warning, ""},
      {"spamhaus-zen", "10.0.0.1", State::not_127, Severity::warning, ""},
      {"spamhaus-zen", "146.112.61.108", State::not_127, Severity::warning, ""},
      {"spamhaus-zen", "::1", State::not_127, Severity::warning, ""},
      {"spamhaus-dbl", "127.0.1.2", State::listed, Severity::critical, "spam"},
      {"spamhaus-dbl", "127.0.1.255", State::error, Severity::warning, "IP address"},
      {"uribl-multi", "127.0.0.1", State::error, Severity::warning, "refused"},
      {"uribl-multi", "127.0.0.2", State::listed, Severity::critical, "black"},
      {"uribl-multi", "127.0.0.14", State::listed, Severity::critical, "black"},
      {"uribl-multi", "127.0.0.4", State::listed, Severity::warning, "grey"},
      {"uribl-multi", "127.0.0.8", State::listed, Severity::info, "red"},
      {"uribl-multi", "127.255.255.255", State::undocumented, Severity::warning, ""},  // mask needs 127.0.0.x
      {"uribl-multi", "127.1.0.2", State::undocumented, Severity::warning, ""},
      {"surbl-multi", "127.0.0.1", State::error, Severity::warning, "blocked"},
      {"surbl-multi", "127.0.0.16", State::listed, Severity::critical, "MW"},
      {"surbl-multi", "127.0.0.32", State::listed, Severity::info, "CT"},
      {"surbl-multi", "127.0.0.2", State::undocumented, Severity::warning, ""},  // bit 2 is unused
      {"dnswl", "127.0.5.3", State::listed, Severity::good, "allowlisted"},
      {"dnswl", "127.0.10.0", State::listed, Severity::info, "special"},
      {"dnswl", "127.0.0.255", State::error, Severity::warning, "over-use"},
      {"validity-rpbl", "127.0.0.1", State::listed, Severity::warning, "bot"},
      {"validity-rpbl", "127.255.255.255", State::error, Severity::warning, "registered"},
      {"mailspike-rep", "127.0.0.20", State::listed, Severity::good, "H5"},
      {"dronebl", "127.0.0.255", State::listed, Severity::warning, "uncategorized"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.list);
    CAPTURE(row.answer);
    const Blocklist& l = list(row.list);
    const Classification c = mailrep::data::classify(l, ip(row.answer));
    CHECK_MESSAGE(c.state == row.state, "got " << state_name(c.state));
    CHECK(c.meaning.find(row.contains) != std::string::npos);
    CHECK((c.rule != nullptr) == (c.state == State::listed));
    CHECK((c.error != nullptr) == (c.state == State::error));
    if (c.state == State::listed) CHECK(c.severity == row.severity);
  }
}

TEST_CASE("per-answer weight overrides the list weight") {
  const Blocklist& zen = list("spamhaus-zen");
  auto sbl = mailrep::data::classify(zen, ip("127.0.0.2"));
  auto pbl = mailrep::data::classify(zen, ip("127.0.0.11"));
  REQUIRE(sbl.rule != nullptr);
  REQUIRE(pbl.rule != nullptr);
  CHECK(sbl.rule->weight == zen.weight);
  CHECK(pbl.rule->weight < zen.weight);
}

TEST_CASE("a bitmask answer matches every set bit") {
  const Blocklist& uribl = list("uribl-multi");
  CHECK(mailrep::data::matching_rules(uribl, ip("127.0.0.14")).size() == 3);
  CHECK(mailrep::data::matching_rules(uribl, ip("127.0.0.6")).size() == 2);
  CHECK(mailrep::data::matching_rules(uribl, ip("127.0.0.1")).empty());  // the refusal code
  CHECK(mailrep::data::matching_rules(uribl, ip("127.255.255.255")).empty());
}

TEST_CASE("dead lists are flagged and never queryable") {
  for (std::string_view id : {"sorbs-dnsbl", "nixspam", "ahbl", "njabl", "wpbl", "spamhaus-dwl"}) {
    CAPTURE(id);
    const Blocklist& l = list(id);
    CHECK(l.dead);
    CHECK(!l.enabled);
    CHECK(!l.queryable());
  }
  CHECK(!list("spamhaus-zen").dead);
  CHECK(list("spamhaus-zen").queryable());
}

TEST_CASE("test points default to RFC 5782 and can be overridden") {
  const auto& zen = list("spamhaus-zen").test_points;
  CHECK(zen.listed == std::vector<std::string>{"127.0.0.2", "::ffff:7f00:2"});
  CHECK(zen.unlisted == std::vector<std::string>{"127.0.0.1", "::ffff:7f00:1"});
  CHECK(list("spamhaus-dbl").test_points.listed == std::vector<std::string>{"dbltest.com"});
  CHECK(list("nordspam-dbl").test_points.listed == std::vector<std::string>{"test"});
  CHECK(list("hostkarma").test_points.unlisted.empty());
}

TEST_CASE("keys switch keyed lists to their key zones") {
  Catalogue cat = shipped();
  REQUIRE(mailrep::data::apply_spamhaus_key(cat, "abc123def").has_value());
  const Blocklist* zen = cat.find("spamhaus-zen");
  const Blocklist* zrd = cat.find("spamhaus-zrd");
  const Blocklist* abusix = cat.find("abusix-combined");
  REQUIRE(zen != nullptr);
  REQUIRE(zrd != nullptr);
  REQUIRE(abusix != nullptr);
  CHECK(zen->zone == "abc123def.zen.dq.spamhaus.net");
  CHECK(zen->display_zone.find("abc123def") == std::string::npos);
  CHECK(zen->queryable());
  CHECK(zrd->zone == "abc123def.zrd.dq.spamhaus.net");
  CHECK(zrd->queryable());
  CHECK(!abusix->queryable());  // no abusix key given

  mailrep::data::Keys keys;
  keys.abusix = "k-1";
  REQUIRE(mailrep::data::apply_keys(cat, keys).has_value());
  CHECK(abusix->zone == "k-1.combined.mail.abusix.zone");
  CHECK(abusix->queryable());
}

TEST_CASE("a bad key is rejected without changing anything or echoing the key") {
  Catalogue cat = shipped();
  mailrep::data::Keys keys;
  keys.spamhaus = "secret.with.dots";
  auto r = mailrep::data::apply_keys(cat, keys);
  REQUIRE(!r.has_value());
  CHECK(r.error().code == mailrep::ErrorCode::invalid_input);
  CHECK(r.error().message.find("secret") == std::string::npos);
  CHECK(cat.find("spamhaus-zen")->zone == "zen.spamhaus.org");
}

TEST_CASE("bad catalogue files are rejected whole with file:line") {
  struct Row {
    std::string_view name;
    std::string_view text;
    int line;
    std::string_view contains;
  };
  // A valid list; snippets below append to or alter it.
  const Row rows[] = {
      {"TOML syntax error", "[[list]]\nid = \"a\"\nzone = [1,\n", 3, "TOML syntax"},
      {"unknown kind",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ipv4\"\n", 5, "unknown kind"},
      {"missing zone", "# c\n[[list]]\nid = \"a\"\nname = \"A\"\nkind = \"ip\"\n", 2, "missing 'zone'"},
      {"bad match syntax",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[[list.answer]]\nmatch = \"127.0.0\"\n"
       "meaning = \"x\"\nseverity = \"critical\"\n",
       7, "bad match"},
      {"answer outside 127/8",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[[list.answer]]\nmatch = \"10.0.0.2\"\n"
       "meaning = \"x\"\nseverity = \"critical\"\n",
       7, "127.0.0.0/8"},
      {"range end outside 127/8",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[[list.answer]]\n"
       "match = \"127.0.0.2-128.0.0.1\"\nmeaning = \"x\"\nseverity = \"critical\"\n",
       7, "127.0.0.0/8"},
      {"reversed range",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[[list.answer]]\n"
       "match = \"127.0.0.9-127.0.0.2\"\nmeaning = \"x\"\nseverity = \"critical\"\n",
       7, "range"},
      {"bad mask",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[[list.answer]]\nmatch = \"mask:0x100\"\n"
       "meaning = \"x\"\nseverity = \"critical\"\n",
       7, "mask"},
      {"unknown severity",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[[list.answer]]\nmatch = \"127.0.0.2\"\n"
       "meaning = \"x\"\nseverity = \"bad\"\n",
       9, "severity"},
      {"unknown key in a list",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\nwieght = 3\n", 6, "unknown key 'wieght'"},
      {"unknown key in an answer",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[[list.answer]]\nmatch = \"127.0.0.2\"\n"
       "meaning = \"x\"\nseverity = \"critical\"\ncolour = \"red\"\n",
       10, "unknown key 'colour'"},
      {"unknown top-level key", "version = 2\n[[list]]\nid = \"a\"\n", 1, "unknown key 'version'"},
      {"live list without answers",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n", 1, "answer"},
      {"duplicate id",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\ndead = true\ndead_reason = \"gone\"\n"
       "[[list]]\nid = \"a\"\nname = \"B\"\nzone = \"b.example\"\nkind = \"ip\"\ndead = true\ndead_reason = \"gone\"\n",
       9, "duplicate id 'a' (first at line 1)"},
      {"dead list enabled",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\ndead = true\ndead_reason = \"gone\"\n"
       "enabled = true\n",
       8, "dead"},
      {"dead list without reason",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\ndead = true\n", 1, "dead_reason"},
      {"requires_key list enabled in the file",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\nrequires_key = \"abusix\"\n"
       "key_zone = \"{key}.a.example\"\nenabled = true\n",
       8, "key"},
      {"key_zone without {key}",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\nkeyed = \"spamhaus\"\n"
       "key_zone = \"key.a.example\"\n",
       7, "{key}"},
      {"unknown key provider",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\nkeyed = \"acme\"\n", 6, "provider"},
      {"domain list without query",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"domain\"\n", 1, "query"},
      {"ipv6 on a domain list",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"domain\"\nquery = \"host\"\nipv6 = true\n", 7,
       "ip lists only"},
      {"bad zone name", "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a..example\"\nkind = \"ip\"\n", 4, "zone name"},
      {"weight out of range",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\nweight = 101\n", 6, "weight"},
      {"bad test point",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n"
       "test_points = { listed = [\"not-an-ip\"] }\n",
       6, "test point"},
      {"answer given as a plain table",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\n[list.answer]\nmatch = \"127.0.0.2\"\n", 6,
       "array of tables"},
      {"rate_burst without rate_limit_qps",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\nrate_burst = 10\n", 6, "needs"},
      {"rate_burst below one",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"a.example\"\nkind = \"ip\"\nrate_limit_qps = 5\nrate_burst = 0.5\n", 7,
       "rate_burst"},
      {"rate_scope without rate_limit_qps",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"bl.a.example\"\nkind = \"ip\"\nrate_scope = \"a.example\"\n", 6,
       "needs"},
      {"rate_scope not a parent of the zone",
       "[[list]]\nid = \"a\"\nname = \"A\"\nzone = \"bl.a.example\"\nkind = \"ip\"\nrate_limit_qps = 5\n"
       "rate_scope = \"la.example\"\n",
       7, "parent"},
      {"no lists", "# empty\n", 1, "no [[list]]"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    auto r = mailrep::data::parse_blocklists(row.text, "snippet.toml");
    REQUIRE(!r.has_value());
    CHECK(r.error().code == mailrep::ErrorCode::parse);
    const std::string prefix = "snippet.toml:" + decimal(row.line) + ": ";
    CHECK_MESSAGE(r.error().message.starts_with(prefix), r.error().message);
    CHECK_MESSAGE(r.error().message.find(row.contains) != std::string::npos, r.error().message);
  }
}

TEST_CASE("a minimal valid file parses with defaults") {
  constexpr std::string_view text = R"(
[[list]]
id = "example"
name = "Example"
zone = "BL.Example.TEST."
kind = "ip"
rate_limit_qps = 5
[[list.answer]]
match = "127.0.0.2-127.0.0.9"
meaning = "listed"
severity = "warning"
)";
  auto r = mailrep::data::parse_blocklists(text, "mini.toml");
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
  REQUIRE(r->lists.size() == 1);
  const Blocklist& l = r->lists.front();
  CHECK(l.zone == "bl.example.test");
  CHECK(l.enabled);
  CHECK(l.ipv4);
  CHECK(!l.ipv6);
  CHECK(l.weight == 0);
  CHECK(l.rate_limit_qps == doctest::Approx(5.0));
  CHECK(l.rate_burst == doctest::Approx(5.0));  // one second's worth by default
  CHECK(l.rate_zone() == "bl.example.test");     // no rate_scope: the zone's own limit
  CHECK(l.line == 2);
  CHECK(l.answers.front().line == 8);
  CHECK(mailrep::data::classify(l, ip("127.0.0.5")).state == State::listed);
  CHECK(mailrep::data::classify(l, ip("127.0.0.10")).state == State::undocumented);
}

TEST_CASE("duplicate zones are a warning, not an error") {
  constexpr std::string_view text = R"([[list]]
id = "a"
name = "A"
zone = "a.example"
kind = "ip"
[[list.answer]]
match = "127.0.0.2"
meaning = "x"
severity = "info"
[[list]]
id = "b"
name = "B"
zone = "a.example"
kind = "ip"
[[list.answer]]
match = "127.0.0.2"
meaning = "x"
severity = "info"
)";
  auto r = mailrep::data::parse_blocklists(text, "dup.toml");
  REQUIRE(r.has_value());
  REQUIRE(r->warnings.size() == 1);
  CHECK(r->warnings.front().starts_with("dup.toml:10: "));
}

TEST_CASE("an unreadable file is an io error") {
  auto r = mailrep::data::load_blocklists(std::string(MAILREP_SOURCE_DIR) + "/lists/does-not-exist.toml");
  REQUIRE(!r.has_value());
  CHECK(r.error().code == mailrep::ErrorCode::io);
}

}  // TEST_SUITE

TEST_CASE("a list result gives each answer once and every meaning, sanitised") {
  mailrep::dnsbl::ListResult r;
  r.hits = {{"127.0.0.6", "spam trap hits", mailrep::data::Severity::warning},
            {"127.0.0.6", "phishing\x1b[31m source", mailrep::data::Severity::critical},
            {"127.0.0.2", "direct spam source", mailrep::data::Severity::critical}};
  CHECK(r.answers() == std::vector<std::string>{"127.0.0.6", "127.0.0.2"});
  CHECK(r.meanings() == std::vector<std::string>{"spam trap hits", "phishing\\x1b[31m source", "direct spam source"});
}
