#pragma once
/// \file Golden files of the CLI tests: tests/cli/expected/NAME holds the expected output, with
/// what changes from run to run (timings, loopback ports, timestamps) normalised.
/// MAILREP_UPDATE_GOLDEN=1 (scripts/test --update-golden) rewrites them instead; review with git diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR (source root, string literal) must be defined by the build"
#endif

namespace mailrep::test {

inline std::string normalise_output(std::string s) {
  s = std::regex_replace(s, std::regex("time=[0-9.]+s"), "time=Xs");
  s = std::regex_replace(s, std::regex("127\\.0\\.0\\.1:[0-9]+"), "127.0.0.1:PORT");
  s = std::regex_replace(s, std::regex("(_timestamp_seconds\\{[^}]*\\}) [0-9.e+]+"), "$1 X");
  return s;
}

inline void golden(const std::string& name, const std::string& actual) {
  const std::string dir = std::string(MAILREP_SOURCE_DIR) + "/tests/cli/expected";
  const std::string path = dir + "/" + name;
  const std::string got = normalise_output(actual);
  if (std::getenv("MAILREP_UPDATE_GOLDEN")) {
    std::filesystem::create_directories(dir);
    std::ofstream(path) << got;
    return;
  }
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "missing golden file ", path, " (run scripts/test --update-golden)");
  std::stringstream want;
  want << in.rdbuf();
  CHECK_MESSAGE(got == want.str(), "golden mismatch: ", path, "\n--- got ---\n", got);
}

}  // namespace mailrep::test
