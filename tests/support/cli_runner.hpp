#pragma once
/// \file Running the real mailrep binary in tests, and finding the DNS world's port.
#include <cstdint>
#include <string>
#include <vector>

namespace mailrep::test {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the mailrep binary (MAILREP_BINARY) with `args`, feeding `input` on stdin. The environment
/// is cleaned of MAILREP_* and LANG so the test controls everything. Times out after 120 s.
RunResult run_mailrep(const std::vector<std::string>& args, const std::string& input = {});

/// The port of the Knot DNS world (CTest fixture dns_world; MAILREP_DNS_WORLD_PORT_FILE).
std::uint16_t dns_world_port();
/// "--resolver" "127.0.0.1:PORT" for the DNS world.
std::vector<std::string> world_resolver_args();

}  // namespace mailrep::test
