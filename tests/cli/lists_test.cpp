// `mailrep lists [--probe]` against the blocklist fixtures of the DNS world with the test catalogue
// tests/lists/test-dnsbl.toml: the catalogue listing, the health word of every list (RFC 5782 test
// points), findings, output formats and the exit codes 0 (all healthy), 1 (some not), 3 (none probed).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "faultd_process.hpp"

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR (source root, string literal) must be defined by the build"
#endif

namespace {

using mailrep::test::RunResult;
using nlohmann::json;

const std::string k_lists_dir = std::string(MAILREP_SOURCE_DIR) + "/tests/lists/";
const std::string k_test_lists = k_lists_dir + "test-dnsbl.toml";
const std::string k_healthy_lists = k_lists_dir + "healthy-dnsbl.toml";

RunResult run_lists(const std::vector<std::string>& options, const std::string& catalogue = k_test_lists,
                    bool probe = true, std::vector<std::string> resolver = mailrep::test::world_resolver_args()) {
  std::vector<std::string> all = resolver;
  all.insert(all.end(), {"--lists", catalogue});
  all.insert(all.end(), options.begin(), options.end());
  all.emplace_back("lists");
  if (probe) all.emplace_back("--probe");
  return mailrep::test::run_mailrep(all);
}

json parse(const RunResult& r) {
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["command"] == "lists");
  CHECK(j["exit_code"] == r.exit_code);
  return j;
}

