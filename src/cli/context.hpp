#pragma once
// Private to src/cli: what every command gets.
#include <boost/program_options.hpp>

#include <chrono>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mailrep/assess/auth_audit.hpp"
#include "mailrep/dns/ares_resolver.hpp"
#include "mailrep/http/fetcher.hpp"
#include "mailrep/io/loop.hpp"
#include "mailrep/report/report.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::cli {

struct Context {
  boost::program_options::variables_map vm;
  std::vector<std::string> args;  ///< the command's positional arguments
  report::RenderOptions render;
  std::optional<report::Range> warning, critical;
  dns::ResolverOptions resolver_options;
  std::string lists_path;  ///< --lists (file or dir), empty = shipped
  std::chrono::milliseconds timeout{2000};
  io::Loop loop;
  std::unique_ptr<dns::AresResolver> resolver;  ///< made on first use
  std::unique_ptr<http::Fetcher> fetcher;       ///< made on first use (after the resolver)
  std::vector<std::string> notes;               ///< warnings printed to stderr (resolver choice ...)
  struct ZoneRate {
    std::string zone;
    double qps = 0, burst = 1;
  };
  /// Rate limits of the loaded lists (rate_limit_qps); given to the resolver when it is made, or at
  /// once when it already is.
  std::vector<ZoneRate> zone_rates;
  void limit_zone(ZoneRate rate);
  std::ostream* err = nullptr;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  /// Work is still in flight after the command returned (--deadline): after printing, exit at
  /// once without tearing down the loop (the abandoned coroutines are never resumed).
  bool abandon = false;
  /// Text format: print only CommandResult::text, no findings and no status line (--changes-only).
  bool text_only = false;
  /// Any format: CommandResult::text is the whole rest of the output, already rendered (a command
  /// that wrote part of its output while it ran).
  bool preformatted = false;

  ~Context();  // the fetcher and resolver go before the loop

  /// The resolver from --resolver / MAILREP_RESOLVER / resolv.conf.
  [[nodiscard]] Result<dns::Resolver*> dns();
  /// The HTTPS fetcher (--ca-file, --https-port/--http-port for tests and the demo).
  [[nodiscard]] Result<http::Fetcher*> http();
  /// After a run: a message when queries were sent but no resolver ever answered at all.
  [[nodiscard]] std::optional<std::string> unreachable_resolver() const;
};

/// A usage error: the message goes to stderr as one line, exit 3.
struct UsageError {
  std::string message;
};

using CommandResult = report::CommandResult;
using CommandFn = Result<CommandResult> (*)(Context&);

struct CommandSpec {
  const char* name;
  const char* args;
  const char* help;
  CommandFn fn;
};

/// --selector values and the shipped common DKIM selectors.
[[nodiscard]] Result<assess::AuthOptions> auth_options(Context& ctx);

/// Directory of the shipped lists (share/mailrep/lists next to the binary, or the source tree).
[[nodiscard]] std::string shipped_lists_dir();

Result<CommandResult> cmd_lists(Context& ctx);

/// Registers the finding texts of every module (idempotent).
void register_all_messages();
Result<CommandResult> cmd_ip(Context& ctx);
Result<CommandResult> cmd_spf(Context& ctx);
Result<CommandResult> cmd_auth(Context& ctx);
Result<CommandResult> cmd_check(Context& ctx);
Result<CommandResult> cmd_probe(Context& ctx);
Result<CommandResult> cmd_bounce(Context& ctx);
Result<CommandResult> cmd_content(Context& ctx);

}  // namespace mailrep::cli
