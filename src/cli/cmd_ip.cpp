// mailrep ip ADDR|CIDR|HOST ... : blocklists, PTR and FCrDNS of addresses.
#include <algorithm>
#include <iostream>

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

nlohmann::json list_result_json(const dnsbl::ListResult& l, bool with_delist) {
  nlohmann::json j;
  j["list"] = l.list->id;
  j["zone"] = l.list->display_zone;
  std::vector<std::string> answers, meanings;
  data::Severity sev = l.severity();
  for (const auto& h : l.hits) {
    // One answer can carry several meanings (bitmask lists): each answer once.
    if (std::find(answers.begin(), answers.end(), h.answer) == answers.end()) answers.push_back(h.answer);
    meanings.push_back(h.meaning);
  }
  j["answer"] = util::join(answers, ",");
  j["meaning"] = util::join(meanings, "; ");
  if (with_delist) {
    j["severity"] = std::string(data::to_string(sev));
    if (!l.txt.empty()) j["txt"] = l.txt;
    if (!l.list->delist.empty()) j["delist"] = l.list->delist;
  }
  return j;
}

nlohmann::json address_json(const assess::AddressReport& a) {
  nlohmann::json j;
  j["address"] = a.address.to_string();
  j["source"] = a.source;
  j["ptr"] = a.rdns.ptr;
  if (a.rdns.fcrdns == rdns::Fcrdns::unknown) j["fcrdns"] = nullptr;
  else j["fcrdns"] = a.rdns.fcrdns == rdns::Fcrdns::confirmed;
  j["fcrdns_state"] = std::string(rdns::to_string(a.rdns.fcrdns));
  if (!a.generic_reason.empty()) j["ptr_generic"] = a.generic_reason;
  nlohmann::json listings = nlohmann::json::array(), errors = nlohmann::json::array(), allow = nlohmann::json::array();
  for (const auto& l : a.listings) listings.push_back(list_result_json(l, true));
  for (const auto& l : a.allow) allow.push_back(list_result_json(l, false));
  for (const auto& l : a.errors) errors.push_back({{"list", l.list->id}, {"zone", l.list->display_zone}, {"error", l.error}});
  j["listings"] = listings;
  j["errors"] = errors;
  j["allow"] = allow;
  j["lists_checked"] = a.lists_checked;
  return j;
}

std::string address_text(const assess::AddressReport& a, report::Lang lang, bool verbose) {
  bool de = lang == report::Lang::de;
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
      out += "  " + std::string(de ? "GELISTET  " : "LISTED    ") + l.list->id + "  " + h.answer + "  " +
             util::sanitize(h.meaning, 200) + "\n";
    if (!l.txt.empty()) out += "            TXT: " + l.txt + "\n";
    if (!l.list->delist.empty()) out += std::string(de ? "            Austragung: " : "            delist: ") + l.list->delist + "\n";
  }
  for (const auto& l : a.allow)
    for (const auto& h : l.hits)
      out += "  " + std::string(de ? "POSITIV   " : "ALLOW     ") + l.list->id + "  " + h.answer + "  " + h.meaning + "\n";
  for (const auto& l : a.errors)
    out += "  " + std::string(de ? "UNBEKANNT " : "UNKNOWN   ") + l.list->id + "  " + util::sanitize(l.error, 200) + "\n";
  if (verbose || a.listings.empty())
    out += "  " + std::to_string(a.not_listed) + (de ? " von " : " of ") + std::to_string(a.lists_checked) +
           (de ? " Listen: nicht gelistet\n" : " lists: not listed\n");
  return out;
}

/// The per-target results of a run; owned by shared_ptr because targets still in flight after the
/// deadline keep writing to it.
struct IpBatch {
  dns::Resolver* resolver = nullptr;
  io::Loop* loop = nullptr;
  const data::Catalogue* catalogue = nullptr;
  std::vector<assess::Target> targets;
  assess::ScanOptions options;
  std::vector<std::optional<assess::ScanReport>> reports;
  bool stream = false;  ///< print each target's text as soon as it is done (--targets, text)
  report::Lang lang = report::Lang::en;
  bool verbose = false;
  bool closed = false;  ///< the run is over (deadline): late results are dropped
};

