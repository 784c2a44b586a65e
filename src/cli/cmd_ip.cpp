// mailrep ip ADDR|CIDR|HOST ... : blocklists, PTR and FCrDNS of addresses.
#include <algorithm>
#include <iostream>

#include "catalogue.hpp"
#include "context.hpp"
#include "mailrep/assess/address.hpp"
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

}  // namespace

Result<CommandResult> cmd_ip(Context& ctx) {
  bool from_stdin = false;
  auto targets = read_targets(ctx.args, std::cin, from_stdin);
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

  assess::ScanOptions opts;
  opts.max_addresses = static_cast<std::uint64_t>(max_addresses);
  opts.window = ctx.resolver_options.concurrency;
  assess::ScanReport scan = ctx.loop.run(assess::scan_addresses(**resolver, ctx.loop, *cat, parsed, opts));
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);

  CommandResult r;
  r.command = "ip";
  nlohmann::json addresses = nlohmann::json::array();
  std::string text;
  for (const auto& a : scan.addresses) {
    addresses.push_back(address_json(a));
    text += address_text(a, ctx.render.lang, ctx.render.verbose);
    for (auto& f : assess::address_findings(a)) r.findings.push_back(std::move(f));
  }
  for (auto& f : assess::list_findings(scan)) r.findings.push_back(std::move(f));
  for (const auto& u : scan.unresolved) text += (ctx.render.lang == report::Lang::de ? "nicht auflösbar: " : "unresolved: ") + u + "\n";
  r.data["addresses"] = addresses;
  if (!scan.unresolved.empty()) r.data["unresolved"] = scan.unresolved;
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
  // Nothing could be determined: UNKNOWN. Some lists unknown: never OK (at least WARNING).
  if (scan.addresses.empty() || (scan.answered == 0 && scan.listed == 0)) status = report::worst(status, report::Status::unknown);
  else if (scan.unknown > 0) status = report::worst(status, report::Status::warning);
  r.status = status;

  r.summary = std::to_string(scan.addresses.size()) + " address(es), " + std::to_string(scan.listed) + " listing(s), " +
              std::to_string(scan.unknown) + " unknown, " + std::to_string(lists_used) + " list(s)";
  if (scan.addresses.empty() && !scan.unresolved.empty()) r.summary = "no address found: " + scan.unresolved.front();
  auto secs = static_cast<double>(scan.elapsed.count()) / 1000.0;
  std::string warn = ctx.warning ? ctx.warning->text : "", crit = ctx.critical ? ctx.critical->text : "";
  r.perf.push_back(report::Perf{"listed", static_cast<double>(scan.listed), "", warn, crit, 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"unknown", static_cast<double>(scan.unknown), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"lists_checked", static_cast<double>(lists_used), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"time", secs, "s", "", "", 0.0, std::nullopt});
  for (const auto& a : scan.addresses) {
    std::string addr = a.address.to_string();
    r.metrics.push_back(report::Metric{"mailrep_listed", "Number of blocklists listing the address", {{"address", addr}},
                                       static_cast<double>(a.listings.size())});
    r.metrics.push_back(report::Metric{"mailrep_unknown", "Number of blocklists that could not be asked", {{"address", addr}},
                                       static_cast<double>(a.errors.size())});
    for (const auto& l : a.listings)
      r.metrics.push_back(report::Metric{"mailrep_list_listed", "1 when the list lists the address", {{"address", addr}, {"list", l.list->id}}, 1});
  }
  return r;
}

}  // namespace mailrep::cli
