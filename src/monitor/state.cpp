#include "mailrep/monitor/state.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>
#include <tuple>

#include "mailrep/util/text.hpp"

namespace mailrep::monitor {

namespace {
constexpr std::string_view k_format = "mailrep-state";
constexpr int k_version = 1;
constexpr std::size_t k_max_file = 64 * 1024 * 1024;

bool name_matches(std::string_view pattern, std::string_view name) {
  if (pattern.empty()) return true;
  if (pattern.back() == '*') return name.substr(0, pattern.size() - 1) == pattern.substr(0, pattern.size() - 1);
  return pattern == name;
}

using Key = std::tuple<ItemKind, std::string, std::string>;
Key key_of(const Item& i) { return {i.kind, i.name, i.subject}; }

ChangeKind appeared(ItemKind k) { return k == ItemKind::listing ? ChangeKind::new_listing : ChangeKind::new_finding; }
ChangeKind disappeared(ItemKind k) { return k == ItemKind::listing ? ChangeKind::delisting : ChangeKind::cleared_finding; }

std::string shown(const std::string& v) { return v.empty() ? "(none)" : v; }

std::string errno_text(int e) { return std::string(std::strerror(e)); }
}  // namespace

std::string_view to_string(ItemKind k) {
  switch (k) {
    case ItemKind::listing: return "listing";
    case ItemKind::finding: return "finding";
    case ItemKind::record: return "record";
  }
  return "listing";
}

std::string_view to_string(ChangeKind k) {
  switch (k) {
    case ChangeKind::new_listing: return "new-listing";
    case ChangeKind::delisting: return "delisting";
    case ChangeKind::new_finding: return "new-finding";
    case ChangeKind::cleared_finding: return "cleared-finding";
    case ChangeKind::record_change: return "record-change";
    case ChangeKind::still_unknown: return "still-unknown";
  }
  return "still-unknown";
}

bool Unknown::matches(const Item& item) const {
  return item.kind == kind && name_matches(name, item.name) && (subject.empty() || subject == item.subject);
}

Update update(const State& previous, const std::vector<Observation>& observations, std::int64_t now) {
  Update u;
  u.next.command = previous.command;
  u.next.updated = now;
  std::map<std::string, std::vector<const Entry*>> old_by_target;
  for (const auto& e : previous.entries) old_by_target[e.target].push_back(&e);
  std::map<std::string, bool> observed;
  for (const auto& o : observations) observed[o.target] = true;
  // Targets not observed now keep their entries as they are.
  for (const auto& e : previous.entries)
    if (!observed.count(e.target)) u.next.entries.push_back(e);

  std::map<std::string, bool> done;
  for (const auto& o : observations) {
    if (done[o.target]) continue;  // a target given twice: the first observation counts
    done[o.target] = true;
    const auto& olds = old_by_target[o.target];
    std::map<Key, const Entry*> old_index;
    for (const Entry* e : olds) old_index[key_of(e->item)] = e;
    std::map<Key, bool> seen_now;

    if (!o.complete) {
      for (const Entry* e : olds) {
        u.next.entries.push_back(*e);
        if (e->item.kind == ItemKind::record) continue;
        Change c{ChangeKind::still_unknown, o.target, e->item, "", e->first_seen, e->last_seen};
        c.detail = "could not be checked (" + o.unknown_reason + "); keeping the last known state: " +
                   std::string(e->item.kind == ItemKind::listing ? "listed" : "present") +
                   (e->item.value.empty() ? "" : " (" + e->item.value + ")");
        u.changes.push_back(std::move(c));
      }
      continue;
    }

    for (const Item& item : o.present) {
      Key k = key_of(item);
      if (seen_now[k]) continue;
      seen_now[k] = true;
      auto it = old_index.find(k);
      if (it == old_index.end()) {
        u.next.entries.push_back(Entry{o.target, item, now, now});
        if (item.kind != ItemKind::record)
          u.changes.push_back(Change{appeared(item.kind), o.target, item, item.value, now, now});
        continue;
      }
      const Entry& old = *it->second;
      if (item.kind == ItemKind::record && item.value != old.item.value) {
        u.next.entries.push_back(Entry{o.target, item, now, now});
        u.changes.push_back(Change{ChangeKind::record_change, o.target, item,
                                   shown(old.item.value) + " -> " + shown(item.value), now, now});
        continue;
      }
      u.next.entries.push_back(Entry{o.target, item, old.first_seen, now});
    }

    for (const Entry* e : olds) {
      if (seen_now.count(key_of(e->item))) continue;
      const Unknown* unknown = nullptr;
      for (const auto& un : o.unknown)
        if (un.matches(e->item)) {
          unknown = &un;
          break;
        }
      if (unknown) {
        u.next.entries.push_back(*e);
        if (e->item.kind == ItemKind::record) continue;
        Change c{ChangeKind::still_unknown, o.target, e->item, "", e->first_seen, e->last_seen};
        c.detail = "could not be checked (" + unknown->reason + "); keeping the last known state: " +
                   std::string(e->item.kind == ItemKind::listing ? "listed" : "present") +
                   (e->item.value.empty() ? "" : " (" + e->item.value + ")");
        u.changes.push_back(std::move(c));
        continue;
      }
      if (e->item.kind == ItemKind::record) {
        // A record no longer reported at all (e.g. the address is gone): the value is gone.
        Item gone = e->item;
        gone.value.clear();
        u.changes.push_back(Change{ChangeKind::record_change, o.target, gone, shown(e->item.value) + " -> (gone)", now, now});
        continue;
      }
      Change c{disappeared(e->item.kind), o.target, e->item, "", e->first_seen, e->last_seen};
      c.detail = std::string(e->item.kind == ItemKind::listing ? "no longer listed" : "no longer found") +
                 (e->item.value.empty() ? "" : " (was: " + e->item.value + ")");
      u.changes.push_back(std::move(c));
    }
  }
  return u;
}

std::string format_time(std::int64_t t) {
  using namespace std::chrono;
  sys_seconds tp{seconds{t}};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss hms{tp - day};
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                        static_cast<int>(hms.seconds().count()));
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::optional<std::int64_t> parse_time(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SSZ exactly.
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
    return std::nullopt;
  auto field = [&](std::size_t pos, std::size_t len) -> std::optional<unsigned> {
    auto v = util::parse_uint(s.substr(pos, len), 9999);
    if (!v) return std::nullopt;
    return static_cast<unsigned>(*v);
  };
  auto y = field(0, 4), mo = field(5, 2), d = field(8, 2), h = field(11, 2), mi = field(14, 2), se = field(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || *h > 23 || *mi > 59 || *se > 60) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year{static_cast<int>(*y)}, month{*mo}, day{*d}};
  if (!ymd.ok()) return std::nullopt;
  auto tp = sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{*se};
  return static_cast<std::int64_t>(tp.time_since_epoch().count());
}

