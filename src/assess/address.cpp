#include "mailrep/assess/address.hpp"

#include <algorithm>
#include <map>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::assess {

Result<Target> parse_target(const std::string& text) {
  Target t;
  t.input = text;
  if (auto c = util::Cidr::parse(text)) {
    t.cidr = c;
    return t;
  }
  bool looks_numeric = !text.empty();
  for (char c : text)
    if (!(util::is_digit(c) || c == '.' || c == '/')) looks_numeric = false;
  if (looks_numeric || text.find(':') != std::string::npos || text.find('/') != std::string::npos)
    return fail(ErrorCode::invalid_input, "'" + util::sanitize(text, 100) + "' is not a valid IP address or network");
  auto n = dns::normalize_domain(text);
  if (!n.ok || n.name.find('.') == std::string::npos)
    return fail(ErrorCode::invalid_input, "'" + util::sanitize(text, 100) + "' is not an IP address, network or host name" +
                                              (n.ok ? "" : " (" + n.reason + ")"));
  t.host = n.name;
  return t;
}

namespace {

struct Work {
  util::IpAddress address;
  std::string source;
};

/// Addresses to check, generated on demand: a network is never expanded into a vector.
struct Run {
  util::IpAddress first;
  std::uint64_t count = 0;
  std::string source;
};

struct SetAside {
  const data::Blocklist* list;
  std::string reason;
};

struct Shared {
  dns::Resolver* resolver = nullptr;
  io::Loop* loop = nullptr;
  std::vector<const data::Blocklist*> lists;  // used lists
  std::vector<SetAside> aside;                // set aside: unknown for every address
  std::vector<Run> runs;
  std::size_t run = 0;           // the run the next address comes from
  std::uint64_t offset = 0;      // ... and its offset in it
  std::size_t next_index = 0;    // input position of the next address handed out
  // In-order delivery: reports done early wait in `done` until all before them are done; a worker
  // whose address would run more than `reorder_limit` ahead of the oldest unfinished one waits, so
  // at most reorder_limit reports are ever held, however slow one address is.
  std::size_t emitted = 0;
  std::size_t reorder_limit = 64;
  std::map<std::size_t, AddressReport> done;
  std::vector<std::coroutine_handle<>> waiting;
  ScanReport* report = nullptr;
  std::function<void(AddressReport&&)>* sink = nullptr;

  std::optional<std::pair<std::size_t, Work>> take() {
    while (run < runs.size() && offset >= runs[run].count) {
      ++run;
      offset = 0;
    }
    if (run == runs.size()) return std::nullopt;
    const Run& r = runs[run];
    Work w{r.count == 1 ? r.first : r.first.offset(offset), r.source};
    ++offset;
    return std::pair{next_index++, std::move(w)};
  }

  void complete(std::size_t index, AddressReport a) {
    report->listed += a.listings.size();
    report->unknown += a.errors.size();
    report->answered += a.lists_checked - a.errors.size();
    ++report->address_count;
    done.emplace(index, std::move(a));
    bool advanced = false;
    while (!done.empty() && done.begin()->first == emitted) {
      auto node = done.extract(done.begin());
      if (*sink) (*sink)(std::move(node.mapped()));
      else report->addresses.push_back(std::move(node.mapped()));
      ++emitted;
      advanced = true;
    }
    if (advanced && !waiting.empty()) {
      std::vector<std::coroutine_handle<>> wake;
      wake.swap(waiting);
      for (auto h : wake) loop->post(h);
    }
  }

  struct WaitForRoom {
    Shared* s;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) { s->waiting.push_back(h); }
    void await_resume() const noexcept {}
  };
};

