// `mailrep probe` end to end: the MX of probe.test (tests/zones/probe.test.zone) resolve through the
// Knot DNS world to 127.0.0.1, where a fake SMTP server (tests/support/smtp_server) answers on a
// free port (--smtp-port). Verdicts, stages, receiver codes, output formats and exit codes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "smtp_server.hpp"

namespace {

using mailrep::test::RunResult;
using mailrep::test::SmtpScript;
using mailrep::test::SmtpServer;
using nlohmann::json;

const char* const k_tonline_bl =
    "554 IP=192.0.2.77 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to "
    "clarify.) (BL)";

RunResult run_probe(const std::vector<std::string>& args, std::uint16_t port, const std::string& format = "json",
                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> all = mailrep::test::world_resolver_args();
  all.insert(all.end(), {"probe"});
  all.insert(all.end(), args.begin(), args.end());
  all.insert(all.end(), {"--smtp-port", std::to_string(port), "--timeout-ms", "2000", "--helo", "probe.example.test",
                         "--format", format});
  all.insert(all.end(), extra.begin(), extra.end());
  return mailrep::test::run_mailrep(all);
}

json probe_json(const std::vector<std::string>& args, std::uint16_t port, int expected_exit,
                const std::vector<std::string>& extra = {}) {
  RunResult r = run_probe(args, port, "json", extra);
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  CHECK(r.exit_code == expected_exit);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["command"] == "probe");
  CHECK(j["exit_code"] == expected_exit);
  return j;
}

std::unique_ptr<SmtpServer> server(SmtpScript sc) {
  auto s = SmtpServer::start(std::move(sc));
  REQUIRE(s);
  return s;
}

bool has_finding(const json& j, const std::string& id) {
  for (const auto& f : j["findings"])
    if (f["id"] == id) return true;
  return false;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

bool sent_data(const SmtpServer& srv) {
  for (const auto& c : srv.commands())
    if (c.rfind("DATA", 0) == 0) return true;
  return false;
}

}  // namespace

