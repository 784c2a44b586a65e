// SPF record parsing: accepted syntax, and errors with their exact positions (RFC 7208 4.6, 5, 6, 12).
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "mailrep/auth/spf/record.hpp"

using namespace mailrep::auth::spf;

TEST_SUITE("auth::spf") {

TEST_CASE("record: version detection (RFC 7208 4.5)") {
  struct Row {
    std::string_view text;
    bool spf;
  };
  const Row rows[] = {
      {"v=spf1", true},        {"v=spf1 -all", true}, {"V=SpF1 ~all", true}, {"v=spf10", false},
      {"v=spf1-all", false},   {"spf1 -all", false},  {"", false},           {" v=spf1 -all", false},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    CHECK(is_spf_record(r.text) == r.spf);
  }
}

TEST_CASE("record: valid records and their terms") {
  auto rec = parse_record(
      "v=spf1 a/24//64 mx:foo.example.com/24 ?ip6:2001:DB8::/32 ip4:192.0.2.0/24 -include:_spf.example.com "
      "~exists:%{ir}.%{v}._spf.%{d2} ptr exp=explain.%{d} foo.bar=baz%{l} redirect=_spf.example.net all");
  REQUIRE(rec.ok());
  REQUIRE(rec.terms.size() == 8);
  CHECK(rec.terms[0].kind == Mechanism::a);
  CHECK(rec.terms[0].prefix4() == 24);
  CHECK(rec.terms[0].prefix6() == 64);
  CHECK(rec.terms[0].domain_spec.empty());
  CHECK(rec.terms[0].position == 7);
  CHECK(rec.terms[1].kind == Mechanism::mx);
  CHECK(rec.terms[1].domain_spec == "foo.example.com");
  CHECK(rec.terms[1].prefix4() == 24);
  CHECK(rec.terms[1].prefix6() == 128);
  CHECK(rec.terms[2].qualifier == Qualifier::neutral);
  CHECK(rec.terms[2].network->to_string() == "2001:db8::/32");
  CHECK(rec.terms[3].network->to_string() == "192.0.2.0/24");
  CHECK(rec.terms[4].qualifier == Qualifier::fail);
  CHECK(rec.terms[4].kind == Mechanism::include);
  CHECK(rec.terms[4].text == "-include:_spf.example.com");
  CHECK(rec.terms[5].qualifier == Qualifier::softfail);
  CHECK(rec.terms[5].domain_spec == "%{ir}.%{v}._spf.%{d2}");
  CHECK(rec.terms[6].kind == Mechanism::ptr);
  CHECK(rec.terms[7].kind == Mechanism::all);
  CHECK_FALSE(rec.terms[7].explicit_qualifier);
  REQUIRE(rec.modifiers.size() == 3);
  CHECK(rec.exp_modifier()->value == "explain.%{d}");
  CHECK(rec.modifiers[1].name == "foo.bar");  // unknown modifiers are kept
  CHECK(rec.redirect_modifier()->value == "_spf.example.net");
}

TEST_CASE("record: syntax that is accepted") {
  const std::string_view ok[] = {
      "v=spf1",
      "v=spf1 ",
      "v=spf1 a  -all ",
      "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all",
      "v=spf1 a:foo:bar/baz.example.com",
      "v=spf1 a:foo.example.xn--zckzah -all",
      "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
      "v=spf1 redirect=%{d}.d.spf.example.com.",
      "v=spf1 default=+",
      "v=spf1 ip6:::1.1.1.1/0",
      "v=spf1 exists:%{l2r+-}.user.%{d2}",
      "v=spf1 a//0 mx/0 -all",
      "v=spf1 Include:example.com MX:example.com IP4:192.0.2.1 -ALL",
  };
  for (auto text : ok) {
    CAPTURE(text);
    auto rec = parse_record(text);
    CHECK(rec.ok());
    if (!rec.ok()) MESSAGE(rec.errors.front().message);
  }
}

TEST_CASE("record: errors and their positions") {
  struct Row {
    std::string_view text;
    std::size_t position;
    std::string_view message_part;
  };
  const Row rows[] = {
      {"v=spf1 ip4:1.2.3.4 -all moo", 24, "unknown mechanism"},
      {"v=spf1 a:foo-bar -all", 9, "top-level label"},
      {"v=spf1 a:museum", 9, "top-level label"},
      {"v=spf1 a:111.222.33.44", 20, "invalid top-level label '44'"},
      {"v=spf1 a:example.-com", 17, "invalid top-level label"},
      {"v=spf1 a:example.com:8080", 17, "invalid top-level label"},
      {"v=spf1 ip4:1.2.3.4/33", 18, "prefix length"},
      {"v=spf1 ip4:1.2.3.4/032", 18, "prefix length"},
      {"v=spf1 ip4:1.2.3", 11, "invalid IPv4 address"},
      {"v=spf1 ip4:1.2.3.4:8080", 11, "invalid IPv4 address"},
      {"v=spf1 ip4:1.2.3.4//32", 18, "prefix length"},
      {"v=spf1 -all ip6", 12, "ip6 needs"},
      {"v=spf1 ip6::CAFE::BABE", 11, "invalid IPv6 address"},
      {"v=spf1 ip6:::1.1.1.1/129", 20, "prefix length"},
      {"v=spf1 a/24/64 -all", 11, "IPv4 prefix length /64"},
      {"v=spf1 a//129", 8, "IPv6 prefix length"},
      {"v=spf1 -all.", 8, "unknown mechanism 'all.'"},
      {"v=spf1 -all:foobar", 11, "'all' takes no arguments"},
      {"v=spf1 ptr/0 -all", 10, "unexpected"},
      {"v=spf1 include", 7, "include needs"},
      {"v=spf1 include: -all", 7, "empty domain"},
      {"v=spf1 exists:mail.example.com/24", 27, "top-level label"},
      {"v=spf1 ip4:1.2.3.4 redirect:t2.example.com", 19, "modifiers are written redirect="},
      {"v=spf1 1up=foo", 7, "must start with a letter"},
      {"v=spf1 =all", 7, "modifier without a name"},
      {"v=spf1 -all foo=%abc", 16, "'%' must be followed"},
      {"v=spf1 exists:%(ir).sbl.example.com", 14, "'%' must be followed"},
      {"v=spf1 exists:foo%.sbl.example.com", 17, "'%' must be followed"},
      {"v=spf1 a:%{a}.example.com -all", 11, "unknown macro letter"},
      {"v=spf1 -all exp=%{r}.example.com", 16, "only in explanation"},
      {"v=spf1 a:%{d0}.example.com", 9, "must not be zero"},
      {"v=spf1 a:%{d.example.com", 13, "expected '}'"},
      {"v=spf1 exp= -all", 7, "exp= needs a domain"},
      {"v=spf1 exp=-all", 11, "top-level label"},
      {"v=spf1 ?all redirect=", 12, "redirect= needs a domain"},
      {"v=spf1 exp=a.example.com -all exp=b.example.com", 30, "duplicate exp="},
      {"v=spf1 redirect=a.example.com -all redirect=a.example.com", 35, "duplicate redirect="},
      {"v=spf1 +redirect=a.example.com", 7, "no qualifier"},
      {"v=spf1 a:ctrl.example.com\rptr -all", 25, "invalid character \\x0D"},
      {"v=spf1 \x80" "a:example.net -all", 7, "7-bit ASCII"},
      {"v=spf1 a:\xEF\xBB\xBFgarbage.example.net -all", 9, "\\xEF"},
      {"v=spf1 ip4:192.0.2.5\n include:x.example.com", 20, "invalid character \\x0A"},
      {std::string_view("v=spf1 a:foo.example.com\0", 25), 24, "invalid character \\x00"},
      {"v=spf1 -", 7, "qualifier without a mechanism"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    auto rec = parse_record(r.text);
    REQUIRE_FALSE(rec.ok());
    CHECK(rec.errors.front().position == r.position);
    CHECK_MESSAGE(rec.errors.front().message.find(r.message_part) != std::string::npos, rec.errors.front().message);
  }
}

TEST_CASE("record: every error is reported, not just the first") {
  auto rec = parse_record("v=spf1 a:foo-bar ip4:1.2.3 include:ok.example.com moo -all");
  REQUIRE(rec.errors.size() == 3);
  CHECK(rec.errors[0].position == 9);
  CHECK(rec.errors[1].position == 21);
  CHECK(rec.errors[2].position == 50);
  CHECK(rec.terms.size() == 2);  // include and all
}

TEST_CASE("record: a not-SPF text is an error at 0") {
  auto rec = parse_record("v=spf10 -all");
  REQUIRE(rec.errors.size() == 1);
  CHECK(rec.errors[0].position == 0);
}

TEST_CASE("record: hostile sizes parse in linear time") {
  std::string text = "v=spf1";
  for (int i = 0; i < 20000; ++i) text += " ip4:192.0.2.1";
  text += " -all";
  auto rec = parse_record(text);
  CHECK(rec.ok());
  CHECK(rec.terms.size() == 20001);
  std::string bad = "v=spf1";
  for (int i = 0; i < 5000; ++i) bad += " a:%{";
  auto rec2 = parse_record(bad);
  CHECK(rec2.errors.size() == 5000);
}

}  // TEST_SUITE
