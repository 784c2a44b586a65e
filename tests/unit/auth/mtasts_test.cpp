// MTA-STS (RFC 8461): TXT record, policy parsing, MX matching, and the check (auth::mtasts).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailrep/auth/messages.hpp"
#include "mailrep/auth/mtasts/mtasts.hpp"
#include "table_resolver.hpp"

using namespace mailrep;
using namespace mailrep::auth::mtasts;

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

/// Answers every fetch with `response` and counts the calls.
class TablePolicySource final : public PolicySource {
public:
  FetchedPolicy response;
  int calls = 0;
  std::string last_domain;
  io::Task<FetchedPolicy> fetch(std::string domain) override {
    ++calls;
    last_domain = domain;
    co_return response;
  }
};

FetchedPolicy ok_policy(std::string body, std::string content_type = "text/plain; charset=utf-8") {
  FetchedPolicy p;
  p.ok = true;
  p.status = 200;
  p.content_type = std::move(content_type);
  p.body = std::move(body);
  return p;
}

}  // namespace

TEST_SUITE("auth::mtasts") {

TEST_CASE("TXT record (RFC 8461 3.1)") {
  struct Row {
    const char* text;
    bool is_sts;
    bool usable;
    const char* id;
  };
  const Row rows[] = {
      {"v=STSv1; id=20160831085700Z;", true, true, "20160831085700Z"},
      {"v=STSv1;id=1", true, true, "1"},
      {"v=STSv1; id=abc; ext_x=1", true, true, "abc"},
      {"v=STSv1;", true, false, ""},
      {"v=STSv1; id=", true, false, ""},
      {"v=STSv1; id=has-dash", true, false, ""},
      {"v=STSv1; id=123456789012345678901234567890123", true, false, ""},  // 33 characters
      {"v=STSv1; id=1; id=2", true, false, ""},
      {"v=stsv1; id=1", false, false, ""},
      {"v=STSv10; id=1", false, false, ""},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.text));
    CHECK(is_sts_record(r.text) == r.is_sts);
    StsRecord rec = parse_record(r.text);
    CHECK(rec.usable == r.usable);
    if (r.usable) CHECK(rec.id == r.id);
  }
}

TEST_CASE("policy parsing (RFC 8461 3.2): strict, CRLF or LF") {
  struct Row {
    const char* body;
    bool usable;
    std::size_t mx;
    std::size_t problems;
  };
  const Row rows[] = {
      {"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n", true, 2, 0},
      {"version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400", true, 1, 0},
      {"version: STSv1\nmode: none\nmax_age: 86400\n", true, 0, 0},
      {"version: STSv1\r\nmode: enforce\nmx: a.example.com\r\nmax_age:86400\n", true, 1, 0},  // mixed line ends
      {"version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 86400  \n", true, 1, 0},  // trailing WSP
      {"version: STSv1\nmode: enforce\nmax_age: 86400\n", false, 0, 1},                     // no mx
      {"version: STSv2\nmode: enforce\nmx: a.example.com\nmax_age: 86400\n", false, 1, 1},
      {"version: STSv1\nmode: strict\nmx: a.example.com\nmax_age: 86400\n", false, 1, 1},
      {"version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 31557601\n", false, 1, 1},
      {"version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 12345678901\n", false, 1, 1},
      {"version: STSv1\nmode: enforce\nmx: a.*.example.com\nmx: mail.example.com\nmax_age: 86400\n", false, 1, 1},
      {"version: STSv1\nmode: enforce\nmx: a.example.com\nmax_age: 86400\nextension_x: 1\n", true, 1, 0},
      {"version: STSv1\nMode: enforce\nmx: a.example.com\nmax_age: 86400\n", false, 1, 2},  // names case-sensitive
      {"version: STSv1\nmode: enforce\nmode: testing\nmx: a.example.com\nmax_age: 86400\n", true, 1, 1},
      {"version: STSv1\n\nmode: enforce\nmx: a.example.com\nmax_age: 86400\n", true, 1, 1},
      {"version: STSv1\rmode: enforce\nmx: a.example.com\nmax_age: 86400\n", false, 1, 3},  // bare CR: + no version, no mode
      {"<html>not found</html>", false, 0, 4},
      {"", false, 0, 3},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.body));
    Policy p = parse_policy(r.body);
    CHECK(p.usable == r.usable);
    CHECK(p.mx.size() == r.mx);
    CHECK(p.problems.size() == r.problems);
  }
  Policy p = parse_policy("version: STSv1\nmode: enforce\nmx: MAIL.Example.com\nmax_age: 604800\n");
  CHECK(p.mode == Mode::enforce);
  CHECK(p.max_age == 604800u);
  CHECK(p.mx == std::vector<std::string>{"mail.example.com"});
  Policy big = parse_policy(std::string(k_max_policy_bytes + 10, 'x'));
  CHECK_FALSE(big.usable);
}

TEST_CASE("MX patterns (RFC 8461 4.1)") {
  struct Row {
    const char* pattern;
    const char* host;
    bool match;
  };
  const Row rows[] = {
      {"mail.example.com", "mail.example.com", true},   {"mail.example.com", "MAIL.example.com.", true},
      {"*.example.com", "mx1.example.com", true},       {"*.example.com", "example.com", false},
      {"*.example.com", "a.b.example.com", false},      {"*.example.com", "mx1.example.net", false},
      {"*.example.com", "xexample.com", false},         {"mail.example.com", "mx.example.com", false},
      {"", "mx.example.com", false},
  };
  for (const auto& r : rows) {
    const std::string what = std::string(r.pattern) + " " + r.host;
    INFO(what);
    CHECK(mx_matches(r.pattern, r.host) == r.match);
  }
}

