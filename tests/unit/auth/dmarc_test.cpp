// DMARC parsing, policy discovery, report authorisation and alignment (auth::dmarc), and the
// completeness of the auth modules' message texts.
#include <doctest/doctest.h>

#include <set>
#include <chrono>
#include <string>
#include <vector>

#include "mailrep/auth/dmarc/dmarc.hpp"
#include "mailrep/auth/messages.hpp"
#include "mailrep/io/loop.hpp"
#include "table_resolver.hpp"

using namespace mailrep;
using namespace mailrep::auth::dmarc;

namespace {

bool has(const std::vector<Finding>& fs, std::string_view id) {
  for (const auto& f : fs)
    if (f.id == id) return true;
  return false;
}
const Finding* get(const std::vector<Finding>& fs, std::string_view id) {
  for (const auto& f : fs)
    if (f.id == id) return &f;
  return nullptr;
}

void require_texts(const std::vector<Finding>& fs) {
  for (const auto& f : fs) {
    const MessageText* m = nullptr;
    for (const auto& t : auth::auth_messages())
      if (t.id == f.id) m = &t;
    INFO("finding ", f.id);
    REQUIRE(m != nullptr);
    for (std::string_view text : {m->en_title, m->en_detail, m->en_fix, m->de_title, m->de_detail, m->de_fix}) {
      for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
        const auto end = text.find('}', i);
        REQUIRE(end != std::string_view::npos);
        const std::string_view name = text.substr(i + 1, end - i - 1);
        bool found = false;
        for (const auto& [k, v] : f.args) found = found || k == name;
        INFO("argument {", name, "}");
        CHECK(found);
      }
    }
  }
}

template <class T>
T run(io::Task<T> task) {
  REQUIRE(task.done());
  return task.take();
}

std::string pol(std::optional<Policy> p) { return p ? std::string(to_string(*p)) : std::string("-"); }


/// Answers from a table after a delay on a real io::Loop, counting how many lookups overlap.
class SlowResolver final : public dns::Resolver {
public:
  SlowResolver(io::Loop& loop, const test::TableResolver& table) : m_loop(loop), m_table(table) {}
  io::Task<dns::Answer> lookup(dns::Query query) override {
    ++in_flight;
    if (in_flight > max_in_flight) max_in_flight = in_flight;
    auto pause = m_loop.sleep(std::chrono::milliseconds(5));
    co_await pause;
    --in_flight;
    co_return m_table.answer(query);
  }
  int in_flight = 0;
  int max_in_flight = 0;

private:
  io::Loop& m_loop;
  const test::TableResolver& m_table;
};
}  // namespace

