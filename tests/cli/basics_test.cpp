// The binary's contract: help, version, usage errors (exit 3 with one line).
#include <doctest/doctest.h>

#include <chrono>

#include "cli_runner.hpp"

using mailrep::test::run_mailrep;

TEST_SUITE("cli::basics") {
  TEST_CASE("help and version exit 0") {
    auto h = run_mailrep({"--help"});
    CHECK(h.exit_code == 0);
    CHECK(h.out.find("Usage: mailrep") != std::string::npos);
    auto v = run_mailrep({"--version"});
    CHECK(v.exit_code == 0);
    CHECK(v.out.rfind("mailrep ", 0) == 0);
  }
  TEST_CASE("usage errors exit 3 with one line") {
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"frobnicate"},
        {"--format", "xml", "ip", "192.0.2.1"},
        {"--lang", "fr", "ip", "192.0.2.1"},
        {"--timeout-ms", "0", "ip", "192.0.2.1"},
        {"--resolver", "not-an-ip", "ip", "192.0.2.1"},
        {"-w", "20:10", "ip", "192.0.2.1"},
        {"--no-such-option"},
        {"ip", "999.1.1.1"},
        {"ip", "10.0.0.0/4"},
        {"ip"},
    };
    for (const auto& args : cases) {
      auto r = run_mailrep(args);
      std::string joined;
      for (const auto& a : args) joined += a + " ";
      CHECK_MESSAGE(r.exit_code == 3, joined);
      CHECK_MESSAGE(r.err.find('\n') == r.err.size() - 1, joined, " stderr: ", r.err);
      CHECK_MESSAGE(r.out.empty(), joined);
    }
  }
  TEST_CASE("empty stdin is an error, not a clean result") {
    auto r = run_mailrep({"ip", "-"}, "");
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("no addresses") != std::string::npos);
  }
  TEST_CASE("an unreachable resolver ends in exit 3 quickly") {
    auto start = std::chrono::steady_clock::now();
    auto r = run_mailrep({"--resolver", "127.0.0.1:9", "--timeout-ms", "300", "--retries", "1", "ip", "192.0.2.1"});
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.exit_code == 3);
    CHECK(took < std::chrono::seconds(5));
  }
  TEST_CASE("an unreachable resolver is not held up by a paced list - a /22 still ends in exit 3 quickly") {
    // paced-dnsbl.toml allows 20 queries a second: asking about 1,024 addresses would take 51 s.
    auto start = std::chrono::steady_clock::now();
    auto r = run_mailrep({"--resolver", "127.0.0.1:9", "--timeout-ms", "300", "--retries", "1", "--lists",
                          std::string(MAILREP_SOURCE_DIR) + "/tests/lists/paced-dnsbl.toml", "ip", "192.0.2.0/22"});
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.exit_code == 3);
    CHECK(r.out.empty());
    CHECK(r.err.find("no answer from the DNS resolver 127.0.0.1:9") != std::string::npos);
    CHECK(took < std::chrono::seconds(20));
  }
}
