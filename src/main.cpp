#include <csignal>

#include "mailrep/cli/cli.hpp"

int main(int argc, char** argv) {
  // Writes to a closed socket (TLS peers) or pipe (mailrep ... | head) must be errors, not deaths.
  std::signal(SIGPIPE, SIG_IGN);
  return mailrep::cli::run(argc, argv);
}
