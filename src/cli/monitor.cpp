#include "monitor.hpp"

#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>

#include "mailrep/report/report.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {

namespace {

constexpr MessageText k_messages[] = {
    {"monitor.deadline",
     "{target} was not finished before the deadline",
     "The run's deadline of {seconds} s passed before every lookup for {target} was answered; its result is unknown "
     "for this run (a state file keeps the last known state).",
     "Give a longer --deadline/--timeout, fewer targets per run, or a faster resolver.",
     "{target} wurde vor der Frist nicht fertig",
     "Die Frist des Laufs von {seconds} s verstrich, bevor alle Abfragen für {target} beantwortet waren; das Ergebnis "
     "ist für diesen Lauf unbekannt (eine Zustandsdatei behält den letzten bekannten Stand).",
     "Eine längere --deadline/--timeout, weniger Ziele pro Lauf oder einen schnelleren Resolver verwenden."},
};

constexpr std::size_t k_max_targets_file = 16 * 1024 * 1024;

std::optional<double> parse_seconds(const std::string& text) {
  // Locale-independent: digits with an optional fraction.
  std::string_view s = util::trim(text);
  if (s.empty() || s.size() > 20) return std::nullopt;
  auto dot = s.find('.');
  auto whole = util::parse_uint(s.substr(0, dot), 1000000);
  if (!whole) return std::nullopt;
  double v = static_cast<double>(*whole);
  if (dot != std::string_view::npos) {
    std::string_view frac = s.substr(dot + 1);
    if (frac.empty() || frac.size() > 6) return std::nullopt;
    auto f = util::parse_uint(frac, 999999);
    if (!f) return std::nullopt;
    v += static_cast<double>(*f) / std::pow(10.0, static_cast<double>(frac.size()));
  }
  return v;
}

struct PoolState {
  std::size_t next = 0;
  std::size_t n = 0;
  std::function<io::Task<void>(std::size_t)> work;
  std::vector<bool> finished;
  std::size_t workers = 0;
};

io::Task<void> pool_worker(std::shared_ptr<PoolState> p) {
  while (p->next < p->n) {
    std::size_t i = p->next++;
    io::Task<void> t = p->work(i);
    co_await t;
    p->finished[i] = true;
  }
  --p->workers;
}

// ---- --notify ----

bool loopback_host(std::string_view url) {
  for (const char* prefix : {"http://127.0.0.1:", "http://127.0.0.1/", "http://[::1]:", "http://[::1]/", "http://localhost:",
                             "http://localhost/"})
    if (url.substr(0, std::strlen(prefix)) == prefix) return true;
  return url == "http://127.0.0.1" || url == "http://[::1]" || url == "http://localhost";
}

bool worth_retrying(const http::Response& r) {
  switch (r.outcome) {
    case http::Outcome::timeout:
    case http::Outcome::connect_failed:
    case http::Outcome::dns_failed:
    case http::Outcome::error: return true;
    case http::Outcome::http_error: return r.status >= 500 || r.status == 429 || r.status == 408;
    default: return false;
  }
}

struct NotifyResult {
  bool ok = false;
  int attempts = 0;
  std::string detail;
};

io::Task<NotifyResult> post_with_retries(http::Fetcher* fetcher, io::Loop* loop, http::Request request, int attempts,
                                         std::chrono::milliseconds backoff) {
  NotifyResult out;
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) {
      co_await loop->sleep(backoff);
      backoff *= 2;
    }
    ++out.attempts;
    http::Request copy = request;
    auto task = fetcher->fetch(std::move(copy));
    http::Response r = co_await task;
    if (r.is_ok()) {
      out.ok = true;
      out.detail = "HTTP " + std::to_string(r.status);
      co_return out;
    }
    out.detail = std::string(http::to_string(r.outcome)) + (r.status ? " (HTTP " + std::to_string(r.status) + ")" : "");
    if (!worth_retrying(r)) break;
  }
  co_return out;
}

bool uncertain_finding(const Finding& f) {
  const std::string& id = f.id;
  auto ends = [&](std::string_view suffix) {
    return id.size() >= suffix.size() && id.compare(id.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".unknown") || ends(".dns-error") || ends(".temperror") || ends("unreachable");
}

std::string listing_value(const dnsbl::ListResult& l) {
  return util::sanitize(util::join(l.answers(), ",") + " " + util::join(l.meanings(), "; "), 300);
}

// ---- --timeout ----

char g_timeout_text[1024];
std::size_t g_timeout_len = 0;

void on_total_timeout(int) {
  ssize_t w = ::write(STDOUT_FILENO, g_timeout_text, g_timeout_len);
  (void)w;
  _exit(3);
}

}  // namespace

