// mailrep check DOMAIN: the main job - sending servers, their reputation, the domain's records,
// and what each big receiver will do with the mail.
#include <iostream>

#include "address_view.hpp"
#include "auth_view.hpp"
#include "catalogue.hpp"
#include "context.hpp"
#include "monitor.hpp"
#include "mailrep/assess/check.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {
namespace {

std::string verdict_word(assess::Verdict v, bool de) {
  switch (v) {
    case assess::Verdict::likely_accepted: return de ? "wahrscheinlich angenommen" : "likely accepted";
    case assess::Verdict::at_risk: return de ? "gefährdet" : "at risk";
    case assess::Verdict::likely_rejected: return de ? "wahrscheinlich abgelehnt" : "likely rejected";
    case assess::Verdict::unknown: return de ? "unbekannt" : "unknown";
  }
  return "unknown";
}

std::string pad(std::string s, std::size_t n) {
  // Pads by bytes; good enough for the ASCII names used here.
  if (s.size() < n) s += std::string(n - s.size(), ' ');
  return s;
}

std::string fcrdns_word(rdns::Fcrdns f, bool de) {
  switch (f) {
    case rdns::Fcrdns::confirmed: return "FCrDNS ok";
    case rdns::Fcrdns::not_confirmed: return de ? "FCrDNS FEHLT" : "FCrDNS FAILS";
    case rdns::Fcrdns::no_ptr: return de ? "KEIN PTR" : "NO PTR";
    case rdns::Fcrdns::unknown: return de ? "PTR unbekannt" : "PTR unknown";
  }
  return "";
}

const data::Provider* main_provider(const assess::CheckReport& rep) {
  return rep.discovery.providers.empty() ? nullptr : rep.discovery.providers.front().provider;
}

std::string provider_report(const assess::CheckReport& rep, const std::vector<Finding>& findings, bool de) {
  const data::Provider* p = main_provider(rep);
  std::string out;
  if (de) {
    out += "Betreff: Zustellprobleme - Bitte um Prüfung der Versandserver für " + rep.domain + "\n\n";
    out += "Guten Tag,\n\nbeim Versand von E-Mails über " + (p ? p->name : std::string("Ihre Server")) +
           " werden Nachrichten von großen Empfängern (u. a. T-Online) abgelehnt oder sind gefährdet. "
           "Eine Prüfung mit mailrep hat Folgendes ergeben:\n\n";
  } else {
    out += "Subject: Delivery problems - please check the sending servers for " + rep.domain + "\n\n";
    out += "Hello,\n\nmail sent through " + (p ? p->name : std::string("your servers")) +
           " is being rejected by, or is at risk with, large receivers (among them T-Online). A check with mailrep "
           "found:\n\n";
  }
  for (const auto& a : rep.scan.addresses) {
    bool bad = !a.listings.empty() || a.rdns.fcrdns != rdns::Fcrdns::confirmed || !a.generic_reason.empty();
    if (!bad) continue;
    out += "- " + a.address.to_string() + " (PTR " + (a.rdns.ptr.empty() ? "-" : util::join(a.rdns.ptr, ", ")) + ", " +
           fcrdns_word(a.rdns.fcrdns, de) + ")\n";
    for (const auto& l : a.listings) {
      std::vector<std::string> meanings;
      for (const auto& h : l.hits) meanings.push_back(h.answer + " " + h.meaning);
      out += (de ? "    gelistet auf " : "    listed on ") + l.list->name + ": " + util::join(meanings, "; ") +
             (l.list->delist.empty() ? "" : (de ? " (Austragung: " : " (delisting: ") + l.list->delist + ")") + "\n";
    }
    if (!a.generic_reason.empty())
      out += (de ? "    der PTR-Name wirkt generisch: " + rdns::generic_name_reason_de(a.generic_reason)
                 : "    the PTR name looks generic: " + a.generic_reason) + "\n";
  }
  for (const auto& i : rep.imprints)
    if (i.state != assess::ImprintState::found)
      out += "- " + i.domain + (de ? ": kein Impressum über die Website erreichbar (" : ": no imprint reachable on the website (") +
             util::sanitize(i.evidence, 200) + ")\n";
  for (const auto& f : findings)
    if (f.who_can_fix == Fixer::provider && f.id.rfind("dnsbl.", 0) != 0 && f.id.rfind("rdns.", 0) != 0 &&
        f.id.rfind("imprint.", 0) != 0) {
      auto t = report::localize(f, de ? report::Lang::de : report::Lang::en);
      out += "- " + t.title + "\n";
    }
  if (de) {
    out += "\nBitte\n  - sorgen Sie für einen PTR-Eintrag mit passendem A-Eintrag (FCrDNS) und einem Namen Ihrer "
           "Mail-Domain für jeden Versandserver,\n  - beantragen Sie die Austragung aus den genannten Sperrlisten "
           "nach Behebung der Ursache,\n  - stellen Sie sicher, dass die Domain des PTR-Namens eine Website mit "
           "Impressum hat (Anforderung von T-Online),\n  - und prüfen Sie bei T-Online-Ablehnungen (Kennungen BL, NOWL, "
           "DIAL) die Freischaltung über tosa@rx.t-online.de.\n\nVielen Dank.\n";
  } else {
    out += "\nPlease\n  - give every sending server a PTR record whose name resolves back to it (FCrDNS) and belongs to "
           "your mail domain,\n  - fix the cause and request removal from the blocklists named above,\n  - make sure the "
           "PTR name's domain serves a website with an imprint (a T-Online requirement),\n  - and, for T-Online "
           "rejections (tags BL, NOWL, DIAL), ask for unblocking at tosa@rx.t-online.de.\n\nThank you.\n";
  }
  if (p && !p->support.empty()) {
    out += de ? "\n(Support von " : "\n(Support of ";
    out += p->name + ": " + util::join({p->support.url, p->support.email, p->support.phone}, " ") + ")\n";
  }
  return out;
}


/// One domain's CommandResult (the single-check contract: JSON keys, text, perfdata, metrics).
CommandResult check_result(const Context& ctx, const assess::CheckReport& rep, std::int64_t now) {
  bool de = ctx.render.lang == report::Lang::de;
  CommandResult r;
  r.command = "check";
  r.findings = rep.findings;

  // ---- JSON ----
  r.data["domain"] = rep.domain;
  r.data["score"] = rep.score;
  add_auth_json(r.data, rep.auth);
  std::map<std::string, const discover::Outbound*> by_addr;
  for (const auto& o : rep.discovery.outbound) by_addr[o.address.to_string()] = &o;
  nlohmann::json outbound = nlohmann::json::array();
  for (const auto& a : rep.scan.addresses) {
    // The address's own keys, then how discovery found it.
    nlohmann::json j = address_json(a);
    std::string addr = a.address.to_string();
    if (auto it = by_addr.find(addr); it != by_addr.end()) {
      j["source"] = it->second->sources.front();
      j["sources"] = it->second->sources;
      j["confidence"] = std::string(discover::to_string(it->second->confidence));
      if (!it->second->host.empty()) j["host"] = it->second->host;
    }
    outbound.push_back(j);
  }
  r.data["outbound"] = outbound;
  nlohmann::json providers_j = nlohmann::json::array();
  for (const auto& p : rep.discovery.providers) {
    nlohmann::json pj{{"id", p.provider->id}, {"name", p.provider->name}, {"why", p.why}};
    if (!p.provider->support.url.empty()) pj["support"] = p.provider->support.url;
    providers_j.push_back(pj);
  }
  r.data["providers"] = providers_j;
  if (!rep.discovery.notes.empty()) r.data["discovery_notes"] = rep.discovery.notes;
  nlohmann::json imprints = nlohmann::json::array();
  for (const auto& i : rep.imprints)
    imprints.push_back({{"domain", i.domain}, {"state", std::string(assess::to_string(i.state))}, {"url", i.url},
                        {"evidence", i.evidence}});
  r.data["imprint"] = imprints;
  nlohmann::json receivers_j = nlohmann::json::array();
  for (const auto& v : rep.receivers) {
    nlohmann::json reasons = nlohmann::json::array();
    for (const auto& reason : v.reasons) {
      if (reason.state == assess::Reason::State::pass || reason.state == assess::Reason::State::not_checked) continue;
      reasons.push_back({{"requirement", reason.requirement}, {"state", std::string(assess::to_string(reason.state))},
                         {"severity", std::string(to_string(reason.severity))}, {"text", de ? reason.text_de : reason.text_en},
                         {"evidence", reason.evidence}});
    }
    nlohmann::json contacts = nlohmann::json::array();
    for (const auto& c : v.receiver->contacts)
      contacts.push_back({{"id", c.id}, {"address", c.address}, {"purpose", de ? c.purpose_de : c.purpose_en}});
    receivers_j.push_back({{"name", v.receiver->name}, {"id", v.receiver->id}, {"verdict", std::string(assess::to_string(v.verdict))},
                           {"reasons", reasons}, {"postmaster", v.receiver->postmaster}, {"contacts", contacts}});
  }
  r.data["receivers"] = receivers_j;
  nlohmann::json deductions = nlohmann::json::array();
  for (const auto& [what, points] : rep.deductions) deductions.push_back({{"finding", what}, {"points", points}});
  r.data["score_deductions"] = deductions;

  // ---- status ----
  report::Status st = report::Status::ok;
  bool thresholds = ctx.warning || ctx.critical;
  if (thresholds) {
    auto score = static_cast<double>(rep.score);
    if (ctx.critical && ctx.critical->alerts(score)) st = report::Status::critical;
    else if (ctx.warning && ctx.warning->alerts(score)) st = report::Status::warning;
  } else {
    for (const auto& f : r.findings) st = report::worst(st, report::from_severity(f.severity));
  }
  if (rep.scan.unknown > 0 || rep.discovery.outbound.empty()) st = report::worst(st, report::Status::warning);
  r.status = st;

  // ---- text: the ten-second summary first ----
  std::string t;
  t += "mailrep check " + rep.domain + "  -  " + (de ? "Bewertung " : "score ") + std::to_string(rep.score) + "/100\n";
  if (const auto* p = main_provider(rep))
    t += (de ? "Anbieter: " : "Provider: ") + p->name + " (" + rep.discovery.providers.front().why + ")\n";
  t += de ? "\nEmpfänger:\n" : "\nReceivers:\n";
  for (const auto& v : rep.receivers) {
    std::string first;
    for (const auto& reason : v.reasons)
      if (reason.state == assess::Reason::State::fail || reason.state == assess::Reason::State::unknown) {
        first = (reason.state == assess::Reason::State::fail ? "" : "? ") + (de ? reason.text_de : reason.text_en);
        if (!reason.evidence.empty()) first += " - " + reason.evidence;
        break;
      }
    std::string word = verdict_word(v.verdict, de);
    if (ctx.render.color) {
      const char* c = v.verdict == assess::Verdict::likely_rejected ? "\033[1;31m"
                      : v.verdict == assess::Verdict::at_risk       ? "\033[33m"
                      : v.verdict == assess::Verdict::likely_accepted ? "\033[32m"
                                                                      : "";
      word = std::string(c) + word + "\033[0m";
    }
    t += "  " + pad(word, ctx.render.color ? 37 : 26) + v.receiver->name +
         (first.empty() ? "" : "\n      " + util::sanitize(first, 300)) + "\n";
  }
  t += de ? "\nSendende Server (wie gefunden):\n" : "\nSending servers (how found):\n";
  if (rep.scan.addresses.empty()) t += de ? "  keine gefunden (--ip ADRESSE angeben)\n" : "  none found (give --ip ADDRESS)\n";
  for (const auto& a : rep.scan.addresses) {
    std::string addr = a.address.to_string();
    auto it = by_addr.find(addr);
    std::string status;
    if (!a.listings.empty()) {
      std::vector<std::string> ids;
      for (const auto& l : a.listings) ids.push_back(l.list->id);
      status = (de ? "GELISTET: " : "LISTED: ") + util::join(ids, ", ");
    } else {
      status = (de ? "sauber auf " : "clean on ") + std::to_string(a.not_listed) + (de ? " Listen" : " lists");
    }
    if (!a.errors.empty()) status += ", " + std::to_string(a.errors.size()) + (de ? " unbekannt" : " unknown");
    t += "  " + pad(addr, 16) + " " + pad(a.rdns.ptr.empty() ? "-" : util::sanitize(a.rdns.ptr.front(), 60), 34) + " " +
         pad(fcrdns_word(a.rdns.fcrdns, de) + (a.generic_reason.empty() ? "" : (de ? ", generisch" : ", generic")), 24) + status + "\n";
    if (it != by_addr.end())
      t += "      " + std::string(discover::to_string(it->second->confidence)) + ": " + util::sanitize(it->second->sources.front(), 200) + "\n";
  }
  for (const auto& note : rep.discovery.notes) t += "  (" + util::sanitize(note, 300) + ")\n";
  for (const auto& i : rep.imprints)
    t += (de ? "  Impressum " : "  imprint ") + i.domain + ": " + std::string(assess::to_string(i.state)) +
         (i.evidence.empty() ? "" : " - " + util::sanitize(i.evidence, 160)) + "\n";
  t += de ? "\nEinträge der Domain:\n" : "\nThe domain's records:\n";
  t += auth_text(rep.auth, ctx.render.lang);
  for (const auto& v : rep.receivers) {
    if (v.receiver->id != "t-online") continue;
    t += de ? "\nHinweis: T-Onlines eigene Sperrliste ist im DNS nicht sichtbar. Bei Ablehnungen mit (BL) an "
              "tosa@rx.t-online.de, (NOWL) an tobr@rx.t-online.de, (DIAL) an toda@rx.t-online.de schreiben, "
              "oder mailrep probe auf dem Server ausführen.\n"
            : "\nNote: T-Online's own blocklist is invisible to DNS checks. For rejections tagged (BL) write to "
              "tosa@rx.t-online.de, (NOWL) to tobr@rx.t-online.de, (DIAL) to toda@rx.t-online.de - or run mailrep "
              "probe on the server itself.\n";
  }
  if (ctx.vm.count("report")) {
    std::string letter = provider_report(rep, r.findings, de);
    r.data["report"] = letter;
    t = letter + "\n---\n\n" + t;
  }
  r.text = t;
  std::size_t likely_rejected = 0;
  for (const auto& v : rep.receivers) likely_rejected += v.verdict == assess::Verdict::likely_rejected;
  if (ctx.render.lang == report::Lang::de)
    r.summary = rep.domain + ": Bewertung " + std::to_string(rep.score) + "/100, " + std::to_string(rep.scan.addresses.size()) +
                " sendende Adresse(n), " + std::to_string(rep.scan.listed) + " Listung(en), " + std::to_string(likely_rejected) +
                " Empfänger lehnen wahrscheinlich ab";
  else
    r.summary = rep.domain + ": score " + std::to_string(rep.score) + "/100, " + std::to_string(rep.scan.addresses.size()) +
                " sending address(es), " + std::to_string(rep.scan.listed) + " listing(s), " + std::to_string(likely_rejected) +
                " receiver(s) likely rejecting";

  // ---- perfdata and metrics ----
  std::string warn = ctx.warning ? ctx.warning->text : "", crit = ctx.critical ? ctx.critical->text : "";
  unsigned best_bits = 0;
  for (const auto& s : rep.auth.dkim.selectors)
    if (s.key && s.key->bits > best_bits) best_bits = s.key->bits;
  r.perf.push_back(report::Perf{"score", static_cast<double>(rep.score), "", warn, crit, 0.0, 100.0});
  r.perf.push_back(report::Perf{"listed", static_cast<double>(rep.scan.listed), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"unknown", static_cast<double>(rep.scan.unknown), "", "", "", 0.0, std::nullopt});
  std::size_t lists_used = 0;
  for (const auto& u : rep.scan.lists) lists_used += u.used;
  r.perf.push_back(report::Perf{"lists_checked", static_cast<double>(lists_used), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"spf_lookups", static_cast<double>(rep.auth.spf.lookups), "", "", "10", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"dkim_key_bits", static_cast<double>(best_bits), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"time", static_cast<double>(rep.elapsed.count()) / 1000.0, "s", "",
                                ctx.vm.count("timeout") ? ctx.vm["timeout"].as<std::string>() : "", 0.0, std::nullopt});
  r.metrics.push_back(report::Metric{"mailrep_score", "mailrep score of the domain (0-100, 100 = best)", {{"domain", rep.domain}},
                                     static_cast<double>(rep.score)});
  r.metrics.push_back(report::Metric{"mailrep_listed", "Blocklist listings of the domain's sending addresses",
                                     {{"domain", rep.domain}}, static_cast<double>(rep.scan.listed)});
  r.metrics.push_back(report::Metric{"mailrep_unknown", "Blocklist queries that could not be answered",
                                     {{"domain", rep.domain}}, static_cast<double>(rep.scan.unknown)});
  for (const auto& v : rep.receivers)
    r.metrics.push_back(report::Metric{"mailrep_receiver_rejects", "1 when the receiver likely rejects the domain's mail",
                                       {{"domain", rep.domain}, {"receiver", v.receiver->id}},
                                       v.verdict == assess::Verdict::likely_rejected ? 1.0 : 0.0});
  std::map<std::string, std::pair<std::size_t, std::size_t>> per_list;  // id -> (listed, unknown)
  for (const auto& use : rep.scan.lists)
    if (use.list->kind == data::ListKind::ip) per_list[use.list->id];
  for (const auto& a : rep.scan.addresses) {
    for (const auto& l : a.listings) ++per_list[l.list->id].first;
    for (const auto& l : a.errors) ++per_list[l.list->id].second;
  }
  for (const auto& [id, counts] : per_list) {
    r.metrics.push_back(report::Metric{"mailrep_list_listed", "Sending addresses of the domain listed on the list",
                                       {{"domain", rep.domain}, {"list", id}}, static_cast<double>(counts.first)});
    r.metrics.push_back(report::Metric{"mailrep_list_unknown", "Sending addresses of the domain the list could not be asked about",
                                       {{"domain", rep.domain}, {"list", id}}, static_cast<double>(counts.second)});
  }
  r.metrics.push_back(report::Metric{"mailrep_last_success_timestamp_seconds", "Unix time of the last run that checked the target",
                                     {{"domain", rep.domain}}, static_cast<double>(now)});
  return r;
}

/// What one check says for --state: listings and PTR names of the sending addresses, findings,
/// and the SPF, DMARC and MX records.
monitor::Observation observe_check(const assess::CheckReport& rep, const std::string& target) {
  monitor::Observation o;
  o.target = target;
  for (const auto& a : rep.scan.addresses) observe_address(a, o);
  if (rep.discovery.outbound.empty()) {
    o.unknown.push_back({monitor::ItemKind::listing, "", "", "no sending address found"});
    o.unknown.push_back({monitor::ItemKind::record, "ptr", "", "no sending address found"});
  }
  observe_findings(rep.findings, rep.domain, o);
  bool spf_unknown = false, dmarc_unknown = !rep.auth.dmarc.discovery.complete;
  for (const auto& f : rep.findings) {
    if (f.id == "spf.temperror") spf_unknown = true;
    if (f.id == "dmarc.dns-error") dmarc_unknown = true;
  }
  if (spf_unknown) o.unknown.push_back({monitor::ItemKind::record, "spf", "", "SPF lookup failed"});
  else o.present.push_back({monitor::ItemKind::record, "spf", "", util::sanitize(rep.auth.spf.record, 600)});
  if (dmarc_unknown) {
    o.unknown.push_back({monitor::ItemKind::record, "dmarc", "", "DMARC lookup failed"});
  } else {
    const auto* step = rep.auth.dmarc.discovery.applicable_step();
    o.present.push_back({monitor::ItemKind::record, "dmarc", "",
                         step ? util::sanitize(step->domain + ": " + util::join(step->texts, " | "), 600) : ""});
  }
  if (!dns::is_fact(rep.auth.mx.outcome)) {
    o.unknown.push_back({monitor::ItemKind::record, "mx", "", "MX lookup failed"});
  } else {
    std::vector<std::string> hosts;
    for (const auto& h : rep.auth.mx.hosts) hosts.push_back(std::to_string(h.priority) + " " + h.host);
    o.present.push_back({monitor::ItemKind::record, "mx", "", util::sanitize(util::join(hosts, ", "), 600)});
  }
  return o;
}

/// The per-domain results of a run; shared with the checks (some may outlive the deadline).
struct CheckBatch {
  const Context* ctx = nullptr;
  dns::Resolver* resolver = nullptr;
  http::Fetcher* fetcher = nullptr;
  io::Loop* loop = nullptr;
  assess::CheckInput base;  ///< everything but the domain
  std::vector<std::string> domains;
  std::vector<std::optional<CommandResult>> results;
  std::vector<std::optional<monitor::Observation>> observations;
  bool observe = false;
  bool stream = false;
  bool batch = false;
  std::int64_t now = 0;
  bool closed = false;
};

io::Task<void> check_one(std::shared_ptr<CheckBatch> b, std::size_t i) {
  assess::CheckInput in = b->base;
  in.domain = b->domains[i];
  auto task = assess::run_check(*b->resolver, b->fetcher, *b->loop, std::move(in));
  assess::CheckReport rep = co_await task;
  if (b->closed) co_return;
  CommandResult one = check_result(*b->ctx, rep, b->now);
  if (b->observe) b->observations[i] = observe_check(rep, b->domains[i]);
  if (b->stream) {
    report::RenderOptions o = b->ctx->render;
    std::cout << report::render(one, o) << "\n" << std::flush;
  }
  // Only the JSON of a batch needs each domain's data later: keep memory small otherwise.
  if (b->batch && b->ctx->render.format != report::Format::json) {
    one.data = nlohmann::json();
    one.text.clear();
  }
  b->results[i] = std::move(one);
}

}  // namespace