TEST_CASE("check_mta_sts") {
  test::TableResolver dns;
  dns.add_mx("example.de", 10, "mx1.example.de");
  dns.add_mx("example.de", 20, "backup.mailhost.example");
  TablePolicySource web;

  SUBCASE("no record: no fetch, info only") {
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(web.calls == 0);
    CHECK(get(rep.findings, "mtasts.missing")->severity == Severity::info);
    CHECK(dns.count("example.de", dns::RrType::mx) == 1);
    require_texts(rep.findings);
  }
  dns.add_txt("_mta-sts.example.de", "v=STSv1; id=2025070101");
  SUBCASE("enforce with an MX the policy does not cover") {
    web.response = ok_policy("version: STSv1\r\nmode: enforce\r\nmx: *.example.de\r\nmax_age: 604800\r\n");
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(web.calls == 1);
    CHECK(web.last_domain == "example.de");
    CHECK(rep.effective_mode() == Mode::enforce);
    CHECK(rep.mx_unmatched == std::vector<std::string>{"backup.mailhost.example"});
    const Finding* f = get(rep.findings, "mtasts.mx-mismatch");
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::critical);
    CHECK(f->get("hosts") == "backup.mailhost.example");
    require_texts(rep.findings);
  }
  SUBCASE("testing mode, all MX covered, short max_age, wrong media type") {
    web.response = ok_policy("version: STSv1\nmode: testing\nmx: mx1.example.de\nmx: *.mailhost.example\nmax_age: 3600\n",
                             "text/html");
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(rep.mx_unmatched.empty());
    CHECK(has(rep.findings, "mtasts.testing"));
    CHECK(has(rep.findings, "mtasts.max-age-short"));
    CHECK(get(rep.findings, "mtasts.policy-content-type")->get("content_type") == "text/html");
    CHECK_FALSE(has(rep.findings, "mtasts.mx-mismatch"));
    require_texts(rep.findings);
  }
  SUBCASE("policy unreachable or not 200") {
    web.response.ok = false;
    web.response.error = "TLS certificate verify failed";
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(get(rep.findings, "mtasts.policy-unreachable")->get("error") == "TLS certificate verify failed");
    web.response = ok_policy("gone");
    web.response.status = 404;
    rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(get(rep.findings, "mtasts.policy-unreachable")->get("error") == "HTTP status 404");
    require_texts(rep.findings);
  }
  SUBCASE("broken policy") {
    web.response = ok_policy("version: STSv1\nmode: enforce\nmax_age: 604800\n");
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK_FALSE(rep.effective_mode().has_value());
    CHECK(has(rep.findings, "mtasts.policy-syntax"));
    CHECK_FALSE(has(rep.findings, "mtasts.mx-mismatch"));
    require_texts(rep.findings);
  }
  SUBCASE("mode none") {
    web.response = ok_policy("version: STSv1\nmode: none\nmax_age: 604800\n");
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(has(rep.findings, "mtasts.mode-none"));
    require_texts(rep.findings);
  }
}

TEST_CASE("check_mta_sts: record problems and DNS failures") {
  TablePolicySource web;
  web.response = ok_policy("version: STSv1\nmode: enforce\nmx: mx.example.de\nmax_age: 604800\n");
  SUBCASE("two records: as if none, no fetch") {
    test::TableResolver dns;
    dns.add_txt("_mta-sts.example.de", "v=STSv1; id=1");
    dns.add_txt("_mta-sts.example.de", "v=STSv1; id=2");
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(web.calls == 0);
    CHECK(get(rep.findings, "mtasts.multiple")->get("count") == "2");
    require_texts(rep.findings);
  }
  SUBCASE("bad id") {
    test::TableResolver dns;
    dns.add_txt("_mta-sts.example.de", "v=STSv1; id=2025-07-01");
    dns.add_mx("example.de", 10, "mx.example.de");
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(has(rep.findings, "mtasts.record-syntax"));
    CHECK_FALSE(rep.effective_mode().has_value());
    require_texts(rep.findings);
  }
  SUBCASE("TXT lookup fails") {
    test::TableResolver dns;
    dns.set_outcome("_mta-sts.example.de", std::nullopt, dns::Outcome::refused);
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(has(rep.findings, "mtasts.dns-error"));
    CHECK_FALSE(has(rep.findings, "mtasts.missing"));
    require_texts(rep.findings);
  }
  SUBCASE("MX lookup fails") {
    test::TableResolver dns;
    dns.add_txt("_mta-sts.example.de", "v=STSv1; id=1");
    dns.set_outcome("example.de", dns::RrType::mx, dns::Outcome::timeout);
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(get(rep.findings, "mtasts.dns-error")->get("name") == "example.de MX");
    require_texts(rep.findings);
  }
  SUBCASE("no MX") {
    test::TableResolver dns;
    dns.add_txt("_mta-sts.example.de", "v=STSv1; id=1");
    auto rep = run(check_mta_sts(dns, "example.de", web));
    CHECK(has(rep.findings, "mtasts.no-mx"));
    require_texts(rep.findings);
  }
}

}  // TEST_SUITE
