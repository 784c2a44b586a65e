// SMTP TLS Reporting (RFC 8460): record parsing and the check (auth::tlsrpt).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailrep/auth/messages.hpp"
#include "mailrep/auth/tlsrpt/tlsrpt.hpp"
#include "table_resolver.hpp"

using namespace mailrep;
using namespace mailrep::auth::tlsrpt;

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


}  // namespace

TEST_SUITE("auth::tlsrpt") {

TEST_CASE("record parsing (RFC 8460 3)") {
  struct Row {
    const char* text;
    bool is_tlsrpt;
    bool usable;
    std::size_t uris;
    std::size_t problems;
  };
  const Row rows[] = {
      {"v=TLSRPTv1; rua=mailto:tls@example.com", true, true, 1, 0},
      {"v=TLSRPTv1;rua=mailto:tls@example.com,https://reports.example.net/tls", true, true, 2, 0},
      {"v=TLSRPTv1; rua=mailto:tls@example.com, https://r.example.net/x;", true, true, 2, 0},
      {"v=TLSRPTv1; rua=mailto:tls@example.com; ext_x=1", true, true, 1, 0},
      {"v=TLSRPTv1; rua=ftp://example.com/x", true, false, 1, 1},
      {"v=TLSRPTv1; rua=mailto:tls@example.com,http://example.com/x", true, true, 2, 1},
      {"v=TLSRPTv1; rua=", true, false, 0, 1},
      {"v=TLSRPTv1", true, false, 0, 1},
      {"v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", true, false, 1, 1},
      {"v=TLSRPTv2; rua=mailto:tls@example.com", false, false, 0, 1},
      {"v=tlsrptv1; rua=mailto:tls@example.com", false, false, 0, 1},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.text));
    CHECK(is_tlsrpt_record(r.text) == r.is_tlsrpt);
    TlsRptRecord rec = parse_record(r.text);
    CHECK(rec.usable == r.usable);
    CHECK(rec.rua.size() == r.uris);
    CHECK(rec.problems.size() == r.problems);
  }
}

TEST_CASE("check_tls_rpt") {
  SUBCASE("valid") {
    test::TableResolver dns;
    dns.add_txt("_smtp._tls.example.de", "v=TLSRPTv1; rua=mailto:tls@example.de");
    auto rep = run(check_tls_rpt(dns, "example.de."));
    REQUIRE(rep.record.has_value());
    CHECK(rep.record->usable);
    CHECK(rep.findings.empty());
    CHECK(dns.count("_smtp._tls.example.de", dns::RrType::txt) == 1);
  }
  SUBCASE("missing") {
    test::TableResolver dns;
    dns.add_txt("_smtp._tls.example.de", "some other text");
    auto rep = run(check_tls_rpt(dns, "example.de"));
    CHECK(get(rep.findings, "tlsrpt.missing")->severity == Severity::info);
    require_texts(rep.findings);
  }
  SUBCASE("two records") {
    test::TableResolver dns;
    dns.add_txt("_smtp._tls.example.de", "v=TLSRPTv1; rua=mailto:a@example.de");
    dns.add_txt("_smtp._tls.example.de", "v=TLSRPTv1; rua=mailto:b@example.de");
    auto rep = run(check_tls_rpt(dns, "example.de"));
    CHECK(has(rep.findings, "tlsrpt.multiple"));
    CHECK_FALSE(rep.record.has_value());
    require_texts(rep.findings);
  }
  SUBCASE("syntax and bad URIs") {
    test::TableResolver dns;
    dns.add_txt("_smtp._tls.example.de", "v=TLSRPTv1; rua=tls@example.de");
    auto rep = run(check_tls_rpt(dns, "example.de"));
    CHECK(has(rep.findings, "tlsrpt.bad-uri"));
    require_texts(rep.findings);
    test::TableResolver dns2;
    dns2.add_txt("_smtp._tls.example.de", "v=TLSRPTv1;");
    rep = run(check_tls_rpt(dns2, "example.de"));
    CHECK(get(rep.findings, "tlsrpt.syntax")->severity == Severity::warning);
    require_texts(rep.findings);
  }
  SUBCASE("DNS failure") {
    test::TableResolver dns;
    dns.set_outcome("_smtp._tls.example.de", std::nullopt, dns::Outcome::servfail);
    auto rep = run(check_tls_rpt(dns, "example.de"));
    CHECK(has(rep.findings, "tlsrpt.dns-error"));
    CHECK_FALSE(has(rep.findings, "tlsrpt.missing"));
    require_texts(rep.findings);
  }
}

}  // TEST_SUITE
