// mailrep check over the fixture world: the provider shapes (clean, listed, no PTR, generic PTR,
// no imprint, broken SPF, only unknowns), German output, --report, and a golden file per format.
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "cli_runner.hpp"
#include "golden.hpp"

using mailrep::test::run_mailrep;
using mailrep::test::RunResult;
using nlohmann::json;

namespace {

using mailrep::test::golden;

const std::string k_src = MAILREP_SOURCE_DIR;

/// demo/web.py on a kernel-chosen port for the imprint check, for the lifetime of the object.
class WebServer {
public:
  WebServer() {
    m_port_file = std::filesystem::temp_directory_path() / ("mailrep-web-" + std::to_string(getpid()) + ".port");
    std::filesystem::remove(m_port_file);
    m_pid = fork();
    if (m_pid == 0) {
      execlp("python3", "python3", (k_src + "/demo/web.py").c_str(), (k_src + "/demo/www").c_str(), m_port_file.c_str(),
             static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && m_port == 0; ++i) {
      std::ifstream in(m_port_file);
      in >> m_port;
      if (m_port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  ~WebServer() {
    if (m_pid > 0) {
      kill(m_pid, SIGTERM);
      waitpid(m_pid, nullptr, 0);
    }
    std::filesystem::remove(m_port_file);
  }
  int port() const { return m_port; }

private:
  std::filesystem::path m_port_file;
  pid_t m_pid = -1;
  int m_port = 0;
};

WebServer& web() {
  static WebServer server;
  return server;
}

std::vector<std::string> base_args() {
  auto a = mailrep::test::world_resolver_args();
  for (const std::string& s : std::vector<std::string>{"--lists", k_src + "/tests/lists/check", "--https-port", "9", "--http-port", std::to_string(web().port()),
                        "--timeout-ms", "1500"})
    a.push_back(s);
  return a;
}

RunResult check(const std::string& domain, std::vector<std::string> extra = {}) {
  auto args = base_args();
  for (auto& e : extra) args.push_back(e);
  args.push_back("check");
  args.push_back(domain);
  return run_mailrep(args);
}

json check_json(const std::string& domain, int expected_exit) {
  auto r = check(domain, {"--format", "json"});
  CHECK_MESSAGE(r.exit_code == expected_exit, domain, " stderr: ", r.err);
  return json::parse(r.out);
}

std::string verdict(const json& j, const std::string& receiver) {
  for (const auto& r : j["receivers"])
    if (r["id"] == receiver) return r["verdict"];
  return "absent";
}

bool has_finding(const json& j, const std::string& id) {
  for (const auto& f : j["findings"])
    if (f["id"] == id) return true;
  return false;
}

const json* outbound(const json& j, const std::string& address) {
  for (const auto& o : j["outbound"])
    if (o["address"] == address) return &o;
  return nullptr;
}

}  // namespace

TEST_SUITE("cli::check") {
  TEST_CASE("clean: OK, every receiver likely accepts") {
    REQUIRE(web().port() > 0);
    json j = check_json("clean.test", 0);
    CHECK(j["status"] == "OK");
    CHECK(j["score"].get<int>() >= 90);
    const json* o = outbound(j, "198.51.100.10");
    REQUIRE(o);
    CHECK((*o)["fcrdns"] == true);
    CHECK((*o)["listings"].empty());
    CHECK((*o)["confidence"] == "high");
    CHECK(verdict(j, "t-online") == "likely-accepted");
    CHECK(verdict(j, "gmail") == "likely-accepted");
    CHECK(j["dkim"]["selectors"][0]["selector"] == "pw1");
    CHECK(j["dkim"]["selectors"][0]["key_bits"] == 2048);
    CHECK(j["imprint"][0]["state"] == "found");
  }

  TEST_CASE("listed and generic PTR: the provider's third-party relay") {
    json j = check_json("postwerk.test", 2);
    const json* bad = outbound(j, "198.51.100.77");
    REQUIRE(bad);
    CHECK((*bad)["listings"].size() == 2);
    CHECK((*bad)["listings"][0]["list"] == "demo-blocklist");
    CHECK((*bad)["listings"][0]["txt"] == "198.51.100.77 sent spam to our traps on 2026-11-20");
    CHECK((*bad)["ptr_generic"] == "contains the address digits");
    const json* good = outbound(j, "198.51.100.10");
    REQUIRE(good);
    CHECK((*good)["listings"].empty());
    CHECK(has_finding(j, "dnsbl.listed"));
    CHECK(has_finding(j, "rdns.generic"));
    CHECK(verdict(j, "t-online") == "likely-rejected");
    CHECK(j["providers"][0]["id"] == "postwerk");
    CHECK(j["score"].get<int>() < 50);
  }

  TEST_CASE("no PTR: critical, T-Online and GMX reject") {
    json j = check_json("noptr.test", 2);
    const json* o = outbound(j, "192.0.2.99");
    REQUIRE(o);
    CHECK((*o)["ptr"].empty());
    CHECK((*o)["fcrdns"] == false);
    CHECK(has_finding(j, "rdns.no-ptr"));
    CHECK(verdict(j, "t-online") == "likely-rejected");
    CHECK(verdict(j, "united-internet") == "likely-rejected");
  }

  TEST_CASE("no imprint on the PTR domain's website") {
    json j = check_json("noimprint.test", 1);
    CHECK(has_finding(j, "imprint.missing"));
    CHECK(j["imprint"][0]["domain"] == "kabelnetz.test");
    CHECK(j["imprint"][0]["state"] == "not-found");
    CHECK(verdict(j, "t-online") != "likely-accepted");
    CHECK(verdict(j, "gmail") == "likely-accepted");
  }

  TEST_CASE("broken SPF: two records are a permerror") {
    json j = check_json("baeckerei-schmidt.test", 2);
    CHECK(has_finding(j, "spf.multiple-records"));
    CHECK(j["providers"][0]["id"] == "postwerk");  // found through the MX
    bool spf_fail = false;
    for (const auto& r : j["receivers"])
      if (r["id"] == "gmail")
        for (const auto& reason : r["reasons"])
          spf_fail = spf_fail || (reason["requirement"].get<std::string>().rfind("spf", 0) == 0 && reason["state"] != "pass");
    CHECK(spf_fail);
  }

  TEST_CASE("only unknowns: every blocklist times out, never OK") {
    // Knot refuses the shipped lists' zones; the second resolver drops everything, so every
    // blocklist query ends in a timeout. The check must say so and never be OK.
    auto faultd_script = std::filesystem::temp_directory_path() / "mailrep-check-drop.script";
    std::ofstream(faultd_script) << "rule * * drop\n";
    auto port_file = std::filesystem::temp_directory_path() / ("mailrep-check-faultd-" + std::to_string(getpid()));
    std::filesystem::remove(port_file);
    pid_t pid = fork();
    if (pid == 0) {
      std::string bin = std::filesystem::path(MAILREP_BINARY).parent_path() / "mailrep-faultd";
      execl(bin.c_str(), bin.c_str(), "--port-file", port_file.c_str(), faultd_script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 200 && port == 0; ++i) {
      std::ifstream in(port_file);
      in >> port;
      if (port == 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    REQUIRE(port > 0);
    auto args = mailrep::test::world_resolver_args();
    for (const std::string& s : std::vector<std::string>{"--resolver", "127.0.0.1:" + std::to_string(port), "--retries", "1", "--timeout-ms", "300",
                          "--https-port", "9", "--http-port", std::to_string(web().port()), "--format", "json", "check",
                          "clean.test"})
      args.push_back(s);
    auto r = run_mailrep(args);
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    CHECK(r.exit_code == 1);
    json j = json::parse(r.out);
    CHECK(j["status"] == "WARNING");
    const json* o = outbound(j, "198.51.100.10");
    REQUIRE(o);
    CHECK((*o)["listings"].empty());
    CHECK((*o)["errors"].size() >= 10);
    CHECK(has_finding(j, "dnsbl.unknown"));
  }

  TEST_CASE("German output and the provider report") {
    auto r = check("postwerk.test", {"--lang", "de", "--report"});
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("Betreff: Zustellprobleme") != std::string::npos);
    CHECK(r.out.find("wahrscheinlich abgelehnt") != std::string::npos);
    CHECK(r.out.find("steht auf der Sperrliste Demo Blocklist") != std::string::npos);
    CHECK(r.out.find("Status: KRITISCH") != std::string::npos);
    auto e = check("postwerk.test", {"--report", "--format", "json"});
    json j = json::parse(e.out);
    CHECK(j["report"].get<std::string>().find("198.51.100.77") != std::string::npos);
  }

  TEST_CASE("thresholds on the score replace the default mapping") {
    auto r = check("postwerk.test", {"--format", "nagios", "-w", "10:", "-c", "5:"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("MAILREP OK - postwerk.test: score", 0) == 0);
    CHECK(r.out.find("score=") != std::string::npos);
    CHECK(r.out.find(";10:;5:;0;100") != std::string::npos);
  }

  TEST_CASE("bad input exits 3 with one line") {
    for (std::string bad : {"not a domain", "-", "x", "a..b"}) {
      auto r = check(bad);
      CHECK_MESSAGE(r.exit_code == 3, bad);
      CHECK_MESSAGE(r.err.find('\n') == r.err.size() - 1, bad, ": ", r.err);
    }
  }

  TEST_CASE("check: golden output per format") {
    golden("check-postwerk.txt", check("postwerk.test", {"--no-color"}).out);
    golden("check-postwerk.de.txt", check("postwerk.test", {"--lang", "de"}).out);
    golden("check-postwerk.json", check("postwerk.test", {"--format", "json"}).out);
    golden("check-postwerk.nagios", check("postwerk.test", {"--format", "nagios", "-v"}).out);
    golden("check-postwerk.prom", check("postwerk.test", {"--format", "prometheus"}).out);
  }
}
