// mailrep check DOMAIN: the main job - sending servers, their reputation, the domain's records,
// and what each big receiver will do with the mail.
#include "auth_view.hpp"
#include "catalogue.hpp"
#include "context.hpp"
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
      out += (de ? "    der PTR-Name wirkt generisch: " : "    the PTR name looks generic: ") + a.generic_reason + "\n";
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

}  // namespace

Result<CommandResult> cmd_check(Context& ctx) {
  if (ctx.args.size() != 1) return fail(ErrorCode::invalid_input, "check: give exactly one DOMAIN");
  auto n = dns::normalize_domain(ctx.args.front());
  if (!n.ok || n.name.find('.') == std::string::npos)
    return fail(ErrorCode::invalid_input,
                "check: '" + util::sanitize(ctx.args.front(), 100) + "' is not a domain" + (n.ok ? "" : " (" + n.reason + ")"));
  assess::CheckInput in;
  in.domain = n.name;
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

  auto task = assess::run_check(**resolver, *fetcher, ctx.loop, in);
  assess::CheckReport rep = ctx.loop.run(std::move(task));
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);

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
    nlohmann::json j;
    std::string addr = a.address.to_string();
    j["address"] = addr;
    if (auto it = by_addr.find(addr); it != by_addr.end()) {
      j["source"] = it->second->sources.front();
      j["sources"] = it->second->sources;
      j["confidence"] = std::string(discover::to_string(it->second->confidence));
      if (!it->second->host.empty()) j["host"] = it->second->host;
    }
    j["ptr"] = a.rdns.ptr;
    if (a.rdns.fcrdns == rdns::Fcrdns::unknown) j["fcrdns"] = nullptr;
    else j["fcrdns"] = a.rdns.fcrdns == rdns::Fcrdns::confirmed;
    if (!a.generic_reason.empty()) j["ptr_generic"] = a.generic_reason;
    nlohmann::json listings = nlohmann::json::array(), errors = nlohmann::json::array();
    for (const auto& l : a.listings) {
      std::vector<std::string> answers, meanings;
      for (const auto& h : l.hits) {
        answers.push_back(h.answer);
        meanings.push_back(h.meaning);
      }
      nlohmann::json lj{{"list", l.list->id}, {"zone", l.list->display_zone}, {"answer", util::join(answers, ",")},
                        {"meaning", util::join(meanings, "; ")}, {"severity", std::string(data::to_string(l.severity()))}};
      if (!l.txt.empty()) lj["txt"] = l.txt;
      if (!l.list->delist.empty()) lj["delist"] = l.list->delist;
      listings.push_back(lj);
    }
    for (const auto& l : a.errors) errors.push_back({{"list", l.list->id}, {"zone", l.list->display_zone}, {"error", l.error}});
    j["listings"] = listings;
    j["errors"] = errors;
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
  r.perf.push_back(report::Perf{"time", static_cast<double>(rep.elapsed.count()) / 1000.0, "s", "", "", 0.0, std::nullopt});
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
  return r;
}

}  // namespace mailrep::cli
