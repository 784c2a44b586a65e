#pragma once
// Private to src/cli: the unattended-monitoring options shared by `check` and `ip` - batch input
// (--targets), --deadline / --timeout, --state with --changes-only, and --notify webhooks.
// The state and change logic itself lives in mailrep/monitor/state.hpp.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "context.hpp"
#include "mailrep/assess/address.hpp"
#include "mailrep/monitor/state.hpp"

namespace mailrep::cli {

struct Monitoring {
  bool batch = false;                ///< --targets FILE given
  std::vector<std::string> targets;  ///< the targets of the file (batch)
  std::optional<io::Clock::time_point> deadline;  ///< --deadline, or derived from --timeout
  double deadline_seconds = 0;
  bool changes_only = false;
  std::string notify_url;
  bool notify_allow_http = false;
  std::unique_ptr<monitor::StateFile> state;  ///< --state: locked and read
  std::int64_t now = 0;                        ///< unix seconds at the start of the run
};

/// Targets of a --targets file: one per line; '#' starts a comment; blank lines are skipped;
/// several blank-separated targets on a line are allowed. Errors name file:line.
[[nodiscard]] Result<std::vector<std::string>> read_targets_file(const std::string& path);

/// Reads and validates the monitoring options; with --state, locks and reads the state file
/// (waiting a little for another run). Errors are usage errors or state-file errors (exit 3).
[[nodiscard]] Result<Monitoring> start_monitoring(Context& ctx, const std::string& command);

/// Runs work(0..n-1) on ctx.loop, at most `width` at once, until all have finished or the
/// deadline passes. Returns which finished. When some did not, sets ctx.abandon: their work stays
/// in flight, so whatever it writes to must be owned by the work itself (shared_ptr), never by the
/// caller's stack.
[[nodiscard]] std::vector<bool> run_pool(Context& ctx, std::size_t n, std::size_t width,
                                         std::function<io::Task<void>(std::size_t)> work,
                                         std::optional<io::Clock::time_point> deadline);

/// "deadline of 5 s reached before it finished"
[[nodiscard]] std::string deadline_reason(const Monitoring& m);

/// After the run: with --state, compute the changes, write the new state (atomically), put
/// `changes[]` into the JSON, the change lines into the text / Nagios long output, apply
/// --changes-only, and post --notify. A state write failure is returned as an error (exit 3).
[[nodiscard]] Result<bool> finish_monitoring(Context& ctx, Monitoring& m, const std::vector<monitor::Observation>& observations,
                                             CommandResult& r);

/// --timeout SECONDS: the plugin's total time. Arms a timer that, on expiry, prints a valid
/// UNKNOWN result in the chosen format and exits 3 at once (async-signal-safe).
void arm_total_timeout(double seconds, const std::string& command, report::Format format);

/// A webhook URL as it may appear in messages: scheme://host[:port] and "/..." - no user info,
/// no path (tokens often live there), no query.
[[nodiscard]] std::string redact_url(const std::string& url);

/// What an address report says for --state: its listings (present), the lists that could not be
/// asked (unknown), and its PTR names (a record).
void observe_address(const assess::AddressReport& a, monitor::Observation& o);
/// Warning and critical findings (present) for --state; a finding that says a module could not
/// look something up (*.unknown, *.dns-error, *.temperror, *unreachable) makes every finding of
/// that module for the subject unknown. Blocklist findings are left out (listings are tracked).
void observe_findings(const std::vector<Finding>& findings, const std::string& default_subject, monitor::Observation& o);

/// Findings of the unattended checks: texts registered with the other modules.
[[nodiscard]] std::span<const MessageText> monitor_messages();

}  // namespace mailrep::cli
