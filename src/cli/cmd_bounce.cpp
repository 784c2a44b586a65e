// mailrep bounce [FILE|-]: read a rejection mail (DSN, plain-text bounce, SMTP reply line or a
// received message's headers), explain it, check the sending IP it names, write the provider report.

#include <iostream>
#include <memory>

#include "address_view.hpp"
#include "catalogue.hpp"
#include "context.hpp"
#include "input.hpp"
#include "mailrep/assess/address.hpp"
#include "mailrep/data/receivers.hpp"
#include "mailrep/mail/bounce.hpp"
#include "mailrep/util/ip.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {

namespace {

std::string who_text(Fixer f, bool de) {
  switch (f) {
    case Fixer::provider: return de ? "Ihr Mail-Anbieter (Betreiber des sendenden Servers)" : "Your mail provider (whoever runs the sending server)";
    case Fixer::domain_owner: return de ? "Wer das DNS Ihrer Domain verwaltet" : "Whoever manages your domain's DNS";
    case Fixer::receiver: return de ? "Die Empfängerseite" : "The recipient's side";
    case Fixer::sender_admin: return de ? "Der Administrator Ihres eigenen Mailservers bzw. Tenants" : "The administrator of your own mail server or tenant";
    case Fixer::user: return de ? "Sie (der Absender)" : "You (the sender)";
    case Fixer::nobody: break;
  }
  return de ? "Niemand (abwarten)" : "Nobody (wait)";
}

std::string note_de(const std::string& en) {
  if (en.find("base64") != std::string::npos) return "beschädigtes Base64 in einem Teil wurde so weit wie möglich dekodiert";
  if (en.find("nesting") != std::string::npos) return "zu tief verschachtelte MIME-Teile wurden nicht gelesen";
  if (en.find("MIME parts") != std::string::npos) return "mehr MIME-Teile als erlaubt: der Rest wurde nicht gelesen";
  if (en.find("size limit") != std::string::npos) return "Text über der Größengrenze wurde nicht gelesen";
  if (en.find("64 KiB") != std::string::npos) return "Zeilen über 64 KiB wurden gekürzt";
  return en;
}

mail::LiveCheck live_from(const assess::AddressReport& a) {
  mail::LiveCheck l;
  l.attempted = true;
  l.done = true;
  l.ptr = a.rdns.ptr;
  l.fcrdns = std::string(rdns::to_string(a.rdns.fcrdns));
  l.ptr_generic = a.generic_reason;
  for (const auto& x : a.listings)
    l.listings.push_back(x.list->id + " (" + x.list->display_zone + "): " + util::join(x.answers(), ",") + " - " +
                         util::sanitize(util::join(x.meanings(), "; "), 300) + (x.list->delist.empty() ? "" : " - " + x.list->delist));
  l.lists_checked = a.lists_checked;
  l.lists_unknown = a.errors.size();
  return l;
}

/// The live check of the sending IP: scan_addresses with ctx's resolver. Never fails the command.
struct Live {
  std::unique_ptr<data::Catalogue> blocklists;  ///< the reports point into it: it lives as long as they do
  mail::LiveCheck check;
  std::optional<assess::AddressReport> report;
  std::vector<Finding> findings;
};

Result<Live> live_check(Context& ctx, const std::string& ip_text) {
  Live live;
  auto ip = util::IpAddress::parse(ip_text);
  if (!ip) return live;
  live.check.attempted = true;
  auto target = assess::parse_target(ip_text);
  if (!target) {
    live.check.error = target.error().message;
    return live;
  }
  auto cat = load_catalogue(ctx);
  if (!cat) return tl::unexpected(cat.error());
  live.blocklists = std::make_unique<data::Catalogue>(std::move(*cat));
  auto resolver = ctx.dns();
  if (!resolver) {
    live.check.error = resolver.error().message;
    return live;
  }
  assess::ScanOptions opts;
  opts.max_addresses = 1;
  opts.window = ctx.resolver_options.concurrency;
  std::vector<assess::Target> targets{*target};
  auto task = assess::scan_addresses(**resolver, ctx.loop, *live.blocklists, std::move(targets), opts);
  assess::ScanReport scan = ctx.loop.run(std::move(task));
  if (auto dead = ctx.unreachable_resolver()) {
    live.check.error = *dead;
    return live;
  }
  if (scan.addresses.empty()) {
    live.check.error = !scan.fatal.empty() ? scan.fatal : std::string("no result");
    return live;
  }
  const assess::AddressReport& a = scan.addresses.front();
  live.check = live_from(a);
  if (a.rdns.fcrdns == rdns::Fcrdns::unknown && scan.answered == 0 && scan.listed == 0) {
    live.check.done = false;
    live.check.error = a.rdns.error.empty() ? std::string("no DNS answer") : a.rdns.error;
  }
  live.findings = assess::address_findings(a);
  for (auto& f : assess::list_findings(scan)) live.findings.push_back(std::move(f));
  live.report = a;
  return live;
}

std::string receiver_name(const mail::BounceInfo& info, const mail::Diagnosis& d, bool de) {
  if (d.receiver != nullptr) return d.receiver->name;
  if (!info.remote_mta.empty()) return info.remote_mta;
  return de ? "Der Empfänger" : "The receiver";
}

void field(std::string& out, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  out += "  ";
  out += label;
  std::size_t width = 0;
  for (char c : label) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  for (std::size_t i = width; i < 18; ++i) out += ' ';
  out += value;
  out += '\n';
}

std::string explanation_text(const mail::BounceInfo& info, const mail::Diagnosis& d, const Live& live, bool de) {
  std::string out;
  const std::string receiver = receiver_name(info, d, de);
  if (d.rejection) {
    out += de ? (d.temporary ? "Vorübergehend abgelehnt von " : "Abgelehnt von ") : (d.temporary ? "Temporarily refused by " : "Refused by ");
    out += receiver + "\n";
  } else {
    out += de ? "Empfangene Nachricht" : "Received message";
    if (d.receiver != nullptr) out += (de ? " bei " : " at ") + d.receiver->name;
    out += "\n";
  }
  std::string remote = info.remote_mta;
  if (!info.remote_ip.empty()) remote += (remote.empty() ? "" : " ") + std::string("[") + info.remote_ip + "]";
  field(out, de ? "Server:" : "Server:", remote);
  field(out, de ? "Antwort:" : "Reply:", info.reply);
  field(out, de ? "SMTP-Phase:" : "SMTP stage:", info.smtp_command);
  field(out, de ? "Code:" : "Code:", d.receiver_code);
  if (d.category) field(out, de ? "Kategorie:" : "Category:", data::to_string(*d.category));
  field(out, de ? "Empfänger:" : "Recipient:", info.recipient);
  if (!info.dsn_status.empty()) field(out, "DSN:", info.dsn_status + (info.action.empty() ? "" : " (" + info.action + ")"));
  field(out, de ? "Meldender Server:" : "Reported by:", info.reporting_mta);
  if (!d.sending_ip.empty())
    field(out, de ? "Sendende IP:" : "Sending IP:",
          d.sending_ip + (info.sending_ip_source == "received" ? (de ? " (Received-Kette)" : " (Received chain)")
                                                               : (de ? " (aus der Antwort)" : " (from the reply)")));
  for (const auto& s : info.dkim) field(out, "DKIM:", "d=" + s.domain + " s=" + s.selector);
  for (const auto& v : info.auth) field(out, "Auth:", v.method + "=" + v.result);
  const std::string& meaning = de ? d.meaning_de : d.meaning_en;
  if (!meaning.empty()) out += (de ? "Was passiert ist: " : "What happened: ") + meaning + "\n";
  if (d.rejection) {
    out += (de ? "Wer es beheben kann: " : "Who can fix it: ") + who_text(d.who_can_fix, de);
    if (d.contact != nullptr) out += (de ? " - Kontakt: " : " - contact: ") + d.contact->address;
    else if (d.receiver != nullptr && !d.receiver->postmaster.empty()) out += " - " + d.receiver->postmaster;
    out += "\n";
  }
  if (live.check.attempted) {
    out += (de ? "Live-Prüfung von " : "Live check of ") + d.sending_ip + ": ";
    if (!live.check.done) {
      out += (de ? "nicht möglich (unbekannt): " : "not possible (unknown): ") + live.check.error + "\n";
    } else {
      const std::string& fc = live.check.fcrdns;
      const std::string fc_word = fc == "confirmed"       ? (de ? "vorwärts bestätigt" : "forward-confirmed")
                                  : fc == "not-confirmed" ? (de ? "NICHT vorwärts bestätigt" : "NOT forward-confirmed")
                                  : fc == "no-ptr"        ? (de ? "kein PTR" : "no PTR")
                                                          : (de ? "unbekannt" : "unknown");
      out += "PTR " + (live.check.ptr.empty() ? std::string("-") : util::join(live.check.ptr, ", ")) + " (" + fc_word + ")";
      out += live.check.listings.empty()
                 ? (de ? ", auf keiner von " + util::format_uint(live.check.lists_checked) + " Listen" : ", not listed on " + util::format_uint(live.check.lists_checked) + " lists")
                 : (de ? ", GELISTET auf " : ", LISTED on ") + util::format_uint(live.check.listings.size());
      out += "\n";
      for (const auto& l : live.check.listings) out += (de ? "  GELISTET  " : "  LISTED    ") + l + "\n";
    }
  }
  return out;
}

}  // namespace