namespace {
const char* name_key(ItemKind k) {
  switch (k) {
    case ItemKind::listing: return "list";
    case ItemKind::finding: return "finding";
    case ItemKind::record: return "record";
  }
  return "list";
}
}  // namespace

nlohmann::json change_json(const Change& c) {
  nlohmann::json j;
  j["target"] = c.target;
  j["kind"] = std::string(to_string(c.kind));
  j[name_key(c.item.kind)] = c.item.name;
  if (!c.item.subject.empty()) j[c.item.kind == ItemKind::finding ? "subject" : "address"] = c.item.subject;
  j["detail"] = c.detail;
  j["first_seen"] = format_time(c.first_seen);
  j["last_seen"] = format_time(c.last_seen);
  return j;
}

std::string change_line(const Change& c) {
  std::string kind(to_string(c.kind));
  for (char& ch : kind) ch = util::to_upper(ch);
  std::string what = c.target;
  if (!c.item.subject.empty() && c.item.subject != c.target) what += " " + c.item.subject;
  std::string line = kind + " " + what + " " + c.item.name + ": " + c.detail;
  switch (c.kind) {
    case ChangeKind::new_listing:
    case ChangeKind::new_finding:
    case ChangeKind::record_change: break;
    case ChangeKind::delisting:
    case ChangeKind::cleared_finding:
      line += " (first seen " + format_time(c.first_seen) + ", last seen " + format_time(c.last_seen) + ")";
      break;
    case ChangeKind::still_unknown: line += " (last seen " + format_time(c.last_seen) + ")"; break;
  }
  std::string out = util::sanitize(line, 1000);
  for (char& ch : out)
    if (ch == '\n' || ch == '\r' || ch == '|') ch = ' ';
  return out;
}