std::span<const MessageText> monitor_messages() { return k_messages; }

void observe_address(const assess::AddressReport& a, monitor::Observation& o) {
  std::string addr = a.address.to_string();
  for (const auto& l : a.listings) o.present.push_back({monitor::ItemKind::listing, l.list->id, addr, listing_value(l)});
  for (const auto& l : a.errors) o.unknown.push_back({monitor::ItemKind::listing, l.list->id, addr, util::sanitize(l.error, 200)});
  if (a.rdns.fcrdns == rdns::Fcrdns::unknown)
    o.unknown.push_back({monitor::ItemKind::record, "ptr", addr, util::sanitize(a.rdns.error, 200)});
  else
    o.present.push_back({monitor::ItemKind::record, "ptr", addr, util::sanitize(util::join(a.rdns.ptr, ","), 300)});
}

void observe_findings(const std::vector<Finding>& findings, const std::string& default_subject, monitor::Observation& o) {
  for (const auto& f : findings) {
    if (f.id.rfind("dnsbl.", 0) == 0 || f.id.rfind("monitor.", 0) == 0) continue;  // listings are tracked as such
    std::string subject = f.subject.empty() ? default_subject : f.subject;
    if (uncertain_finding(f)) {
      // e.g. rdns.unknown: nothing of that module is known for this subject.
      o.unknown.push_back({monitor::ItemKind::finding, f.id.substr(0, f.id.find('.') + 1) + "*", subject,
                           util::sanitize(report::localize(f, report::Lang::en).title, 200)});
      continue;
    }
    if (f.severity == Severity::info) continue;
    o.present.push_back({monitor::ItemKind::finding, f.id, subject,
                         util::sanitize(report::localize(f, report::Lang::en).title, 300)});
  }
}


std::string redact_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "(a URL)";
  std::string scheme = util::lower(url.substr(0, scheme_end));
  std::size_t start = scheme_end + 3;
  std::size_t end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) authority = authority.substr(at + 1);
  std::string out = util::sanitize(scheme, 10) + "://" + util::sanitize(authority, 200);
  if (end != std::string::npos) out += "/...";
  return out;
}

Result<std::vector<std::string>> read_targets_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string shown = util::sanitize(path, 300);
  if (!in) return fail(ErrorCode::io, "--targets: cannot read " + shown);
  std::vector<std::string> out;
  std::string line;
  std::size_t lineno = 0, total = 0;
  while (std::getline(in, line)) {
    ++lineno;
    total += line.size() + 1;
    if (total > k_max_targets_file) return fail(ErrorCode::limit, "--targets: " + shown + " is larger than 16 MiB");
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    for (auto w : util::split_ws(line)) {
      if (w.size() > 300)
        return fail(ErrorCode::invalid_input, "--targets: " + shown + ":" + std::to_string(lineno) + ": target too long");
      out.emplace_back(w);
    }
  }
  if (out.empty()) return fail(ErrorCode::invalid_input, "--targets: " + shown + " holds no target");
  return out;
}