TEST_SUITE("auth::dmarc") {

TEST_CASE("is_dmarc_record") {
  CHECK(is_dmarc_record("v=DMARC1; p=none"));
  CHECK(is_dmarc_record("v = DMARC1;p=none"));
  CHECK(is_dmarc_record("v=DMARC1"));
  CHECK(is_dmarc_record(" v=DMARC1 ; p=none"));
  CHECK(is_dmarc_record("V=DMARC1; p=none"));
  CHECK_FALSE(is_dmarc_record("v=dmarc1; p=none"));  // the version is case-sensitive
  CHECK_FALSE(is_dmarc_record("v=DMARC10; p=none"));
  CHECK_FALSE(is_dmarc_record("p=none; v=DMARC1"));
  CHECK_FALSE(is_dmarc_record("v=spf1 -all"));
}

TEST_CASE("parse_record: policies, tags, problems") {
  struct Row {
    const char* text;
    bool usable;
    const char* p;
    const char* sp;  // subdomain policy (sp, else p)
    const char* np;  // non-existent (np, else sp, else p)
    bool testing;
    std::size_t problems;
  };
  const Row rows[] = {
      {"v=DMARC1; p=reject", true, "reject", "reject", "reject", false, 0},
      {"v=DMARC1;p=quarantine;sp=none", true, "quarantine", "none", "none", false, 0},
      {"v=DMARC1; p=reject; sp=quarantine; np=reject", true, "reject", "quarantine", "reject", false, 0},
      {"v=DMARC1; P=Reject; SP=None", true, "reject", "none", "none", false, 0},
      {"v=DMARC1; p=reject; t=y", true, "reject", "reject", "reject", true, 0},
      {"v=DMARC1; p=reject; pct=0", true, "reject", "reject", "reject", true, 0},
      {"v=DMARC1; p=none; pct=50; rf=afrf; ri=86400", true, "none", "none", "none", false, 0},
      {"v=DMARC1; rua=mailto:d@example.com", true, "none", "none", "none", false, 1},         // p missing: none
      {"v=DMARC1; p=rejected; rua=mailto:d@example.com", true, "none", "none", "none", false, 1},  // 7489 6.6.3
      {"v=DMARC1; p=rejected", false, "-", "-", "-", false, 2},
      {"v=DMARC1; p=reject; p=none", false, "reject", "reject", "reject", false, 1},  // duplicate: invalid list
      {"v=DMARC1 p=reject", false, "-", "-", "-", false, 2},
      {"v=DMARC1; p=reject;;", true, "reject", "reject", "reject", false, 1},
      {"v=DMARC1; p=reject; adkim=x; sp=sometimes", true, "reject", "reject", "reject", false, 2},
      {"p=reject; v=DMARC1", false, "-", "-", "-", false, 1},
      {"v=DMARC1; p=reject; pct=101", true, "reject", "reject", "reject", false, 1},
      {"v=DMARC1; p=reject; rua=https://example.com/r", true, "reject", "reject", "reject", false, 1},
      {"v=DMARC1; p=reject; fo=1:d:x", true, "reject", "reject", "reject", false, 1},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.text));
    Record rec = parse_record(r.text);
    CHECK(rec.usable == r.usable);
    if (rec.usable) {
      CHECK(pol(rec.policy()) == r.p);
      CHECK(pol(rec.subdomain_policy()) == r.sp);
      CHECK(pol(rec.nonexistent_policy()) == r.np);
    }
    CHECK(rec.testing == r.testing);
    CHECK(rec.problems.size() == r.problems);
  }
}

TEST_CASE("parse_record: details") {
  Record r = parse_record(
      "v=DMARC1; p=quarantine; adkim=s; aspf=r; psd=n; "
      "rua=mailto:dmarc@example.com, mailto:agg@reports.example.net!10m; ruf=mailto:f@example.com; "
      "fo=1:s; pct=20; rf=afrf; ri=3600; x_custom=1");
  CHECK(r.usable);
  CHECK(r.adkim == AlignMode::strict);
  CHECK(r.aspf == AlignMode::relaxed);
  CHECK(r.psd == Psd::no);
  REQUIRE(r.rua.size() == 2);
  CHECK(r.rua[0].host == "example.com");
  CHECK(r.rua[1].host == "reports.example.net");
  CHECK(r.rua[1].address == "agg@reports.example.net");
  CHECK(r.rua[1].max_size == 10u * 1024 * 1024);
  CHECK(r.ruf.size() == 1);
  CHECK(r.fo == std::vector<std::string>{"1", "s"});
  CHECK(r.pct == 20u);
  CHECK(r.ri == 3600u);
  CHECK(r.historic_tags == std::vector<std::string>{"pct", "rf", "ri"});
  CHECK(r.unknown_tags == std::vector<std::string>{"x_custom"});

  // positions point at the offending tag
  Record bad = parse_record("v=DMARC1; p=reject; adkim=x");
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0].position == 20);
  CHECK(bad.problems[0].tag == "adkim");

  auto fs = record_findings(parse_record("v=DMARC1; p=none; pct=50; foo=bar"), "example.com");
  CHECK(has(fs, "dmarc.p-none"));
  CHECK(has(fs, "dmarc.historic-tag"));
  CHECK(has(fs, "dmarc.unknown-tag"));
  CHECK(has(fs, "dmarc.no-rua"));
  CHECK_FALSE(has(fs, "dmarc.pct-partial"));  // p=none: nothing to sample
  fs = record_findings(parse_record("v=DMARC1; p=reject; sp=none; np=quarantine; pct=30; adkim=s; t=y; "
                                    "rua=mailto:d@example.com"), "example.com");
  CHECK(has(fs, "dmarc.sp-weaker"));
  CHECK_FALSE(has(fs, "dmarc.np-weaker"));  // quarantine is stronger than sp=none
  CHECK(has(fs, "dmarc.pct-partial"));
  CHECK(has(fs, "dmarc.testing"));
  CHECK(has(fs, "dmarc.strict-alignment"));
  CHECK_FALSE(has(fs, "dmarc.no-rua"));
  require_texts(fs);
  fs = record_findings(parse_record("v=DMARC1; rua=mailto:d@example.com"), "example.com");
  CHECK(has(fs, "dmarc.p-missing"));
  CHECK_FALSE(has(fs, "dmarc.syntax"));
  fs = record_findings(parse_record("v=DMARC1; p=bogus"), "example.com");
  CHECK(get(fs, "dmarc.unusable")->severity == Severity::critical);
  require_texts(fs);
}