nlohmann::json to_json(const State& s) {
  nlohmann::json j;
  j["format"] = std::string(k_format);
  j["version"] = k_version;
  j["command"] = s.command;
  j["updated"] = format_time(s.updated);
  nlohmann::json entries = nlohmann::json::array();
  for (const auto& e : s.entries) {
    nlohmann::json x;
    x["target"] = e.target;
    x["kind"] = std::string(to_string(e.item.kind));
    x["name"] = e.item.name;
    if (!e.item.subject.empty()) x["subject"] = e.item.subject;
    x["value"] = e.item.value;
    x["first_seen"] = format_time(e.first_seen);
    x["last_seen"] = format_time(e.last_seen);
    entries.push_back(std::move(x));
  }
  j["entries"] = std::move(entries);
  return j;
}

Result<State> from_json(const nlohmann::json& j, std::string_view expected_command) {
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string() || j["format"].get<std::string>() != k_format)
    return fail(ErrorCode::parse, "not a mailrep state file (no \"format\": \"mailrep-state\")");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<long long>() != k_version)
    return fail(ErrorCode::parse, "unsupported state file version (this mailrep writes version " + std::to_string(k_version) + ")");
  if (!j.contains("command") || !j["command"].is_string())
    return fail(ErrorCode::parse, "state file without a \"command\"");
  State s;
  s.command = j["command"].get<std::string>();
  if (s.command != expected_command)
    return fail(ErrorCode::parse, "state file belongs to `mailrep " + util::sanitize(s.command, 40) + "`, not `mailrep " +
                                      std::string(expected_command) + "`; use one state file per command");
  auto t = j.contains("updated") && j["updated"].is_string() ? parse_time(j["updated"].get<std::string>()) : std::nullopt;
  if (!t) return fail(ErrorCode::parse, "state file with a bad \"updated\" time");
  s.updated = *t;
  if (!j.contains("entries") || !j["entries"].is_array()) return fail(ErrorCode::parse, "state file without \"entries\"");
  std::size_t index = 0;
  for (const auto& x : j["entries"]) {
    auto bad = [&](const std::string& why) {
      return fail(ErrorCode::parse, "state file entry " + std::to_string(index) + ": " + why);
    };
    if (!x.is_object()) return bad("not an object");
    for (const char* k : {"target", "kind", "name", "value", "first_seen", "last_seen"})
      if (!x.contains(k) || !x[k].is_string()) return bad(std::string("missing or non-text \"") + k + "\"");
    if (x.contains("subject") && !x["subject"].is_string()) return bad("non-text \"subject\"");
    Entry e;
    e.target = x["target"].get<std::string>();
    std::string kind = x["kind"].get<std::string>();
    if (kind == "listing") e.item.kind = ItemKind::listing;
    else if (kind == "finding") e.item.kind = ItemKind::finding;
    else if (kind == "record") e.item.kind = ItemKind::record;
    else return bad("unknown kind '" + util::sanitize(kind, 40) + "'");
    e.item.name = x["name"].get<std::string>();
    if (x.contains("subject")) e.item.subject = x["subject"].get<std::string>();
    e.item.value = x["value"].get<std::string>();
    auto fs = parse_time(x["first_seen"].get<std::string>());
    auto ls = parse_time(x["last_seen"].get<std::string>());
    if (!fs || !ls) return bad("bad first_seen/last_seen time");
    e.first_seen = *fs;
    e.last_seen = *ls;
    if (e.target.empty() || e.item.name.empty()) return bad("empty target or name");
    s.entries.push_back(std::move(e));
    ++index;
  }
  return s;
}

