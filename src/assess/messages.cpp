#include "mailrep/assess/messages.hpp"

namespace mailrep::assess {
namespace {
constexpr MessageText k_messages[] = {
    {"mx.missing",
     "{domain} has no MX record",
     "Receivers check that a sender's domain can receive mail (bounces, replies); without MX they fall back to "
     "the domain's A record or refuse the mail.",
     "Publish MX records, e.g. {domain} MX 10 mx.your-provider.example",
     "{domain} hat keinen MX-Eintrag",
     "Empfänger prüfen, ob die Absenderdomain Mail empfangen kann (Bounces, Antworten); ohne MX greifen sie auf "
     "den A-Eintrag zurück oder lehnen die Mail ab.",
     "MX-Einträge veröffentlichen, z. B. {domain} MX 10 mx.ihr-anbieter.example"},
    {"mx.null",
     "{domain} says it accepts no mail (null MX)",
     "The domain publishes a null MX (RFC 7505). Receivers may refuse mail from a domain that cannot take replies.",
     "Remove the null MX if the domain sends mail.",
     "{domain} erklärt, keine Mail anzunehmen (Null-MX)",
     "Die Domain veröffentlicht einen Null-MX (RFC 7505). Empfänger können Mail einer Domain ablehnen, die keine "
     "Antworten annimmt.",
     "Den Null-MX entfernen, wenn die Domain Mail versendet."},
    {"mx.unknown",
     "The MX records of {domain} could not be looked up",
     "{error}",
     "Run again later or through another resolver.",
     "Die MX-Einträge von {domain} konnten nicht abgefragt werden",
     "{error}",
     "Später erneut versuchen oder einen anderen Resolver verwenden."},
    {"domain.nxdomain",
     "{domain} does not exist in DNS",
     "The name does not exist (NXDOMAIN). Every receiver refuses mail from a sender domain that does not exist.",
     "Check the spelling; register or fix the domain's delegation.",
     "{domain} existiert im DNS nicht",
     "Der Name existiert nicht (NXDOMAIN). Jeder Empfänger lehnt Mail von einer nicht existierenden Absenderdomain ab.",
     "Schreibweise prüfen; die Domain registrieren oder ihre Delegation reparieren."},
    {"outbound.none",
     "No sending server found for {domain}",
     "Neither provider knowledge, SPF, MX nor submission records named an address that sends this domain's mail, "
     "so the servers themselves could not be checked.",
     "Give the sending server with --ip ADDRESS, or run mailrep bounce on a received message to find it.",
     "Kein sendender Server für {domain} gefunden",
     "Weder Anbieterwissen noch SPF, MX oder Submission-Einträge nannten eine Adresse, die die Mail dieser Domain "
     "versendet; die Server selbst konnten daher nicht geprüft werden.",
     "Den sendenden Server mit --ip ADRESSE angeben oder mailrep bounce auf eine empfangene Nachricht anwenden."},
    {"imprint.missing",
     "No imprint found on the website of {domain}",
     "T-Online wants the sending server's name to lead to a website with an imprint (Impressum) or contact page. "
     "The website of {domain} answered, but no such link was found ({evidence}).",
     "The owner of {domain} (usually your provider, who names its servers after it) should link an imprint/contact "
     "page from the home page.",
     "Kein Impressum auf der Website von {domain} gefunden",
     "T-Online erwartet, dass der Name des sendenden Servers zu einer Website mit Impressum oder Kontaktseite führt. "
     "Die Website von {domain} antwortete, aber ein solcher Link wurde nicht gefunden ({evidence}).",
     "Der Inhaber von {domain} (meist Ihr Anbieter, der seine Server danach benennt) sollte auf der Startseite ein "
     "Impressum bzw. eine Kontaktseite verlinken."},
    {"imprint.unreachable",
     "The website of {domain} could not be reached",
     "T-Online wants the sending server's name to lead to a website with an imprint. The website of {domain} did not "
     "answer: {evidence}. This may be temporary, or the domain has no website at all.",
     "The owner of {domain} should run a website (https) with an imprint/contact page.",
     "Die Website von {domain} war nicht erreichbar",
     "T-Online erwartet, dass der Name des sendenden Servers zu einer Website mit Impressum führt. Die Website von "
     "{domain} antwortete nicht: {evidence}. Das kann vorübergehend sein, oder die Domain hat keine Website.",
     "Der Inhaber von {domain} sollte eine Website (https) mit Impressum/Kontaktseite betreiben."},
};
}  // namespace

std::span<const MessageText> messages() { return k_messages; }

}  // namespace mailrep::assess