TEST_CASE("tree_walk_names (RFC 9989)") {
  using V = std::vector<std::string>;
  CHECK(tree_walk_names("example.com") == V{"example.com", "com"});
  CHECK(tree_walk_names("Mail.Example.COM.") == V{"mail.example.com", "example.com", "com"});
  CHECK(tree_walk_names("a.b.example.co.uk") == V{"a.b.example.co.uk", "b.example.co.uk", "example.co.uk", "co.uk", "uk"});
  CHECK(tree_walk_names("a.b.c.d.e.f.example.com") ==
        V{"a.b.c.d.e.f.example.com", "e.f.example.com", "f.example.com", "example.com", "com"});
  CHECK(tree_walk_names("de") == V{"de"});
  CHECK(tree_walk_names("").empty());
}

TEST_CASE("check_dmarc: own record, all names queried at once") {
  test::TableResolver dns;
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=reject; rua=mailto:d@example.com");
  dns.add_txt("_dmarc.example.com", "google-site-verification=xyz");  // other TXT at the name: ignored
  dns.add_mx("example.com", 10, "mx.example.com");
  auto rep = run(check_dmarc(dns, "example.com"));
  const auto& d = rep.discovery;
  CHECK(d.own_record);
  CHECK(d.complete);
  CHECK(pol(d.domain_policy) == "reject");
  CHECK(pol(d.subdomain_policy) == "quarantine");
  CHECK(pol(d.nonexistent_policy) == "reject");
  CHECK(d.org_domain == "example.com");
  CHECK(d.org_domain_psl == "example.com");
  CHECK(dns.count("_dmarc.com", dns::RrType::txt) == 1);  // the walk is asked for up front
  CHECK(rep.destinations.size() == 1);
  CHECK_FALSE(rep.destinations[0].external);
  CHECK(dns.log().size() == 3);  // _dmarc.example.com, _dmarc.com, example.com MX
  REQUIRE(rep.findings.size() == 1);
  CHECK(rep.findings[0].id == "dmarc.sp-weaker");  // sp=quarantine below p=reject
}

TEST_CASE("check_dmarc: inherited records, sp and np") {
  test::TableResolver dns;
  dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=none; rua=mailto:d@example.com");
  dns.add_mx("news.example.com", 10, "mx.example.com");
  SUBCASE("existing subdomain: sp") {
    auto rep = run(check_dmarc(dns, "news.example.com"));
    CHECK_FALSE(rep.discovery.own_record);
    CHECK(rep.discovery.applicable_step()->domain == "example.com");
    CHECK(rep.discovery.domain_exists == true);
    CHECK(pol(rep.discovery.domain_policy) == "quarantine");
    CHECK(get(rep.findings, "dmarc.inherited")->get("record_domain") == "example.com");
    CHECK(has(rep.findings, "dmarc.np-weaker"));
    require_texts(rep.findings);
  }
  SUBCASE("non-existent subdomain: np") {
    auto rep = run(check_dmarc(dns, "ghost.example.com"));
    CHECK(rep.discovery.domain_exists == false);
    CHECK(pol(rep.discovery.domain_policy) == "none");
  }
  SUBCASE("deep names skip to four labels") {
    auto rep = run(check_dmarc(dns, "a.b.c.d.example.com"));
    CHECK(dns.count("_dmarc.b.c.d.example.com", dns::RrType::txt) == 0);
    CHECK(dns.count("_dmarc.c.d.example.com", dns::RrType::txt) == 1);
    CHECK(rep.discovery.applicable_step()->domain == "example.com");
  }
}

