#include <doctest/doctest.h>

#include "mailrep/report/report.hpp"

using namespace mailrep;
using namespace mailrep::report;

TEST_SUITE("report") {
  TEST_CASE("Nagios ranges (Monitoring Plugins guidelines)") {
    struct Case { const char* range; double value; bool alerts; };
    const Case cases[] = {
        {"10", 11, true}, {"10", 10, false}, {"10", -1, true}, {"10:", 9, true}, {"10:", 10, false},
        {"~:10", -100, false}, {"~:10", 11, true}, {"10:20", 15, false}, {"10:20", 21, true},
        {"@10:20", 15, true}, {"@10:20", 9, false},
    };
    for (const auto& c : cases) {
      auto r = parse_range(c.range);
      REQUIRE(r);
      CHECK_MESSAGE(r->alerts(c.value) == c.alerts, c.range, " ", c.value);
    }
    CHECK_FALSE(parse_range("20:10"));
    CHECK_FALSE(parse_range("abc"));
    CHECK_FALSE(parse_range(""));
  }
  TEST_CASE("worst status: critical > unknown > warning > ok") {
    CHECK(worst(Status::ok, Status::warning) == Status::warning);
    CHECK(worst(Status::unknown, Status::warning) == Status::unknown);
    CHECK(worst(Status::unknown, Status::critical) == Status::critical);
  }
  TEST_CASE("nagios line is one line with perfdata") {
    CommandResult r;
    r.command = "ip";
    r.status = Status::warning;
    r.summary = "1 listing | injected\nline";
    r.perf.push_back(Perf{"listed", 1, "", "0", "2", 0.0, std::nullopt});
    std::string out = render(r, RenderOptions{Format::nagios});
    auto first = out.substr(0, out.find('\n'));
    CHECK(first == "MAILREP WARNING - 1 listing   injected line | listed=1;0;2;0;");
  }
  TEST_CASE("json has the stable keys") {
    CommandResult r;
    r.command = "ip";
    r.status = Status::critical;
    Finding f;
    f.id = "x.test";
    f.severity = Severity::critical;
    f.evidence = "\x1b[2J";
    r.findings.push_back(f);
    auto j = nlohmann::json::parse(render(r, RenderOptions{Format::json}));
    CHECK(j["command"] == "ip");
    CHECK(j["status"] == "CRITICAL");
    CHECK(j["exit_code"] == 2);
    CHECK(j["findings"][0]["severity"] == "critical");
    CHECK(j["findings"][0]["evidence"] == "\\x1b[2J");
  }
}

TEST_SUITE("report::localize") {
  TEST_CASE("an argument made of words has a German value for the German text, JSON args stay plain") {
    static const mailrep::MessageText k_text[] = {
        {"test.reason-arg", "{name} looks generic: {reason}", "", "", "{name} wirkt generisch: {reason}", "", ""}};
    mailrep::report::register_messages(k_text);
    mailrep::Finding f{"test.reason-arg", mailrep::Severity::warning, mailrep::Fixer::provider, {}, "", ""};
    f.arg("name", "dsl-1.example").arg("reason", "contains \"dsl\"", "enthält \"dsl\"");
    CHECK(mailrep::report::localize(f, mailrep::report::Lang::en).title == "dsl-1.example looks generic: contains \"dsl\"");
    CHECK(mailrep::report::localize(f, mailrep::report::Lang::de).title == "dsl-1.example wirkt generisch: enthält \"dsl\"");
    auto j = mailrep::report::finding_json(f, mailrep::report::Lang::de);
    CHECK(j["args"] == nlohmann::json({{"name", "dsl-1.example"}, {"reason", "contains \"dsl\""}}));
  }
}
