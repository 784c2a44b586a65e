// The text a user forwards to the provider. See include/mailrep/mail/bounce.hpp.
#include "mailrep/mail/bounce.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::mail {
namespace {

void line(std::string& out, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  out += "  ";
  out += label;
  std::size_t width = 0;
  for (char c : label) width += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  for (std::size_t i = width; i < 22; ++i) out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

std::string provider_report(const BounceInfo& info, const Diagnosis& d, const LiveCheck& live, bool de) {
  std::string out;
  const std::string receiver = d.receiver != nullptr ? d.receiver->name
                               : !info.remote_mta.empty() ? info.remote_mta
                                                          : std::string(de ? "der Empfänger" : "the receiver");
  const std::string ip = d.sending_ip;
  const data::ReplyCategory cat = d.category.value_or(data::ReplyCategory::other);

  out += de ? "Betreff: " : "Subject: ";
  if (d.rejection) {
    out += de ? "Mail abgelehnt von " : "Mail refused by ";
    out += receiver;
    if (info.smtp_code || !d.receiver_code.empty()) out += ":";
    if (info.smtp_code) out += " " + util::format_uint(static_cast<std::size_t>(*info.smtp_code));
    if (!d.receiver_code.empty()) out += " " + d.receiver_code;
  } else {
    out += de ? "Prüfung einer empfangenen Nachricht" : "Check of a received message";
  }
  if (!ip.empty()) out += de ? " - bitte " + ip + " prüfen" : " - please check " + ip;
  out += "\n\n";
  out += de ? "Hallo,\n\n" : "Hello,\n\n";
  if (d.rejection) {
    out += de ? (d.temporary ? "eine über Ihren Server versandte Nachricht wurde von " + receiver + " vorübergehend zurückgewiesen.\n"
                             : "eine über Ihren Server versandte Nachricht wurde von " + receiver + " abgelehnt.\n")
              : (d.temporary ? "a message sent through your server was temporarily refused by " + receiver + ".\n"
                             : "a message sent through your server was refused by " + receiver + ".\n");
  } else {
    out += de ? "ich habe die Kopfzeilen einer Nachricht geprüft, die über Ihren Server zugestellt wurde.\n"
              : "I checked the headers of a message delivered through your server.\n";
  }
  out += "\n";
  line(out, de ? "Empfänger:" : "Recipient:", info.recipient);
  std::string remote = info.remote_mta;
  if (!info.remote_ip.empty()) remote += (remote.empty() ? "" : " ") + std::string("[") + info.remote_ip + "]";
  line(out, de ? "Ablehnender Server:" : "Refusing server:", remote);
  if (!info.smtp_command.empty()) line(out, de ? "Zeitpunkt (SMTP):" : "SMTP stage:", info.smtp_command);
  line(out, de ? "Genaue Antwort:" : "Exact reply:", info.reply);
  if (!info.dsn_status.empty()) {
    std::string st = info.dsn_status;
    if (!info.action.empty()) st += " (" + info.action + ")";
    line(out, de ? "DSN-Status:" : "DSN status:", st);
  }
  line(out, de ? "Meldender Server:" : "Reporting server:", info.reporting_mta);
  if (!d.receiver_code.empty()) line(out, de ? "Code des Empfängers:" : "Receiver's code:", d.receiver_code);
  if (d.category) line(out, de ? "Kategorie:" : "Category:", data::to_string(*d.category));
  std::string ip_line = ip.empty() ? std::string(de ? "(nicht in der Meldung genannt)" : "(not stated in the bounce)") : ip;
  if (!ip.empty() && !info.sending_ip_source.empty())
    ip_line += info.sending_ip_source == "received" ? (de ? " (aus der Received-Kette)" : " (from the Received chain)")
                                                    : (de ? " (aus der Antwort)" : " (from the reply)");
  line(out, de ? "Sendende IP:" : "Sending IP:", ip_line);
  for (const DkimSignature& s : info.dkim) line(out, "DKIM-Signature:", "d=" + s.domain + " s=" + s.selector);
  for (const AuthVerdict& v : info.auth) line(out, de ? "Auth-Ergebnis:" : "Auth result:", v.method + "=" + v.result + (v.detail.empty() ? "" : " " + v.detail));
  out += "\n";
  const std::string meaning = de ? d.meaning_de : d.meaning_en;
  if (!meaning.empty()) out += (de ? "Bedeutung: " : "Meaning: ") + meaning + "\n\n";

  if (!ip.empty()) {
    out += de ? "Aktuelle Prüfung von " + ip + ":\n" : "Current check of " + ip + ":\n";
    if (!live.attempted) {
      out += de ? "  nicht durchgeführt\n" : "  not done\n";
    } else if (!live.done) {
      out += de ? "  nicht möglich: " + live.error + " (unbekannt)\n" : "  not possible: " + live.error + " (unknown)\n";
    } else {
      std::string ptr = live.ptr.empty() ? "-" : util::join(live.ptr, ", ");
      std::string fc = live.fcrdns;
      if (fc == "confirmed") fc = de ? "vorwärts bestätigt" : "forward-confirmed";
      else if (fc == "not-confirmed") fc = de ? "NICHT vorwärts bestätigt" : "NOT forward-confirmed";
      else if (fc == "no-ptr") fc = de ? "kein PTR" : "no PTR";
      else fc = de ? "unbekannt" : "unknown";
      line(out, "PTR:", ptr + " (" + fc + ")");
      if (!live.ptr_generic.empty()) line(out, de ? "PTR generisch:" : "PTR looks generic:", live.ptr_generic);
      if (live.listings.empty()) {
        line(out, de ? "Blocklisten:" : "Blocklists:",
             de ? "auf keiner von " + util::format_uint(live.lists_checked) + " geprüften Listen" : "not listed on any of " + util::format_uint(live.lists_checked) + " lists checked");
      } else {
        for (const std::string& l : live.listings) line(out, de ? "GELISTET:" : "LISTED:", l);
      }
      if (live.lists_unknown > 0)
        line(out, de ? "Unbekannt:" : "Unknown:",
             util::format_uint(live.lists_unknown) + (de ? " Liste(n) konnten nicht befragt werden" : " list(s) could not be asked"));
    }
    out += "\n";
  }

  out += de ? "Bitte:\n" : "Please:\n";
  if (d.rejection || d.category) {
    out += "  - " + std::string(category_action(cat, de)) + "\n";
  } else {
    out += de ? "  - keine Auffälligkeiten; zur Kenntnis.\n" : "  - nothing wrong was found; for your information.\n";
  }
  if (d.contact != nullptr) {
    const std::string& purpose = de ? d.contact->purpose_de : d.contact->purpose_en;
    out += de ? "  - Kontakt beim Empfänger: " + d.contact->address + " (" + purpose + ")\n"
              : "  - Receiver's contact: " + d.contact->address + " (" + purpose + ")\n";
  } else if (d.receiver != nullptr && !d.receiver->postmaster.empty()) {
    out += de ? "  - Postmaster-Seite des Empfängers: " + d.receiver->postmaster + "\n"
              : "  - Receiver's postmaster site: " + d.receiver->postmaster + "\n";
  }
  if (ip.empty() && d.rejection)
    out += de ? "  - Bitte teilen Sie mir mit, über welche IP-Adresse die Nachricht versandt wurde.\n"
              : "  - Please tell me which IP address the message was sent from.\n";
  out += de ? "\nVielen Dank.\n" : "\nThank you.\n";
  return out;
}

}  // namespace mailrep::mail