io::Task<AddressReport> check_one(Shared& s, Work w) {
  AddressReport a;
  a.address = w.address;
  a.source = w.source;
  auto rd = rdns::check(*s.resolver, w.address);
  std::vector<io::Task<dnsbl::ListResult>> tasks;
  for (const auto* list : s.lists) {
    if (!dnsbl::ip_query_name(*list, w.address)) continue;  // family not served by this list
    tasks.push_back(dnsbl::check_ip(*s.resolver, *list, w.address));
  }
  for (auto& t : tasks) {
    dnsbl::ListResult r = co_await t;
    ++a.lists_checked;
    if (r.state == dnsbl::State::unknown) a.errors.push_back(std::move(r));
    else if (r.state == dnsbl::State::not_listed) ++a.not_listed;
    else if (r.list->is_allow() || r.severity() == data::Severity::good) a.allow.push_back(std::move(r));
    else a.listings.push_back(std::move(r));
  }
  for (const auto& aside : s.aside) {
    if (!dnsbl::ip_query_name(*aside.list, w.address)) continue;
    dnsbl::ListResult r;
    r.list = aside.list;
    r.subject = w.address.to_string();
    r.state = dnsbl::State::unknown;
    r.error = aside.reason;
    ++a.lists_checked;
    a.errors.push_back(std::move(r));
  }
  a.rdns = co_await rd;
  for (const auto& name : a.rdns.ptr) {
    a.generic_reason = rdns::generic_name_reason(name, w.address);
    if (!a.generic_reason.empty()) break;
  }
  co_return a;
}

io::Task<int> worker(Shared& s) {
  while (auto item = s.take()) {
    while (item->first >= s.emitted + s.reorder_limit) {
      Shared::WaitForRoom room{&s};
      co_await room;
    }
    auto task = check_one(s, item->second);
    AddressReport a = co_await task;
    s.complete(item->first, std::move(a));
  }
  co_return 0;
}

}  // namespace

io::Task<ScanReport> scan_addresses(dns::Resolver& resolver, io::Loop& loop, const data::Catalogue& catalogue,
                                    std::vector<Target> targets, ScanOptions options) {
  auto start = io::Clock::now();
  ScanReport report;
  for (const auto& list : catalogue.lists) {
    if (!list.queryable()) continue;
    if (list.kind != data::ListKind::ip && list.kind != data::ListKind::allow_ip) continue;
    report.lists.push_back(ListUse{&list, std::nullopt, true});
  }
  // Probe every list and resolve every host name at once.
  std::vector<io::Task<dnsbl::HealthResult>> probes;
  if (options.probe_lists)
    for (auto& use : report.lists) probes.push_back(dnsbl::probe(resolver, *use.list, true));
  std::vector<io::Task<dns::Answer>> host_v4, host_v6;
  for (const auto& t : targets) {
    if (t.host.empty()) continue;
    host_v4.push_back(resolver.lookup(dns::Query{t.host, dns::RrType::a}));
    host_v6.push_back(resolver.lookup(dns::Query{t.host, dns::RrType::aaaa}));
  }
  for (std::size_t i = 0; i < probes.size(); ++i) {
    auto& pending = probes[i];  // GCC 12 copies the operand of co_await vec[i]; await a reference
    dnsbl::HealthResult h = co_await pending;
    auto& use = report.lists[i];
    // Trust a list only when its test points answer as they must; a list that cannot be reached
    // at all is still asked (its answers will be unknown, stated per address).
    use.used = h.health == dnsbl::Health::healthy || h.health == dnsbl::Health::timeout;
    use.health = h;
  }
  Shared shared;
  shared.resolver = &resolver;
  shared.loop = &loop;
  shared.report = &report;
  shared.sink = &options.on_address;
  for (const auto& use : report.lists) {
    if (use.used) shared.lists.push_back(use.list);
    else shared.aside.push_back(SetAside{use.list, "list set aside after its health probe (" +
                                                       std::string(dnsbl::to_string(use.health->health)) + ")"});
  }

  std::size_t host_index = 0;
  std::uint64_t total = 0;
  for (const auto& t : targets) {
    if (t.cidr) {
      std::uint64_t n = std::min(t.cidr->size(), options.max_addresses - total);
      if (n > 0) shared.runs.push_back(Run{t.cidr->network, n, t.input});
      total += n;
      continue;
    }
    auto& pending4 = host_v4[host_index];
    auto& pending6 = host_v6[host_index];
    dns::Answer a4 = co_await pending4;
    dns::Answer a6 = co_await pending6;
    ++host_index;
    std::uint64_t before = total;
    for (const dns::Answer* a : {&a4, &a6})
      for (const auto& rec : a->records)
        if (total < options.max_addresses) {
          shared.runs.push_back(Run{rec.address, 1, std::string(a == &a4 ? "A" : "AAAA") + " of " + t.host});
          ++total;
        }
    if (total == before) {
      std::string why;
      for (const dns::Answer* a : {&a4, &a6})
        if (!a->is_fact()) why = std::string(dns::to_string(a->outcome));
      report.unresolved.push_back(t.host + ": " + (why.empty() ? "no A or AAAA record" : "lookup failed (" + why + ")"));
    }
  }
  // Enough addresses in progress to keep the resolver's window full: each needs one query per list
  // plus a PTR and then the PTR name's address (one more round trip, with few queries in flight).
  std::size_t per_address = shared.lists.size() + 2;
  std::size_t workers = options.workers ? options.workers : std::max<std::size_t>(4, 3 * options.window / per_address + 1);
  workers = static_cast<std::size_t>(std::min<std::uint64_t>(workers, std::max<std::uint64_t>(1, total)));
  shared.reorder_limit = std::max<std::size_t>(64, 4 * workers);
  std::vector<io::Task<int>> pool;
  for (std::size_t i = 0; i < workers; ++i) pool.push_back(worker(shared));
  for (auto& w : pool) (void)co_await w;
  report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - start);
  co_return report;
}