TEST_CASE("check_dmarc: missing, multiple, DNS errors") {
  SUBCASE("missing") {
    test::TableResolver dns;
    dns.add_mx("example.de", 10, "mx.example.de");
    auto rep = run(check_dmarc(dns, "example.de"));
    CHECK(get(rep.findings, "dmarc.missing")->severity == Severity::warning);
    require_texts(rep.findings);
  }
  SUBCASE("multiple records at the domain are discarded; the parent applies") {
    test::TableResolver dns;
    dns.add_txt("_dmarc.shop.example.de", "v=DMARC1; p=none");
    dns.add_txt("_dmarc.shop.example.de", "v=DMARC1; p=reject");
    dns.add_txt("_dmarc.example.de", "v=DMARC1; p=quarantine; rua=mailto:d@example.de");
    auto rep = run(check_dmarc(dns, "shop.example.de"));
    CHECK(get(rep.findings, "dmarc.multiple")->get("count") == "2");
    CHECK(rep.discovery.applicable_step()->domain == "example.de");
    CHECK(has(rep.findings, "dmarc.inherited"));
    require_texts(rep.findings);
  }
  SUBCASE("a failed lookup is unknown, never 'missing'") {
    test::TableResolver dns;
    dns.set_outcome("_dmarc.example.de", std::nullopt, dns::Outcome::servfail);
    auto rep = run(check_dmarc(dns, "example.de"));
    CHECK_FALSE(rep.discovery.complete);
    CHECK_FALSE(has(rep.findings, "dmarc.missing"));
    CHECK(get(rep.findings, "dmarc.dns-error")->get("name") == "_dmarc.example.de");
    require_texts(rep.findings);
  }
  SUBCASE("a failure after the record was found does not matter") {
    test::TableResolver dns;
    dns.add_txt("_dmarc.example.de", "v=DMARC1; p=reject; rua=mailto:d@example.de");
    dns.set_outcome("_dmarc.de", std::nullopt, dns::Outcome::timeout);
    auto rep = run(check_dmarc(dns, "example.de"));
    CHECK_FALSE(has(rep.findings, "dmarc.dns-error"));
  }
}

TEST_CASE("check_dmarc: organizational domain by tree walk vs PSL") {
  SUBCASE("psd=y at a public suffix operator") {
    test::TableResolver dns;
    dns.add_txt("_dmarc.example", "v=DMARC1; p=reject; psd=y");
    auto rep = run(check_dmarc(dns, "mail.shop.example"));
    CHECK(rep.discovery.org_domain == "shop.example");
    CHECK(rep.discovery.applicable_step()->domain == "example");
  }
  SUBCASE("psd=n marks the organizational domain") {
    test::TableResolver dns;
    dns.add_txt("_dmarc.a.example.com", "v=DMARC1; p=none; rua=mailto:d@example.com");
    dns.add_txt("_dmarc.example.com", "v=DMARC1; p=reject; psd=n; rua=mailto:d@example.com");
    auto rep = run(check_dmarc(dns, "x.a.example.com"));
    CHECK(rep.discovery.org_domain == "example.com");
    CHECK(rep.discovery.applicable_step()->domain == "a.example.com");
  }
  SUBCASE("fewest labels with a record; differs from the PSL") {
    test::TableResolver dns;
    dns.add_txt("_dmarc.shop.example.com", "v=DMARC1; p=reject; rua=mailto:d@example.com");
    auto rep = run(check_dmarc(dns, "shop.example.com"));
    CHECK(rep.discovery.org_domain == "shop.example.com");
    CHECK(rep.discovery.org_domain_psl == "example.com");
    CHECK(get(rep.findings, "dmarc.org-domain-differs")->get("org_domain_psl") == "example.com");
    require_texts(rep.findings);
  }
}

