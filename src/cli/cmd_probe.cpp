// mailrep probe [RECEIVER|DOMAIN|HOST ...]: ask receivers' MX from this host whether they refuse it
// (greeting, EHLO, STARTTLS; MAIL FROM / RCPT TO only with --rcpt; never DATA).
#include <algorithm>

#include "catalogue.hpp"
#include "context.hpp"
#include "mailrep/data/receivers.hpp"
#include "mailrep/smtp/messages.hpp"
#include "mailrep/smtp/probe.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {
namespace {

/// Without an explicit --timeout-ms the SMTP waits get 10 s (the DNS default of 2 s is too short
/// for a greeting); an explicit value bounds every wait.
constexpr std::chrono::milliseconds k_default_smtp_timeout{10000};

nlohmann::json tls_json(const smtp::TlsInfo& t) {
  nlohmann::json j;
  j["offered"] = t.offered;
  j["attempted"] = t.attempted;
  j["established"] = t.established;
  if (!t.version.empty()) j["version"] = t.version;
  if (!t.cipher.empty()) j["cipher"] = t.cipher;
  if (!t.subject.empty()) j["subject"] = t.subject;
  if (!t.issuer.empty()) j["issuer"] = t.issuer;
  if (!t.not_after.empty()) j["not_after"] = t.not_after;
  if (!t.names.empty()) j["names"] = t.names;
  if (t.established) {
    j["verified"] = t.verified;
    j["name_matches"] = t.name_matches;
  }
  if (!t.verify_error.empty()) j["verify_error"] = t.verify_error;
  if (!t.error.empty()) j["error"] = t.error;
  return j;
}

const data::ReceiverContact* contact_of(const smtp::MxProbe& p) {
  return p.match ? p.match->contact() : nullptr;
}

nlohmann::json probe_json(const smtp::MxProbe& p, const smtp::ProbeOptions& o, bool de) {
  nlohmann::json j;
  j["name"] = p.name;
  if (p.receiver) j["receiver"] = p.receiver->id;
  j["target"] = p.target;
  j["mx"] = p.mx;
  if (p.preference >= 0) j["preference"] = p.preference;
  j["address"] = p.address;
  j["port"] = p.port;
  if (!p.local_address.empty()) j["local_address"] = p.local_address;
  if (!p.helo.empty()) j["helo"] = p.helo;
  j["stage"] = std::string(smtp::to_string(p.stage));
  j["verdict"] = std::string(smtp::to_string(p.verdict));
  j["reachable"] = p.reached;
  if (p.reply) {
    j["reply"] = p.reply->text();
    j["smtp_code"] = p.reply->code;
    if (!p.reply->enhanced.empty()) j["enhanced_code"] = p.reply->enhanced;
  }
  if (p.greeting && p.stage != smtp::Stage::greeting) j["greeting"] = p.greeting->text();
  if (p.verdict == smtp::Verdict::blocked || p.verdict == smtp::Verdict::temporary || p.recipient_refused) {
    if (p.match) {
      j["receiver_code"] = p.match->receiver_code;
      j["category"] = std::string(data::to_string(p.match->code->category));
      j["matched_receiver"] = p.match->receiver->id;
    }
    smtp::Bilingual m = smtp::meaning_text(p);
    j["meaning"] = de ? m.de : m.en;
    smtp::Bilingual a = smtp::advice_text(p);
    j["procedure"] = de ? a.de : a.en;
    j["who_can_fix"] = std::string(to_string(p.match && p.match->code ? p.match->code->who_can_fix : Fixer::provider));
  }
  if (const data::ReceiverContact* c = contact_of(p)) {
    j["contact"] = c->address;
    j["contact_purpose"] = de ? c->purpose_de : c->purpose_en;
  }
  if (p.verdict == smtp::Verdict::temporary) j["greylisted"] = p.greylisted;
  if (p.recipient_refused) j["recipient_refused"] = true;
  if (!p.reply_ip.empty()) {
    j["reply_ip"] = p.reply_ip;
    if (p.names_this_host) j["names_this_host"] = *p.names_this_host;
  }
  if (p.failure != smtp::Failure::none) {
    j["failure"] = std::string(smtp::to_string(p.failure));
    j["error"] = p.detail;
    smtp::Bilingual c = smtp::cause_text(p, o.timeout);
    j["cause"] = de ? c.de : c.en;
  }
  if (p.null_mx) j["null_mx"] = true;
  j["tls"] = tls_json(p.tls);
  if (!p.extensions.empty()) j["extensions"] = p.extensions;
  if (!p.notes.empty()) j["notes"] = p.notes;
  j["transcript"] = p.transcript;
  return j;
}

std::string probe_text(const smtp::MxProbe& p, const smtp::ProbeOptions& o, bool de, bool verbose) {
  std::string out = p.target;
  if (!p.mx.empty() && p.mx != p.target) out += "  " + p.mx;
  if (!p.address.empty()) out += "  [" + p.address + "]:" + std::to_string(p.port);
  out += "  " + std::string(smtp::verdict_words(p.verdict, de));
  if (p.verdict == smtp::Verdict::accepted) {
    out += " (" + smtp::steps_text(p) + ")";
  } else if (p.failure != smtp::Failure::dns) {
    out += " " + std::string(smtp::stage_words(p.stage, de));
  }
  if (p.tls.established) out += "  " + p.tls.version;
  out += "\n";
  if (p.reply && p.verdict != smtp::Verdict::accepted)
    for (const auto& l : p.reply->lines) out += "    " + l + "\n";
  if (p.verdict == smtp::Verdict::blocked || p.verdict == smtp::Verdict::temporary || p.recipient_refused) {
    smtp::Bilingual m = smtp::meaning_text(p);
    std::string code = p.match ? p.match->receiver_code + ": " : std::string();
    out += "    " + code + (de ? m.de : m.en) + "\n";
    if (const data::ReceiverContact* c = contact_of(p))
      out += std::string(de ? "    Kontakt: " : "    contact: ") + c->address + "\n";
    if (!p.reply_ip.empty())
      out += std::string(de ? "    genannte Adresse: " : "    address named: ") + p.reply_ip +
             (p.names_this_host.value_or(false) ? (de ? " (dieser Server)" : " (this host)")
                                                 : (de ? " (NICHT dieses Ende: " : " (NOT this end: ") + p.local_address + ")") +
             "\n";
  }
  if (p.failure != smtp::Failure::none) {
    smtp::Bilingual c = smtp::cause_text(p, o.timeout);
    out += "    " + (de ? c.de : c.en) + "\n";
  }
  if (p.tls.attempted && !p.tls.established && !p.tls.error.empty())
    out += "    TLS: " + p.tls.error + "\n";
  if (verbose) {
    if (p.tls.established)
      out += "    TLS: " + p.tls.version + " " + p.tls.cipher + ", " + p.tls.subject +
             (p.tls.verified ? (de ? ", Zertifikat geprüft" : ", certificate verified")
                             : ", " + std::string(de ? "nicht geprüft: " : "not verified: ") + p.tls.verify_error) +
             "\n";
    for (const auto& n : p.notes) out += "    note: " + n + "\n";
    for (const auto& l : p.transcript) out += "      " + l + "\n";
  }
  return out;
}

}  // namespace

