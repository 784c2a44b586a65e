// mailrep auth and mailrep spf over the fixture world: JSON keys, findings and exit codes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "https_server.hpp"

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
  TEST_CASE("auth: MTA-STS policy over HTTPS, TLS-RPT and BIMI from the DNS world") {
    using mailrep::test::HttpServer;
    using mailrep::test::TestPki;
    auto pki = TestPki::create({"mta-sts.sts.test"});
    REQUIRE(pki);
    auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
    REQUIRE(server);
    mailrep::test::HttpRoute policy;
    policy.body = "version: STSv1\r\nmode: enforce\r\nmx: mx1.sts.test\r\nmax_age: 604800\r\n";
    server->route("/.well-known/mta-sts.txt", policy);
    // mailrep auth DOMAIN with this test's CA, its HTTPS server standing in for port 443.
    auto auth_json = [&](const std::string& domain) {
      auto a = mailrep::test::world_resolver_args();
      for (const std::string& s : std::vector<std::string>{"--ca-file", pki->ca_file(), "--https-port",
                                                           std::to_string(server->port()), "--timeout-ms", "3000",
                                                           "--format", "json", "auth", domain})
        a.push_back(s);
      return run_mailrep(a);
    };
    auto r = auth_json("sts.test");
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    json j = json::parse(r.out);
    CHECK(j["mta_sts"]["record"] == "v=STSv1; id=20261126T000000");
    CHECK(j["mta_sts"]["mode"] == "enforce");
    CHECK(j["mta_sts"]["max_age"] == 604800);
    CHECK(j["mta_sts"]["mx"] == json::array({"mx1.sts.test"}));
    CHECK(j["mta_sts"]["mx_unmatched"] == json::array({"mx2.other.test"}));
    CHECK_FALSE(j["mta_sts"].contains("fetch_error"));
    CHECK(has_finding(j, "mtasts.mx-mismatch"));
    CHECK_FALSE(has_finding(j, "mtasts.policy-unreachable"));
    CHECK(j["tls_rpt"]["rua"] == json::array({"mailto:tlsrpt@sts.test", "https://reports.sts.test/tlsrpt"}));
    CHECK_FALSE(has_finding(j, "tlsrpt.missing"));
    CHECK(j["bimi"]["logo"] == "https://sts.test/brand/logo.svg");
    CHECK(j["bimi"]["record_domain"] == "sts.test");
    CHECK(has_finding(j, "bimi.no-vmc"));
    // The policy was fetched once, by name, over HTTPS.
    auto seen = server->requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].path == "/.well-known/mta-sts.txt");
    CHECK(seen[0].host.rfind("mta-sts.sts.test", 0) == 0);

    // A policy host whose certificate names another host: no policy, the reason said, never "enforce".
    auto bad = auth_json("badcert.sts.test");
    INFO("stdout: " << bad.out << "\nstderr: " << bad.err);
    json k = json::parse(bad.out);
    CHECK(k["mta_sts"]["record"] == "v=STSv1; id=1");
    CHECK_FALSE(k["mta_sts"].contains("mode"));
    CHECK(k["mta_sts"]["fetch_error"].get<std::string>().find("certificate") != std::string::npos);
    CHECK(has_finding(k, "mtasts.policy-unreachable"));
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
