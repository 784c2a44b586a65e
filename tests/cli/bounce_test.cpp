// `mailrep bounce` against the samples in tests/bounces/ and the DNS world (192.0.2.66 is listed on
// bl-good.test, 192.0.2.77 has a generic PTR): exit codes, JSON fields, German text, the --report
// text, a resolver that does not answer, pasted replies on stdin, and bad input.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_runner.hpp"

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR (source root, string literal) must be defined by the build"
#endif

namespace {

using mailrep::test::RunResult;
using nlohmann::json;

const std::string k_samples = std::string(MAILREP_SOURCE_DIR) + "/tests/bounces/";
const std::string k_test_lists = std::string(MAILREP_SOURCE_DIR) + "/tests/lists/test-dnsbl.toml";

/// mailrep --resolver WORLD --lists test-dnsbl.toml [options] bounce ARGS...
RunResult run_bounce(const std::vector<std::string>& args, const std::vector<std::string>& options = {},
                     const std::string& input = {}) {
  std::vector<std::string> all = mailrep::test::world_resolver_args();
  all.insert(all.end(), {"--lists", k_test_lists});
  all.insert(all.end(), options.begin(), options.end());
  all.emplace_back("bounce");
  all.insert(all.end(), args.begin(), args.end());
  return mailrep::test::run_mailrep(all, input);
}

/// The same with a resolver nobody answers on (the live check cannot be done).
RunResult run_bounce_dead_resolver(const std::vector<std::string>& args, const std::vector<std::string>& options = {}) {
  std::vector<std::string> all = {"--resolver", "127.0.0.1:9", "--timeout-ms", "150", "--retries", "0", "--lists", k_test_lists};
  all.insert(all.end(), options.begin(), options.end());
  all.emplace_back("bounce");
  all.insert(all.end(), args.begin(), args.end());
  return mailrep::test::run_mailrep(all);
}

json parse_json(const RunResult& r, int expected_exit) {
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  CHECK(r.exit_code == expected_exit);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["command"] == "bounce");
  CHECK(j["exit_code"] == expected_exit);
  return j;
}