Result<Monitoring> start_monitoring(Context& ctx, const std::string& command) {
  Monitoring m;
  const auto& vm = ctx.vm;
  m.now = static_cast<std::int64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  if (vm.count("targets")) {
    if (!ctx.args.empty())
      return fail(ErrorCode::invalid_input, command + ": give targets either as arguments or with --targets, not both");
    auto t = read_targets_file(vm["targets"].as<std::string>());
    if (!t) return tl::unexpected(t.error());
    m.batch = true;
    m.targets = std::move(*t);
  }
  std::optional<double> total;
  if (vm.count("timeout")) {
    total = parse_seconds(vm["timeout"].as<std::string>());
    if (!total || *total <= 0 || *total > 86400)
      return fail(ErrorCode::invalid_input, "--timeout must be a number of seconds between 0 and 86400");
  }
  if (vm.count("deadline")) {
    auto d = parse_seconds(vm["deadline"].as<std::string>());
    if (!d || *d <= 0 || *d > 86400)
      return fail(ErrorCode::invalid_input, "--deadline must be a number of seconds between 0 and 86400");
    m.deadline_seconds = *d;
  } else if (total) {
    // Leave room to print the result (and write the state) before the hard --timeout.
    m.deadline_seconds = std::max(0.2, std::min(*total * 0.9, *total - 0.5));
  }
  if (m.deadline_seconds > 0)
    m.deadline = ctx.started + std::chrono::microseconds(static_cast<std::int64_t>(m.deadline_seconds * 1e6));
  m.changes_only = vm.count("changes-only") > 0;
  m.notify_allow_http = vm.count("notify-allow-http") > 0;
  if (vm.count("notify")) {
    m.notify_url = vm["notify"].as<std::string>();
    if (!vm.count("state")) return fail(ErrorCode::invalid_input, "--notify needs --state (it posts the changes)");
    std::string lower = util::lower(m.notify_url.substr(0, 8));
    bool https = lower.rfind("https://", 0) == 0;
    if (!https && !(m.notify_allow_http && loopback_host(m.notify_url)))
      return fail(ErrorCode::invalid_input, "--notify needs an https:// URL (http:// only to 127.0.0.1 with --notify-allow-http)");
    std::string authority = m.notify_url.substr(m.notify_url.find("://") + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (authority.find('@') != std::string::npos)
      return fail(ErrorCode::invalid_input, "--notify: user:password@ in the URL is not supported (" + redact_url(m.notify_url) + ")");
  }
  if (m.changes_only && !vm.count("state")) return fail(ErrorCode::invalid_input, "--changes-only needs --state");
  if (vm.count("state")) {
    std::string path = vm["state"].as<std::string>();
    if (path.empty()) return fail(ErrorCode::invalid_input, "--state needs a file name");
    // Wait for another run a little, never beyond the deadline.
    std::chrono::milliseconds wait{10000};
    if (m.deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*m.deadline - io::Clock::now());
      wait = std::max(std::chrono::milliseconds(0), std::min(wait, left / 2));
    }
    auto f = monitor::StateFile::open(path, command, wait);
    if (!f) return tl::unexpected(f.error());
    m.state = std::move(*f);
  }
  return m;
}

std::vector<bool> run_pool(Context& ctx, std::size_t n, std::size_t width, std::function<io::Task<void>(std::size_t)> work,
                           std::optional<io::Clock::time_point> deadline) {
  auto p = std::make_shared<PoolState>();
  p->n = n;
  p->work = std::move(work);
  p->finished.assign(n, false);
  width = std::max<std::size_t>(1, std::min(width, n));
  std::vector<io::Task<void>> workers;
  p->workers = width;
  for (std::size_t i = 0; i < width; ++i) workers.push_back(pool_worker(p));
  ctx.loop.run_until([&] { return p->workers == 0 || (deadline && io::Clock::now() >= *deadline); });
  std::vector<bool> out = p->finished;
  if (p->workers != 0) {
    ctx.abandon = true;
    p->n = p->next;  // no new targets if the loop turns again (--notify)
    // The workers keep `p` alive through their frames; detach them.
    for (auto& w : workers) w = io::Task<void>();
  }
  return out;
}

std::string deadline_reason(const Monitoring& m) {
  return "deadline of " + util::format_double(m.deadline_seconds, 1) + " s reached before it finished";
}

void arm_total_timeout(double seconds, const std::string& command, report::Format format) {
  std::string secs = util::format_double(seconds, 1);
  std::string msg = "mailrep " + command + " did not finish within the --timeout of " + secs + " s";
  std::string text;
  switch (format) {
    case report::Format::nagios: text = "MAILREP UNKNOWN - " + msg + "\n"; break;
    case report::Format::json:
      text = "{\"command\": \"" + command + "\", \"status\": \"UNKNOWN\", \"exit_code\": 3, \"findings\": [], \"summary\": \"" +
             msg + "\"}\n";
      break;
    case report::Format::prometheus:
      text = "# HELP mailrep_status Status of the last run (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)\n"
             "# TYPE mailrep_status gauge\nmailrep_status{command=\"" + command + "\"} 3\n";
      break;
    case report::Format::text: text = "Status: UNKNOWN - " + msg + "\n"; break;
  }
  g_timeout_len = std::min(text.size(), sizeof g_timeout_text);
  std::memcpy(g_timeout_text, text.data(), g_timeout_len);
  struct sigaction sa {};
  sa.sa_handler = &on_total_timeout;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  itimerval t{};
  auto usec = static_cast<long long>(seconds * 1e6);
  t.it_value.tv_sec = static_cast<time_t>(usec / 1000000);
  t.it_value.tv_usec = static_cast<suseconds_t>(usec % 1000000);
  setitimer(ITIMER_REAL, &t, nullptr);
}

