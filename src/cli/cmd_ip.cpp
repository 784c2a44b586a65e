// mailrep ip ADDR|CIDR|HOST ... : blocklists, PTR and FCrDNS of addresses.
#include <algorithm>
#include <iostream>
#include <map>
#include <utility>

#include "address_view.hpp"
#include "catalogue.hpp"
#include "context.hpp"
#include "mailrep/assess/address.hpp"
#include "monitor.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {
namespace {

std::vector<std::string> read_targets(const std::vector<std::string>& args, std::istream& in, bool& read_stdin) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    if (a != "-") {
      out.push_back(a);
      continue;
    }
    read_stdin = true;
    std::string line;
    while (std::getline(in, line)) {
      if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
      for (auto w : util::split_ws(line)) out.emplace_back(w);
    }
  }
  return out;
}

std::string address_text(const assess::AddressReport& a, report::Lang lang, bool verbose, bool color) {
  bool de = lang == report::Lang::de;
  // The state word of a line, coloured on a terminal like the findings (red, yellow, cyan).
  auto word = [color](std::string_view text, const char* ansi) {
    return color ? std::string(ansi) + std::string(text) + "\033[0m" : std::string(text);
  };
  std::string out = a.address.to_string();
  out += "  PTR: ";
  out += a.rdns.ptr.empty() ? (a.rdns.fcrdns == rdns::Fcrdns::unknown ? "?" : "-") : util::join(a.rdns.ptr, ", ");
  switch (a.rdns.fcrdns) {
    case rdns::Fcrdns::confirmed: out += de ? " (FCrDNS bestätigt)" : " (FCrDNS confirmed)"; break;
    case rdns::Fcrdns::not_confirmed: out += de ? " (FCrDNS NICHT bestätigt)" : " (FCrDNS NOT confirmed)"; break;
    case rdns::Fcrdns::no_ptr: out += de ? " (kein PTR)" : " (no PTR)"; break;
    case rdns::Fcrdns::unknown: out += de ? " (unbekannt: " + a.rdns.error + ")" : " (unknown: " + a.rdns.error + ")"; break;
  }
  out += "\n";
  for (const auto& l : a.listings) {
    for (const auto& h : l.hits)
      out += "  " + word(de ? "GELISTET  " : "LISTED    ", "\033[1;31m") + l.list->id + "  " + h.answer + "  " +
             util::sanitize(h.meaning, 200) + "\n";
    if (!l.txt.empty()) out += "            TXT: " + l.txt + "\n";
    if (!l.list->delist.empty()) out += std::string(de ? "            Austragung: " : "            delist: ") + l.list->delist + "\n";
  }
  for (const auto& l : a.allow)
    for (const auto& h : l.hits)
      out += "  " + word(de ? "POSITIV   " : "ALLOW     ", "\033[36m") + l.list->id + "  " + h.answer + "  " + h.meaning + "\n";
  for (const auto& l : a.errors)
    out += "  " + word(de ? "UNBEKANNT " : "UNKNOWN   ", "\033[33m") + l.list->id + "  " + util::sanitize(l.error, 200) + "\n";
  if (verbose || a.listings.empty())
    out += "  " + std::to_string(a.not_listed) + (de ? " von " : " of ") + std::to_string(a.lists_checked) +
           (de ? " Listen: nicht gelistet\n" : " lists: not listed\n");
  return out;
}

/// The per-address part of the output (text lines, JSON `addresses[]` items), written while the
/// scan goes on, in input order across targets: the head target's addresses go out at once, a later
/// target's wait (rendered, compact) until every target before it is done. So a scan of any size
/// holds a bounded number of address reports (assess::ScanOptions::on_address).
class AddressOutput {
public:
  AddressOutput(report::Format format, report::Lang lang, bool verbose, bool color, std::size_t targets, bool stream)
      : m_format(format), m_lang(lang), m_verbose(verbose), m_color(color), m_stream(stream), m_waiting(targets),
        m_done(targets, false) {}

  [[nodiscard]] bool active() const { return m_format == report::Format::text || m_format == report::Format::json; }

