#pragma once
/// \file The command line: options, commands, exit codes. The only place that prints.
namespace mailrep::cli {
/// Runs mailrep; returns the process exit code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
int run(int argc, char** argv);
}  // namespace mailrep::cli
