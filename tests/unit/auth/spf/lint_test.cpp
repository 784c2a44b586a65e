// SPF lint and inventory: findings, worst-case lookup counting, the tree, the flattened networks,
// and that every finding id has complete English and German texts for all its arguments.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mailrep/auth/spf/lint.hpp"
#include "../../../support/table_resolver.hpp"

using namespace mailrep;
using namespace mailrep::auth::spf;
using mailrep::test::TableResolver;

namespace {

SpfReport run_lint(TableResolver& t, std::string domain) {
  auto task = lint(t, std::move(domain));
  REQUIRE(task.done());
  return task.take();
}

const Finding* find(const SpfReport& r, std::string_view id) {
  for (const auto& f : r.findings)
    if (f.id == id) return &f;
  return nullptr;
}

std::vector<std::string> ids(const SpfReport& r) {
  std::vector<std::string> out;
  for (const auto& f : r.findings) out.push_back(f.id);
  std::sort(out.begin(), out.end());
  return out;
}

/// Every {name} in the texts of the finding's id must be one of its arguments.
void check_texts(const Finding& f) {
  const MessageText* text = nullptr;
  for (const auto& m : spf_messages())
    if (m.id == f.id) text = &m;
  REQUIRE_MESSAGE(text != nullptr, "no texts for ", f.id);
  for (auto s : {text->en_title, text->en_detail, text->en_fix, text->de_title, text->de_detail, text->de_fix}) {
    CHECK_MESSAGE(!s.empty(), f.id);
    for (std::size_t i = s.find('{'); i != std::string_view::npos; i = s.find('{', i + 1)) {
      const auto end = s.find('}', i);
      REQUIRE(end != std::string_view::npos);
      const auto name = s.substr(i + 1, end - i - 1);
      bool has = false;
      for (const auto& [k, v] : f.args)
        if (k == name) has = true;
      CHECK_MESSAGE(has, f.id, " lacks argument {", name, "}");
    }
  }
  CHECK(f.who_can_fix == Fixer::domain_owner);
}

}  // namespace

TEST_SUITE("auth::spf") {

TEST_CASE("lint: a clean tree, its costs and its networks") {
  TableResolver t;
  t.add_txt("example.com", "v=spf1 ip4:192.0.2.0/24 include:_spf.provider.test mx a:out.example.com/28 -ip4:198.51.100.9 -all");
  t.add_txt("_spf.provider.test", "v=spf1 ip6:2001:db8:1::/48 ?ip4:203.0.113.0/24 -all");
  t.add_mx("example.com", 10, "mx1.example.com");
  t.add_a("mx1.example.com", "192.0.2.25");
  t.add_a("mx1.example.com", "2001:db8::25");
  t.add_a("out.example.com", "198.51.100.20");
  auto r = run_lint(t, "example.com");
  CHECK(r.findings.empty());
  CHECK(r.lookups == 3);
  CHECK(r.void_lookups == 0);
  CHECK(r.complete);
  CHECK(r.record.rfind("v=spf1 ip4:", 0) == 0);
  REQUIRE(r.tree.children.size() == 1);
  CHECK(r.tree.children[0].domain == "_spf.provider.test");
  CHECK(r.tree.children[0].via == "include:_spf.provider.test");
  CHECK(r.tree.terms[1].cost == 1);
  CHECK(r.tree.terms[1].running == 1);
  CHECK(r.tree.terms[3].running == 3);
  std::vector<std::string> nets;
  for (const auto& n : r.networks) nets.push_back(n.cidr.to_string() + " " + n.origin);
  const std::vector<std::string> expected{
      "192.0.2.0/24 ip4:192.0.2.0/24",
      "2001:db8:1::/48 include:_spf.provider.test → ip6:2001:db8:1::/48",
      "192.0.2.25/32 mx → mx1.example.com A",
      "2001:db8::25/128 mx → mx1.example.com AAAA",
      "198.51.100.16/28 a:out.example.com/28 → out.example.com A",
  };
  CHECK(nets == expected);
}

TEST_CASE("lint: too many lookups, with the includes to cut") {
  TableResolver t;
  t.add_txt("big.test", "v=spf1 include:a.test include:b.test include:c.test ip4:192.0.2.1 -all");
  t.add_txt("a.test", "v=spf1 include:a1.test include:a2.test include:a3.test include:a4.test ~all");
  for (auto n : {"a1.test", "a2.test", "a3.test", "a4.test", "b1.test", "c1.test"}) t.add_txt(n, "v=spf1 ip4:198.51.100.1 ~all");
  t.add_txt("b.test", "v=spf1 include:b1.test a:x.b.test a:y.b.test ~all");
  t.add_a("x.b.test", "198.51.100.2");
  t.add_a("y.b.test", "198.51.100.3");
  t.add_txt("c.test", "v=spf1 include:c1.test ~all");
  auto r = run_lint(t, "big.test");
  CHECK(r.lookups == 11);  // a(1) a1-a4(5) b(6) b1 x y(9) c(10) c1(11)
  const Finding* f = find(r, "spf.too-many-lookups");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::critical);
  CHECK(f->get("count") == "11");
  CHECK(f->get("cut") == "include:a.test (5)");
  CHECK(f->get("eleventh") == "include:c1.test (c.test)");
  check_texts(*f);
}

