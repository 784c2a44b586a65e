// mailrep auth and mailrep spf over the fixture world: JSON keys, findings and exit codes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

using mailrep::test::run_mailrep;
using nlohmann::json;

namespace {
mailrep::test::RunResult run(std::vector<std::string> args) {
  auto a = mailrep::test::world_resolver_args();
  for (const std::string& s : std::vector<std::string>{"--https-port", "9", "--timeout-ms", "1500"}) a.push_back(s);
  for (auto& s : args) a.push_back(s);
  return run_mailrep(a);
}
bool has_finding(const json& j, const std::string& id) {
  for (const auto& f : j["findings"])
    if (f["id"] == id) return true;
  return false;
}
}  // namespace

TEST_SUITE("cli::auth") {
  TEST_CASE("auth: every record kind in one report") {
    auto r = run({"--format", "json", "--selector", "pw1", "auth", "postwerk.test"});
    CHECK(r.exit_code == 0);
    json j = json::parse(r.out);
    CHECK(j["command"] == "auth");
    CHECK(j["spf"]["record"] == "v=spf1 ip4:198.51.100.10 ip4:198.51.100.77 -all");
    CHECK(j["spf"]["networks"].size() == 2);
    CHECK(j["dmarc"]["p"] == "quarantine");
    CHECK(j["dmarc"]["adkim"] == "strict");
    CHECK(j["dkim"]["selectors"][0]["selector"] == "pw1");
    CHECK(j["dkim"]["selectors"][0]["key_type"] == "rsa");
    CHECK(j["dkim"]["selectors"][0]["key_bits"] == 2048);
    CHECK(j["mx"]["hosts"][0]["host"] == "mx.postwerk.test");
    for (const char* key : {"mta_sts", "tls_rpt", "bimi"}) CHECK(j.contains(key));
    CHECK(has_finding(j, "mtasts.missing"));
  }
  TEST_CASE("auth: two SPF records and p=none") {
    auto r = run({"--format", "json", "auth", "baeckerei-schmidt.test"});
    CHECK(r.exit_code == 2);
    json j = json::parse(r.out);
    CHECK(has_finding(j, "spf.multiple-records"));
    CHECK(has_finding(j, "dmarc.p-none"));
    CHECK(has_finding(j, "dkim.none-found"));
  }
  TEST_CASE("auth: a domain that does not exist is critical") {
    auto r = run({"--format", "json", "auth", "nowhere.test"});
    CHECK(r.exit_code == 2);
    CHECK(has_finding(json::parse(r.out), "domain.nxdomain"));
  }
  TEST_CASE("spf: lint and check_host with exit codes by result") {
    auto lint = run({"--format", "json", "spf", "demo.test"});
    CHECK(lint.exit_code == 0);
    json l = json::parse(lint.out);
    CHECK(l["lookups"] == 0);
    CHECK(l["networks"][0]["network"] == "192.0.2.0/24");
    auto pass = run({"--format", "json", "spf", "--ip", "192.0.2.9", "--sender", "a@demo.test"});
    CHECK(pass.exit_code == 0);
    CHECK(json::parse(pass.out)["result"] == "pass");
    auto fail = run({"--format", "json", "spf", "--ip", "203.0.113.9", "--sender", "a@demo.test"});
    CHECK(fail.exit_code == 2);
    CHECK(json::parse(fail.out)["result"] == "fail");
    auto perm = run({"--format", "json", "spf", "--ip", "198.51.100.10", "--sender", "a@baeckerei-schmidt.test"});
    CHECK(perm.exit_code == 2);
    CHECK(json::parse(perm.out)["result"] == "permerror");
    auto none = run({"--format", "json", "spf", "--ip", "198.51.100.10", "--helo", "kabelnetz.test"});
    CHECK(none.exit_code == 0);
    CHECK(json::parse(none.out)["result"] == "none");
    auto bad = run({"spf", "--ip", "999.1.1.1", "--sender", "a@demo.test"});
    CHECK(bad.exit_code == 3);
  }
}