TEST_CASE("check_dmarc: external report destinations (RFC 7489 7.1)") {
  test::TableResolver dns;
  dns.add_txt("_dmarc.example.de",
              "v=DMARC1; p=reject; rua=mailto:d@example.de,mailto:a@rua.provider.example,mailto:b@bad.example; "
              "ruf=mailto:f@rua.provider.example,mailto:g@broken.example");
  dns.add_txt("example.de._report._dmarc.rua.provider.example", "v=DMARC1");
  dns.set_outcome("example.de._report._dmarc.broken.example", std::nullopt, dns::Outcome::timeout);
  auto rep = run(check_dmarc(dns, "example.de"));
  REQUIRE(rep.destinations.size() == 5);
  using S = ReportAuthorization::State;
  CHECK(rep.destinations[0].state == S::not_needed);
  CHECK(rep.destinations[1].state == S::authorized);
  CHECK(rep.destinations[2].state == S::unauthorized);
  CHECK(rep.destinations[2].query == "example.de._report._dmarc.bad.example");
  CHECK(rep.destinations[3].state == S::authorized);
  CHECK(rep.destinations[4].state == S::unknown);
  CHECK(dns.count("example.de._report._dmarc.rua.provider.example", dns::RrType::txt) == 1);  // asked once
  CHECK(get(rep.findings, "dmarc.rua-unauthorized")->get("destination") == "bad.example");
  CHECK(has(rep.findings, "dmarc.rua-unknown"));
  require_texts(rep.findings);
}

TEST_CASE("alignment (relaxed and strict)") {
  struct Row {
    const char* from;
    const char* dkim;
    const char* spf;
    bool dkim_strict, dkim_relaxed, spf_strict, spf_relaxed;
  };
  const Row rows[] = {
      {"example.com", "example.com", "example.com", true, true, true, true},
      {"example.com", "mail.example.com", "bounce.example.com", false, true, false, true},
      {"news.example.com", "example.com", "", false, true, false, false},
      {"example.com", "esp.example.net", "esp.example.net", false, false, false, false},
      {"shop.example.co.uk", "example.co.uk", "other.co.uk", false, true, false, false},
      {"Example.COM.", "EXAMPLE.com", "", true, true, false, false},
      {"example.com", "", "", false, false, false, false},
  };
  for (const auto& r : rows) {
    const std::string what = std::string(r.from) + " " + r.dkim + " " + r.spf;
    INFO(what);
    Alignment a = check_alignment(r.from, r.dkim, r.spf);
    CHECK(a.dkim_strict == r.dkim_strict);
    CHECK(a.dkim_relaxed == r.dkim_relaxed);
    CHECK(a.spf_strict == r.spf_strict);
    CHECK(a.spf_relaxed == r.spf_relaxed);
  }
  // T-Online: relaxed-only DKIM alignment is flagged even when DMARC passes
  auto fs = alignment_findings(check_alignment("news.example.com", "example.com", "news.example.com"), nullptr);
  CHECK(has(fs, "dmarc.dkim-not-strict"));
  CHECK_FALSE(has(fs, "dmarc.not-aligned"));
  require_texts(fs);
  // adkim=s in the record: relaxed DKIM does not count; SPF (relaxed) still aligns
  Record strict = parse_record("v=DMARC1; p=reject; adkim=s");
  Alignment a = check_alignment("example.com", "mail.example.com", "example.com");
  CHECK(aligned_under(a, strict.adkim, strict.aspf));
  fs = alignment_findings(a, &strict);
  CHECK(has(fs, "dmarc.dkim-not-aligned"));
  fs = alignment_findings(check_alignment("example.com", "esp.example.net", "esp.example.net"), nullptr);
  CHECK(get(fs, "dmarc.not-aligned")->severity == Severity::critical);
  require_texts(fs);
  fs = alignment_findings(check_alignment("example.com", "example.com", "esp.example.net"), nullptr);
  CHECK(has(fs, "dmarc.spf-not-aligned"));
  require_texts(fs);
}