// ---- the file ----

StateFile::~StateFile() {
  if (m_lock_fd >= 0) {
    flock(m_lock_fd, LOCK_UN);
    ::close(m_lock_fd);
  }
}

Result<std::unique_ptr<StateFile>> StateFile::open(std::string path, std::string command, std::chrono::milliseconds lock_wait) {
  std::unique_ptr<StateFile> f(new StateFile());
  f->m_path = path;
  const std::string shown_path = util::sanitize(path, 300);
  const std::string lock_path = path + ".lock";
  f->m_lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (f->m_lock_fd < 0)
    return fail(ErrorCode::io, "cannot open the state lock file " + util::sanitize(lock_path, 300) + ": " + errno_text(errno));
  const auto deadline = std::chrono::steady_clock::now() + lock_wait;
  for (;;) {
    if (flock(f->m_lock_fd, LOCK_EX | LOCK_NB) == 0) break;
    if (errno != EWOULDBLOCK && errno != EINTR)
      return fail(ErrorCode::io, "cannot lock " + util::sanitize(lock_path, 300) + ": " + errno_text(errno));
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(f->m_lock_fd);
      f->m_lock_fd = -1;
      return fail(ErrorCode::limit, "state file " + shown_path + " is in use by another mailrep run (lock " +
                                        util::sanitize(lock_path, 300) + " held for more than " +
                                        std::to_string(lock_wait.count() / 1000) + " s); not run, the state is unchanged");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  {
    // Temp files of a run that died mid-write (kill -9, power loss): we hold the lock, so no
    // writer is active; they are garbage.
    namespace fs = std::filesystem;
    fs::path target(path);
    fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    const std::string prefix = "." + target.filename().string() + ".tmp.";
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename().string().rfind(prefix, 0) == 0) fs::remove(it->path(), ec);
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) return fail(ErrorCode::io, "cannot read the state file " + shown_path + ": " + errno_text(errno));
    f->m_state.command = command;  // first run: empty state
    return f;
  }
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return fail(ErrorCode::io, "cannot read the state file " + shown_path + ": " + errno_text(e));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > k_max_file) {
      ::close(fd);
      return fail(ErrorCode::parse, "state file " + shown_path + " is larger than 64 MiB; not a mailrep state file?");
    }
  }
  ::close(fd);
  const std::string advice = "; it is left as it is - move it away to start a new state";
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    return fail(ErrorCode::parse, "state file " + shown_path + " is corrupted (not valid JSON)" + advice);
  auto s = from_json(j, command);
  if (!s) return fail(ErrorCode::parse, "state file " + shown_path + ": " + s.error().message + advice);
  f->m_state = std::move(*s);
  return f;
}

Result<bool> StateFile::write(const State& s) {
  namespace fs = std::filesystem;
  const std::string shown_path = util::sanitize(m_path, 300);
  std::string text = to_json(s).dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  fs::path target(m_path);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string tmp = (dir / ("." + target.filename().string() + ".tmp." + std::to_string(::getpid()))).string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail(ErrorCode::io, "cannot write the state file next to " + shown_path + ": " + errno_text(errno));
  std::size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail(ErrorCode::io, "cannot write the state file " + shown_path + ": " + errno_text(e));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return fail(ErrorCode::io, "cannot sync the state file " + shown_path + ": " + errno_text(e));
  }
  ::close(fd);
  // Test-only hook (see the header): a window between the complete temp file and the rename.
  if (const char* delay = std::getenv("MAILREP_TEST_STATE_WRITE_DELAY_MS"); delay && *delay)
    if (auto ms = util::parse_uint(delay, 600000)) std::this_thread::sleep_for(std::chrono::milliseconds(*ms));
  if (::rename(tmp.c_str(), m_path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return fail(ErrorCode::io, "cannot replace the state file " + shown_path + ": " + errno_text(e));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  m_state = s;
  return true;
}

}  // namespace mailrep::monitor