Result<CommandResult> cmd_check(Context& ctx) {
  auto mon = start_monitoring(ctx, "check");
  if (!mon) return tl::unexpected(mon.error());
  std::vector<std::string> inputs = mon->batch ? mon->targets : ctx.args;
  if (!mon->batch && inputs.size() != 1) return fail(ErrorCode::invalid_input, "check: give exactly one DOMAIN (or --targets FILE)");
  std::vector<std::string> domains;
  for (const auto& d : inputs) {
    auto n = dns::normalize_domain(d);
    if (!n.ok || n.name.find('.') == std::string::npos)
      return fail(ErrorCode::invalid_input,
                  "check: '" + util::sanitize(d, 100) + "' is not a domain" + (n.ok ? "" : " (" + n.reason + ")"));
    domains.push_back(n.name);
  }
  assess::CheckInput in;
  if (ctx.vm.count("ip"))
    for (const auto& s : ctx.vm["ip"].as<std::vector<std::string>>()) {
      auto ip = util::IpAddress::parse(s);
      if (!ip) return fail(ErrorCode::invalid_input, "--ip: '" + util::sanitize(s, 80) + "' is not an IP address");
      in.extra_ips.push_back(*ip);
    }
  auto options = auth_options(ctx);
  if (!options) return tl::unexpected(options.error());
  in.auth = *options;
  auto cat = load_catalogue(ctx);
  if (!cat) return tl::unexpected(cat.error());
  auto providers = data::load_providers(lists_file(ctx, "providers.toml"));
  if (!providers) return tl::unexpected(providers.error());
  auto receivers = data::load_receivers(lists_file(ctx, "receivers.toml"));
  if (!receivers) return tl::unexpected(receivers.error());
  in.blocklists = &*cat;
  in.providers = &*providers;
  in.receivers = &*receivers;
  in.window = ctx.resolver_options.concurrency;
  auto resolver = ctx.dns();
  if (!resolver) return tl::unexpected(resolver.error());
  auto fetcher = ctx.http();
  if (!fetcher) return tl::unexpected(fetcher.error());

  auto batch = std::make_shared<CheckBatch>();
  batch->ctx = &ctx;
  batch->resolver = *resolver;
  batch->fetcher = *fetcher;
  batch->loop = &ctx.loop;
  batch->base = in;
  batch->domains = domains;
  batch->results.resize(domains.size());
  batch->observations.resize(domains.size());
  batch->observe = mon->state != nullptr;
  batch->stream = mon->batch && ctx.render.format == report::Format::text && !mon->changes_only;
  batch->batch = mon->batch;
  batch->now = mon->now;
  const auto started = io::Clock::now();
  auto finished = run_pool(ctx, domains.size(), 16, [batch](std::size_t i) { return check_one(batch, i); }, mon->deadline);
  batch->closed = true;
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);
  const double secs = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - started).count()) / 1000.0;

  std::vector<std::size_t> unfinished;
  for (std::size_t i = 0; i < domains.size(); ++i)
    if (!finished[i] || !batch->results[i]) unfinished.push_back(i);
  auto unfinished_finding = [&](std::size_t i) {
    Finding f{"monitor.deadline", Severity::warning, Fixer::nobody, {}, "", domains[i]};
    f.arg("target", domains[i]).arg("seconds", util::format_double(mon->deadline_seconds, 1));
    return f;
  };

  CommandResult r;
  if (!mon->batch) {
    if (batch->results[0]) {
      r = std::move(*batch->results[0]);
    } else {
      r.command = "check";
      r.status = report::Status::unknown;
      r.data["domain"] = domains[0];
      r.data["unfinished"] = nlohmann::json::array({{{"target", domains[0]}, {"reason", deadline_reason(*mon)}}});
      r.summary = domains[0] + ": " + deadline_reason(*mon);
      r.findings.push_back(unfinished_finding(0));
      r.perf.push_back(report::Perf{"time", secs, "s", "", ctx.vm.count("timeout") ? ctx.vm["timeout"].as<std::string>() : "", 0.0, std::nullopt});
    }
  } else {
    r.command = "check";
    r.findings_in_text = false;
    nlohmann::json targets_j = nlohmann::json::array(), unfinished_j = nlohmann::json::array();
    report::Status st = report::Status::ok;
    std::optional<double> min_score, min_bits;
    double listed = 0, unknown = 0, lists_checked = 0, spf_lookups = 0;
    std::size_t counts[4] = {0, 0, 0, 0};
    for (std::size_t i = 0; i < domains.size(); ++i) {
      if (!batch->results[i] || !finished[i]) {
        unfinished_j.push_back({{"target", domains[i]}, {"reason", deadline_reason(*mon)}});
        targets_j.push_back({{"domain", domains[i]}, {"status", "UNKNOWN"}, {"exit_code", 3}, {"error", deadline_reason(*mon)}});
        r.findings.push_back(unfinished_finding(i));
        r.long_output.push_back(domains[i] + ": UNKNOWN - " + deadline_reason(*mon));
        r.text += domains[i] + ": UNKNOWN - " + deadline_reason(*mon) + "\n";
        ++counts[3];
        continue;
      }
      CommandResult& one = *batch->results[i];
      nlohmann::json t = std::move(one.data);
      t["status"] = std::string(report::to_string(one.status));
      t["exit_code"] = report::exit_code(one.status);
      t["summary"] = one.summary;
      nlohmann::json fs = nlohmann::json::array();
      for (const auto& f : one.findings) fs.push_back(report::finding_json(f, ctx.render.lang));
      t["findings"] = fs;
      targets_j.push_back(std::move(t));
      st = report::worst(st, one.status);
      ++counts[static_cast<int>(one.status)];
      r.long_output.push_back(std::string(report::to_string(one.status)) + " " + one.summary);
      for (auto& f : one.findings) r.findings.push_back(std::move(f));
      for (auto& m : one.metrics) r.metrics.push_back(std::move(m));
      for (const auto& p : one.perf) {
        if (p.label == "score") min_score = min_score ? std::min(*min_score, p.value) : p.value;
        else if (p.label == "listed") listed += p.value;
        else if (p.label == "unknown") unknown += p.value;
        else if (p.label == "lists_checked") lists_checked = std::max(lists_checked, p.value);
        else if (p.label == "spf_lookups") spf_lookups = std::max(spf_lookups, p.value);
        else if (p.label == "dkim_key_bits") min_bits = min_bits ? std::min(*min_bits, p.value) : p.value;
      }
    }
    if (!unfinished.empty()) st = report::worst(st, unfinished.size() == domains.size() ? report::Status::unknown : report::Status::warning);
    r.status = st;
    r.data["targets"] = targets_j;
    if (!unfinished.empty()) r.data["unfinished"] = unfinished_j;
    r.data["targets_checked"] = domains.size() - unfinished.size();
    if (min_score) r.data["score"] = *min_score;
    r.summary = std::to_string(domains.size()) + " domain(s): " + std::to_string(counts[0]) + " OK, " + std::to_string(counts[1]) +
                " WARNING, " + std::to_string(counts[2]) + " CRITICAL, " + std::to_string(counts[3]) + " UNKNOWN" +
                (min_score ? ", lowest score " + util::format_double(*min_score, 0) : "");
    std::string warn = ctx.warning ? ctx.warning->text : "", crit = ctx.critical ? ctx.critical->text : "";
    if (min_score) r.perf.push_back(report::Perf{"score", *min_score, "", warn, crit, 0.0, 100.0});
    r.perf.push_back(report::Perf{"listed", listed, "", "", "", 0.0, std::nullopt});
    r.perf.push_back(report::Perf{"unknown", unknown + static_cast<double>(unfinished.size()), "", "", "", 0.0, std::nullopt});
    r.perf.push_back(report::Perf{"lists_checked", lists_checked, "", "", "", 0.0, std::nullopt});
    r.perf.push_back(report::Perf{"spf_lookups", spf_lookups, "", "", "10", 0.0, std::nullopt});
    if (min_bits) r.perf.push_back(report::Perf{"dkim_key_bits", *min_bits, "", "", "", 0.0, std::nullopt});
    r.perf.push_back(report::Perf{"time", secs, "s", "", ctx.vm.count("timeout") ? ctx.vm["timeout"].as<std::string>() : "", 0.0, std::nullopt});
    r.metrics.push_back(report::Metric{"mailrep_run_duration_seconds", "Wall time of the run", {{"command", "check"}}, secs});
  }

  if (mon->state) {
    std::vector<monitor::Observation> observations;
    for (std::size_t i = 0; i < domains.size(); ++i) {
      if (finished[i] && batch->observations[i]) {
        observations.push_back(std::move(*batch->observations[i]));
        continue;
      }
      monitor::Observation o;
      o.target = domains[i];
      o.complete = false;
      o.unknown_reason = deadline_reason(*mon);
      observations.push_back(std::move(o));
    }
    auto done = finish_monitoring(ctx, *mon, observations, r);
    if (!done) return tl::unexpected(done.error());
  }
  return r;
}

}  // namespace mailrep::cli