const json& list(const json& j, const std::string& id) {
  for (const auto& l : j["lists"])
    if (l["id"] == id) return l;
  FAIL("no list " << id);
  static const json none;
  return none;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

TEST_SUITE("cli::lists") {
  TEST_CASE("the catalogue without probing: ids, zones, kinds, enabled - exit 0") {
    RunResult r = run_lists({"--format", "json"}, k_test_lists, false);
    CHECK(r.exit_code == 0);
    json j = parse(r);
    CHECK(j["status"] == "OK");
    std::vector<std::string> ids;
    for (const auto& l : j["lists"]) {
      ids.push_back(l["id"].get<std::string>());
      CHECK_FALSE(l.contains("health"));
    }
    CHECK(ids == std::vector<std::string>{"bl-good", "bl-mask", "bl-error", "bl-non127", "bl-everything", "bl-empty",
                                          "bl-absent", "bl-undoc", "bl-v6", "dbl", "allow", "rep", "bl-off", "bl-gone"});
    CHECK(list(j, "bl-good")["zone"] == "bl-good.test");
    CHECK(list(j, "bl-good")["kind"] == "ip");
    CHECK(list(j, "bl-good")["enabled"] == true);
    CHECK(list(j, "dbl")["kind"] == "domain");
    CHECK(list(j, "allow")["kind"] == "allow-ip");
    CHECK(list(j, "bl-v6")["ipv6"] == true);
    CHECK(list(j, "bl-off")["enabled"] == false);
    CHECK(list(j, "bl-gone")["enabled"] == false);
    CHECK(list(j, "bl-gone")["dead"] == "shut down in 2020 (test fixture)");
    CHECK(j["summary"] == "12 enabled list(s)");
  }

  TEST_CASE("--probe: the health of every list") {
    RunResult r = run_lists({"--format", "json"});
    CHECK(r.exit_code == 1);
    json j = parse(r);
    CHECK(j["status"] == "WARNING");
    const std::map<std::string, std::string> expected = {
        {"bl-good", "healthy"},        {"bl-mask", "healthy"},  {"bl-error", "refused"},
        {"bl-non127", "misbehaving"},  {"bl-everything", "lists-everything"},
        {"bl-empty", "dead"},          {"bl-absent", "refused"}, {"bl-undoc", "healthy"},
        {"bl-v6", "healthy"},          {"dbl", "healthy"},       {"allow", "healthy"},
        {"rep", "healthy"},
    };
    for (const auto& [id, health] : expected) {
      CAPTURE(id);
      CHECK(list(j, id)["health"] == health);
      CHECK_FALSE(list(j, id)["detail"].get<std::string>().empty());
    }
    // Disabled and dead lists are not probed.
    CHECK_FALSE(list(j, "bl-off").contains("health"));
    CHECK_FALSE(list(j, "bl-gone").contains("health"));

    CHECK(list(j, "bl-good")["detail"] == "test points answer as RFC 5782 says");
    CHECK(list(j, "bl-error")["detail"] ==
          "the list answers with an error code: 127.255.255.254 = query refused: sent through a public/open resolver");
    CHECK(list(j, "bl-non127")["detail"] ==
          "unexpected test-point answer: 2.0.0.127.bl-non127.test: 192.0.2.200 is outside 127.0.0.0/8 (a redirecting "
          "or broken resolver?)");
    CHECK(list(j, "bl-everything")["detail"] == "a random name is listed: the zone answers everything (dead zone or wildcard)");
    CHECK(list(j, "bl-empty")["detail"] ==
          "the RFC 5782 listed test point is not listed: zone empty or gone (2.0.0.127.bl-empty.test: not listed)");
    CHECK(list(j, "bl-absent")["detail"] == "the resolver or the list's servers REFUSED the query");
    CHECK(j["summary"] == "7/12 list(s) healthy; the resolver is refused by some lists");

    // Findings: the refusing list as resolver-blocked, the others as not usable.
    std::vector<std::string> findings;
    for (const auto& f : j["findings"]) {
      CHECK(f["severity"] == "warning");
      findings.push_back(f["id"].get<std::string>() + " " + f["args"]["list"].get<std::string>());
    }
    CHECK(findings == std::vector<std::string>{"dnsbl.resolver-blocked Refusing Test BL",
                                               "dnsbl.list-set-aside Redirected Test BL",
                                               "dnsbl.list-set-aside Everything Test BL",
                                               "dnsbl.list-set-aside Empty Test BL",
                                               "dnsbl.list-set-aside Absent Test BL"});
  }

  TEST_CASE("--probe: all healthy is OK (exit 0) - nagios status line and perfdata") {
    RunResult r = run_lists({"--format", "nagios"}, k_healthy_lists);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "MAILREP OK - 5/5 list(s) healthy | healthy=5;;;0;5 lists=5;;;0;\n");

    RunResult w = run_lists({"--format", "nagios"});
    CHECK(w.exit_code == 1);
    CHECK(w.out.rfind("MAILREP WARNING - 7/12 list(s) healthy; the resolver is refused by some lists | "
                      "healthy=7;;;0;12 lists=12;;;0;\n",
                      0) == 0);
    CHECK(contains(w.out, "\nWARNING: The resolver is refused by Refusing Test BL - "));
  }

  TEST_CASE("--probe text output: one line per list with its health word - German") {
    RunResult r = run_lists({});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "Configured lists (14, 12 enabled):\n"));
    auto line_of = [&r](const std::string& id) {
      auto at = r.out.find("\n  " + id + " ");
      if (at == std::string::npos) return std::string();
      return r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
    };
    CHECK(contains(line_of("bl-good"), " healthy "));
    CHECK(contains(line_of("bl-everything"), " lists-everything "));
    CHECK(contains(line_of("bl-non127"), " misbehaving "));
    CHECK(contains(line_of("bl-empty"), " dead "));
    CHECK(contains(line_of("bl-error"), " refused "));
    CHECK(contains(line_of("bl-off"), " off"));
    CHECK(contains(line_of("bl-gone"), " dead  shut down in 2020 (test fixture)"));
    CHECK(contains(r.out, "\nStatus: WARNING - 7/12 list(s) healthy; the resolver is refused by some lists\n"));

    RunResult de = run_lists({"--lang", "de"});
    CHECK(de.exit_code == 1);
    CHECK(contains(de.out, "Konfigurierte Listen (14, 12 aktiv):\n"));
    CHECK(contains(de.out, "  [WARNUNG] Der Resolver wird von Refusing Test BL abgewiesen\n"));
    CHECK(contains(de.out, "\nStatus: WARNUNG - 7/12 list(s) healthy; der Resolver wird abgewiesen\n"));
  }

  TEST_CASE("--probe: a list that times out - nothing answering at all is exit 3") {
    mailrep::test::FaultdProcess silent("rule * * drop");
    REQUIRE_MESSAGE(silent.port() != 0, silent.error());
    // The world, then the silent server: bl-timeout.invalid is REFUSED by the world, then times out.
    std::vector<std::string> both = mailrep::test::world_resolver_args();
    both.insert(both.end(), {"--resolver", silent.address(), "--retries", "1", "--timeout-ms", "500"});
    RunResult r = run_lists({"--format", "json"}, k_lists_dir + "timeout-dnsbl.toml", true, both);
    CHECK(r.exit_code == 1);
    json j = parse(r);
    CHECK(list(j, "bl-good")["health"] == "healthy");
    CHECK(list(j, "bl-timeout")["health"] == "timeout");
    CHECK(list(j, "bl-timeout")["detail"] == "no answer to any test query");

    // Only the silent server: no list could be probed.
    RunResult none = run_lists({"--format", "json"}, k_test_lists, true,
                               {"--resolver", silent.address(), "--retries", "0", "--timeout-ms", "300"});
    CHECK(none.exit_code == 3);
    json n = parse(none);
    CHECK(n["status"] == "UNKNOWN");
    for (const auto& l : n["lists"])
      if (l["enabled"] == true) CHECK(l["health"] == "timeout");
    RunResult nagios = run_lists({"--format", "nagios"}, k_test_lists, true,
                                 {"--resolver", silent.address(), "--retries", "0", "--timeout-ms", "300"});
    CHECK(nagios.exit_code == 3);
    CHECK(nagios.out.rfind("MAILREP UNKNOWN - 0/12 list(s) healthy | healthy=0;;;0;12 lists=12;;;0;\n", 0) == 0);
  }

  TEST_CASE("--probe: a server refusing every query probes nothing: exit 3") {
    mailrep::test::FaultdProcess refusing("rule * * rcode rcode=REFUSED");
    REQUIRE_MESSAGE(refusing.port() != 0, refusing.error());
    RunResult r = run_lists({"--format", "json"}, k_healthy_lists, true, {"--resolver", refusing.address(), "--retries", "0"});
    CHECK(r.exit_code == 3);
    json j = parse(r);
    CHECK(j["status"] == "UNKNOWN");
    for (const auto& l : j["lists"]) CHECK(l["health"] == "refused");
  }

  TEST_CASE("a lists file with a syntax error: one line with file:line, exit 3") {
    for (bool probe : {false, true}) {
      RunResult r = run_lists({}, k_lists_dir + "broken-dnsbl.toml", probe);
      CAPTURE(probe);
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
      CHECK_MESSAGE(contains(r.err, "broken-dnsbl.toml:7: TOML syntax"), r.err);
    }
    RunResult args = run_lists({}, k_test_lists, false, {"--resolver", "127.0.0.1:9"});
    CHECK(args.exit_code == 0);  // without --probe no DNS is needed
  }
}
