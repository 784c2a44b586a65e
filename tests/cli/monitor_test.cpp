// Unattended monitoring: --targets, --deadline, --state with --changes-only, Nagios perfdata and
// --timeout, Prometheus (validated with promtool), --notify webhooks, concurrent runs and a kill -9
// during the state write. A listing appears, disappears and times out between runs: bl-mon.test is
// served by a mailrep-faultd (second resolver, after the Knot world) with a script per run.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_runner.hpp"
#include "faultd_process.hpp"
#include "https_server.hpp"

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR must be defined by the build"
#endif

namespace {

namespace fs = std::filesystem;
using mailrep::test::FaultdProcess;
using mailrep::test::RunResult;
using nlohmann::json;

const std::string k_lists = std::string(MAILREP_SOURCE_DIR) + "/tests/lists/monitor-dnsbl.toml";
const std::string k_healthy = std::string(MAILREP_SOURCE_DIR) + "/tests/lists/healthy-dnsbl.toml";

// The faultd serves bl-mon.test, bl-stable.test (lists nothing, always answers) and the reverse DNS
// of the two addresses (FCrDNS confirmed).
const std::string k_rdns = "record 10.2.0.192.in-addr.arpa PTR mx10.rdns.test\n"
                           "record mx10.rdns.test A 192.0.2.10\n"
                           "record 66.2.0.192.in-addr.arpa PTR mx66.rdns.test\n"
                           "record mx66.rdns.test A 192.0.2.66\n"
                           "record bl-stable.test SOA ns.bl-stable.test. hostmaster.bl-stable.test. 1 3600 600 86400 300\n"
                           "record 2.0.0.127.bl-stable.test A 127.0.0.2\n";
const std::string k_zone_head = k_rdns + "record bl-mon.test SOA ns.bl-mon.test. hostmaster.bl-mon.test. 1 3600 600 86400 300\n"
                                         "record 2.0.0.127.bl-mon.test A 127.0.0.2\n";
const std::string k_listed = k_zone_head + "record 10.2.0.192.bl-mon.test A 127.0.0.2\n"
                                           "record 10.2.0.192.bl-mon.test TXT \"monitor test listing\"\n";
const std::string k_clean = k_zone_head;
/// bl-mon.test never answers (its test points and both addresses); the reverse DNS does.
const std::string k_silent = k_rdns + "rule 2.0.0.127.bl-mon.test * drop\n"
                                      "rule 1.0.0.127.bl-mon.test * drop\n"
                                      "rule 10.2.0.192.bl-mon.test * drop\n"
                                      "rule 66.2.0.192.bl-mon.test * drop\n";

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "mailrep-monitor-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool contains(const std::string& s, const std::string& needle) { return s.find(needle) != std::string::npos; }

/// The faultd is the only resolver (the world answers NXDOMAIN for bl-mon.test under its test. zone).
std::vector<std::string> resolvers(const FaultdProcess& bl) {
  return {"--resolver", bl.address(), "--retries", "1", "--timeout-ms", "400"};
}

RunResult run_ip_state(const FaultdProcess& bl, const std::string& state, std::vector<std::string> extra,
                       const std::vector<std::string>& targets = {"192.0.2.10"}) {
  auto args = resolvers(bl);
  args.insert(args.end(), {"--lists", k_lists, "--state", state});
  args.insert(args.end(), extra.begin(), extra.end());
  args.emplace_back("ip");
  args.insert(args.end(), targets.begin(), targets.end());
  return mailrep::test::run_mailrep(args);
}

json parse(const RunResult& r) {
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

std::vector<std::string> change_kinds(const json& j) {
  std::vector<std::string> out;
  for (const auto& c : j["changes"]) {
    std::string name = c.contains("list") ? c["list"].get<std::string>() : c.contains("finding") ? c["finding"].get<std::string>() : c["record"].get<std::string>();
    out.push_back(c["kind"].get<std::string>() + " " + name);
  }
  return out;
}

/// The entries of a state file about `name` (list id / finding id / record name).
std::vector<json> state_entries(const std::string& path, const std::string& name) {
  json s = json::parse(slurp(path), nullptr, false);
  REQUIRE_FALSE(s.is_discarded());
  CHECK(s["format"] == "mailrep-state");
  std::vector<json> out;
  for (const auto& e : s["entries"])
    if (e["name"] == name) out.push_back(e);
  return out;
}

/// A background mailrep with extra environment; output to files.
struct Background {
  pid_t pid = -1;
  std::string out, err;
  Background(const std::vector<std::string>& args, const std::vector<std::pair<std::string, std::string>>& env,
             const std::string& out_file, const std::string& err_file)
      : out(out_file), err(err_file) {
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int o = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int e = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(o, 1);
      dup2(e, 2);
      for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
      unsetenv("LANG");
      unsetenv("LC_ALL");
      setenv("NO_COLOR", "1", 1);
      std::vector<std::string> copy = args;
      std::string bin = MAILREP_BINARY;
      std::vector<char*> argv{bin.data()};
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
  }
  int wait() {
    int status = 0;
    waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  ~Background() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      int status = 0;
      waitpid(pid, &status, 0);
    }
  }
};

/// Waits until a temp state file (".NAME.tmp.PID") shows up in `dir`: the writer holds the lock and
/// sits between writing the temp file and the rename.
bool wait_for_temp_file(const fs::path& dir, std::chrono::milliseconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    for (const auto& e : fs::directory_iterator(dir))
      if (contains(e.path().filename().string(), ".tmp.")) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

/// Perfdata of a Nagios status line: label -> (value, unit, warn, crit, min, max); fails on bad syntax.
struct PerfValue {
  double value = 0;
  std::string unit, warn, crit, min, max;
};
std::map<std::string, PerfValue> parse_perfdata(const std::string& status_line) {
  std::map<std::string, PerfValue> out;
  auto bar = status_line.find(" | ");
  REQUIRE(bar != std::string::npos);
  std::istringstream in(status_line.substr(bar + 3));
  std::string item;
  static const std::regex k_re(R"(^('[^']+'|[^'= ]+)=(-?[0-9]+(?:\.[0-9]+)?)(s|ms|us|%|B|KB|MB|TB|c)?;([^;]*);([^;]*);([^;]*);([^;]*)$)");
  static const std::regex k_range(R"(^(@?(~|-?[0-9.]+)?:?(-?[0-9.]+)?)?$)");
  while (in >> item) {
    std::smatch m;
    INFO("perfdata item: " << item);
    REQUIRE(std::regex_match(item, m, k_re));
    PerfValue v;
    v.value = std::stod(m[2].str());
    v.unit = m[3].str();
    v.warn = m[4].str();
    v.crit = m[5].str();
    v.min = m[6].str();
    v.max = m[7].str();
    CHECK(std::regex_match(v.warn, k_range));
    CHECK(std::regex_match(v.crit, k_range));
    out[m[1].str()] = v;
  }
  return out;
}

/// `promtool check metrics` on a text; FAILS (not skips) when promtool is missing: scripts/setup installs it.
void check_promtool(const std::string& text, const TempDir& dir) {
  std::string in = dir.file("metrics.prom"), out = dir.file("promtool.out");
  { std::ofstream(in) << text; }
  int rc = std::system(("promtool check metrics < '" + in + "' > '" + out + "' 2>&1").c_str());
  int code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  INFO("promtool output: " << slurp(out));
  INFO("metrics:\n" << text);
  REQUIRE_MESSAGE(code != 127, "promtool not found: run scripts/setup (Debian package prometheus)");
  CHECK(code == 0);
}

}  // namespace

TEST_SUITE("cli::monitor") {
  TEST_CASE("a listing appears then stays then times out (never a delisting) then disappears") {
    TempDir dir;
    const std::string state = dir.file("ip-state.json");

    // Run 1: listed. A new listing; CRITICAL.
    {
      FaultdProcess bl(k_listed);
      REQUIRE_MESSAGE(bl.port() != 0, bl.error());
      RunResult r = run_ip_state(bl, state, {"--format", "json"});
      CHECK(r.exit_code == 2);
      json j = parse(r);
      CHECK(change_kinds(j) == std::vector<std::string>{"new-listing bl-mon"});
      const json& c = j["changes"][0];
      CHECK(c["target"] == "192.0.2.10");
      CHECK(c["address"] == "192.0.2.10");
      CHECK(c["detail"] == "127.0.0.2 spam source (monitor test)");
      CHECK(c["first_seen"] == c["last_seen"]);
      auto e = state_entries(state, "bl-mon");
      REQUIRE(e.size() == 1);
      CHECK(e[0]["kind"] == "listing");
      CHECK(e[0]["target"] == "192.0.2.10");
      CHECK(e[0]["value"] == "127.0.0.2 spam source (monitor test)");
      auto ptr = state_entries(state, "ptr");
      REQUIRE(ptr.size() == 1);
      CHECK(ptr[0]["value"] == "mx10.rdns.test");
    }
    const std::string first_seen = state_entries(state, "bl-mon")[0]["first_seen"];

    // Run 2: still listed. Nothing changed: --changes-only prints nothing at all.
    {
      FaultdProcess bl(k_listed);
      RunResult r = run_ip_state(bl, state, {"--changes-only"});
      CHECK(r.exit_code == 2);
      CHECK(r.out.empty());
      CHECK(state_entries(state, "bl-mon")[0]["first_seen"] == first_seen);
    }

    // Run 3: bl-mon.test times out. Not a delisting: the listing is kept and said to be unknown.
    {
      FaultdProcess bl(k_silent);
      RunResult r = run_ip_state(bl, state, {"--changes-only"});
      INFO(r.err);
      CHECK(r.exit_code == 1);  // unknown: at least WARNING, never OK
      CHECK(r.out.rfind("STILL-UNKNOWN 192.0.2.10 bl-mon: could not be checked (", 0) == 0);
      CHECK(contains(r.out, "timeout"));
      CHECK(contains(r.out, "keeping the last known state: listed (127.0.0.2 spam source (monitor test))"));
      CHECK_FALSE(contains(r.out, "DELISTING"));
      auto e = state_entries(state, "bl-mon");
      REQUIRE(e.size() == 1);
      CHECK(e[0]["first_seen"] == first_seen);

      FaultdProcess bl2(k_silent);
      RunResult j = run_ip_state(bl2, state, {"--format", "json"});
      json k = parse(j);
      CHECK(change_kinds(k) == std::vector<std::string>{"still-unknown bl-mon"});
      CHECK(k["changes"][0]["first_seen"] == first_seen);
    }

    // Run 4: no longer listed. A delisting with when it was first and last seen; OK.
    {
      FaultdProcess bl(k_clean);
      RunResult r = run_ip_state(bl, state, {"--changes-only"});
      CHECK(r.exit_code == 0);
      CHECK(r.out.rfind("DELISTING 192.0.2.10 bl-mon: no longer listed (was: 127.0.0.2 spam source (monitor test)) (first seen " +
                            first_seen,
                        0) == 0);
      CHECK(state_entries(state, "bl-mon").empty());
    }

    // Run 5: a timeout with nothing known before: no change at all.
    {
      FaultdProcess bl(k_silent);
      RunResult r = run_ip_state(bl, state, {"--changes-only"});
      CHECK(r.exit_code == 1);
      CHECK(r.out.empty());
    }
  }

  TEST_CASE("--targets with comments and blank lines and several per line (JSON and streamed text)") {
    TempDir dir;
    std::string targets = dir.file("targets.txt");
    { std::ofstream(targets) << "# outbound relays\n192.0.2.10   # mx10\n\n192.0.2.66 192.0.2.68\n"; }
    auto args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--format", "json", "ip", "--targets", targets});
    RunResult r = mailrep::test::run_mailrep(args);
    CHECK(r.exit_code == 2);
    json j = parse(r);
    REQUIRE(j["addresses"].size() == 3);
    CHECK(j["addresses"][0]["address"] == "192.0.2.10");
    CHECK(j["addresses"][1]["address"] == "192.0.2.66");
    CHECK(j["addresses"][2]["address"] == "192.0.2.68");
    CHECK(j["targets_checked"] == 3);

    // Text: each target's block, then the findings and one status line.
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--targets", targets, "ip"});
    RunResult t = mailrep::test::run_mailrep(args);
    CHECK(t.exit_code == 2);
    CHECK(contains(t.out, "192.0.2.66  PTR: mx66.rdns.test"));
    CHECK(contains(t.out, "Status: CRITICAL - 3 address(es)"));

    // Targets both ways, a missing file, an empty file: usage errors (exit 3).
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "ip", "192.0.2.10", "--targets", targets});
    CHECK(mailrep::test::run_mailrep(args).exit_code == 3);
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"ip", "--targets", dir.file("missing.txt")});
    RunResult missing = mailrep::test::run_mailrep(args);
    CHECK(missing.exit_code == 3);
    CHECK(contains(missing.err, "cannot read"));
    std::string empty = dir.file("empty.txt");
    { std::ofstream(empty) << "# nothing\n\n"; }
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"ip", "--targets", empty});
    RunResult none = mailrep::test::run_mailrep(args);
    CHECK(none.exit_code == 3);
    CHECK(contains(none.err, "holds no target"));
  }

  TEST_CASE("--deadline makes unfinished targets UNKNOWN per item and never clears a listing") {
    TempDir dir;
    const std::string state = dir.file("state.json");
    {
      FaultdProcess bl(k_listed);
      REQUIRE(run_ip_state(bl, state, {"--format", "json"}).exit_code == 2);
    }
    FaultdProcess silent(k_silent);
    std::vector<std::string> args;
    args.insert(args.end(), {"--resolver", silent.address(), "--retries", "0", "--timeout-ms", "5000", "--lists", k_lists,
                             "--state", state, "--deadline", "1", "--format", "json", "ip", "192.0.2.10", "192.0.2.66"});
    auto t0 = std::chrono::steady_clock::now();
    RunResult r = mailrep::test::run_mailrep(args);
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took < std::chrono::milliseconds(4000));
    CHECK(r.exit_code == 3);  // nothing finished: UNKNOWN
    json j = parse(r);
    REQUIRE(j["unfinished"].size() == 2);
    CHECK(j["unfinished"][0]["target"] == "192.0.2.10");
    CHECK(j["unfinished"][0]["reason"] == "deadline of 1 s reached before it finished");
    CHECK(j["unfinished"][1]["target"] == "192.0.2.66");
    int deadline_findings = 0;
    for (const auto& f : j["findings"]) deadline_findings += f["id"] == "monitor.deadline";
    CHECK(deadline_findings == 2);
    CHECK(change_kinds(j) == std::vector<std::string>{"still-unknown bl-mon"});
    CHECK(state_entries(state, "bl-mon").size() == 1);

    // Nagios: a valid status line, the unfinished items in the long output.
    args[args.size() - 4] = "nagios";
    RunResult n = mailrep::test::run_mailrep(args);
    CHECK(n.exit_code == 3);
    CHECK(n.out.rfind("MAILREP UNKNOWN - ", 0) == 0);
    CHECK(contains(n.out, "\nUNKNOWN 192.0.2.10: deadline of 1 s reached before it finished\n"));
    parse_perfdata(n.out.substr(0, n.out.find('\n')));
  }

  TEST_CASE("nagios perfdata with units and thresholds and --timeout as the total time") {
    TempDir dir;
    auto args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--format", "nagios", "-w", "0", "-c", "2", "--timeout", "20", "ip",
                             "192.0.2.66"});
    RunResult r = mailrep::test::run_mailrep(args);
    CHECK(r.exit_code == 2);  // 3 listings > 2
    std::string line = r.out.substr(0, r.out.find('\n'));
    auto perf = parse_perfdata(line);
    REQUIRE(perf.count("listed"));
    CHECK(perf["listed"].value == 3);
    CHECK(perf["listed"].warn == "0");
    CHECK(perf["listed"].crit == "2");
    CHECK(perf["listed"].min == "0");
    REQUIRE(perf.count("unknown"));
    REQUIRE(perf.count("lists_checked"));
    REQUIRE(perf.count("time"));
    CHECK(perf["time"].unit == "s");
    CHECK(perf["time"].crit == "20");

    // check: score, spf_lookups and dkim_key_bits too; -w/-c on the score.
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--https-port", "1", "--http-port", "1", "--format", "nagios", "-w", "80:",
                             "-c", "40:", "--selector", "pw1", "check", "postwerk.test"});
    RunResult c = mailrep::test::run_mailrep(args);
    INFO(c.out);
    CHECK(c.exit_code == 1);  // score 75: below 80, above 40
    auto cp = parse_perfdata(c.out.substr(0, c.out.find('\n')));
    for (const char* label : {"score", "listed", "unknown", "lists_checked", "spf_lookups", "dkim_key_bits", "time"})
      CHECK_MESSAGE(cp.count(label), label);
    CHECK(cp["score"].value == 75);  // with the pw1 DKIM key found
    CHECK(cp["score"].warn == "80:");
    CHECK(cp["score"].crit == "40:");
    CHECK(cp["score"].max == "100");
    CHECK(cp["spf_lookups"].crit == "10");
    CHECK(cp["dkim_key_bits"].value == 2048);
    CHECK(c.out.find('\n') + 1 < c.out.size());  // long output follows

    // --timeout expires (a webhook that never answers): a valid UNKNOWN status line, exit 3.
    auto server = mailrep::test::HttpServer::start(mailrep::test::HttpServer::Mode::http, nullptr);
    REQUIRE(server);
    server->route("/slow", mailrep::test::HttpRoute{200, "text/plain", "ok", {}, 10000, true});
    FaultdProcess bl(k_listed);
    auto a2 = resolvers(bl);
    a2.insert(a2.end(), {"--lists", k_lists, "--state", dir.file("t.json"), "--format", "nagios", "--timeout", "2",
                         "--notify", "http://127.0.0.1:" + std::to_string(server->port()) + "/slow", "--notify-allow-http",
                         "ip", "192.0.2.10"});
    auto t0 = std::chrono::steady_clock::now();
    RunResult t = mailrep::test::run_mailrep(a2);
    auto took = std::chrono::steady_clock::now() - t0;
    CHECK(t.exit_code == 3);
    CHECK(t.out == "MAILREP UNKNOWN - mailrep ip did not finish within the --timeout of 2 s\n");
    CHECK(took < std::chrono::milliseconds(3500));
    // The state was written before the webhook: the listing is recorded.
    CHECK(state_entries(dir.file("t.json"), "bl-mon").size() == 1);
  }

  TEST_CASE("prometheus gauges per target and list pass promtool check metrics") {
    TempDir dir;
    std::string targets = dir.file("targets.txt");
    { std::ofstream(targets) << "192.0.2.10\n192.0.2.66\n192.0.2.64/30\n"; }
    auto args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--format", "prometheus", "ip", "--targets", targets});
    RunResult r = mailrep::test::run_mailrep(args);
    CHECK(r.exit_code == 2);
    check_promtool(r.out, dir);
    CHECK(contains(r.out, "mailrep_listed{command=\"ip\",target=\"192.0.2.66\"} 3\n"));
    CHECK(contains(r.out, "mailrep_list_listed{command=\"ip\",target=\"192.0.2.66\",list=\"bl-good\"} 1\n"));
    CHECK(contains(r.out, "mailrep_list_listed{command=\"ip\",target=\"192.0.2.10\",list=\"bl-good\"} 0\n"));
    CHECK(contains(r.out, "mailrep_address_listed{command=\"ip\",target=\"192.0.2.64/30\",address=\"192.0.2.66\"} 3\n"));
    CHECK(contains(r.out, "mailrep_last_success_timestamp_seconds{command=\"ip\",target=\"192.0.2.10\"} "));
    std::size_t help = 0, pos = 0;
    while ((pos = r.out.find("# HELP mailrep_listed ", pos)) != std::string::npos) ++help, ++pos;
    CHECK(help == 1);

    // check: per domain and list, the score; promtool again.
    std::string domains = dir.file("domains.txt");
    { std::ofstream(domains) << "postwerk.test\nkabelnetz.test\n"; }
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--https-port", "1", "--http-port", "1", "--format", "prometheus", "check",
                             "--targets", domains});
    RunResult c = mailrep::test::run_mailrep(args);
    check_promtool(c.out, dir);
    CHECK(contains(c.out, "mailrep_score{domain=\"postwerk.test\"} 70\n"));
    CHECK(contains(c.out, "mailrep_list_listed{domain=\"postwerk.test\",list=\"bl-good\"} 0\n"));
    CHECK(contains(c.out, "mailrep_last_success_timestamp_seconds{domain=\"kabelnetz.test\"} "));
  }

  TEST_CASE("check --targets --state tracks findings and records per domain") {
    TempDir dir;
    std::string domains = dir.file("domains.txt"), state = dir.file("check.json");
    { std::ofstream(domains) << "postwerk.test\nkabelnetz.test\n"; }
    auto args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--https-port", "1", "--http-port", "1", "--format", "json", "--state",
                             state, "check", "--targets", domains});
    RunResult r = mailrep::test::run_mailrep(args);
    json j = parse(r);
    REQUIRE(j["targets"].size() == 2);
    CHECK(j["targets"][0]["domain"] == "postwerk.test");
    CHECK(j["targets"][0]["score"] == 70);
    CHECK(j["targets"][1]["status"] == "WARNING");
    bool spf_missing = false;
    for (const auto& c : j["changes"])
      if (c["target"] == "kabelnetz.test" && c.value("finding", "") == "spf.no-record") spf_missing = c["kind"] == "new-finding";
    CHECK(spf_missing);
    auto spf = state_entries(state, "spf");
    REQUIRE(spf.size() == 2);
    CHECK(spf[0]["value"] == "v=spf1 ip4:198.51.100.10 ip4:198.51.100.77 -all");

    // The same world again: no changes.
    RunResult again = mailrep::test::run_mailrep(args);
    json k = parse(again);
    CHECK(k["changes"].empty());
    CHECK(k["exit_code"] == j["exit_code"]);

    // A state file of `ip` is foreign to `check`: a clear error, exit 3, the file untouched.
    std::string ip_state = dir.file("ip.json");
    {
      FaultdProcess bl(k_clean);
      REQUIRE(run_ip_state(bl, ip_state, {}).exit_code == 0);
    }
    std::string before = slurp(ip_state);
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--state", ip_state, "check", "postwerk.test"});
    RunResult foreign = mailrep::test::run_mailrep(args);
    CHECK(foreign.exit_code == 3);
    CHECK(contains(foreign.err, "belongs to `mailrep ip`"));
    CHECK(slurp(ip_state) == before);

    // A corrupted state file: a clear error, exit 3, never overwritten.
    std::string broken = dir.file("broken.json");
    { std::ofstream(broken) << "{\"format\": \"mailrep-state\", \"entr"; }
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--lists", k_healthy, "--state", broken, "--format", "nagios", "ip", "192.0.2.10"});
    RunResult bad = mailrep::test::run_mailrep(args);
    CHECK(bad.exit_code == 3);
    CHECK(bad.out.rfind("MAILREP UNKNOWN - state file ", 0) == 0);
    CHECK(contains(bad.out, "is corrupted"));
    CHECK(slurp(broken) == "{\"format\": \"mailrep-state\", \"entr");
  }

  TEST_CASE("--notify posts the changes as JSON with retries and no secret in messages") {
    TempDir dir;
    auto server = mailrep::test::HttpServer::start(mailrep::test::HttpServer::Mode::http, nullptr);
    REQUIRE(server);
    server->route("/hook?token=s3cr3t", mailrep::test::HttpRoute{204, "", "", {}, 0, true});
    server->route("/down?token=s3cr3t", mailrep::test::HttpRoute{503, "text/plain", "busy", {}, 0, true});
    const std::string base = "http://127.0.0.1:" + std::to_string(server->port());
    const std::string state = dir.file("n.json");
    {
      FaultdProcess bl(k_listed);
      RunResult r = run_ip_state(bl, state, {"--notify", base + "/hook?token=s3cr3t", "--notify-allow-http", "--format", "json"});
      CHECK(r.exit_code == 2);
      CHECK(parse(r)["notified"] == true);
    }
    auto seen = server->requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "POST");
    CHECK(seen[0].content_type == "application/json");
    json body = json::parse(seen[0].body, nullptr, false);
    REQUIRE_FALSE(body.is_discarded());
    CHECK(body["source"] == "mailrep");
    CHECK(body["command"] == "ip");
    CHECK(body["status"] == "CRITICAL");
    REQUIRE(body["changes"].size() == 1);
    CHECK(body["changes"][0]["kind"] == "new-listing");
    CHECK(body["changes"][0]["list"] == "bl-mon");
    CHECK(body["changes"][0]["target"] == "192.0.2.10");

    // Nothing changed: nothing is posted.
    {
      FaultdProcess bl(k_listed);
      run_ip_state(bl, state, {"--notify", base + "/hook?token=s3cr3t", "--notify-allow-http"});
    }
    CHECK(server->requests().size() == 1);

    // A failing webhook: retried (3 attempts), reported on stderr without the token; the run's result stands.
    {
      FaultdProcess bl(k_clean);
      RunResult r = run_ip_state(bl, state, {"--notify", base + "/down?token=s3cr3t", "--notify-allow-http"});
      CHECK(r.exit_code == 0);
      CHECK(contains(r.err, "--notify to http://127.0.0.1:" + std::to_string(server->port()) + "/... failed after 3 attempt(s)"));
      CHECK_FALSE(contains(r.err, "s3cr3t"));
      CHECK_FALSE(contains(r.out, "s3cr3t"));
    }
    CHECK(server->requests().size() == 4);

    // https is required (http only to loopback with the explicit allow); user info is refused unechoed.
    auto args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--state", state, "--notify", base + "/hook", "ip", "192.0.2.10"});
    RunResult plain = mailrep::test::run_mailrep(args);
    CHECK(plain.exit_code == 3);
    CHECK(contains(plain.err, "--notify needs an https:// URL"));
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--state", state, "--notify", "https://user:pw0rd@hooks.example/x", "ip", "192.0.2.10"});
    RunResult userinfo = mailrep::test::run_mailrep(args);
    CHECK(userinfo.exit_code == 3);
    CHECK_FALSE(contains(userinfo.err, "pw0rd"));
    args = mailrep::test::world_resolver_args();
    args.insert(args.end(), {"--notify", "https://hooks.example/x", "ip", "192.0.2.10"});
    CHECK(mailrep::test::run_mailrep(args).exit_code == 3);  // --notify needs --state
  }

  TEST_CASE("two runs on one state file - the second waits for the first and the file stays valid") {
    TempDir dir;
    const std::string state = dir.file("shared.json");
    FaultdProcess bl(k_listed);
    auto args = resolvers(bl);
    args.insert(args.end(), {"--lists", k_lists, "--state", state, "--format", "json", "ip", "192.0.2.10"});
    Background first(args, {{"MAILREP_TEST_STATE_WRITE_DELAY_MS", "2000"}}, dir.file("1.out"), dir.file("1.err"));
    REQUIRE(wait_for_temp_file(dir.path, std::chrono::milliseconds(10000)));
    auto t0 = std::chrono::steady_clock::now();
    RunResult second = mailrep::test::run_mailrep(args);
    auto waited = std::chrono::steady_clock::now() - t0;
    CHECK(first.wait() == 2);
    CHECK(second.exit_code == 2);
    CHECK(waited >= std::chrono::milliseconds(1000));  // it waited for the lock
    json a = json::parse(slurp(dir.file("1.out")), nullptr, false);
    json b = parse(second);
    CHECK(change_kinds(a) == std::vector<std::string>{"new-listing bl-mon"});
    CHECK(b["changes"].empty());  // it saw the first run's state
    CHECK(state_entries(state, "bl-mon").size() == 1);

    // A second run that cannot wait long enough (--timeout): fails clearly with exit 3.
    Background slow(args, {{"MAILREP_TEST_STATE_WRITE_DELAY_MS", "4000"}}, dir.file("3.out"), dir.file("3.err"));
    REQUIRE(wait_for_temp_file(dir.path, std::chrono::milliseconds(10000)));
    std::string before = slurp(state);
    auto impatient = args;
    impatient.insert(impatient.begin(), {"--timeout", "2"});
    RunResult r = mailrep::test::run_mailrep(impatient);
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "is in use by another mailrep run"));
    CHECK(slow.wait() == 2);
    json s = json::parse(slurp(state), nullptr, false);
    CHECK_FALSE(s.is_discarded());
  }

  TEST_CASE("kill -9 during the state write leaves the old file intact") {
    TempDir dir;
    const std::string state = dir.file("k.json");
    {
      FaultdProcess bl(k_listed);
      REQUIRE(run_ip_state(bl, state, {}).exit_code == 2);
    }
    const std::string before = slurp(state);
    REQUIRE(contains(before, "bl-mon"));
    {
      FaultdProcess bl(k_clean);  // this run would record a delisting
      auto args = resolvers(bl);
      args.insert(args.end(), {"--lists", k_lists, "--state", state, "ip", "192.0.2.10"});
      Background victim(args, {{"MAILREP_TEST_STATE_WRITE_DELAY_MS", "20000"}}, dir.file("v.out"), dir.file("v.err"));
      REQUIRE(wait_for_temp_file(dir.path, std::chrono::milliseconds(10000)));
      kill(victim.pid, SIGKILL);
      CHECK(victim.wait() == 128 + SIGKILL);
    }
    CHECK(slurp(state) == before);
    // The lock died with the process: the next run works and sees the old state.
    FaultdProcess bl(k_clean);
    RunResult r = run_ip_state(bl, state, {"--changes-only"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("DELISTING 192.0.2.10 bl-mon", 0) == 0);
    // The dead run's temp file was cleaned up under the lock.
    for (const auto& e : fs::directory_iterator(dir.path)) CHECK_FALSE(contains(e.path().filename().string(), ".tmp."));
  }
}