TEST_CASE("lint: each problem finding") {
  TableResolver t;
  struct Row {
    const char* domain;
    std::vector<std::string> ids;
  };
  t.add_txt("void.test", "v=spf1 a:nx1.void.test mx:nx2.void.test exists:nx3.void.test -all");
  t.add_txt("loop.test", "v=spf1 include:loop2.test -all");
  t.add_txt("loop2.test", "v=spf1 include:loop.test -all");
  t.add_txt("multi.test", "v=spf1 -all");
  t.add_txt("multi.test", "v=spf1 +all");
  t.add_txt("ptr.test", "v=spf1 ptr -all");
  t.add_txt("plus.test", "v=spf1 +all");
  t.add_txt("neutral.test", "v=spf1 ip4:192.0.2.1 ?all");
  t.add_txt("noall.test", "v=spf1 ip4:192.0.2.1");
  t.add_txt("syntax.test", "v=spf1 ip4:192.0.2.300 -all");
  t.add_txt("incnone.test", "v=spf1 include:nothing.test -all");
  t.add_txt("temp.test", "v=spf1 include:dead.test -all");
  t.set_outcome("dead.test", std::nullopt, dns::Outcome::timeout);
  t.add_txt("incplus.test", "v=spf1 include:plus.test -all");
  t.add_txt("incneutral.test", "v=spf1 include:neutral.test -all");
  const Row rows[] = {
      {"void.test", {"spf.void-lookups"}},
      {"loop.test", {"spf.loop", "spf.too-many-lookups"}},
      {"multi.test", {"spf.multiple-records"}},
      {"ptr.test", {"spf.ptr-deprecated"}},
      {"plus.test", {"spf.plus-all"}},
      {"neutral.test", {"spf.neutral-all"}},
      {"noall.test", {"spf.neutral-all"}},
      {"syntax.test", {"spf.syntax"}},
      {"incnone.test", {"spf.include-no-spf"}},
      {"temp.test", {"spf.temperror"}},
      {"nothing.test", {"spf.no-record"}},
      {"incplus.test", {"spf.plus-all"}},
      {"incneutral.test", {}},  // ?all inside an include is harmless
  };
  for (const auto& row : rows) {
    CAPTURE(row.domain);
    auto r = run_lint(t, row.domain);
    CHECK(ids(r) == row.ids);
    for (const auto& f : r.findings) check_texts(f);
  }
  auto v = run_lint(t, "void.test");
  CHECK(v.void_lookups == 3);
  CHECK(find(v, "spf.void-lookups")->severity == Severity::critical);
  auto s = run_lint(t, "syntax.test");
  CHECK(find(s, "spf.syntax")->get("column") == "12");
  CHECK_FALSE(run_lint(t, "temp.test").complete);
}

TEST_CASE("lint: redirect next to all is not evaluated - macros are left alone") {
  TableResolver t;
  t.add_txt("r.test", "v=spf1 exists:%{i}._spf.r.test include:%{d}.inc.test redirect=other.test -all");
  t.add_txt("r.test.inc.test", "v=spf1 ip4:192.0.2.0/25");
  auto r = run_lint(t, "r.test");
  CHECK(r.lookups == 2);  // exists + include; the redirect is ignored because of -all
  REQUIRE(r.tree.children.size() == 1);
  CHECK(r.tree.children[0].domain == "r.test.inc.test");
  CHECK(r.networks.size() == 1);
  CHECK(r.tree.terms.back().evaluated == false);
  CHECK(t.count("other.test", dns::RrType::txt) == 0);
}

TEST_CASE("lint: the tree is fetched level by level, all siblings together") {
  TableResolver t;
  std::string root = "v=spf1";
  for (char c = 'a'; c <= 'e'; ++c) {
    const std::string n(1, c);
    root += " include:" + n + ".test";
    t.add_txt(n + ".test", "v=spf1 include:" + n + "1.test mx:" + n + ".test -all");
    t.add_txt(n + "1.test", "v=spf1 ip4:192.0.2.1 ~all");
    t.add_mx(n + ".test", 10, "mx." + n + ".test");
    t.add_a("mx." + n + ".test", "198.51.100.1");
  }
  t.add_txt("wide.test", root + " -all");
  test::SteppedResolver stepped(t);
  auto r = stepped.run(lint(stepped, "wide.test"));
  CHECK(r.lookups == 15);
  CHECK(stepped.rounds() <= 5);  // root, 5 includes, 5 second-level + MX, MX hosts' addresses
  CHECK(stepped.max_in_flight() >= 10);
  auto sync = run_lint(t, "wide.test");
  CHECK(sync.networks.size() == r.networks.size());
  CHECK(ids(sync) == ids(r));
}

TEST_CASE("lint: every message id has both languages") {
  for (const auto& m : spf_messages()) {
    CAPTURE(m.id);
    CHECK(m.id.rfind("spf.", 0) == 0);
    CHECK_FALSE(m.en_title.empty());
    CHECK_FALSE(m.en_detail.empty());
    CHECK_FALSE(m.de_title.empty());
    CHECK_FALSE(m.de_detail.empty());
  }
  CHECK(spf_messages().size() == 11);
}

}  // TEST_SUITE