  void address(std::size_t target, const assess::AddressReport& a) {
    if (!active()) return;
    if (m_format == report::Format::text) put(target, address_text(a, m_lang, m_verbose, m_color));
    else put(target, address_json(a).dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  void line(std::size_t target, std::string text) {
    if (m_format == report::Format::text) put(target, std::move(text));
  }
  void target_done(std::size_t target) {
    m_done[target] = true;
    while (m_head < m_done.size() && m_done[m_head]) {
      ++m_head;
      if (m_head < m_done.size()) release(m_head);
    }
  }
  /// The end of the run (also at a deadline): what later targets still hold goes out in order.
  void finish() {
    for (; m_head < m_done.size(); ++m_head) release(m_head);
  }
  /// Output before this point must not be written (a resolver that never answered: the run fails).
  void suppress() { m_suppressed = true; }
  [[nodiscard]] bool started() const { return m_items > 0; }
  /// Text: what was not streamed. JSON: the whole document, given the rest of it (render_json).
  [[nodiscard]] std::string text_tail() { return m_format == report::Format::text ? std::exchange(m_held, {}) : std::string(); }
  [[nodiscard]] std::string json_document(const std::string& rest) {
    // render_json's keys are sorted and "addresses" comes first: the output is byte for byte what
    // rendering one document with every address in it gives.
    std::string head = "{\n  \"addresses\": [";
    std::string tail = m_items ? "\n  ]" : "]";
    std::string body = rest.size() > 2 && rest.compare(0, 2, "{\n") == 0 ? ",\n" + rest.substr(2) : "\n}\n";
    if (!m_stream) return head + std::exchange(m_held, {}) + tail + body;
    if (!m_opened) std::cout << head;
    return tail + body;
  }

private:
  void put(std::size_t target, std::string chunk) {
    if (m_suppressed) return;
    if (target == m_head) write(std::move(chunk));
    else m_waiting[target].push_back(std::move(chunk));
  }
  void release(std::size_t target) {
    for (auto& c : m_waiting[target]) write(std::move(c));
    m_waiting[target].clear();
    m_waiting[target].shrink_to_fit();
  }
  void write(std::string chunk) {
    if (m_format == report::Format::json) {
      std::string item = m_items ? ",\n" : "\n";
      for (std::size_t pos = 0; pos < chunk.size();) {
        std::size_t nl = chunk.find('\n', pos);
        std::size_t end = nl == std::string::npos ? chunk.size() : nl + 1;
        item.append("    ").append(chunk, pos, end - pos);
        pos = end;
      }
      chunk = std::move(item);
      if (m_stream && !m_opened) {
        std::cout << "{\n  \"addresses\": [";
        m_opened = true;
      }
    }
    ++m_items;
    if (m_stream) std::cout << chunk;
    else m_held += chunk;
  }

  report::Format m_format;
  report::Lang m_lang;
  bool m_verbose;
  bool m_color;
  bool m_stream;
  bool m_suppressed = false;
  bool m_opened = false;  // JSON: the document's head is out
  std::size_t m_items = 0;
  std::size_t m_head = 0;
  std::vector<std::vector<std::string>> m_waiting;
  std::vector<bool> m_done;
  std::string m_held;
};

/// What a run keeps per target while its addresses stream past: counts, findings (problems only),
/// the lists' health, and what --state and the Prometheus metrics need.
struct TargetResult {
  bool done = false;
  std::size_t addresses = 0, listed = 0, unknown = 0, answered = 0;
  std::vector<assess::ListUse> lists;
  std::vector<std::string> unresolved;
  assess::FindingFolder findings;  ///< at most 10 of each kind, the rest counted
  std::map<std::string, std::pair<std::size_t, std::size_t>> per_list;  ///< list id -> (listed, unknown)
  std::vector<std::pair<std::string, std::size_t>> listed_addresses;    ///< address, lists listing it
  monitor::Observation observation;
};

/// The run's state; owned by shared_ptr because targets still in flight after the deadline keep
/// writing to it.
struct IpBatch {
  Context* ctx = nullptr;
  dns::Resolver* resolver = nullptr;
  const data::Catalogue* catalogue = nullptr;
  std::vector<assess::Target> targets;
  assess::ScanOptions options;
  std::vector<TargetResult> results;
  std::unique_ptr<AddressOutput> out;
  bool observe = false;  ///< --state
  bool closed = false;   ///< the run is over (deadline): late results are dropped
};

void take_address(IpBatch& b, std::size_t i, assess::AddressReport&& a) {
  if (b.closed) return;
  TargetResult& t = b.results[i];
  if (b.out->active() && !b.out->started() && b.ctx->unreachable_resolver()) b.out->suppress();
  std::string addr = a.address.to_string();
  std::vector<Finding> findings = assess::address_findings(a);
  if (b.observe) {
    observe_address(a, t.observation);
    observe_findings(findings, addr, t.observation);
  }
  for (const auto& l : a.listings) ++t.per_list[l.list->id].first;
  for (const auto& l : a.errors) ++t.per_list[l.list->id].second;
  if (!a.listings.empty()) t.listed_addresses.emplace_back(addr, a.listings.size());
  for (auto& f : findings) t.findings.add(std::move(f));
  b.out->address(i, a);
}

io::Task<void> scan_one(std::shared_ptr<IpBatch> b, std::size_t i) {
  std::vector<assess::Target> one{b->targets[i]};
  assess::ScanOptions options = b->options;
  options.on_address = [raw = b.get(), i](assess::AddressReport&& a) { take_address(*raw, i, std::move(a)); };
  auto task = assess::scan_addresses(*b->resolver, b->ctx->loop, *b->catalogue, std::move(one), options);
  assess::ScanReport rep = co_await task;
  if (b->closed) co_return;
  TargetResult& t = b->results[i];
  t.done = true;
  t.addresses = rep.address_count;
  t.listed = rep.listed;
  t.unknown = rep.unknown;
  t.answered = rep.answered;
  t.lists = std::move(rep.lists);
  t.unresolved = std::move(rep.unresolved);
  for (const auto& u : t.unresolved)
    b->out->line(i, (b->ctx->render.lang == report::Lang::de ? "nicht auflösbar: " : "unresolved: ") + u + "\n");
  b->out->target_done(i);
}

/// Queries that a rate limit will hold back in this run: a note, so that a slow scan is explained
/// before it starts. Lists sharing a limit (rate_scope) are counted together.
void note_rate_limits(Context& ctx, const data::Catalogue& cat, std::uint64_t addresses) {
  struct Scope {
    std::vector<std::string> ids;
    double qps = 0, burst = 1;
  };
  std::map<std::string, Scope> scopes;
  for (const auto& list : cat.lists) {
    if (!list.queryable() || list.rate_limit_qps <= 0 || !list.ipv4) continue;
    if (list.kind != data::ListKind::ip && list.kind != data::ListKind::allow_ip) continue;
    Scope& s = scopes[list.rate_zone()];
    s.ids.push_back("'" + list.id + "'");
    s.qps = list.rate_limit_qps;
    s.burst = list.rate_burst;
  }
  for (const auto& [zone, s] : scopes) {
    double queries = static_cast<double>(addresses) * static_cast<double>(s.ids.size());
    double secs = (queries - s.burst) / s.qps;
    if (queries <= s.burst || secs < 2) continue;
    std::string who = s.ids.size() == 1 ? "list " + s.ids.front() + " is" : "lists " + util::join(s.ids, ", ") + " are";
    ctx.notes.push_back(who + " asked at most " + util::format_double(s.qps, 1) +
                        " times a second (the operator's terms): " + std::to_string(addresses) + " addresses take about " +
                        util::format_double(secs, 0) + " s. Leave " + (s.ids.size() == 1 ? "it" : "them") +
                        " out with a --lists file to go faster.");
  }
}

}  // namespace

Result<CommandResult> cmd_ip(Context& ctx) {
  auto mon = start_monitoring(ctx, "ip");
  if (!mon) return tl::unexpected(mon.error());
  bool from_stdin = false;
  auto targets = mon->batch ? mon->targets : read_targets(ctx.args, std::cin, from_stdin);
  if (targets.empty())
    return fail(ErrorCode::invalid_input,
                from_stdin ? "ip: no addresses on standard input" : "ip: give at least one address, network or host name");
  long max_addresses = ctx.vm["max-addresses"].as<long>();
  if (max_addresses < 1) return fail(ErrorCode::invalid_input, "--max-addresses must be at least 1");

  // Validate every target before any query: bad input is a usage error, never a half result.
  std::vector<assess::Target> parsed;
  std::uint64_t total = 0;
  for (const auto& t : targets) {
    auto p = assess::parse_target(t);
    if (!p) return tl::unexpected(p.error());
    if (p->cidr) {
      std::uint64_t size = p->cidr->size();
      total += size;
      if (size > static_cast<std::uint64_t>(max_addresses) || total > static_cast<std::uint64_t>(max_addresses))
        return fail(ErrorCode::invalid_input,
                    "'" + util::sanitize(t, 100) + "' expands beyond --max-addresses " + std::to_string(max_addresses) +
                        " (" + (size >= (1ull << 63) ? std::string("2^63 or more") : std::to_string(size)) + " addresses)");
    } else {
      total += 2;  // a host name: typically an A and an AAAA
    }
    parsed.push_back(*p);
  }

  auto cat = load_catalogue(ctx);
  if (!cat) return tl::unexpected(cat.error());
  auto resolver = ctx.dns();
  if (!resolver) return tl::unexpected(resolver.error());
  note_rate_limits(ctx, *cat, total);

  // One scan per target, all on one loop and one resolver (its cache shares the list probes).
  // Addresses are written as they are done (text and JSON) unless --changes-only prints only the
  // changes, or --timeout may cut the run short (its last-resort message must not land in the
  // middle of a JSON document): then they are kept, rendered, until the end.
  const report::Format format = ctx.render.format;
  const bool show_addresses = !mon->changes_only;
  const bool stream = show_addresses && (format == report::Format::text || !ctx.vm.count("timeout"));
  auto batch = std::make_shared<IpBatch>();
  batch->ctx = &ctx;
  batch->resolver = *resolver;
  batch->catalogue = &*cat;
  batch->targets = parsed;
  batch->options.max_addresses = static_cast<std::uint64_t>(max_addresses);
  batch->options.window = ctx.resolver_options.concurrency;
  batch->results.resize(parsed.size());
  batch->observe = static_cast<bool>(mon->state);
  batch->out = std::make_unique<AddressOutput>(show_addresses ? format : report::Format::nagios, ctx.render.lang,
                                               ctx.render.verbose, ctx.render.color, parsed.size(), stream);
  const auto started = io::Clock::now();
  auto finished = run_pool(ctx, parsed.size(), 32, [batch](std::size_t i) { return scan_one(batch, i); }, mon->deadline);
  batch->closed = true;
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);
  batch->out->finish();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - started);

  // Totals over the targets, partly done ones included: what was checked is reported.
  CommandResult r;
  r.command = "ip";
  std::vector<std::size_t> unfinished;
  std::vector<std::string> unresolved;
  std::size_t addresses = 0, listed = 0, unknown = 0, answered = 0;
  const std::vector<assess::ListUse>* lists_seen = nullptr;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    TargetResult& t = batch->results[i];
    if (!finished[i] || !t.done) unfinished.push_back(i);
    if (t.done && !lists_seen) lists_seen = &t.lists;
    for (const auto& u : t.unresolved) unresolved.push_back(u);
    for (auto& f : t.findings.take()) r.findings.push_back(std::move(f));
    addresses += t.addresses;
    listed += t.listed;
    unknown += t.unknown;
    answered += t.answered;
  }
  if (lists_seen) {
    assess::ScanReport lists_only;
    lists_only.lists = *lists_seen;
    for (auto& f : assess::list_findings(lists_only)) r.findings.push_back(std::move(f));
  }
  std::string text;
  nlohmann::json unfinished_j = nlohmann::json::array();
  for (std::size_t i : unfinished) {
    std::string reason = deadline_reason(*mon);
    unfinished_j.push_back({{"target", targets[i]}, {"reason", reason}});
    text += (ctx.render.lang == report::Lang::de ? "UNBEKANNT " : "UNKNOWN   ") + util::sanitize(targets[i], 100) + "  " + reason + "\n";
    r.long_output.push_back("UNKNOWN " + util::sanitize(targets[i], 100) + ": " + reason);
    Finding f{"monitor.deadline", Severity::warning, Fixer::nobody, {}, "", targets[i]};
    f.arg("target", util::sanitize(targets[i], 100)).arg("seconds", util::format_double(mon->deadline_seconds, 1));
    r.findings.push_back(std::move(f));
  }
  if (!unresolved.empty()) r.data["unresolved"] = unresolved;
  if (!unfinished.empty()) r.data["unfinished"] = unfinished_j;
  r.data["targets_checked"] = parsed.size() - unfinished.size();
  std::size_t lists_used = 0;
  nlohmann::json lists = nlohmann::json::array();
  if (lists_seen)
    for (const auto& use : *lists_seen) {
      lists_used += use.used;
      nlohmann::json l{{"id", use.list->id}, {"zone", use.list->display_zone}, {"used", use.used}};
      if (use.health) l["health"] = std::string(dnsbl::to_string(use.health->health));
      lists.push_back(l);
    }
  r.data["lists"] = lists;
  r.data["listed"] = listed;
  r.data["unknown"] = unknown;
  r.data["addresses_checked"] = addresses;
  r.text = batch->out->text_tail() + text;

  // Status: the worst finding; -w/-c on the listing count replace that mapping for listings.
  report::Status status = report::Status::ok;
  bool thresholds = ctx.warning || ctx.critical;
  for (const auto& f : r.findings) {
    if (thresholds && (f.id == "dnsbl.listed" || (f.id == "address.more" && f.get("finding") == "dnsbl.listed"))) continue;
    status = report::worst(status, report::from_severity(f.severity));
  }
  if (thresholds) {
    auto n = static_cast<double>(listed);
    if (ctx.critical && ctx.critical->alerts(n)) status = report::worst(status, report::Status::critical);
    else if (ctx.warning && ctx.warning->alerts(n)) status = report::worst(status, report::Status::warning);
  }
  // Nothing could be determined: UNKNOWN. Some lists or targets unknown: never OK (at least WARNING).
  if (addresses == 0 || (answered == 0 && listed == 0)) status = report::worst(status, report::Status::unknown);
  else if (unknown > 0 || !unfinished.empty()) status = report::worst(status, report::Status::warning);
  r.status = status;

  const bool de = ctx.render.lang == report::Lang::de;
  r.summary = de ? std::to_string(addresses) + " Adresse(n), " + std::to_string(listed) + " Listung(en), " +
                       std::to_string(unknown) + " unbekannt, " + std::to_string(lists_used) + " Liste(n)"
                 : std::to_string(addresses) + " address(es), " + std::to_string(listed) + " listing(s), " +
                       std::to_string(unknown) + " unknown, " + std::to_string(lists_used) + " list(s)";
  if (!unfinished.empty())
    r.summary += ", " + std::to_string(unfinished.size()) +
                 (de ? " Ziel(e) vor Ablauf der Frist nicht fertig" : " target(s) not finished before the deadline");
  if (addresses == 0 && !unresolved.empty()) r.summary = (de ? "keine Adresse gefunden: " : "no address found: ") + unresolved.front();
  auto secs = static_cast<double>(elapsed.count()) / 1000.0;
  std::string warn = ctx.warning ? ctx.warning->text : "", crit = ctx.critical ? ctx.critical->text : "";
  std::string time_crit = ctx.vm.count("timeout") ? ctx.vm["timeout"].as<std::string>() : "";
  r.perf.push_back(report::Perf{"listed", static_cast<double>(listed), "", warn, crit, 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"unknown", static_cast<double>(unknown + unfinished.size()), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"lists_checked", static_cast<double>(lists_used), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"time", secs, "s", "", time_crit, 0.0, std::nullopt});

  // Prometheus: per target, per (target, list), and the listed addresses.
  const double now = static_cast<double>(mon->now);
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const std::string& target = targets[i];
    const TargetResult& t = batch->results[i];
    if (!finished[i] || !t.done) {
      r.metrics.push_back(report::Metric{"mailrep_target_complete", "1 when every lookup for the target was answered in this run",
                                         {{"command", "ip"}, {"target", target}}, 0});
      continue;
    }
    std::map<std::string, std::pair<std::size_t, std::size_t>> per_list = t.per_list;
    for (const auto& use : t.lists)
      if (use.list->kind == data::ListKind::ip) per_list[use.list->id];
    for (const auto& [addr, count] : t.listed_addresses)
      r.metrics.push_back(report::Metric{"mailrep_address_listed", "Number of blocklists listing the address",
                                         {{"command", "ip"}, {"target", target}, {"address", addr}}, static_cast<double>(count)});
    r.metrics.push_back(report::Metric{"mailrep_listed", "Blocklist listings of the target's addresses",
                                       {{"command", "ip"}, {"target", target}}, static_cast<double>(t.listed)});
    r.metrics.push_back(report::Metric{"mailrep_unknown", "Blocklist queries of the target that could not be answered",
                                       {{"command", "ip"}, {"target", target}}, static_cast<double>(t.unknown)});
    r.metrics.push_back(report::Metric{"mailrep_target_complete", "1 when every lookup for the target was answered in this run",
                                       {{"command", "ip"}, {"target", target}}, t.unknown == 0 ? 1.0 : 0.0});
    r.metrics.push_back(report::Metric{"mailrep_last_success_timestamp_seconds",
                                       "Unix time of the last run that checked the target", {{"command", "ip"}, {"target", target}}, now});
    for (const auto& [id, counts] : per_list) {
      r.metrics.push_back(report::Metric{"mailrep_list_listed", "Addresses of the target listed on the list",
                                         {{"command", "ip"}, {"target", target}, {"list", id}}, static_cast<double>(counts.first)});
      r.metrics.push_back(report::Metric{"mailrep_list_unknown", "Addresses of the target the list could not be asked about",
                                         {{"command", "ip"}, {"target", target}, {"list", id}}, static_cast<double>(counts.second)});
    }
  }
  r.metrics.push_back(report::Metric{"mailrep_run_duration_seconds", "Wall time of the run", {{"command", "ip"}}, secs});

  // --state: what this run observed per target.
  if (mon->state) {
    std::vector<monitor::Observation> observations;
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      TargetResult& t = batch->results[i];
      monitor::Observation o = std::move(t.observation);
      o.target = targets[i];
      if (!finished[i] || !t.done) {
        o = monitor::Observation{};
        o.target = targets[i];
        o.complete = false;
        o.unknown_reason = deadline_reason(*mon);
      } else if (t.addresses == 0) {
        o.complete = false;
        o.unknown_reason = t.unresolved.empty() ? "no address" : util::sanitize(t.unresolved.front(), 200);
      }
      observations.push_back(std::move(o));
    }
    auto done = finish_monitoring(ctx, *mon, observations, r);
    if (!done && !batch->out->started()) return tl::unexpected(done.error());
    if (!done) {
      // The addresses are already out: end the output properly, the run is UNKNOWN with the reason.
      r.status = report::Status::unknown;
      r.summary = util::sanitize(done.error().message, 300);
      *ctx.err << "mailrep: " << r.summary << "\n";
    }
  }
  // JSON: the addresses were written (or kept) as they came; the rest of the document follows.
  if (show_addresses && format == report::Format::json) {
    r.text = batch->out->json_document(report::render(r, ctx.render));
    ctx.preformatted = true;
  }
  return r;
}

}  // namespace mailrep::cli