namespace {
Severity to_finding_severity(data::Severity s) {
  switch (s) {
    case data::Severity::critical: return Severity::critical;
    case data::Severity::warning: return Severity::warning;
    default: return Severity::info;
  }
}
}  // namespace

std::vector<Finding> address_findings(const AddressReport& a) {
  std::vector<Finding> out;
  std::string addr = a.address.to_string();
  for (const auto& l : a.listings) {
    Finding f;
    f.id = "dnsbl.listed";
    f.severity = to_finding_severity(l.severity());
    f.who_can_fix = Fixer::provider;
    f.subject = addr;
    const std::vector<std::string> answers = l.answers(), meanings = l.meanings();
    f.arg("address", addr).arg("list", l.list->name).arg("zone", l.list->display_zone)
        .arg("answer", util::join(answers, ", ")).arg("meaning", util::join(meanings, "; "))
        .arg("delist", l.list->delist.empty() ? "-" : l.list->delist);
    f.evidence = l.query_name + " A " + util::join(answers, ",") + (l.txt.empty() ? "" : " TXT \"" + l.txt + "\"");
    out.push_back(std::move(f));
  }
  for (const auto& l : a.allow) {
    Finding f;
    f.id = "dnsbl.allowlisted";
    f.severity = Severity::info;
    f.subject = addr;
    f.arg("address", addr).arg("list", l.list->name).arg("answer", util::join(l.answers(), ", "))
        .arg("meaning", util::join(l.meanings(), "; "));
    out.push_back(std::move(f));
  }
  if (!a.errors.empty()) {
    // One finding per address for every list that could not be asked: the facts stay per list in
    // errors[], the reader gets one line.
    Finding f;
    f.id = "dnsbl.unknown";
    f.severity = Severity::warning;
    f.subject = addr;
    std::vector<std::string> lists, details;
    for (const auto& l : a.errors) {
      lists.push_back(l.list->name);
      details.push_back(l.list->id + ": " + util::sanitize(l.error, 200));
    }
    f.arg("address", addr).arg("count", std::to_string(a.errors.size())).arg("lists", util::join(lists, ", "));
    f.arg("error", a.errors.front().error);
    f.evidence = util::join(details, "; ");
    out.push_back(std::move(f));
  }
  Finding r;
  r.subject = addr;
  r.who_can_fix = Fixer::provider;
  r.arg("address", addr);
  switch (a.rdns.fcrdns) {
    case rdns::Fcrdns::no_ptr:
      r.id = "rdns.no-ptr";
      r.severity = Severity::critical;
      r.evidence = a.address.ptr_name() + " PTR: " + std::string(dns::to_string(a.rdns.ptr_outcome));
      out.push_back(r);
      break;
    case rdns::Fcrdns::not_confirmed:
      r.id = "rdns.not-confirmed";
      r.severity = Severity::warning;
      r.arg("ptr", util::join(a.rdns.ptr, ", "));
      r.evidence = a.address.ptr_name() + " PTR " + util::join(a.rdns.ptr, ", ");
      out.push_back(r);
      break;
    case rdns::Fcrdns::unknown:
      r.id = "rdns.unknown";
      r.severity = Severity::warning;
      r.who_can_fix = Fixer::nobody;
      r.arg("error", a.rdns.error);
      out.push_back(r);
      break;
    case rdns::Fcrdns::confirmed: break;
  }
  if (!a.generic_reason.empty()) {
    Finding g;
    g.id = "rdns.generic";
    g.severity = Severity::warning;
    g.who_can_fix = Fixer::provider;
    g.subject = addr;
    g.arg("address", addr).arg("ptr", a.rdns.ptr.empty() ? "" : a.rdns.ptr.front()).arg("reason", a.generic_reason, rdns::generic_name_reason_de(a.generic_reason));
    g.evidence = a.address.ptr_name() + " PTR " + util::join(a.rdns.ptr, ", ");
    out.push_back(std::move(g));
  }
  return out;
}

