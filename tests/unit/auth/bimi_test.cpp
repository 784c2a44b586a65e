// BIMI: the default._bimi record (auth::bimi).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "mailrep/auth/bimi/bimi.hpp"
#include "mailrep/auth/messages.hpp"
#include "table_resolver.hpp"

using namespace mailrep;
using namespace mailrep::auth::bimi;

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

TEST_SUITE("auth::bimi") {

TEST_CASE("record parsing") {
  struct Row {
    const char* text;
    bool is_bimi;
    bool usable;
    bool declined;
    const char* logo;
    const char* evidence;
  };
  const Row rows[] = {
      {"v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem", true, true, false,
       "https://example.com/logo.svg", "https://example.com/vmc.pem"},
      {"v=BIMI1; l=https://example.com/logo.svg", true, true, false, "https://example.com/logo.svg", ""},
      {"v=BIMI1; l=; a=;", true, true, true, "", ""},
      {"v=BIMI1; l=", true, true, true, "", ""},
      {"v=BIMI1; L=https://example.com/l.svg; avp=brand", true, true, false, "https://example.com/l.svg", ""},
      {"v=BIMI1; a=https://example.com/vmc.pem", true, false, false, "", "https://example.com/vmc.pem"},
      {"v=BIMI1; l=https://example.com/l.svg; l=https://example.com/m.svg", true, false, false, "", ""},
      {"v=BIMI2; l=https://example.com/l.svg", false, false, false, "", ""},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.text));
    CHECK(is_bimi_record(r.text) == r.is_bimi);
    BimiRecord rec = parse_record(r.text);
    CHECK(rec.usable == r.usable);
    if (r.usable) {
      CHECK(rec.declined() == r.declined);
      CHECK(rec.logo == r.logo);
      CHECK(rec.evidence == r.evidence);
    }
  }
  CHECK(parse_record("v=BIMI1; l=https://e.example/l.svg; avp=other").problems.size() == 1);
}

TEST_CASE("check_bimi") {
  SUBCASE("own record with certificate") {
    test::TableResolver dns;
    dns.add_txt("default._bimi.example.de", "v=BIMI1; l=https://example.de/logo.svg; a=https://example.de/vmc.pem");
    auto rep = run(check_bimi(dns, "example.de"));
    CHECK(rep.record_domain == "example.de");
    CHECK(has(rep.findings, "bimi.vmc-unverified"));
    CHECK(dns.log().size() == 1);  // no organizational-domain fallback for the organizational domain itself
    require_texts(rep.findings);
  }
  SUBCASE("subdomain falls back to the organizational domain; both asked at once") {
    test::TableResolver dns;
    dns.add_txt("default._bimi.example.de", "v=BIMI1; l=http://example.de/logo.svg");
    auto rep = run(check_bimi(dns, "news.example.de"));
    CHECK(rep.record_domain == "example.de");
    CHECK(dns.log().size() == 2);
    CHECK(has(rep.findings, "bimi.inherited"));
    CHECK(has(rep.findings, "bimi.logo-not-https"));
    CHECK(has(rep.findings, "bimi.no-vmc"));
    require_texts(rep.findings);
  }
  SUBCASE("the subdomain's own record wins") {
    test::TableResolver dns;
    dns.add_txt("default._bimi.news.example.de", "v=BIMI1; l=; a=;");
    dns.add_txt("default._bimi.example.de", "v=BIMI1; l=https://example.de/logo.svg");
    auto rep = run(check_bimi(dns, "news.example.de"));
    CHECK(rep.record_domain == "news.example.de");
    CHECK(has(rep.findings, "bimi.declined"));
    CHECK_FALSE(has(rep.findings, "bimi.inherited"));
    require_texts(rep.findings);
  }
  SUBCASE("missing, multiple, syntax, DNS failure") {
    test::TableResolver dns;
    auto rep = run(check_bimi(dns, "example.de"));
    CHECK(get(rep.findings, "bimi.missing")->severity == Severity::info);
    require_texts(rep.findings);
    dns.add_txt("default._bimi.example.de", "v=BIMI1; l=https://example.de/a.svg");
    dns.add_txt("default._bimi.example.de", "v=BIMI1; l=https://example.de/b.svg");
    rep = run(check_bimi(dns, "example.de"));
    CHECK(has(rep.findings, "bimi.multiple"));
    require_texts(rep.findings);
    test::TableResolver bad;
    bad.add_txt("default._bimi.example.de", "v=BIMI1; a=https://example.de/vmc.pem");
    rep = run(check_bimi(bad, "example.de"));
    CHECK(get(rep.findings, "bimi.syntax")->severity == Severity::warning);
    require_texts(rep.findings);
    test::TableResolver failing;
    failing.set_outcome("default._bimi.example.de", std::nullopt, dns::Outcome::timeout);
    rep = run(check_bimi(failing, "example.de"));
    CHECK(has(rep.findings, "bimi.dns-error"));
    CHECK_FALSE(has(rep.findings, "bimi.missing"));
    require_texts(rep.findings);
  }
}

}  // TEST_SUITE