Result<CommandResult> cmd_probe(Context& ctx) {
  const auto& vm = ctx.vm;
  smtp::ProbeOptions o;
  if (vm.count("smtp-port")) {
    long port = vm["smtp-port"].as<long>();
    if (port < 1 || port > 65535) return fail(ErrorCode::invalid_input, "--smtp-port must be between 1 and 65535");
    o.port = static_cast<std::uint16_t>(port);
  }
  o.all_mx = vm.count("all-mx") > 0;
  if (vm.count("source")) {
    std::string s = vm["source"].as<std::string>();
    std::string_view v = util::trim(s);
    if (v.size() >= 2 && v.front() == '[' && v.back() == ']') v = v.substr(1, v.size() - 2);
    auto ip = util::IpAddress::parse(v);
    if (!ip) return fail(ErrorCode::invalid_input, "--source: '" + util::sanitize(s, 100) + "' is not an IPv4 or IPv6 address");
    o.source = *ip;
  }
  if (vm.count("helo")) {
    std::string h = util::lower(util::trim(vm["helo"].as<std::string>()));
    if (auto why = smtp::check_helo(h); !why.empty()) return fail(ErrorCode::invalid_input, why);
    o.helo = h;
  } else {
    o.helo = smtp::local_fqdn();
  }
  if (vm.count("rcpt")) {
    std::string r(util::trim(vm["rcpt"].as<std::string>()));
    if (r.size() >= 2 && r.front() == '<' && r.back() == '>') r = r.substr(1, r.size() - 2);
    if (auto why = smtp::check_mailbox(r, false); !why.empty()) return fail(ErrorCode::invalid_input, "--rcpt: " + why);
    o.rcpt = r;
  }
  if (vm.count("sender")) {
    std::string s(util::trim(vm["sender"].as<std::string>()));
    if (s.size() >= 2 && s.front() == '<' && s.back() == '>') s = s.substr(1, s.size() - 2);
    if (auto why = smtp::check_mailbox(s, true); !why.empty()) return fail(ErrorCode::invalid_input, "--sender: " + why);
    o.sender = s;
    if (o.rcpt.empty()) ctx.notes.push_back("--sender is used only together with --rcpt (MAIL FROM is not sent without it)");
  }
  o.timeout = vm["timeout-ms"].defaulted() ? k_default_smtp_timeout : ctx.timeout;
  if (vm.count("ca-file")) o.ca_file = vm["ca-file"].as<std::string>();

  auto cat = data::load_receivers(lists_file(ctx, "receivers.toml"));
  if (!cat) return tl::unexpected(cat.error());
  for (const auto& w : cat->warnings) ctx.notes.push_back(w);
  auto targets = smtp::parse_targets(*cat, ctx.args);
  if (!targets) return tl::unexpected(targets.error());
  auto resolver = ctx.dns();
  if (!resolver) return tl::unexpected(resolver.error());

  smtp::ProbeReport rep = ctx.loop.run(smtp::probe(**resolver, ctx.loop, *cat, std::move(*targets), o));
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);

  const bool de = ctx.render.lang == report::Lang::de;
  CommandResult r;
  r.command = "probe";
  r.findings = smtp::probe_findings(rep, o);
  nlohmann::json receivers = nlohmann::json::array();
  std::string text;
  text += de ? "Probe von diesem Rechner" : "Probe from this host";
  if (o.source) text += (de ? " (Quelle " : " (source ") + o.source->to_string() + ")";
  text += ", EHLO " + (o.helo.empty() ? std::string(de ? "<Adressliteral>" : "<address literal>") : o.helo);
  text += o.rcpt.empty() ? (de ? "; kein MAIL FROM/RCPT TO (--rcpt fehlt), nie DATA\n" : "; no MAIL FROM/RCPT TO (no --rcpt), never DATA\n")
                         : (de ? "; MAIL FROM <" : "; MAIL FROM <") + o.sender + "> RCPT TO <" + o.rcpt + ">, " +
                               (de ? "nie DATA\n" : "never DATA\n");
  std::size_t blocked = 0, temporary = 0, unknown = 0, accepted = 0;
  std::vector<std::string> blocked_names;
  for (const auto& p : rep.probes) {
    receivers.push_back(probe_json(p, o, de));
    text += probe_text(p, o, de, ctx.render.verbose);
    switch (p.verdict) {
      case smtp::Verdict::blocked:
        ++blocked;
        blocked_names.push_back(p.target + (p.match ? " " + p.match->receiver_code : std::string()));
        break;
      case smtp::Verdict::temporary: ++temporary; break;
      case smtp::Verdict::unknown: ++unknown; break;
      case smtp::Verdict::accepted: ++accepted; break;
    }
  }
  r.data["receivers"] = receivers;
  r.data["port"] = o.port;
  if (!o.helo.empty()) r.data["helo"] = o.helo;
  if (o.source) r.data["source"] = o.source->to_string();
  if (!o.rcpt.empty()) {
    r.data["rcpt"] = o.rcpt;
    r.data["sender"] = o.sender;
  }
  r.data["reachable"] = rep.reached;
  r.data["blocked"] = blocked;
  r.data["temporary"] = temporary;
  r.data["unknown"] = unknown;
  r.data["accepted"] = accepted;
  r.text = text;

  report::Status status = report::Status::ok;
  for (const auto& f : r.findings) status = report::worst(status, report::from_severity(f.severity));
  if (rep.reached == 0) status = report::worst(status, report::Status::unknown);
  r.status = status;

  if (rep.reached == 0) {
    r.summary = "no MX answered (" + std::to_string(rep.probes.size()) + " probed, " +
                std::to_string(rep.connect_failures) + " connection failure(s))";
    if (rep.connect_failures > 0) r.summary += ": many networks block outbound port 25; run this on the mail server itself";
  } else {
    r.summary = std::to_string(rep.probes.size()) + " MX probed: " + std::to_string(blocked) + " blocked";
    if (!blocked_names.empty()) r.summary += " (" + util::join(blocked_names, ", ") + ")";
    r.summary += ", " + std::to_string(temporary) + " temporary, " + std::to_string(unknown) + " unknown, " +
                 std::to_string(accepted) + " accepted";
  }
  auto secs = static_cast<double>(rep.elapsed.count()) / 1000.0;
  r.perf.push_back(report::Perf{"blocked", static_cast<double>(blocked), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"temporary", static_cast<double>(temporary), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"unknown", static_cast<double>(unknown), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"accepted", static_cast<double>(accepted), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"time", secs, "s", "", "", 0.0, std::nullopt});
  for (const auto& p : rep.probes) {
    std::vector<std::pair<std::string, std::string>> labels{{"target", p.target}, {"mx", p.mx}};
    r.metrics.push_back(report::Metric{"mailrep_probe_blocked", "1 when the MX refuses this host",
                                       labels, p.verdict == smtp::Verdict::blocked ? 1.0 : 0.0});
    r.metrics.push_back(report::Metric{"mailrep_probe_temporary", "1 when the MX defers this host (4xx, greylisting)",
                                       labels, p.verdict == smtp::Verdict::temporary ? 1.0 : 0.0});
    r.metrics.push_back(report::Metric{"mailrep_probe_unknown", "1 when the MX could not be asked",
                                       labels, p.verdict == smtp::Verdict::unknown ? 1.0 : 0.0});
  }
  return r;
}

}  // namespace mailrep::cli