void FindingFolder::add(Finding f) {
  auto it = std::find_if(m_folds.begin(), m_folds.end(), [&f](const auto& p) { return p.first == f.id; });
  if (it == m_folds.end()) {
    m_folds.emplace_back(f.id, Fold{});
    it = std::prev(m_folds.end());
  }
  Fold& fold = it->second;
  if (fold.kept < m_keep) {
    ++fold.kept;
    m_kept.push_back(std::move(f));
    return;
  }
  if (fold.more++ == 0) fold.first = f.subject;
  fold.last = f.subject;
  if (static_cast<int>(f.severity) > static_cast<int>(fold.severity)) fold.severity = f.severity;
  fold.fixer = f.who_can_fix;
}

std::vector<Finding> FindingFolder::take() {
  std::vector<Finding> out = std::move(m_kept);
  m_kept.clear();
  for (auto& [id, fold] : m_folds) {
    if (fold.more == 0) continue;
    Finding f;
    f.id = "address.more";
    f.severity = fold.severity;
    f.who_can_fix = fold.fixer;
    f.subject = fold.first + (fold.more > 1 ? " - " + fold.last : "");
    f.arg("count", std::to_string(fold.more)).arg("finding", id).arg("first", fold.first).arg("last", fold.last);
    f.arg("keep", std::to_string(m_keep));
    out.push_back(std::move(f));
  }
  m_folds.clear();
  return out;
}

std::vector<Finding> list_findings(const ScanReport& scan) {
  std::vector<Finding> out;
  for (const auto& use : scan.lists) {
    if (!use.health) continue;
    const auto& h = *use.health;
    if (h.resolver_blocked) {
      Finding f;
      f.id = "dnsbl.resolver-blocked";
      f.severity = Severity::warning;
      f.who_can_fix = Fixer::user;
      f.arg("list", use.list->name).arg("detail", util::sanitize(h.detail, 300));
      out.push_back(std::move(f));
      continue;
    }
    if (!use.used) {
      Finding f;
      f.id = "dnsbl.list-set-aside";
      f.severity = Severity::warning;
      f.who_can_fix = Fixer::user;
      f.arg("list", use.list->name).arg("health", std::string(dnsbl::to_string(h.health))).arg("detail", util::sanitize(h.detail, 300));
      f.evidence = use.list->display_zone;
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace mailrep::assess
