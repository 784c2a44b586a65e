// SPF macro expansion (RFC 7208 7): the RFC's own examples (7.4), transformers, URL escaping,
// the letters allowed where, and the truncation of long names.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "mailrep/auth/spf/record.hpp"
#include "mailrep/util/text.hpp"

using namespace mailrep;
using namespace mailrep::auth::spf;

namespace {

MacroValues rfc_values(std::string_view ip) {
  MacroValues v;
  v.sender = "strong-bad@email.example.com";
  v.local_part = "strong-bad";
  v.sender_domain = "email.example.com";
  v.domain = "email.example.com";
  v.ip = *util::IpAddress::parse(ip);
  v.helo = "mx.example.org";
  v.receiver = "mx.receiver.example";
  v.timestamp = 1700000000;
  v.validated_name = "mx.example.org";
  return v;
}

std::string expand(std::string_view text, const MacroValues& v, MacroSyntax syntax = MacroSyntax::explanation) {
  auto out = expand_macros(text, v, syntax);
  REQUIRE_MESSAGE(out.has_value(), text, ": ", (out ? std::string() : out.error().message));
  return *out;
}

}  // namespace

TEST_SUITE("auth::spf") {

TEST_CASE("macro: RFC 7208 7.4 examples") {
  const auto v = rfc_values("192.0.2.3");
  struct Row {
    std::string_view macro, expansion;
  };
  const Row rows[] = {
      {"%{s}", "strong-bad@email.example.com"},
      {"%{o}", "email.example.com"},
      {"%{d}", "email.example.com"},
      {"%{d4}", "email.example.com"},
      {"%{d3}", "email.example.com"},
      {"%{d2}", "example.com"},
      {"%{d1}", "com"},
      {"%{dr}", "com.example.email"},
      {"%{d2r}", "example.email"},
      {"%{l}", "strong-bad"},
      {"%{l-}", "strong.bad"},
      {"%{lr}", "strong-bad"},
      {"%{lr-}", "bad.strong"},
      {"%{l1r-}", "strong"},
      {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
      {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
      {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
      {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
      {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.macro);
    CHECK(expand(r.macro, v, MacroSyntax::domain_spec) == r.expansion);
  }
}

TEST_CASE("macro: RFC 7208 7.4 IPv6 example") {
  const auto v = rfc_values("2001:db8::cb01");
  // The RFC prints the nibbles in lower case; mailrep prints them upper case, as the openspf
  // suite expects in explanations (DNS names compare case-insensitively).
  CHECK(util::iequals(expand("%{ir}.%{v}._spf.%{d2}", v, MacroSyntax::domain_spec),
                      "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"));
  CHECK(expand("%{c}", v) == "2001:db8::cb01");
  CHECK(expand("%{v}", v) == "ip6");
}

TEST_CASE("macro: escapes, URL encoding and explanation-only letters") {
  auto v = rfc_values("192.0.2.3");
  CHECK(expand("%%%_%-", v) == "% %20");
  CHECK(expand("%{c} %{r} %{t} %{p} %{h}", v) == "192.0.2.3 mx.receiver.example 1700000000 mx.example.org mx.example.org");
  v.local_part = "~jack&jill=up-a_b3.c";
  CHECK(expand("http://example.com/why.html?l=%{L}", v) == "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c");
  v.validated_name.reset();
  CHECK(expand("%{p}", v) == "unknown");
  CHECK_FALSE(expand_macros("%{c}.example.com", v, MacroSyntax::domain_spec).has_value());
  CHECK_FALSE(expand_macros("%{r}", v, MacroSyntax::domain_spec).has_value());
  CHECK(expand_macros("%{t}", v, MacroSyntax::modifier).has_value());
  CHECK_FALSE(expand_macros("a b", v, MacroSyntax::domain_spec).has_value());
  CHECK(expand("The %{l}-files.", v).size() > 0);
  CHECK_FALSE(expand_macros("The %{x}-files.", v, MacroSyntax::explanation).has_value());
}

TEST_CASE("macro: transformers") {
  auto v = rfc_values("1.2.3.4");
  v.local_part = "philip-gladstone-test";
  CHECK(expand("%{i}.%{l2r-}.user.%{d2}", v) == "1.2.3.4.gladstone.philip.user.example.com");
  v.local_part = "foo-bar+zip+quux";
  CHECK(expand("%{l2r+-}.user.%{d2}", v) == "bar.foo.user.example.com");
  CHECK(expand("%{d999999999999}", v) == "email.example.com");  // more parts than there are: all
  CHECK(expand("%{D2R}", v) == "example.email");
}

TEST_CASE("macro: domain-spec endings (RFC 7208 7.1 domain-end)") {
  const std::string_view good[] = {"example.com", "example.com.", "%{d}", "%{d}.com", "foo%-", "a.xn--zckzah", "x.1-2"};
  const std::string_view bad[] = {"", "com", "com.", "%{d}com", "foo-bar", "a.123", "a.-com", "a.com-", "a.co_m", "%{d}."};
  for (auto s : good) {
    CAPTURE(s);
    CHECK_FALSE(check_domain_spec(s).has_value());
  }
  for (auto s : bad) {
    CAPTURE(s);
    CHECK(check_domain_spec(s).has_value());
  }
}

TEST_CASE("macro: query names (RFC 7208 7.3 truncation)") {
  CHECK(to_query_name("example.com.") == "example.com");
  CHECK_FALSE(to_query_name("mail.example...com").has_value());
  CHECK_FALSE(to_query_name(std::string(64, 'a') + ".example.com").has_value());
  CHECK_FALSE(to_query_name("").has_value());
  std::string long_name = "foobar";
  for (int i = 0; i < 8; ++i) long_name += ".somewhat.long.exp.example.com";
  long_name += ".example.com";
  auto t = to_query_name(long_name);
  REQUIRE(t.has_value());
  CHECK(t->size() <= 253);
  CHECK(t->rfind("somewhat.", 0) == 0);
}

TEST_CASE("macro: expansion is bounded") {
  auto v = rfc_values("192.0.2.3");
  v.local_part = std::string(512, 'x');
  std::string text;
  for (int i = 0; i < 40; ++i) text += "%{l}";
  CHECK_FALSE(expand_macros(text, v, MacroSyntax::explanation).has_value());  // 20 KiB > cap
  CHECK(expand_macros("%{l}%{l}", v, MacroSyntax::explanation)->size() == 1024);
}

TEST_CASE("macro: uses_macro") {
  CHECK(uses_macro("%{p}.example.com", 'p'));
  CHECK(uses_macro("%{P}.example.com", 'p'));
  CHECK_FALSE(uses_macro("%%{p}.example.com", 'p'));
  CHECK_FALSE(uses_macro("example.com"));
  CHECK(uses_macro("x%{d}"));
}

}  // TEST_SUITE