Result<CommandResult> cmd_bounce(Context& ctx) {
  // More than max_input_bytes is the parser's "limit" error: it gets the extra byte.
  auto input = read_input(ctx.args, "bounce", mail::max_input_bytes);
  if (!input) return tl::unexpected(input.error());
  auto receivers = data::load_receivers(lists_file(ctx, "receivers.toml"));
  if (!receivers) return tl::unexpected(receivers.error());
  for (const auto& w : receivers->warnings) ctx.notes.push_back(w);
  auto parsed = mail::parse_bounce(input->data);
  if (!parsed) return tl::unexpected(parsed.error());
  const mail::BounceInfo& info = *parsed;
  const mail::Diagnosis d = mail::diagnose(info, *receivers);
  const bool de = ctx.render.lang == report::Lang::de;

  Live live;
  if (!d.sending_ip.empty()) {
    auto l = live_check(ctx, d.sending_ip);
    if (!l) return tl::unexpected(l.error());
    live = std::move(*l);
  }

  CommandResult r;
  r.command = "bounce";
  const std::string receiver = receiver_name(info, d, false);
  const std::string category = d.category ? std::string(data::to_string(*d.category)) : std::string();

  if (d.rejection) {
    Finding f;
    f.id = d.temporary ? "bounce.deferred" : "bounce.refused";
    f.severity = d.temporary ? Severity::warning : Severity::critical;
    f.who_can_fix = d.who_can_fix;
    f.subject = info.recipient;
    const data::ReplyCategory cat = d.category.value_or(data::ReplyCategory::other);
    std::string contact_en, contact_de;
    if (d.contact != nullptr) {
      contact_en = " Contact: " + d.contact->address + " (" + d.contact->purpose_en + ")";
      contact_de = " Kontakt: " + d.contact->address + " (" + d.contact->purpose_de + ")";
    } else if (d.receiver != nullptr && !d.receiver->postmaster.empty()) {
      contact_en = " Receiver's postmaster site: " + d.receiver->postmaster;
      contact_de = " Postmaster-Seite des Empfängers: " + d.receiver->postmaster;
    }
    f.arg("receiver", receiver)
        .arg("recipient", info.recipient.empty() ? std::string("?") : info.recipient)
        .arg("category", category)
        .arg("reply", info.reply.empty() ? std::string("-") : info.reply)
        .arg("meaning_en", d.meaning_en)
        .arg("meaning_de", d.meaning_de)
        .arg("who_en", who_text(d.who_can_fix, false))
        .arg("who_de", who_text(d.who_can_fix, true))
        .arg("action_en", std::string(mail::category_action(cat, false)))
        .arg("action_de", std::string(mail::category_action(cat, true)))
        .arg("contact_en", contact_en)
        .arg("contact_de", contact_de);
    f.evidence = info.reply;
    r.findings.push_back(std::move(f));
    if (d.sending_ip.empty()) {
      Finding n;
      n.id = "bounce.no-sending-ip";
      n.severity = Severity::info;
      n.who_can_fix = Fixer::provider;
      n.arg("reporting_mta", info.reporting_mta.empty() ? std::string("-") : info.reporting_mta);
      r.findings.push_back(std::move(n));
    }
  } else {
    Finding f;
    f.id = "bounce.delivered";
    f.severity = Severity::info;
    f.arg("receiver", d.receiver != nullptr ? d.receiver->name : (info.received_by.empty() ? std::string("?") : info.received_by))
        .arg("ip", d.sending_ip.empty() ? std::string("?") : d.sending_ip)
        .arg("handed_by", info.handed_by.empty() ? std::string("?") : info.handed_by)
        .arg("received_by", info.received_by.empty() ? std::string("?") : info.received_by);
    r.findings.push_back(std::move(f));
    for (const auto& v : d.failed_auth) {
      Finding a;
      a.id = "bounce.auth-failed";
      a.severity = Severity::warning;
      a.who_can_fix = Fixer::domain_owner;
      a.arg("method", v.method).arg("result", v.result).arg("detail", v.detail);
      r.findings.push_back(std::move(a));
    }
  }
  for (const auto& n : info.notes) {
    Finding f;
    f.id = "bounce.input-damaged";
    f.severity = Severity::info;
    f.arg("note", n).arg("note_de", note_de(n));
    r.findings.push_back(std::move(f));
  }
  if (live.check.attempted && !live.check.done) {
    Finding f;
    f.id = "bounce.live-check-failed";
    f.severity = Severity::warning;
    f.subject = d.sending_ip;
    f.arg("ip", d.sending_ip).arg("error", util::sanitize(live.check.error, 400));
    r.findings.push_back(std::move(f));
  } else {
    for (auto& f : live.findings) r.findings.push_back(std::move(f));
  }

  // Status: a permanent refusal is CRITICAL, a temporary one WARNING; the live findings may add to
  // it; a live check that could not be done is at least WARNING.
  report::Status status = report::Status::ok;
  for (const auto& f : r.findings) status = report::worst(status, report::from_severity(f.severity));
  if (live.check.attempted && (!live.check.done || live.check.lists_unknown > 0)) status = report::worst(status, report::Status::warning);
  if (!d.rejection && d.sending_ip.empty() && info.auth.empty()) status = report::Status::unknown;
  r.status = status;

  const std::string report_en = mail::provider_report(info, d, live.check, false);
  const std::string report_de = mail::provider_report(info, d, live.check, true);
  const std::string& report_text = de ? report_de : report_en;

  nlohmann::json& j = r.data;
  j["kind"] = std::string(mail::to_string(info.kind));
  j["shape"] = info.shape;
  j["receiver"] = d.receiver != nullptr ? d.receiver->id : std::string();
  if (d.receiver != nullptr) j["receiver_name"] = d.receiver->name;
  j["remote_mta"] = info.remote_mta;
  if (!info.remote_ip.empty()) j["remote_ip"] = info.remote_ip;
  if (info.smtp_code) j["smtp_code"] = *info.smtp_code;
  else j["smtp_code"] = nullptr;
  j["enhanced_code"] = info.enhanced_code;
  j["receiver_code"] = d.receiver_code;
  j["sending_ip"] = d.sending_ip;
  if (!info.sending_ip_source.empty()) j["sending_ip_source"] = info.sending_ip_source;
  j["recipient"] = info.recipient;
  j["category"] = category;
  j["temporary"] = d.temporary;
  j["reply"] = info.reply;
  if (!info.smtp_command.empty()) j["smtp_command"] = info.smtp_command;
  if (!info.dsn_status.empty()) j["dsn_status"] = info.dsn_status;
  if (!info.action.empty()) j["action"] = info.action;
  if (!info.reporting_mta.empty()) j["reporting_mta"] = info.reporting_mta;
  if (!info.subject.empty()) j["subject"] = info.subject;
  j["meaning"] = de ? d.meaning_de : d.meaning_en;
  j["who_can_fix"] = std::string(to_string(d.who_can_fix));
  if (d.contact != nullptr) j["contact"] = d.contact->address;
  if (!info.dkim.empty()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& s : info.dkim) a.push_back({{"domain", s.domain}, {"selector", s.selector}});
    j["dkim"] = a;
  }
  if (!info.auth.empty()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& v : info.auth) a.push_back({{"method", v.method}, {"result", v.result}, {"detail", v.detail}});
    j["authentication_results"] = a;
    j["authserv_id"] = info.auth_serv_id;
  }
  nlohmann::json addresses = nlohmann::json::array();
  if (live.report) addresses.push_back(address_json(*live.report));
  j["addresses"] = addresses;
  if (live.check.attempted) {
    j["live_check"] = live.check.done ? std::string("done") : std::string("unknown");
    if (!live.check.done) j["live_check_error"] = util::sanitize(live.check.error, 400);
  }
  j["report"] = report_text;

  if (ctx.vm.count("report") && ctx.render.format == report::Format::text) {
    r.text = report_text;
    r.findings.clear();  // the text is for forwarding; the findings are in --format json
  } else {
    r.text = explanation_text(info, d, live, de);
  }
  if (d.rejection) {
    r.summary = receiver + (d.temporary ? " deferred: " : " refused: ") + (info.smtp_code ? util::format_uint(static_cast<std::size_t>(*info.smtp_code)) + " " : "") +
                (d.receiver_code.empty() ? "" : d.receiver_code + " ") + category;
  } else {
    r.summary = "received message" + (d.sending_ip.empty() ? std::string() : " from " + d.sending_ip) +
                (d.failed_auth.empty() ? std::string() : ", " + util::format_uint(d.failed_auth.size()) + " auth result(s) not pass");
  }
  if (live.check.attempted)
    r.summary += live.check.done ? "; " + d.sending_ip + " listed on " + util::format_uint(live.check.listings.size()) + " list(s)"
                                 : "; live check of " + d.sending_ip + " unknown";
  r.perf.push_back(report::Perf{"listed", static_cast<double>(live.check.listings.size()), "", "", "", 0.0, std::nullopt});
  r.metrics.push_back(report::Metric{"mailrep_bounce_permanent", "1 when the bounce is a permanent refusal", {{"category", category}},
                                     d.rejection && !d.temporary ? 1.0 : 0.0});
  return r;
}

}  // namespace mailrep::cli
