// `mailrep ip` against the blocklist fixtures of the DNS world (tests/zones/bl-*.test, rdns.test,
// the reverse zones) with the test catalogue tests/lists/test-dnsbl.toml: the three states, exact
// meanings and severities, set-aside lists, resolver-blocked lists, rDNS, input forms, output formats
// and exit codes.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
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

/// mailrep --resolver WORLD --lists CATALOGUE [options] ip ARGS...
RunResult run_ip(const std::vector<std::string>& args, const std::vector<std::string>& options = {},
                 const std::string& catalogue = k_test_lists, const std::string& input = {}) {
  std::vector<std::string> all = mailrep::test::world_resolver_args();
  all.insert(all.end(), {"--lists", catalogue});
  all.insert(all.end(), options.begin(), options.end());
  all.emplace_back("ip");
  all.insert(all.end(), args.begin(), args.end());
  return mailrep::test::run_mailrep(all, input);
}

json run_ip_json(const std::vector<std::string>& args, int expected_exit, const std::string& catalogue = k_test_lists,
                 const std::string& input = {}) {
  RunResult r = run_ip(args, {"--format", "json"}, catalogue, input);
  INFO("stderr: " << r.err);
  INFO("stdout: " << r.out);
  CHECK(r.exit_code == expected_exit);
  json j = json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  CHECK(j["command"] == "ip");
  CHECK(j["exit_code"] == expected_exit);
  return j;
}

const json& address(const json& j, const std::string& addr) {
  for (const auto& a : j["addresses"])
    if (a["address"] == addr) return a;
  FAIL("no address " << addr << " in " << j["addresses"].dump());
  static const json none;
  return none;
}

/// The entry for list `id` in an address's listings[], errors[] or allow[]; null when absent.
json entry(const json& a, const std::string& key, const std::string& id) {
  for (const auto& e : a[key])
    if (e["list"] == id) return e;
  return nullptr;
}

std::vector<std::string> ids(const json& a, const std::string& key) {
  std::vector<std::string> out;
  for (const auto& e : a[key]) out.push_back(e["list"].get<std::string>());
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The five lists of test-dnsbl.toml that fail their health probe and are set aside, with their health.
const std::vector<std::pair<std::string, std::string>> k_set_aside = {
    {"bl-error", "refused"}, {"bl-non127", "misbehaving"}, {"bl-everything", "lists-everything"},
    {"bl-empty", "dead"},    {"bl-absent", "refused"},
};

}  // namespace