Result<bool> finish_monitoring(Context& ctx, Monitoring& m, const std::vector<monitor::Observation>& observations,
                               CommandResult& r) {
  if (!m.state) return true;
  monitor::Update u = monitor::update(m.state->state(), observations, m.now);
  auto written = m.state->write(u.next);
  if (!written) return tl::unexpected(written.error());

  nlohmann::json changes = nlohmann::json::array();
  std::vector<std::string> lines;
  std::size_t real_changes = 0;
  for (const auto& c : u.changes) {
    changes.push_back(monitor::change_json(c));
    lines.push_back(monitor::change_line(c));
    if (c.kind != monitor::ChangeKind::still_unknown) ++real_changes;
  }
  r.data["changes"] = changes;
  r.data["state_file"] = m.state->path();
  r.long_output.insert(r.long_output.begin(), lines.begin(), lines.end());
  if (!r.summary.empty()) {
    const bool de_summary = ctx.render.lang == report::Lang::de;
    r.summary += ", " + std::to_string(real_changes) + (de_summary ? " Änderung(en)" : " change(s)");
    if (u.changes.size() > real_changes)
      r.summary += ", " + std::to_string(u.changes.size() - real_changes) + (de_summary ? " weiterhin unbekannt" : " still unknown");
  }

  std::string block;
  for (const auto& l : lines) block += l + "\n";
  if (m.changes_only) {
    ctx.text_only = true;
    r.text = block;
    r.findings_in_long_output = false;
    nlohmann::json slim = nlohmann::json::object();
    for (const char* k : {"changes", "state_file", "listed", "unknown", "score", "unfinished", "domain", "targets_checked"})
      if (r.data.contains(k)) slim[k] = r.data[k];
    r.data = slim;
  } else {
    bool de = ctx.render.lang == report::Lang::de;
    std::string head = lines.empty() ? (de ? "Keine Änderungen seit dem letzten Lauf.\n" : "No changes since the last run.\n")
                                     : (de ? "Änderungen seit dem letzten Lauf:\n" : "Changes since the last run:\n");
    for (const auto& l : lines) head += "  " + l + "\n";
    if (!r.text.empty() && r.text.back() != '\n') r.text += '\n';
    r.text += (r.text.empty() ? "" : "\n") + head;
  }

  if (!m.notify_url.empty() && real_changes > 0) {
    nlohmann::json body;
    body["source"] = "mailrep";
    body["version"] = MAILREP_VERSION;
    body["command"] = r.command;
    body["status"] = std::string(report::to_string(r.status));
    body["generated"] = monitor::format_time(m.now);
    body["summary"] = r.summary;
    body["changes"] = changes;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0) body["host"] = util::sanitize(host, 255);
    auto fetcher = ctx.http();
    if (!fetcher) {
      ctx.notes.push_back("--notify " + redact_url(m.notify_url) + " not sent: " + fetcher.error().message);
      return true;
    }
    http::Request req;
    req.url = m.notify_url;
    req.post = true;
    req.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    req.content_type = "application/json";
    req.allow_http = m.notify_allow_http && loopback_host(m.notify_url);
    req.max_bytes = 64 * 1024;
    req.timeout = std::chrono::milliseconds(10000);
    if (m.deadline) {
      // Past the deadline the webhook still gets a short chance; the hard --timeout bounds it anyway.
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*m.deadline - io::Clock::now());
      req.timeout = std::clamp(left, std::chrono::milliseconds(2000), req.timeout);
    }
    auto task = post_with_retries(*fetcher, &ctx.loop, std::move(req), 3, std::chrono::milliseconds(500));
    NotifyResult res = ctx.loop.run(std::move(task));
    if (!res.ok)
      ctx.notes.push_back("--notify to " + redact_url(m.notify_url) + " failed after " + std::to_string(res.attempts) +
                          " attempt(s): " + util::sanitize(res.detail, 200));
    r.data["notified"] = res.ok;
  }
  return true;
}

}  // namespace mailrep::cli
