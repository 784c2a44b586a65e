#include "mailrep/mail/messages.hpp"

namespace mailrep::mail {
namespace {
// One entry per finding id, both languages side by side. {name} is replaced by the finding's argument.
constexpr MessageText k_messages[] = {
    {"bounce.refused",
     "{receiver} refused the message to {recipient} ({category})",
     "{meaning_en}",
     "{who_en}: {action_en}{contact_en}",
     "{receiver} hat die Nachricht an {recipient} abgelehnt ({category})",
     "{meaning_de}",
     "{who_de}: {action_de}{contact_de}"},
    {"bounce.deferred",
     "{receiver} temporarily refused the message to {recipient} ({category})",
     "{meaning_en} The sending server retries; the mail may still arrive.",
     "{who_en}: {action_en}{contact_en}",
     "{receiver} hat die Nachricht an {recipient} vorübergehend abgelehnt ({category})",
     "{meaning_de} Der sendende Server versucht es erneut; die Mail kann noch ankommen.",
     "{who_de}: {action_de}{contact_de}"},
    {"bounce.delivered",
     "The message reached {receiver} from {ip}",
     "The Received chain shows {ip} ({handed_by}) handing the message to {received_by}.",
     "",
     "Die Nachricht erreichte {receiver} von {ip}",
     "Die Received-Kette zeigt, dass {ip} ({handed_by}) die Nachricht an {received_by} übergeben hat.",
     ""},
    {"bounce.auth-failed",
     "{method} did not pass at the receiver: {result}",
     "The receiver's Authentication-Results say {method}={result} {detail}. Receivers such as Gmail, Yahoo, "
     "Microsoft and GMX/WEB.DE refuse or junk mail whose SPF/DKIM/DMARC do not pass.",
     "Whoever manages the domain's DNS and the sending server: publish a correct SPF record, sign with DKIM for the "
     "From domain, and check the DMARC record.",
     "{method} wurde beim Empfänger nicht bestanden: {result}",
     "Die Authentication-Results des Empfängers lauten {method}={result} {detail}. Empfänger wie Gmail, Yahoo, "
     "Microsoft und GMX/WEB.DE lehnen Mail ohne bestandenes SPF/DKIM/DMARC ab oder sortieren sie als Spam ein.",
     "Wer das DNS der Domain und den sendenden Server verwaltet: korrekten SPF-Eintrag veröffentlichen, mit DKIM für "
     "die From-Domain signieren und den DMARC-Eintrag prüfen."},
    {"bounce.no-sending-ip",
     "The bounce does not name the sending IP address",
     "Neither the reply nor the bounce states which address delivered the message, so it could not be checked "
     "live. The reporting server was: {reporting_mta}.",
     "Ask your provider which outbound server sent the message, or check it with 'mailrep ip ADDRESS'.",
     "Die Meldung nennt die sendende IP-Adresse nicht",
     "Weder die Antwort noch die Meldung nennen die einliefernde Adresse; sie konnte daher nicht live geprüft werden. "
     "Meldender Server: {reporting_mta}.",
     "Fragen Sie Ihren Anbieter, welcher Ausgangsserver die Nachricht versandt hat, oder prüfen Sie ihn mit "
     "'mailrep ip ADRESSE'."},
    {"bounce.live-check-failed",
     "The sending IP {ip} could not be checked live",
     "The blocklist and PTR state of {ip} is unknown; the explanation above does not depend on it. Reason: {error}",
     "Run again with a working resolver (--resolver HOST), or check later with 'mailrep ip {ip}'.",
     "Die sendende IP {ip} konnte nicht live geprüft werden",
     "Sperrlisten- und PTR-Stand von {ip} sind unbekannt; die Erklärung oben hängt davon nicht ab. Grund: {error}",
     "Mit funktionierendem Resolver erneut ausführen (--resolver HOST) oder später 'mailrep ip {ip}' aufrufen."},
    {"bounce.input-damaged",
     "Parts of the input could not be read",
     "{note}. What could be read was used.",
     "",
     "Teile der Eingabe waren nicht lesbar",
     "{note_de}. Verwendet wurde, was lesbar war.",
     ""},
};
}  // namespace

std::span<const MessageText> messages() { return k_messages; }

}  // namespace mailrep::mail
