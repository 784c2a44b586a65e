// check_host(): results, the RFC 7208 4.6.4 limits counted exactly, hostile records, and the
// prefetch (wall time in round trips follows the tree depth, counts do not change).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailrep/auth/spf/check_host.hpp"
#include "../../../support/table_resolver.hpp"

using namespace mailrep;
using namespace mailrep::auth::spf;
using mailrep::test::TableResolver;

namespace {

std::string num(int v) {
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + v % 10));
    v /= 10;
  } while (v > 0);
  return s;
}

SpfOutcome run(TableResolver& table, std::string_view ip, std::string_view mail_from, bool prefetch = true,
               std::string_view helo = "mail.example.com") {
  auto in = input_from_envelope(*util::IpAddress::parse(ip), mail_from, helo);
  in.prefetch = prefetch;
  in.now = 1700000000;
  auto task = check_host(table, in);
  REQUIRE(task.done());
  return task.take();
}

}  // namespace

TEST_SUITE("auth::spf") {

TEST_CASE("check_host: basic results") {
  TableResolver t;
  t.add_txt("example.com", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 ~all");
  t.add_txt("other.example", "v=spf1 include:example.com -all exp=why.other.example");
  t.add_txt("why.other.example", "%{i} is not allowed to send for %{d} (%{s})");
  struct Row {
    const char* ip;
    const char* from;
    SpfResult result;
    const char* mechanism;
  };
  const Row rows[] = {
      {"192.0.2.10", "a@example.com", SpfResult::pass, "ip4:192.0.2.0/24"},
      {"::ffff:192.0.2.10", "a@example.com", SpfResult::pass, "ip4:192.0.2.0/24"},
      {"2001:db8::1", "a@example.com", SpfResult::pass, "ip6:2001:db8::/32"},
      {"198.51.100.1", "a@example.com", SpfResult::softfail, "~all"},
      {"192.0.2.10", "a@other.example", SpfResult::pass, "include:example.com"},
      {"198.51.100.1", "a@other.example", SpfResult::fail, "-all"},
      {"198.51.100.1", "a@nothing.example", SpfResult::none, ""},
      {"198.51.100.1", "a@single-label", SpfResult::none, ""},
  };
  for (const auto& r : rows) {
    CAPTURE(r.ip);
    CAPTURE(r.from);
    auto out = run(t, r.ip, r.from);
    CHECK(out.result == r.result);
    CHECK(out.mechanism == r.mechanism);
  }
  auto out = run(t, "198.51.100.1", "bob@other.example");
  CHECK(out.explanation == "198.51.100.1 is not allowed to send for other.example (bob@other.example)");
  auto inc = run(t, "192.0.2.10", "bob@other.example");
  CHECK(inc.match_path == std::vector<std::string>{"include:example.com", "ip4:192.0.2.0/24"});
  CHECK(inc.lookups == 1);
}

TEST_CASE("check_host: the 10-lookup limit is counted in evaluation order") {
  TableResolver t;
  t.add_a("e.example", "192.0.2.99");
  // 10 lookups then a match: pass; the 11th is never reached
  t.add_txt("ten.example", "v=spf1 a:e.example a:e.example a:e.example a:e.example a:e.example a:e.example "
                           "a:e.example a:e.example a:e.example a:e.example ip4:192.0.2.1 a:e.example -all");
  t.add_txt("eleven.example", "v=spf1 a:e.example a:e.example a:e.example a:e.example a:e.example a:e.example "
                              "a:e.example a:e.example a:e.example a:e.example a:e.example ip4:192.0.2.1 -all");
  auto ten = run(t, "192.0.2.1", "x@ten.example");
  CHECK(ten.result == SpfResult::pass);
  CHECK(ten.lookups == 10);
  auto eleven = run(t, "192.0.2.1", "x@eleven.example");
  CHECK(eleven.result == SpfResult::permerror);
  CHECK(eleven.problem == "too-many-lookups");
  CHECK(eleven.lookups == 11);
  // terms after a match do not count; redirect counts; include targets' terms count
  t.add_txt("inc.example", "v=spf1 a:e.example a:e.example a:e.example a:e.example a:e.example a:e.example a:e.example a:e.example");
  t.add_txt("at.example", "v=spf1 a:e.example include:inc.example ip4:192.0.2.1 mx -all");
  t.add_txt("over.example", "v=spf1 a:e.example include:inc.example a:e.example ip4:192.0.2.1 -all");
  CHECK(run(t, "192.0.2.1", "x@at.example").result == SpfResult::pass);
  CHECK(run(t, "192.0.2.1", "x@over.example").result == SpfResult::permerror);
}

TEST_CASE("check_host: exact query log without prefetch") {
  TableResolver t;
  t.add_txt("example.com", "v=spf1 a mx include:_spf.example.net -all");
  t.add_a("example.com", "192.0.2.1");
  t.add_mx("example.com", 10, "mx.example.com");
  t.add_a("mx.example.com", "192.0.2.2");
  t.add_txt("_spf.example.net", "v=spf1 ip4:198.51.100.0/24 -all");
  auto out = run(t, "198.51.100.7", "x@example.com", false);
  CHECK(out.result == SpfResult::pass);
  CHECK(out.lookups == 3);
  std::vector<std::string> expected{"example.com TXT", "example.com A", "example.com MX", "mx.example.com A",
                                    "_spf.example.net TXT"};
  std::vector<std::string> got;
  for (const auto& q : t.log()) got.push_back(q.name + " " + std::string(dns::to_string(q.type)));
  CHECK(got == expected);
}

TEST_CASE("check_host: void lookup limit (RFC 7208 4.6.4)") {
  TableResolver t;
  t.add_txt("two.example", "v=spf1 a:nx1.example mx:nx2.example ?all");
  t.add_txt("three.example", "v=spf1 a:nx1.example mx:nx2.example exists:nx3.example ?all");
  t.add_txt("nodata.example", "v=spf1 a:nodata.example a:nodata.example a:nodata.example ?all");
  auto two = run(t, "192.0.2.1", "x@two.example");
  CHECK(two.result == SpfResult::neutral);
  CHECK(two.void_lookups == 2);
  auto three = run(t, "192.0.2.1", "x@three.example");
  CHECK(three.result == SpfResult::permerror);
  CHECK(three.problem == "too-many-void-lookups");
  CHECK(run(t, "192.0.2.1", "x@nodata.example").result == SpfResult::permerror);  // NODATA is void too
}

TEST_CASE("check_host: MX and PTR name limits") {
  TableResolver t;
  t.add_txt("mx.example", "v=spf1 mx -all");
  for (int i = 0; i < 11; ++i) t.add_mx("mx.example", static_cast<std::uint16_t>(i), "h" + num(i) + ".mx.example");
  t.add_a("h10.mx.example", "192.0.2.1");
  auto mx = run(t, "192.0.2.1", "x@mx.example");
  CHECK(mx.result == SpfResult::permerror);
  CHECK(mx.problem == "too-many-mx");

  t.add_txt("ptr.example", "v=spf1 ptr -all");
  for (int i = 0; i < 11; ++i) t.add_ptr("1.2.0.192.in-addr.arpa", "n" + num(i) + ".other.example");
  t.add_ptr("1.2.0.192.in-addr.arpa", "host.ptr.example");  // 12th name: ignored
  t.add_a("host.ptr.example", "192.0.2.1");
  CHECK(run(t, "192.0.2.1", "x@ptr.example").result == SpfResult::fail);
}

TEST_CASE("check_host: DNS failures give temperror, never a verdict") {
  TableResolver t;
  t.add_txt("example.com", "v=spf1 a:broken.example include:dead.example -all");
  t.set_outcome("broken.example", std::nullopt, dns::Outcome::servfail);
  auto out = run(t, "192.0.2.1", "x@example.com");
  CHECK(out.result == SpfResult::temperror);
  CHECK(out.problem == "dns-error");
  t.set_outcome("root.example", dns::RrType::txt, dns::Outcome::timeout);
  CHECK(run(t, "192.0.2.1", "x@root.example").result == SpfResult::temperror);
  t.add_txt("inc.example", "v=spf1 include:dead.example -all");
  t.set_outcome("dead.example", std::nullopt, dns::Outcome::refused);
  CHECK(run(t, "192.0.2.1", "x@inc.example").result == SpfResult::temperror);
}

TEST_CASE("check_host: hostile records end quickly in the RFC's error") {
  TableResolver t;
  SUBCASE("include loop") {
    t.add_txt("a.example", "v=spf1 include:b.example -all");
    t.add_txt("b.example", "v=spf1 include:a.example -all");
    auto out = run(t, "192.0.2.1", "x@a.example");
    CHECK(out.result == SpfResult::permerror);
    CHECK(out.problem == "too-many-lookups");
    CHECK(t.log().size() < 40);
  }
  SUBCASE("self redirect") {
    t.add_txt("a.example", "v=spf1 redirect=a.example");
    CHECK(run(t, "192.0.2.1", "x@a.example").result == SpfResult::permerror);
  }
  SUBCASE("CNAME loop") {
    t.add_cname("a.example", "b.example");
    t.add_cname("b.example", "a.example");
    CHECK(run(t, "192.0.2.1", "x@a.example").result == SpfResult::none);
    t.add_txt("c.example", "v=spf1 a:a.example include:a.example -all");
    CHECK(run(t, "192.0.2.1", "x@c.example").result == SpfResult::permerror);
  }
  SUBCASE("thousands of terms") {
    std::string rec = "v=spf1";
    for (int i = 0; i < 5000; ++i) rec += " ip4:198.51.100.1 a:x" + num(i) + ".example";
    t.add_txt("big.example", rec + " -all");
    auto out = run(t, "192.0.2.1", "x@big.example");
    CHECK(out.result == SpfResult::permerror);
    CHECK(t.log().size() < 100);  // the prefetch is bounded too
  }
  SUBCASE("huge TXT") {
    t.add_txt("huge.example", "v=spf1 " + std::string(60000, 'x') + " -all");
    CHECK(run(t, "192.0.2.1", "x@huge.example").result == SpfResult::permerror);
  }
  SUBCASE("512-byte macro expansions") {
    t.add_txt("m.example", "v=spf1 exists:%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}.%{d} -all exp=e.m.example");
    t.add_txt("e.m.example", "%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}%{l}");
    auto out = run(t, "192.0.2.1", std::string(512, 'x') + "@m.example");
    CHECK(out.result == SpfResult::fail);
    CHECK(out.explanation.size() <= 1024);
  }
}

TEST_CASE("check_host: prefetch keeps counts and results, and wall time follows the depth") {
  TableResolver t;
  // root -> 2 includes -> 2 includes each (depth 3); the leaves hold ip4: and a:
  std::string root = "v=spf1";
  for (int i = 0; i < 2; ++i) {
    const std::string n = num(i);
    root += " include:m" + n + ".example";
    t.add_txt("m" + n + ".example", "v=spf1 include:l" + n + "a.example include:l" + n + "b.example");
    t.add_txt("l" + n + "a.example", "v=spf1 ip4:198.51.100." + n + " -all");
    t.add_txt("l" + n + "b.example", "v=spf1 a:host" + n + ".example -all");
    t.add_a("host" + n + ".example", "203.0.113." + n);
  }
  t.add_txt("root.example", root + " -all");
  for (bool prefetch : {false, true}) {
    CAPTURE(prefetch);
    test::SteppedResolver rr(t);
    auto in = input_from_envelope(*util::IpAddress::parse("203.0.113.1"), "x@root.example", "h.example");
    in.prefetch = prefetch;
    auto out = rr.run(check_host(rr, in));
    CHECK(out.result == SpfResult::pass);
    CHECK(out.lookups == 8);  // counted in evaluation order, whatever was prefetched
    CHECK(out.match_path == std::vector<std::string>{"include:m1.example", "include:l1b.example", "a:host1.example"});
    if (prefetch) CHECK(rr.rounds() <= 5);  // depth 3 + the a: target's round + 1
    else CHECK(rr.rounds() == 9);           // one round trip per lookup
  }
}

}  // TEST_SUITE