bool has_finding(const json& j, const std::string& id) {
  return std::any_of(j["findings"].begin(), j["findings"].end(), [&id](const json& f) { return f["id"] == id; });
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

std::string temp_file(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::temp_directory_path() / "mailrep-bounce-test";
  std::filesystem::create_directories(dir);
  const auto p = dir / name;
  std::ofstream out(p, std::ios::binary);
  out << content;
  return p.string();
}

void check_one_line_error(const RunResult& r, const std::string& starts) {
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("mailrep: " + starts, 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

}  // namespace

TEST_CASE("bounce: T-Online (BL) DSN - CRITICAL, JSON fields and the live check of a listed IP") {
  const json j = parse_json(run_bounce({k_samples + "tonline-bl-postfix.eml"}, {"--format", "json"}), 2);
  CHECK(j["status"] == "CRITICAL");
  CHECK(j["receiver"] == "t-online");
  CHECK(j["remote_mta"] == "mx02.t-online.de");
  CHECK(j["smtp_code"] == 554);
  CHECK(j["enhanced_code"] == "");
  CHECK(j["receiver_code"] == "(BL)");
  CHECK(j["sending_ip"] == "192.0.2.66");
  CHECK(j["recipient"] == "kunde@t-online.de");
  CHECK(j["category"] == "blocked");
  CHECK(j["contact"] == "tosa@rx.t-online.de");
  CHECK(j["who_can_fix"] == "provider");
  CHECK(j["live_check"] == "done");
  REQUIRE(j["addresses"].size() == 1);
  const json& a = j["addresses"][0];
  CHECK(a["address"] == "192.0.2.66");
  CHECK(a["ptr"] == json::array({"mx66.rdns.test"}));
  CHECK(std::any_of(a["listings"].begin(), a["listings"].end(), [](const json& l) { return l["list"] == "bl-good"; }));
  CHECK(has_finding(j, "bounce.refused"));
  CHECK(has_finding(j, "dnsbl.listed"));
  const std::string report = j["report"];
  CHECK(contains(report, "Subject: Mail refused by T-Online"));
  CHECK(contains(report, "554 IP=192.0.2.66 - A problem occurred."));
  CHECK(contains(report, "tosa@rx.t-online.de"));
  CHECK(contains(report, "bl-good"));
}

TEST_CASE("bounce: German explanation text") {
  const RunResult r = run_bounce({k_samples + "tonline-bl-postfix.eml"}, {"--lang", "de"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(contains(r.out, "Abgelehnt von T-Online (Deutsche Telekom)"));
  CHECK(contains(r.out, "Was passiert ist: Die sendende IP steht auf der internen Sperrliste von T-Online"));
  CHECK(contains(r.out, "Wer es beheben kann: Ihr Mail-Anbieter"));
  CHECK(contains(r.out, "tosa@rx.t-online.de"));
  CHECK(contains(r.out, "GELISTET"));
  CHECK(contains(r.out, "Status: KRITISCH"));
}

TEST_CASE("bounce --report: the forwardable text in English and German") {
  SUBCASE("en") {
    const RunResult r = run_bounce({"--report", k_samples + "tonline-bl-postfix.eml"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.rfind("Subject: Mail refused by T-Online (Deutsche Telekom): 554 (BL) - please check 192.0.2.66", 0) == 0);
    CHECK(contains(r.out, "Exact reply:"));
    CHECK(contains(r.out, "Refusing server:      mx02.t-online.de [203.0.113.9]"));
    CHECK(contains(r.out, "Current check of 192.0.2.66:"));
    CHECK(contains(r.out, "LISTED:"));
    CHECK(contains(r.out, "Receiver's contact: tosa@rx.t-online.de"));
    CHECK_FALSE(contains(r.out, "Findings:"));
  }
  SUBCASE("de") {
    const RunResult r = run_bounce({"--report", k_samples + "tonline-dial-gmx.eml"}, {"--lang", "de"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.rfind("Betreff: Mail abgelehnt von T-Online (Deutsche Telekom): 554 (DIAL) - bitte 192.0.2.77 prüfen", 0) == 0);
    CHECK(contains(r.out, "Genaue Antwort:"));
    CHECK(contains(r.out, "192-0-2-77.dyn.rdns.test"));
    CHECK(contains(r.out, "PTR generisch:"));
    CHECK(contains(r.out, "toda@rx.t-online.de"));
    CHECK(contains(r.out, "Vielen Dank."));
  }
}

TEST_CASE("bounce: generic PTR of the sending IP is reported by the live check") {
  const json j = parse_json(run_bounce({k_samples + "tonline-dial-gmx.eml"}, {"--format", "json"}), 2);
  CHECK(j["receiver_code"] == "(DIAL)");
  CHECK(j["sending_ip"] == "192.0.2.77");
  REQUIRE(j["addresses"].size() == 1);
  CHECK(j["addresses"][0].contains("ptr_generic"));
  CHECK(has_finding(j, "rdns.generic"));
}

TEST_CASE("bounce: a pasted reply line on stdin") {
  const std::string reply =
      "554-gmx.net (mxgmx117) Nemesis ESMTP Service not available\n554-No SMTP service\n554-IP address is block listed.\n"
      "554 For explanation visit https://postmaster.gmx.net/en/case?c=r0301&i=ip&v=192.0.2.66&r=1AbCdE\n";
  const json j = parse_json(run_bounce({"-"}, {"--format", "json"}, reply), 2);
  CHECK(j["kind"] == "smtp-reply");
  CHECK(j["receiver"] == "united-internet");
  CHECK(j["receiver_code"] == "r0301");
  CHECK(j["category"] == "blocked");
  CHECK(j["sending_ip"] == "192.0.2.66");
  CHECK(j["addresses"].size() == 1);
}

TEST_CASE("bounce: temporary refusal without an IP is WARNING") {
  const json j = parse_json(run_bounce({k_samples + "postfix-greylist-delayed.eml"}, {"--format", "json"}), 1);
  CHECK(j["status"] == "WARNING");
  CHECK(j["category"] == "greylisted");
  CHECK(j["temporary"] == true);
  CHECK(j["addresses"].empty());
  CHECK(has_finding(j, "bounce.deferred"));
  CHECK(has_finding(j, "bounce.no-sending-ip"));
}

TEST_CASE("bounce: the resolver does not answer - explanation offline, live part unknown") {
  SUBCASE("permanent stays CRITICAL") {
    const json j = parse_json(run_bounce_dead_resolver({k_samples + "tonline-bl-postfix.eml"}, {"--format", "json"}), 2);
    CHECK(j["receiver_code"] == "(BL)");
    CHECK(j["live_check"] == "unknown");
    CHECK(has_finding(j, "bounce.live-check-failed"));
    CHECK(contains(j["report"].get<std::string>(), "not possible"));
  }
  SUBCASE("temporary with an IP is at least WARNING") {
    const json j = parse_json(run_bounce_dead_resolver({k_samples + "yahoo-tss04-sendmail.eml"}, {"--format", "json"}), 1);
    CHECK(j["receiver"] == "yahoo");
    CHECK(j["receiver_code"] == "TSS04");
    CHECK(j["live_check"] == "unknown");
  }
}

TEST_CASE("bounce: a received message's headers") {
  // 198.51.100.23 has no PTR in the DNS world: the live check makes it CRITICAL.
  const json j = parse_json(run_bounce({k_samples + "headers-gmail-dmarc-fail.eml"}, {"--format", "json"}), 2);
  CHECK(j["kind"] == "headers");
  CHECK(j["receiver"] == "gmail");
  CHECK(j["sending_ip"] == "198.51.100.23");
  CHECK(j["category"] == "authfailure");
  CHECK(j["dkim"][0]["domain"] == "example.de");
  CHECK(j["dkim"][0]["selector"] == "mail2024");
  CHECK(has_finding(j, "bounce.auth-failed"));
  CHECK(has_finding(j, "bounce.delivered"));
  CHECK(has_finding(j, "rdns.no-ptr"));
  CHECK(j["addresses"][0]["address"] == "198.51.100.23");
}

TEST_CASE("bounce: every sample runs through the binary without a crash") {
  for (const auto& e : std::filesystem::directory_iterator(k_samples)) {
    const auto ext = e.path().extension().string();
    if (ext != ".eml" && ext != ".txt") continue;
    CAPTURE(e.path().filename().string());
    const RunResult r = run_bounce_dead_resolver({e.path().string()}, {"--format", "json"});
    CHECK(r.exit_code >= 1);
    CHECK(r.exit_code <= 2);
    CHECK_FALSE(json::parse(r.out, nullptr, false).is_discarded());
  }
}

TEST_CASE("bounce: bad input ends in one line and exit 3") {
  SUBCASE("empty stdin") { check_one_line_error(run_bounce({"-"}, {}, ""), "not a bounce or SMTP reply: the input is empty"); }
  SUBCASE("empty file") {
    check_one_line_error(run_bounce({temp_file("empty.eml", "")}), "not a bounce or SMTP reply: the input is empty");
  }
  SUBCASE("binary garbage") {
    std::string g;
    unsigned x = 7;
    for (int i = 0; i < 4096; ++i) {
      x = x * 1103515245u + 12345u;
      g += static_cast<char>((x >> 16) & 0xff);
    }
    check_one_line_error(run_bounce({temp_file("garbage.bin", g)}), "not a bounce or SMTP reply: binary data");
  }
  SUBCASE("prose") {
    check_one_line_error(run_bounce({"-"}, {}, "Dear all,\nlunch is at noon.\n"), "not a bounce or SMTP reply: ");
  }
  SUBCASE("missing file") {
    check_one_line_error(run_bounce({k_samples + "does-not-exist.eml"}), "cannot open '");
  }
  SUBCASE("two files") {
    const RunResult r = run_bounce({k_samples + "gmail-ptr-reply.txt", k_samples + "gmail-ptr-reply.txt"});
    CHECK(r.exit_code == 3);
  }
  SUBCASE("json on bad input") {
    const RunResult r = run_bounce({"-"}, {"--format", "json"}, "");
    CHECK(r.exit_code == 3);
    const json j = json::parse(r.out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    CHECK(j["status"] == "UNKNOWN");
  }
}