TEST_SUITE("cli::probe") {
  TEST_CASE("a T-Online style (BL) greeting: blocked, CRITICAL, exit 2") {
    SmtpScript sc;
    sc.greeting = k_tonline_bl;
    auto srv = server(sc);
    json j = probe_json({"probe.test"}, srv->port(), 2);
    CHECK(j["status"] == "CRITICAL");
    REQUIRE(j["receivers"].size() == 1);
    const json& r = j["receivers"][0];
    CHECK(r["name"] == "probe.test");
    CHECK(r["mx"] == "mx.probe.test");
    CHECK(r["address"] == "127.0.0.1");
    CHECK(r["stage"] == "greeting");
    CHECK(r["verdict"] == "blocked");
    CHECK(r["smtp_code"] == 554);
    CHECK(r["reply"] == k_tonline_bl);
    CHECK(r["receiver_code"] == "(BL)");
    CHECK(r["contact"] == "tosa@rx.t-online.de");
    CHECK(r["reply_ip"] == "192.0.2.77");
    CHECK(r["names_this_host"] == false);
    CHECK(r["tls"]["offered"] == false);
    CHECK(has_finding(j, "probe.blocked"));
    CHECK(srv->commands() == std::vector<std::string>{"QUIT"});
  }

  TEST_CASE("text (en, de) and nagios output of a block") {
    SmtpScript sc;
    sc.greeting = k_tonline_bl;
    auto srv = server(sc);
    RunResult en = run_probe({"probe.test"}, srv->port(), "text", {"--lang", "en"});
    CHECK(en.exit_code == 2);
    CHECK(contains(en.out, "BLOCKED in the greeting"));
    CHECK(contains(en.out, "(BL)"));
    CHECK(contains(en.out, "tosa@rx.t-online.de"));
    CHECK(contains(en.out, "Status: CRITICAL"));
    RunResult de = run_probe({"probe.test"}, srv->port(), "text", {"--lang", "de"});
    CHECK(de.exit_code == 2);
    CHECK(contains(de.out, "ABGELEHNT"));
    CHECK(contains(de.out, "lehnt diesen Server ab"));
    RunResult n = run_probe({"probe.test"}, srv->port(), "nagios");
    CHECK(n.exit_code == 2);
    CHECK(n.out.rfind("MAILREP CRITICAL - ", 0) == 0);
    CHECK(contains(n.out, "probe.test (BL)"));
    CHECK(contains(n.out, "| blocked=1"));
  }

  TEST_CASE("greylisting (421 greeting): temporary, WARNING, exit 1") {
    SmtpScript sc;
    sc.greeting = "421 4.7.0 mx.probe.test: greylisted, please try again later";
    sc.close_after_greeting = true;
    auto srv = server(sc);
    json j = probe_json({"probe.test"}, srv->port(), 1);
    CHECK(j["status"] == "WARNING");
    const json& r = j["receivers"][0];
    CHECK(r["verdict"] == "temporary");
    CHECK(r["greylisted"] == true);
    CHECK(r["stage"] == "greeting");
    CHECK(r["smtp_code"] == 421);
    CHECK(r["enhanced_code"] == "4.7.0");
    CHECK(has_finding(j, "probe.greylisted"));
  }

  TEST_CASE("a friendly server: accepted and OK, with --rcpt the envelope but never DATA") {
    auto srv = server(SmtpScript{});
    json j = probe_json({"probe.test"}, srv->port(), 0);
    CHECK(j["status"] == "OK");
    CHECK(j["receivers"][0]["verdict"] == "accepted");
    CHECK(j["receivers"][0]["stage"] == "ehlo");
    CHECK(j["receivers"][0]["helo"] == "probe.example.test");
    CHECK(has_finding(j, "probe.accepted"));

    json e = probe_json({"probe.test"}, srv->port(), 0, {"--rcpt", "postmaster@probe.test"});
    CHECK(e["receivers"][0]["verdict"] == "accepted");
    CHECK(e["receivers"][0]["stage"] == "rcpt");
    auto cmds = srv->commands();
    CHECK(std::find(cmds.begin(), cmds.end(), "MAIL FROM:<>") != cmds.end());
    CHECK(std::find(cmds.begin(), cmds.end(), "RCPT TO:<postmaster@probe.test>") != cmds.end());
    CHECK_FALSE(sent_data(*srv));
  }

  TEST_CASE("a refusal at RCPT TO: blocked at stage rcpt") {
    SmtpScript sc;
    sc.rcpt_reply = "550 5.7.606 Access denied, banned sending IP [192.0.2.77]. To request removal from this list "
                    "please visit https://sender.office.com/ and follow the directions.";
    auto srv = server(sc);
    json j = probe_json({"probe.test"}, srv->port(), 2, {"--rcpt", "someone@probe.test", "--sender", "a@example.test"});
    const json& r = j["receivers"][0];
    CHECK(r["verdict"] == "blocked");
    CHECK(r["stage"] == "rcpt");
    CHECK(r["enhanced_code"] == "5.7.606");
    CHECK(r["receiver_code"] == "5.7.606");
    CHECK_FALSE(sent_data(*srv));
  }

  TEST_CASE("nothing reachable: UNKNOWN, exit 3, never 'not blocked'") {
    std::uint16_t port = 0;
    {
      auto srv = server(SmtpScript{});
      port = srv->port();
    }  // stopped: nothing listens on the port any more
    json j = probe_json({"probe.test"}, port, 3);
    CHECK(j["status"] == "UNKNOWN");
    const json& r = j["receivers"][0];
    CHECK(r["verdict"] == "unknown");
    CHECK(r["stage"] == "connect");
    CHECK(r["failure"] == "refused");
    CHECK(contains(r["cause"].get<std::string>(), "port"));
    CHECK(has_finding(j, "probe.no-port-25"));
    CHECK(has_finding(j, "probe.unknown"));
  }

  TEST_CASE("--all-mx probes every MX: one blocked and one refused is CRITICAL") {
    SmtpScript sc;
    sc.greeting = k_tonline_bl;
    auto srv = server(sc);
    json j = probe_json({"multi.probe.test", "--all-mx"}, srv->port(), 2);
    REQUIRE(j["receivers"].size() == 2);
    CHECK(j["receivers"][0]["mx"] == "mx.probe.test");
    CHECK(j["receivers"][0]["verdict"] == "blocked");
    CHECK(j["receivers"][1]["mx"] == "mx2.probe.test");
    CHECK(j["receivers"][1]["verdict"] == "unknown");
    // Without --all-mx only the most preferred MX.
    json one = probe_json({"multi.probe.test"}, srv->port(), 2);
    CHECK(one["receivers"].size() == 1);
  }

  TEST_CASE("a null MX and a missing domain are unknown, not clean") {
    json j = probe_json({"nomail.probe.test", "missing.probe.test"}, 25, 3);
    REQUIRE(j["receivers"].size() == 2);
    CHECK(j["receivers"][0]["null_mx"] == true);
    CHECK(j["receivers"][0]["verdict"] == "unknown");
    CHECK(j["receivers"][1]["verdict"] == "unknown");
    CHECK(j["receivers"][1]["failure"] == "dns");
  }

  TEST_CASE("probe usage errors exit 3") {
    for (const auto& extra : std::vector<std::vector<std::string>>{
             {"--smtp-port", "0"}, {"--rcpt", "a b@c"}, {"--source", "not-an-address"}, {"--helo", "bad name"}}) {
      std::vector<std::string> args = mailrep::test::world_resolver_args();
      args.emplace_back("probe");
      args.emplace_back("probe.test");
      args.insert(args.end(), extra.begin(), extra.end());
      RunResult r = mailrep::test::run_mailrep(args);
      INFO(extra.front() << ": " << r.err);
      CHECK(r.exit_code == 3);
    }
  }
}