TEST_CASE("check_dmarc on a real loop: the walk in one round, then the authorisations") {
  test::TableResolver table;
  table.add_txt("_dmarc.example.de", "v=DMARC1; p=reject; rua=mailto:a@one.example,mailto:b@two.example");
  table.add_txt("example.de._report._dmarc.one.example", "v=DMARC1");
  io::Loop loop;
  SlowResolver dns(loop, table);
  auto rep = loop.run(check_dmarc(dns, "mail.shop.example.de"));
  CHECK(dns.max_in_flight == 5);  // 4 walk names + the existence lookup
  CHECK(rep.discovery.applicable_step()->domain == "example.de");
  REQUIRE(rep.destinations.size() == 2);
  CHECK(rep.destinations[0].state == ReportAuthorization::State::authorized);
  CHECK(rep.destinations[1].state == ReportAuthorization::State::unauthorized);
}

}  // TEST_SUITE

TEST_SUITE("auth::messages") {

TEST_CASE("every auth finding id has complete English and German texts") {
  std::set<std::string_view> ids;
  for (const auto& m : auth::auth_messages()) {
    INFO(m.id);
    CHECK(ids.insert(m.id).second);  // no duplicates
    CHECK_FALSE(m.en_title.empty());
    CHECK_FALSE(m.en_detail.empty());
    CHECK_FALSE(m.de_title.empty());
    CHECK_FALSE(m.de_detail.empty());
    CHECK(m.en_fix.empty() == m.de_fix.empty());
    // balanced placeholders with the same names in both languages
    auto names = [](std::initializer_list<std::string_view> texts) {
      std::set<std::string_view> out;
      for (auto t : texts)
        for (std::size_t i = t.find('{'); i != std::string_view::npos; i = t.find('{', i + 1)) {
          const auto e = t.find('}', i);
          if (e == std::string_view::npos) return std::set<std::string_view>{"<unbalanced>"};
          out.insert(t.substr(i + 1, e - i - 1));
        }
      return out;
    };
    CHECK(names({m.en_title, m.en_detail, m.en_fix}) == names({m.de_title, m.de_detail, m.de_fix}));
  }
  // ids named in the module headers
  for (const char* id :
       {"dmarc.missing", "dmarc.multiple", "dmarc.syntax", "dmarc.unusable", "dmarc.inherited", "dmarc.p-none",
        "dmarc.p-missing", "dmarc.sp-weaker", "dmarc.np-weaker", "dmarc.testing", "dmarc.pct-partial",
        "dmarc.historic-tag", "dmarc.unknown-tag", "dmarc.no-rua", "dmarc.rua-unauthorized", "dmarc.rua-unknown",
        "dmarc.strict-alignment", "dmarc.org-domain-differs", "dmarc.dns-error", "dmarc.not-aligned",
        "dmarc.dkim-not-aligned", "dmarc.dkim-not-strict", "dmarc.spf-not-aligned", "dkim.found",
        "dkim.none-found", "dkim.selector-missing", "dkim.key-broken", "dkim.key-weak", "dkim.key-invalid",
        "dkim.key-format", "dkim.revoked", "dkim.testing", "dkim.sha1-only", "dkim.service-not-email",
        "dkim.multiple-records", "dkim.cname-dangling", "dkim.ed25519-only", "dkim.wildcard", "dkim.dns-error",
        "mtasts.missing", "mtasts.multiple", "mtasts.record-syntax", "mtasts.dns-error",
        "mtasts.policy-unreachable", "mtasts.policy-content-type", "mtasts.policy-syntax", "mtasts.mx-mismatch",
        "mtasts.testing", "mtasts.mode-none", "mtasts.max-age-short", "mtasts.no-mx", "tlsrpt.missing",
        "tlsrpt.multiple", "tlsrpt.syntax", "tlsrpt.bad-uri", "tlsrpt.dns-error", "bimi.missing", "bimi.multiple",
        "bimi.syntax", "bimi.declined", "bimi.logo-not-https", "bimi.no-vmc", "bimi.vmc-unverified",
        "bimi.inherited", "bimi.dns-error"}) {
    INFO(std::string(id));
    CHECK(ids.count(id) == 1);
  }
  CHECK(ids.size() == 65);
}

}  // TEST_SUITE
