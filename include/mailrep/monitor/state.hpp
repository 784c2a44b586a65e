#pragma once
/// \file Monitoring state (`--state FILE`): the last known result per (target, list/finding/record)
/// with first-seen/last-seen times, the changes between two runs, and the state file's I/O.
///
/// The pure part: update() takes the previous State and what this run observed per target and
/// returns the next State and the changes. Its rules:
///  - a listing or finding seen now and not before: new-listing / new-finding;
///  - one seen before and known to be absent now: delisting / cleared-finding (the entry goes);
///  - one seen before whose list/module could not be asked now (timeout, SERVFAIL, deadline, ...):
///    the entry is kept unchanged (never a delisting) and the change is still-unknown;
///  - a record (SPF, DMARC, MX, PTR ...) whose value differs from the stored one: record-change;
///    the first value seen for a record is stored silently; an unknown value keeps the old one.
///  - targets not observed in this run keep their entries untouched.
///
/// The file part: StateFile::open() takes an exclusive lock (flock on FILE.lock, waiting a while
/// for another run), removes temp files left by a run that died mid-write, reads FILE (missing = empty state; unparsable, foreign or another command's
/// state = a clear error, the file is left alone), and write() replaces it atomically: a temp file
/// in the same directory, fsync, rename, fsync of the directory. The lock is held until the
/// StateFile is destroyed.
///
/// Test hook (documented, test-only): MAILREP_TEST_STATE_WRITE_DELAY_MS=N makes write() sleep N ms
/// between writing the temp file and the rename, so a test can kill the process mid-write.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mailrep/util/result.hpp"

namespace mailrep::monitor {

enum class ItemKind { listing, finding, record };
[[nodiscard]] std::string_view to_string(ItemKind k);

/// One fact about a target.
struct Item {
  ItemKind kind = ItemKind::listing;
  std::string name;     ///< list id, finding id, or record name ("spf", "dmarc", "mx", "ptr")
  std::string subject;  ///< the address (listings, ptr) or the finding's subject; may be empty
  std::string value;    ///< listings/findings: what it says (answer and meaning, title); records: the value
};

/// Something that could not be determined this run. Empty `name` matches every item of the kind;
/// a `name` ending in '*' matches by prefix ("rdns.*"); an empty `subject` matches any subject.
struct Unknown {
  ItemKind kind = ItemKind::listing;
  std::string name;
  std::string subject;
  std::string reason;
  [[nodiscard]] bool matches(const Item& item) const;
};

struct Entry {
  std::string target;
  Item item;
  std::int64_t first_seen = 0;  ///< unix seconds: when this state (listed / present / this value) was first seen
  std::int64_t last_seen = 0;   ///< unix seconds: when it was last confirmed
};

struct State {
  std::string command;      ///< "ip" or "check": a state file belongs to one command
  std::int64_t updated = 0;  ///< unix seconds of the last write
  std::vector<Entry> entries;
};

/// What one run found for one target.
struct Observation {
  std::string target;
  bool complete = true;        ///< false: nothing about the target is known (deadline, failure)
  std::string unknown_reason;  ///< why, when !complete
  std::vector<Item> present;   ///< listings and findings present now; records with their value
  std::vector<Unknown> unknown;
};

enum class ChangeKind { new_listing, delisting, new_finding, cleared_finding, record_change, still_unknown };
[[nodiscard]] std::string_view to_string(ChangeKind k);

struct Change {
  ChangeKind kind = ChangeKind::new_listing;
  std::string target;
  Item item;
  std::string detail;
  std::int64_t first_seen = 0;
  std::int64_t last_seen = 0;
};

struct Update {
  State next;
  std::vector<Change> changes;
};

/// The pure heart: the next state and the changes (in observation order). `now` in unix seconds.
[[nodiscard]] Update update(const State& previous, const std::vector<Observation>& observations, std::int64_t now);

/// "2024-05-01T12:00:00Z" (UTC, locale-independent); parse_time() is its inverse.
[[nodiscard]] std::string format_time(std::int64_t unix_seconds);
[[nodiscard]] std::optional<std::int64_t> parse_time(std::string_view text);

/// The DESIGN.md `changes[]` object: target, kind, list|finding|record, address/subject, detail,
/// first_seen, last_seen.
[[nodiscard]] nlohmann::json change_json(const Change& c);
/// One line for text output and Nagios long output, e.g.
/// "NEW-LISTING 192.0.2.66 bl-good: 127.0.0.2 direct spam source (first seen 2024-...)". Sanitised.
[[nodiscard]] std::string change_line(const Change& c);

/// The state as the file's JSON and back. from_json() checks the format marker and version and
/// every entry; `expected_command` must match the file's command.
[[nodiscard]] nlohmann::json to_json(const State& s);
[[nodiscard]] Result<State> from_json(const nlohmann::json& j, std::string_view expected_command);

class StateFile {
public:
  /// Lock (waiting up to `lock_wait` for another run) and read `path`. Errors: another run holds
  /// the lock (ErrorCode::limit), unreadable (io), corrupted or foreign (parse) - each with a message
  /// that names the file and what to do.
  [[nodiscard]] static Result<std::unique_ptr<StateFile>> open(std::string path, std::string command,
                                                               std::chrono::milliseconds lock_wait);
  ~StateFile();
  StateFile(const StateFile&) = delete;
  StateFile& operator=(const StateFile&) = delete;

  [[nodiscard]] const State& state() const { return m_state; }
  [[nodiscard]] const std::string& path() const { return m_path; }
  /// Replace the file atomically with `s`.
  [[nodiscard]] Result<bool> write(const State& s);

private:
  StateFile() = default;
  std::string m_path;
  int m_lock_fd = -1;
  State m_state;
};

}  // namespace mailrep::monitor