TEST_SUITE("cli::ip") {
  TEST_CASE("a listing with one code, a TXT reason and a delist link") {
    json j = run_ip_json({"192.0.2.66"}, 2);
    CHECK(j["status"] == "CRITICAL");
    const json& a = address(j, "192.0.2.66");
    CHECK(a["ptr"] == json::array({"mx66.rdns.test"}));
    CHECK(a["fcrdns"] == true);
    CHECK(ids(a, "listings") == std::vector<std::string>{"bl-good", "bl-mask", "rep"});

    json good = entry(a, "listings", "bl-good");
    CHECK(good["zone"] == "bl-good.test");
    CHECK(good["answer"] == "127.0.0.2");
    CHECK(good["meaning"] == "direct spam source");
    CHECK(good["severity"] == "critical");
    CHECK(good["txt"] == "Spam seen from 192.0.2.66; see https://bl-good.test/lookup?ip=192.0.2.66");
    CHECK(good["delist"] == "https://bl-good.test/remove");

    json mask = entry(a, "listings", "bl-mask");
    CHECK(mask["answer"] == "127.0.0.8");
    CHECK(mask["meaning"] == "dynamic address range");
    CHECK(mask["severity"] == "info");
    CHECK_FALSE(mask.contains("txt"));  // the zone has no TXT for it

    json rep = entry(a, "listings", "rep");
    CHECK(rep["answer"] == "127.0.0.2");
    CHECK(rep["meaning"] == "poor reputation");
    CHECK(rep["severity"] == "warning");
    CHECK_FALSE(rep.contains("delist"));  // the list has none

    CHECK(a["allow"].empty());
    CHECK(j["listed"] == 3);
  }

  TEST_CASE("a multi-record answer keeps every code and meaning") {
    json j = run_ip_json({"192.0.2.67"}, 2);
    json l = entry(address(j, "192.0.2.67"), "listings", "bl-good");
    CHECK(l["answer"] == "127.0.0.2,127.0.0.4");
    CHECK(l["meaning"] == "direct spam source; exploited or infected host");
    CHECK(l["severity"] == "critical");
    CHECK_FALSE(l.contains("txt"));
  }

  TEST_CASE("a bitmask answer reports every set bit, with the worst severity") {
    json j = run_ip_json({"192.0.2.70"}, 2);
    const json& a = address(j, "192.0.2.70");
    CHECK(ids(a, "listings") == std::vector<std::string>{"bl-mask"});
    json l = entry(a, "listings", "bl-mask");
    CHECK(l["answer"] == "127.0.0.6");  // once, though it carries two meanings
    CHECK(l["meaning"] == "spam trap hits; phishing source");
    CHECK(l["severity"] == "critical");
  }

  TEST_CASE("documented error codes are unknown, never listed") {
    json j = run_ip_json({"192.0.2.72", "192.0.2.73"}, 1);
    CHECK(j["status"] == "WARNING");
    CHECK(j["listed"] == 0);
    const json& quota = address(j, "192.0.2.72");
    CHECK(quota["listings"].empty());
    CHECK(entry(quota, "errors", "bl-good")["error"] == "127.255.255.255 = query refused: excessive number of queries");
    CHECK(entry(quota, "errors", "bl-good")["zone"] == "bl-good.test");
    // A listing code next to an error code: the list did not answer the question.
    const json& mixed = address(j, "192.0.2.73");
    CHECK(mixed["listings"].empty());
    CHECK(entry(mixed, "errors", "bl-good")["error"] == "127.255.255.254 = query refused: public resolver");
  }

  TEST_CASE("an undocumented code is unknown, never listed") {
    json j = run_ip_json({"192.0.2.71"}, 1);
    const json& a = address(j, "192.0.2.71");
    CHECK(a["listings"].empty());
    CHECK(entry(a, "errors", "bl-undoc")["error"] == "127.0.0.99 is not a documented answer of this list");
  }

  TEST_CASE("lists failing their health probe are set aside: unknown for every address, with a warning") {
    // 192.0.2.10 is on no list; bl-everything (wildcard) would list it and bl-error would refuse it.
    json j = run_ip_json({"192.0.2.10"}, 1);
    CHECK(j["status"] == "WARNING");
    CHECK(j["listed"] == 0);
    CHECK(j["unknown"] == 5);
    const json& a = address(j, "192.0.2.10");
    CHECK(a["listings"].empty());
    CHECK(a["allow"].empty());
    CHECK(a["lists_checked"] == 10);
    CHECK(a["fcrdns"] == true);
    CHECK(a["errors"].size() == k_set_aside.size());
    for (const auto& [id, health] : k_set_aside) {
      CAPTURE(id);
      CHECK(entry(a, "errors", id)["error"] == "list set aside after its health probe (" + health + ")");
      bool found = false;
      for (const auto& l : j["lists"])
        if (l["id"] == id) {
          found = true;
          CHECK(l["used"] == false);
          CHECK(l["health"] == health);
        }
      CHECK(found);
    }
    for (const auto& l : j["lists"]) {
      if (l["used"] == true) CHECK(l["health"] == "healthy");
    }
    CHECK(j["lists"].size() == 11);  // the queryable ip and allow-ip lists: not dbl, bl-off, bl-gone

    // One resolver-blocked finding for the refusing list, set-aside findings for the others.
    std::vector<std::string> aside_lists;
    int blocked = 0;
    for (const auto& f : j["findings"]) {
      if (f["id"] == "dnsbl.resolver-blocked") {
        ++blocked;
        CHECK(f["severity"] == "warning");
        CHECK(f["args"]["list"] == "Refusing Test BL");
        CHECK(contains(f["args"]["detail"].get<std::string>(), "127.255.255.254"));
        CHECK(f["title"] == "The resolver is refused by Refusing Test BL");
      }
      if (f["id"] == "dnsbl.list-set-aside") {
        CHECK(f["severity"] == "warning");
        aside_lists.push_back(f["args"]["list"].get<std::string>() + "=" + f["args"]["health"].get<std::string>());
      }
      if (f["id"] == "dnsbl.unknown") {
        CHECK(f["severity"] == "warning");
        CHECK(f["args"]["count"] == "5");
      }
    }
    CHECK(blocked == 1);
    CHECK(aside_lists == std::vector<std::string>{"Redirected Test BL=misbehaving", "Everything Test BL=lists-everything",
                                                  "Empty Test BL=dead", "Absent Test BL=refused"});
  }

  TEST_CASE("an IPv6 listing: nibble names, only the lists that take IPv6") {
    json j = run_ip_json({"2001:db8::66"}, 1);
    const json& a = address(j, "2001:db8::66");
    CHECK(a["lists_checked"] == 1);  // bl-v6 only; the others are IPv4 lists
    CHECK(a["errors"].empty());
    CHECK(a["ptr"] == json::array({"mx66.rdns.test"}));
    CHECK(a["fcrdns"] == true);
    json l = entry(a, "listings", "bl-v6");
    CHECK(l["zone"] == "bl-v6.test");
    CHECK(l["answer"] == "127.0.0.3");
    CHECK(l["meaning"] == "IPv6 spam source");
    CHECK(l["severity"] == "warning");
    CHECK(l["txt"] == "IPv6 spam source 2001:db8::66");
    CHECK(l["delist"] == "https://bl-v6.test/remove");
    // A clean IPv6 address: every list that takes IPv6 answered, so OK (with only healthy lists:
    // set-aside lists are a warning of the run, whatever the address family).
    json clean = run_ip_json({"2001:db8::10"}, 0, k_healthy_lists);
    CHECK(clean["status"] == "OK");
    CHECK(address(clean, "2001:db8::10")["listings"].empty());
  }

  TEST_CASE("allowlist and good-reputation answers go to allow[], never to listings[]") {
    json j = run_ip_json({"192.0.2.11"}, 1);  // WARNING only for the set-aside lists
    const json& a = address(j, "192.0.2.11");
    CHECK(a["listings"].empty());
    CHECK(ids(a, "allow") == std::vector<std::string>{"allow", "rep"});
    json allow = entry(a, "allow", "allow");
    CHECK(allow["zone"] == "allow.test");
    CHECK(allow["answer"] == "127.0.10.2");
    CHECK(allow["meaning"] == "trusted sender");
    json rep = entry(a, "allow", "rep");
    CHECK(rep["answer"] == "127.0.4.1");
    CHECK(rep["meaning"] == "good reputation");
    int allowlisted = 0;
    for (const auto& f : j["findings"])
      if (f["id"] == "dnsbl.allowlisted") {
        ++allowlisted;
        CHECK(f["severity"] == "info");
      }
    CHECK(allowlisted == 2);
    // With only healthy lists an allowlisted address is simply OK.
    json healthy = run_ip_json({"192.0.2.11"}, 0, k_healthy_lists);
    CHECK(healthy["status"] == "OK");
  }

  TEST_CASE("reverse DNS: confirmed, generic, not confirmed, no PTR") {
    json j = run_ip_json({"192.0.2.77", "192.0.2.78", "192.0.2.79", "192.0.2.99"}, 2, k_healthy_lists);
    const json& generic = address(j, "192.0.2.77");
    CHECK(generic["ptr"] == json::array({"192-0-2-77.dyn.rdns.test"}));
    CHECK(generic["fcrdns"] == true);
    CHECK(generic["ptr_generic"] == "contains the address digits");
    const json& gone = address(j, "192.0.2.78");
    CHECK(gone["ptr"] == json::array({"gone.rdns.test"}));
    CHECK(gone["fcrdns"] == false);
    CHECK(gone["fcrdns_state"] == "not-confirmed");
    const json& elsewhere = address(j, "192.0.2.79");
    CHECK(elsewhere["ptr"] == json::array({"other.rdns.test"}));
    CHECK(elsewhere["fcrdns"] == false);
    CHECK(elsewhere["fcrdns_state"] == "not-confirmed");
    const json& none = address(j, "192.0.2.99");
    CHECK(none["ptr"].empty());
    CHECK(none["fcrdns"] == false);
    CHECK(none["fcrdns_state"] == "no-ptr");

    std::vector<std::string> seen;
    for (const auto& f : j["findings"]) seen.push_back(f["id"].get<std::string>() + " " + f["subject"].get<std::string>() + " " + f["severity"].get<std::string>());
    auto has = [&seen](const std::string& s) { return std::find(seen.begin(), seen.end(), s) != seen.end(); };
    CHECK(has("rdns.generic 192.0.2.77 warning"));
    CHECK(has("rdns.not-confirmed 192.0.2.78 warning"));
    CHECK(has("rdns.not-confirmed 192.0.2.79 warning"));
    CHECK(has("rdns.no-ptr 192.0.2.99 critical"));
    CHECK(seen.size() == 4);
  }

  TEST_CASE("a host name expands to its A and AAAA addresses, in order") {
    json j = run_ip_json({"mail.rdns.test"}, 0, k_healthy_lists);
    REQUIRE(j["addresses"].size() == 2);
    CHECK(j["addresses"][0]["address"] == "192.0.2.10");
    CHECK(j["addresses"][0]["source"] == "A of mail.rdns.test");
    CHECK(j["addresses"][0]["lists_checked"] == 4);  // bl-good, bl-mask, allow, rep
    CHECK(j["addresses"][1]["address"] == "2001:db8::10");
    CHECK(j["addresses"][1]["source"] == "AAAA of mail.rdns.test");
    CHECK(j["addresses"][1]["lists_checked"] == 1);  // bl-v6
    for (const auto& a : j["addresses"]) {
      CHECK(a["fcrdns"] == true);
      CHECK(a["listings"].empty());
      CHECK(a["errors"].empty());
    }
  }

  TEST_CASE("a host name without addresses is reported - alone it is UNKNOWN") {
    json j = run_ip_json({"noaddr.rdns.test", "192.0.2.10"}, 0, k_healthy_lists);
    CHECK(j["addresses"].size() == 1);
    CHECK(j["unresolved"] == json::array({"noaddr.rdns.test: no A or AAAA record"}));
    json alone = run_ip_json({"noaddr.rdns.test"}, 3, k_healthy_lists);
    CHECK(alone["status"] == "UNKNOWN");
    CHECK(alone["addresses"].empty());
    CHECK(alone["summary"] == "no address found: noaddr.rdns.test: no A or AAAA record");
  }

  TEST_CASE("a CIDR network expands to every address, in order") {
    json j = run_ip_json({"192.0.2.64/30"}, 2, k_healthy_lists);
    REQUIRE(j["addresses"].size() == 4);
    const std::vector<std::string> expected = {"192.0.2.64", "192.0.2.65", "192.0.2.66", "192.0.2.67"};
    for (std::size_t i = 0; i < expected.size(); ++i) {
      CHECK(j["addresses"][i]["address"] == expected[i]);
      CHECK(j["addresses"][i]["source"] == "192.0.2.64/30");
      CHECK(j["addresses"][i]["fcrdns"] == true);
    }
    CHECK(j["addresses"][0]["listings"].empty());
    CHECK(j["addresses"][1]["listings"].empty());
    CHECK(ids(j["addresses"][2], "listings") == std::vector<std::string>{"bl-good", "bl-mask", "rep"});
    CHECK(ids(j["addresses"][3], "listings") == std::vector<std::string>{"bl-good"});
    CHECK(j["listed"] == 4);
    CHECK(j["unknown"] == 0);
  }

  TEST_CASE("a /24 is written as it is checked - text and JSON, streamed or kept, give the same addresses in order") {
    json j = run_ip_json({"192.0.2.0/24"}, 2, k_healthy_lists);
    REQUIRE(j["addresses"].size() == 256);
    CHECK(j["addresses_checked"] == 256);
    std::size_t listings = 0, unknowns = 0;
    for (std::size_t i = 0; i < 256; ++i) {
      CHECK(j["addresses"][i]["address"] == "192.0.2." + std::to_string(i));
      listings += j["addresses"][i]["listings"].size();
      unknowns += j["addresses"][i]["errors"].size();
    }
    CHECK(j["listed"] == listings);
    CHECK(j["unknown"] == unknowns);
    // One kind of finding is listed for the first 10 addresses; the rest are counted in one finding.
    std::size_t no_ptr = 0, no_ptr_findings = 0;
    for (const auto& a : j["addresses"]) no_ptr += a["fcrdns_state"] == "no-ptr";
    json more = nullptr;
    for (const auto& f : j["findings"]) {
      no_ptr_findings += f["id"] == "rdns.no-ptr";
      if (f["id"] == "address.more" && f["args"]["finding"] == "rdns.no-ptr") more = f;
    }
    REQUIRE(no_ptr > 10);
    CHECK(no_ptr_findings == 10);
    REQUIRE(more.is_object());
    CHECK(more["args"]["count"] == std::to_string(no_ptr - 10));
    CHECK(more["severity"] == "critical");
    CHECK(more["title"] == std::to_string(no_ptr - 10) + " more addresses with the finding rdns.no-ptr");
    CHECK(listings > 0);
    // --timeout keeps the addresses until the end instead of writing them as they come: same document.
    RunResult kept = run_ip({"192.0.2.0/24"}, {"--format", "json", "--timeout", "60"}, k_healthy_lists);
    json k = json::parse(kept.out, nullptr, false);
    REQUIRE_FALSE(k.is_discarded());
    CHECK(k["addresses"] == j["addresses"]);
    CHECK(k["findings"] == j["findings"]);
    CHECK(k["listed"] == j["listed"]);
    RunResult text = run_ip({"192.0.2.0/24"}, {}, k_healthy_lists);
    CHECK(text.exit_code == 2);
    std::vector<std::string> firsts;
    std::istringstream lines(text.out);
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("192.0.2.", 0) == 0) firsts.push_back(line.substr(0, line.find(' ')));
    REQUIRE(firsts.size() == 256);
    for (std::size_t i = 0; i < 256; ++i) CHECK(firsts[i] == "192.0.2." + std::to_string(i));
    CHECK(contains(text.out, "Findings:\n"));
    CHECK(first_line(text.out.substr(text.out.rfind("Status: "))) ==
          "Status: CRITICAL - 256 address(es), " + std::to_string(listings) + " listing(s), " + std::to_string(unknowns) + " unknown, 5 list(s)");
  }

  TEST_CASE("several targets: addresses in the order of the targets, whatever finishes first") {
    json j = run_ip_json({"192.0.2.64/30", "mail.rdns.test", "192.0.2.10"}, 2, k_healthy_lists);
    std::vector<std::string> got;
    for (const auto& a : j["addresses"]) got.push_back(a["address"].get<std::string>());
    CHECK(got == std::vector<std::string>{"192.0.2.64", "192.0.2.65", "192.0.2.66", "192.0.2.67", "192.0.2.10",
                                          "2001:db8::10", "192.0.2.10"});
    CHECK(j["targets_checked"] == 3);
  }

  TEST_CASE("a list's rate limit paces its queries and says so - the answers stay exact") {
    const std::string paced = k_lists_dir + "paced-dnsbl.toml";
    auto start = std::chrono::steady_clock::now();
    RunResult r = run_ip({"192.0.2.64/26"}, {"--format", "json"}, paced);
    auto took = std::chrono::steady_clock::now() - start;
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 2);
    // 64 addresses plus the health probe's queries, one at once, then 20 a second: at least ~3 s. A
    // lower bound only (a busy machine is slower, never faster).
    CHECK(took >= std::chrono::milliseconds(3000));
    CHECK(contains(r.err, "list 'bl-good' is asked at most 20 times a second (the operator's terms): 64 addresses take about 3 s"));
    json j = json::parse(r.out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    REQUIRE(j["addresses"].size() == 64);
    CHECK(j["addresses"][0]["address"] == "192.0.2.64");
    CHECK(ids(address(j, "192.0.2.65"), "listings").empty());
    CHECK(ids(address(j, "192.0.2.66"), "listings") == std::vector<std::string>{"bl-good"});
    CHECK(ids(address(j, "192.0.2.67"), "listings") == std::vector<std::string>{"bl-good"});
    // Exactly what the unpaced list says about the same addresses.
    json unpaced = run_ip_json({"192.0.2.64/26"}, 2, k_healthy_lists);
    for (std::size_t i = 0; i < 64; ++i) {
      CHECK(entry(j["addresses"][i], "listings", "bl-good") == entry(unpaced["addresses"][i], "listings", "bl-good"));
      CHECK(entry(j["addresses"][i], "errors", "bl-good") == entry(unpaced["addresses"][i], "errors", "bl-good"));
    }
  }

  TEST_CASE("addresses from standard input, comments ignored, in order") {
    json j = run_ip_json({"-"}, 2, k_healthy_lists, "# outbound relays\n192.0.2.67\n  192.0.2.10   # clean\n\n2001:db8::66\n");
    REQUIRE(j["addresses"].size() == 3);
    CHECK(j["addresses"][0]["address"] == "192.0.2.67");
    CHECK(j["addresses"][1]["address"] == "192.0.2.10");
    CHECK(j["addresses"][2]["address"] == "2001:db8::66");
    CHECK(j["listed"] == 2);
  }

  TEST_CASE("bad input: one line on stderr, nothing on stdout, exit 3") {
    struct Case {
      std::vector<std::string> args;
      std::vector<std::string> options;
      std::string input;
      std::string message;
    };
    const std::vector<Case> cases = {
        {{"999.1.1.1"}, {}, "", "'999.1.1.1' is not a valid IP address or network"},
        {{"10.0.0.0/4"}, {}, "", "'10.0.0.0/4' expands beyond --max-addresses 4096 (268435456 addresses)"},
        {{"192.0.2.64/30"}, {"--max-addresses", "2"}, "", "'192.0.2.64/30' expands beyond --max-addresses 2 (4 addresses)"},
        {{"192.0.2.0/24", "198.51.100.0/24"}, {"--max-addresses", "300"}, "", "expands beyond --max-addresses 300"},
        {{"192.0.2.10", "2001:db8::/33"}, {}, "", "expands beyond --max-addresses 4096"},
        {{"-"}, {}, "", "ip: no addresses on standard input"},
        {{"-"}, {}, "# only a comment\n\n", "ip: no addresses on standard input"},
        {{"-"}, {}, "192.0.2.10\n300.1.2.3\n", "'300.1.2.3' is not a valid IP address or network"},
        {{"not_a_host"}, {}, "", "is not an IP address, network or host name"},
    };
    for (const auto& c : cases) {
      RunResult r = run_ip(c.args, c.options, k_test_lists, c.input);
      CAPTURE(c.message);
      CHECK(r.exit_code == 3);
      CHECK(r.out.empty());
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
      CHECK_MESSAGE(contains(r.err, c.message), r.err);
      CHECK(r.err.rfind("mailrep: ", 0) == 0);
    }
  }

  TEST_CASE("a lists file with a syntax error is rejected whole: file:line, exit 3") {
    const std::string broken = k_lists_dir + "broken-dnsbl.toml";
    RunResult r = run_ip({"192.0.2.10"}, {}, broken);
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_MESSAGE(contains(r.err, "broken-dnsbl.toml:7: TOML syntax"), r.err);
    // In JSON the error is the summary of an UNKNOWN result.
    RunResult j = run_ip({"192.0.2.10"}, {"--format", "json"}, broken);
    CHECK(j.exit_code == 3);
    json parsed = json::parse(j.out, nullptr, false);
    REQUIRE_FALSE(parsed.is_discarded());
    CHECK(parsed["status"] == "UNKNOWN");
    CHECK(contains(parsed["summary"].get<std::string>(), "broken-dnsbl.toml:7:"));
    // Nagios: one status line.
    RunResult n = run_ip({"192.0.2.10"}, {"--format", "nagios"}, broken);
    CHECK(n.exit_code == 3);
    CHECK(n.out.rfind("MAILREP UNKNOWN - ", 0) == 0);
    CHECK(contains(n.out, "broken-dnsbl.toml:7:"));
    // A missing file too.
    RunResult missing = run_ip({"192.0.2.10"}, {}, k_lists_dir + "no-such-file.toml");
    CHECK(missing.exit_code == 3);
    CHECK(contains(missing.err, "no-such-file.toml"));
  }

  TEST_CASE("nagios: status line with perfdata listed, unknown, lists_checked, time") {
    RunResult r = run_ip({"192.0.2.66"}, {"--format", "nagios"});
    CHECK(r.exit_code == 2);
    const std::regex line(
        R"(MAILREP CRITICAL - 1 address\(es\), 3 listing\(s\), 5 unknown, 6 list\(s\) \| )"
        R"(listed=3;;;0; unknown=5;;;0; lists_checked=6;;;0; time=[0-9]+(\.[0-9]+)?s;;;0;)");
    CHECK_MESSAGE(std::regex_match(first_line(r.out), line), r.out);
    // Long output: one line per finding, the listing first.
    CHECK(contains(r.out, "\nCRITICAL: 192.0.2.66 is listed on Good Test BL (192.0.2.66) - "));
    CHECK(contains(r.out, "\nWARNING: The resolver is refused by Refusing Test BL - "));

    RunResult ok = run_ip({"192.0.2.10"}, {"--format", "nagios"}, k_healthy_lists);
    CHECK(ok.exit_code == 0);
    const std::regex ok_line(
        R"(MAILREP OK - 1 address\(es\), 0 listing\(s\), 0 unknown, 5 list\(s\) \| )"
        R"(listed=0;;;0; unknown=0;;;0; lists_checked=5;;;0; time=[0-9]+(\.[0-9]+)?s;;;0;)");
    CHECK_MESSAGE(std::regex_match(first_line(ok.out), ok_line), ok.out);
    CHECK(ok.out.find('\n') == ok.out.size() - 1);  // no findings, no long output
  }

  TEST_CASE("-w/-c ranges on the listing count replace the severity mapping") {
    struct Case {
      std::string address;
      std::string warn, crit;
      int exit;
      std::string perf;
    };
    // 192.0.2.67: one (critical) listing; 192.0.2.66: three; 192.0.2.10: none (healthy lists only).
    const std::vector<Case> cases = {
        {"192.0.2.67", "", "", 2, "listed=1;;;0;"},
        {"192.0.2.67", "0", "5", 1, "listed=1;0;5;0;"},
        {"192.0.2.67", "5", "10", 0, "listed=1;5;10;0;"},
        {"192.0.2.66", "0", "1", 2, "listed=3;0;1;0;"},
        {"192.0.2.66", "", "2", 2, "listed=3;;2;0;"},
        {"192.0.2.66", "2", "", 1, "listed=3;2;;0;"},
        {"192.0.2.10", "0", "0", 0, "listed=0;0;0;0;"},
        {"192.0.2.10", "@0", "", 1, "listed=0;@0;;0;"},
    };
    for (const auto& c : cases) {
      std::vector<std::string> options = {"--format", "nagios"};
      if (!c.warn.empty()) options.insert(options.end(), {"-w", c.warn});
      if (!c.crit.empty()) options.insert(options.end(), {"-c", c.crit});
      RunResult r = run_ip({c.address}, options, k_healthy_lists);
      CAPTURE(c.address);
      CAPTURE(c.warn);
      CAPTURE(c.crit);
      CHECK(r.exit_code == c.exit);
      CHECK_MESSAGE(contains(first_line(r.out), "| " + c.perf + " "), r.out);
    }
    // Unknown lists keep the run at WARNING at least, whatever the ranges say.
    RunResult unknown = run_ip({"192.0.2.10"}, {"-w", "5", "-c", "10"});
    CHECK(unknown.exit_code == 1);
  }

  TEST_CASE("text output: listings, TXT, delist, unknowns, rDNS, status") {
    RunResult r = run_ip({"192.0.2.67", "192.0.2.66", "192.0.2.71"}, {});
    CHECK(r.exit_code == 2);
    const std::string& t = r.out;
    CHECK(contains(t, "192.0.2.67  PTR: mx67.rdns.test (FCrDNS confirmed)\n"
                      "  LISTED    bl-good  127.0.0.2  direct spam source\n"
                      "  LISTED    bl-good  127.0.0.4  exploited or infected host\n"
                      "            delist: https://bl-good.test/remove\n"));
    CHECK(contains(t, "            TXT: Spam seen from 192.0.2.66; see https://bl-good.test/lookup?ip=192.0.2.66\n"));
    CHECK(contains(t, "  UNKNOWN   bl-undoc  127.0.0.99 is not a documented answer of this list\n"));
    CHECK(contains(t, "  UNKNOWN   bl-everything  list set aside after its health probe (lists-everything)\n"));
    CHECK(contains(t, "  [CRITICAL] 192.0.2.67 is listed on Good Test BL\n"));
    CHECK(contains(t, "      Evidence: 67.2.0.192.bl-good.test A 127.0.0.2,127.0.0.4\n"));
    CHECK(contains(t, "  [WARNING] The resolver is refused by Refusing Test BL\n"));
    CHECK(contains(t, "\nStatus: CRITICAL - 3 address(es), 4 listing(s), 16 unknown, 6 list(s)\n"));
    // Input order is kept.
    CHECK(t.find("192.0.2.67  PTR") < t.find("192.0.2.66  PTR"));
    CHECK(t.find("192.0.2.66  PTR") < t.find("192.0.2.71  PTR"));

    RunResult clean = run_ip({"192.0.2.10"}, {}, k_healthy_lists);
    CHECK(clean.exit_code == 0);
    CHECK(clean.out == "192.0.2.10  PTR: mail.rdns.test (FCrDNS confirmed)\n"
                       "  4 of 4 lists: not listed\n"
                       "Status: OK - 1 address(es), 0 listing(s), 0 unknown, 5 list(s)\n");
  }

  TEST_CASE("German output") {
    RunResult r = run_ip({"192.0.2.67", "192.0.2.99"}, {"--lang", "de"});
    CHECK(r.exit_code == 2);
    const std::string& t = r.out;
    CHECK(contains(t, "192.0.2.67  PTR: mx67.rdns.test (FCrDNS bestätigt)\n"));
    CHECK(contains(t, "  GELISTET  bl-good  127.0.0.2  direct spam source\n"));
    CHECK(contains(t, "            Austragung: https://bl-good.test/remove\n"));
    CHECK(contains(t, "192.0.2.99  PTR: - (kein PTR)\n"));
    CHECK(contains(t, "  UNBEKANNT bl-error  list set aside after its health probe (refused)\n"));
    CHECK(contains(t, "Befunde:\n"));
    CHECK(contains(t, "  [KRITISCH] 192.0.2.67 steht auf der Sperrliste Good Test BL\n"));
    CHECK(contains(t, "      Beleg: 67.2.0.192.bl-good.test A 127.0.0.2,127.0.0.4\n"));
    CHECK(contains(t, "  [KRITISCH] 192.0.2.99 hat keinen Reverse-DNS-Namen (PTR)\n"));
    CHECK(contains(t, "  [WARNUNG] Der Resolver wird von Refusing Test BL abgewiesen\n"));
    CHECK(contains(t, "  [WARNUNG] Sperrliste Everything Test BL wurde nicht verwendet: lists-everything\n"));
    CHECK(contains(t, "\nStatus: KRITISCH - "));
    CHECK_FALSE(contains(t, "Findings:"));

    json j = json::parse(run_ip({"192.0.2.67"}, {"--lang", "de", "--format", "json"}, k_healthy_lists).out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    CHECK(j["findings"][0]["title"] == "192.0.2.67 steht auf der Sperrliste Good Test BL");
    CHECK(j["findings"][0]["id"] == "dnsbl.listed");  // ids and states stay English
    CHECK(address(j, "192.0.2.67")["listings"][0]["severity"] == "critical");
  }

  TEST_CASE("a list that times out is unknown, never 'not listed' - no answer at all is UNKNOWN") {
    mailrep::test::FaultdProcess silent("rule * * drop");
    REQUIRE_MESSAGE(silent.port() != 0, silent.error());
    const std::string timeout_lists = k_lists_dir + "timeout-dnsbl.toml";
    // The world first, the silent server second: names the world does not serve (bl-timeout.invalid)
    // are REFUSED there, retried at the silent server and time out.
    auto run = [&](const std::vector<std::string>& args) {
      std::vector<std::string> all = mailrep::test::world_resolver_args();
      all.insert(all.end(), {"--resolver", silent.address(), "--retries", "1", "--timeout-ms", "500", "--lists",
                             timeout_lists, "--format", "json", "ip"});
      all.insert(all.end(), args.begin(), args.end());
      return mailrep::test::run_mailrep(all);
    };
    RunResult clean = run({"192.0.2.10"});
    INFO(clean.err);
    CHECK(clean.exit_code == 1);  // unknown: at least WARNING, never OK
    json j = json::parse(clean.out, nullptr, false);
    REQUIRE_FALSE(j.is_discarded());
    const json& a = address(j, "192.0.2.10");
    CHECK(a["listings"].empty());
    CHECK(ids(a, "errors") == std::vector<std::string>{"bl-timeout"});
    CHECK(contains(entry(a, "errors", "bl-timeout")["error"].get<std::string>(), "timeout"));
    CHECK(j["unknown"] == 1);
    // A list that cannot be reached is still asked (its answers are unknown, per address).
    for (const auto& l : j["lists"])
      if (l["id"] == "bl-timeout") {
        CHECK(l["health"] == "timeout");
        CHECK(l["used"] == true);
      }

    RunResult listed = run({"192.0.2.66"});
    CHECK(listed.exit_code == 2);
    json k = json::parse(listed.out, nullptr, false);
    REQUIRE_FALSE(k.is_discarded());
    CHECK(ids(address(k, "192.0.2.66"), "listings") == std::vector<std::string>{"bl-good"});
    CHECK(ids(address(k, "192.0.2.66"), "errors") == std::vector<std::string>{"bl-timeout"});

    // Only the silent server: nothing at all can be determined.
    RunResult none = mailrep::test::run_mailrep({"--resolver", silent.address(), "--retries", "0", "--timeout-ms", "300",
                                                 "--lists", k_test_lists, "ip", "192.0.2.66"});
    CHECK(none.exit_code == 3);
    CHECK(none.out.empty());
    CHECK(contains(none.err, "no answer from the DNS resolver"));
  }
}