io::Task<void> scan_one(std::shared_ptr<IpBatch> b, std::size_t i) {
  std::vector<assess::Target> one{b->targets[i]};
  auto task = assess::scan_addresses(*b->resolver, *b->loop, *b->catalogue, std::move(one), b->options);
  assess::ScanReport rep = co_await task;
  if (b->closed) co_return;
  if (b->stream) {
    std::string text;
    for (const auto& a : rep.addresses) text += address_text(a, b->lang, b->verbose);
    for (const auto& u : rep.unresolved) text += (b->lang == report::Lang::de ? "nicht auflösbar: " : "unresolved: ") + u + "\n";
    std::cout << text << std::flush;
  }
  b->reports[i] = std::move(rep);
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
    }
    parsed.push_back(*p);
  }

  auto cat = load_catalogue(ctx);
  if (!cat) return tl::unexpected(cat.error());
  auto resolver = ctx.dns();
  if (!resolver) return tl::unexpected(resolver.error());

  // One scan per target, all on one loop and one resolver (its cache shares the list probes).
  auto batch = std::make_shared<IpBatch>();
  batch->resolver = *resolver;
  batch->loop = &ctx.loop;
  batch->catalogue = &*cat;
  batch->targets = parsed;
  batch->options.max_addresses = static_cast<std::uint64_t>(max_addresses);
  batch->options.window = ctx.resolver_options.concurrency;
  batch->reports.resize(parsed.size());
  batch->stream = mon->batch && ctx.render.format == report::Format::text && !mon->changes_only;
  batch->lang = ctx.render.lang;
  batch->verbose = ctx.render.verbose;
  const auto started = io::Clock::now();
  auto finished = run_pool(ctx, parsed.size(), 32, [batch](std::size_t i) { return scan_one(batch, i); }, mon->deadline);
  batch->closed = true;
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);

  // Merge in input order.
  assess::ScanReport scan;
  std::vector<std::size_t> unfinished;
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    if (!finished[i] || !batch->reports[i]) {
      unfinished.push_back(i);
      continue;
    }
    const assess::ScanReport& one = *batch->reports[i];
    if (scan.lists.empty()) scan.lists = one.lists;
    for (const auto& a : one.addresses) scan.addresses.push_back(a);
    for (const auto& u : one.unresolved) scan.unresolved.push_back(u);
    scan.listed += one.listed;
    scan.unknown += one.unknown;
    scan.answered += one.answered;
  }
  scan.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - started);

  CommandResult r;
  r.command = "ip";
  nlohmann::json addresses = nlohmann::json::array();
  std::string text;
  for (const auto& a : scan.addresses) {
    addresses.push_back(address_json(a));
    if (!batch->stream) text += address_text(a, ctx.render.lang, ctx.render.verbose);
    for (auto& f : assess::address_findings(a)) r.findings.push_back(std::move(f));
  }
  for (auto& f : assess::list_findings(scan)) r.findings.push_back(std::move(f));
  if (!batch->stream)
    for (const auto& u : scan.unresolved) text += (ctx.render.lang == report::Lang::de ? "nicht auflösbar: " : "unresolved: ") + u + "\n";
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
  r.data["addresses"] = addresses;
  if (!scan.unresolved.empty()) r.data["unresolved"] = scan.unresolved;
  if (!unfinished.empty()) r.data["unfinished"] = unfinished_j;
  r.data["targets_checked"] = parsed.size() - unfinished.size();
  std::size_t lists_used = 0;
  nlohmann::json lists = nlohmann::json::array();
  for (const auto& use : scan.lists) {
    lists_used += use.used;
    nlohmann::json l{{"id", use.list->id}, {"zone", use.list->display_zone}, {"used", use.used}};
    if (use.health) l["health"] = std::string(dnsbl::to_string(use.health->health));
    lists.push_back(l);
  }
  r.data["lists"] = lists;
  r.data["listed"] = scan.listed;
  r.data["unknown"] = scan.unknown;
  r.text = text;

  // Status: the worst finding; -w/-c on the listing count replace that mapping for listings.
  report::Status status = report::Status::ok;
  bool thresholds = ctx.warning || ctx.critical;
  for (const auto& f : r.findings) {
    if (thresholds && f.id == "dnsbl.listed") continue;
    status = report::worst(status, report::from_severity(f.severity));
  }
  if (thresholds) {
    auto listed = static_cast<double>(scan.listed);
    if (ctx.critical && ctx.critical->alerts(listed)) status = report::worst(status, report::Status::critical);
    else if (ctx.warning && ctx.warning->alerts(listed)) status = report::worst(status, report::Status::warning);
  }
  // Nothing could be determined: UNKNOWN. Some lists or targets unknown: never OK (at least WARNING).
  if (scan.addresses.empty() || (scan.answered == 0 && scan.listed == 0)) status = report::worst(status, report::Status::unknown);
  else if (scan.unknown > 0 || !unfinished.empty()) status = report::worst(status, report::Status::warning);
  r.status = status;

  r.summary = std::to_string(scan.addresses.size()) + " address(es), " + std::to_string(scan.listed) + " listing(s), " +
              std::to_string(scan.unknown) + " unknown, " + std::to_string(lists_used) + " list(s)";
  if (!unfinished.empty()) r.summary += ", " + std::to_string(unfinished.size()) + " target(s) not finished before the deadline";
  if (scan.addresses.empty() && !scan.unresolved.empty()) r.summary = "no address found: " + scan.unresolved.front();
  auto secs = static_cast<double>(scan.elapsed.count()) / 1000.0;
  std::string warn = ctx.warning ? ctx.warning->text : "", crit = ctx.critical ? ctx.critical->text : "";
  std::string time_crit = ctx.vm.count("timeout") ? ctx.vm["timeout"].as<std::string>() : "";
  r.perf.push_back(report::Perf{"listed", static_cast<double>(scan.listed), "", warn, crit, 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"unknown", static_cast<double>(scan.unknown + unfinished.size()), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"lists_checked", static_cast<double>(lists_used), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"time", secs, "s", "", time_crit, 0.0, std::nullopt});

  // Prometheus: per target, per (target, list), and the listed addresses.
  const double now = static_cast<double>(mon->now);
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    const std::string& target = targets[i];
    if (!finished[i] || !batch->reports[i]) {
      r.metrics.push_back(report::Metric{"mailrep_target_complete", "1 when every lookup for the target was answered in this run",
                                         {{"command", "ip"}, {"target", target}}, 0});
      continue;
    }
    const assess::ScanReport& one = *batch->reports[i];
    std::map<std::string, std::pair<std::size_t, std::size_t>> per_list;  // id -> (listed, unknown)
    for (const auto& use : one.lists)
      if (use.list->kind == data::ListKind::ip) per_list[use.list->id];
    std::size_t listed = 0, unknown = 0;
    for (const auto& a : one.addresses) {
      listed += a.listings.size();
      unknown += a.errors.size();
      for (const auto& l : a.listings) ++per_list[l.list->id].first;
      for (const auto& l : a.errors) ++per_list[l.list->id].second;
      if (!a.listings.empty())
        r.metrics.push_back(report::Metric{"mailrep_address_listed", "Number of blocklists listing the address",
                                           {{"command", "ip"}, {"target", target}, {"address", a.address.to_string()}},
                                           static_cast<double>(a.listings.size())});
    }
    r.metrics.push_back(report::Metric{"mailrep_listed", "Blocklist listings of the target's addresses",
                                       {{"command", "ip"}, {"target", target}}, static_cast<double>(listed)});
    r.metrics.push_back(report::Metric{"mailrep_unknown", "Blocklist queries of the target that could not be answered",
                                       {{"command", "ip"}, {"target", target}}, static_cast<double>(unknown)});
    r.metrics.push_back(report::Metric{"mailrep_target_complete", "1 when every lookup for the target was answered in this run",
                                       {{"command", "ip"}, {"target", target}}, unknown == 0 ? 1.0 : 0.0});
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
      monitor::Observation o;
      o.target = targets[i];
      if (!finished[i] || !batch->reports[i]) {
        o.complete = false;
        o.unknown_reason = deadline_reason(*mon);
      } else {
        const assess::ScanReport& one = *batch->reports[i];
        if (one.addresses.empty()) {
          o.complete = false;
          o.unknown_reason = one.unresolved.empty() ? "no address" : util::sanitize(one.unresolved.front(), 200);
        }
        for (const auto& a : one.addresses) {
          observe_address(a, o);
          observe_findings(assess::address_findings(a), a.address.to_string(), o);
        }
      }
      observations.push_back(std::move(o));
    }
    auto done = finish_monitoring(ctx, *mon, observations, r);
    if (!done) return tl::unexpected(done.error());
  }
  return r;
}

}  // namespace mailrep::cli
