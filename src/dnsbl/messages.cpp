#include "mailrep/dnsbl/messages.hpp"

namespace mailrep::dnsbl {
namespace {
// One entry per finding id, both languages side by side. {name} is replaced by the finding's argument.
constexpr MessageText k_messages[] = {
    {"dnsbl.listed",
     "{address} is listed on {list}",
     "The blocklist {list} ({zone}) answers {answer}: {meaning}. Receivers that use this list refuse or "
     "penalise mail from this address.",
     "Ask whoever runs this server (your mail provider) to stop the cause and request removal: {delist}",
     "{address} steht auf der Sperrliste {list}",
     "Die Sperrliste {list} ({zone}) antwortet {answer}: {meaning}. Empfänger, die diese Liste nutzen, lehnen "
     "Mail von dieser Adresse ab oder stufen sie ab.",
     "Bitten Sie den Betreiber dieses Servers (Ihren Mail-Anbieter), die Ursache abzustellen und die Austragung "
     "zu beantragen: {delist}"},
    {"dnsbl.unknown",
     "{count} blocklist(s) could not be asked about {address}",
     "{lists}: the queries failed (first reason: {error}), so whether {address} is listed there is not known - "
     "this is NOT evidence of a clean address.",
     "Run again later or through another (local, non-public) resolver.",
     "{count} Sperrliste(n) konnten zu {address} nicht befragt werden",
     "{lists}: die Abfragen schlugen fehl (erster Grund: {error}); ob {address} dort gelistet ist, ist unbekannt - "
     "das ist KEIN Beleg für eine saubere Adresse.",
     "Später erneut versuchen oder einen anderen (lokalen, nicht öffentlichen) Resolver verwenden."},
    {"dnsbl.allowlisted",
     "{address} is on the allowlist/reputation list {list}",
     "{list} answers {answer}: {meaning}.",
     "",
     "{address} steht auf der Positivliste {list}",
     "{list} antwortet {answer}: {meaning}.",
     ""},
    {"dnsbl.list-set-aside",
     "Blocklist {list} was not used: {health}",
     "Its RFC 5782 test points did not answer as they must ({detail}), so its answers cannot be trusted; "
     "its results are unknown.",
     "Check the resolver; if the list is gone, remove it from your lists file.",
     "Sperrliste {list} wurde nicht verwendet: {health}",
     "Ihre RFC-5782-Testeinträge antworten nicht wie vorgeschrieben ({detail}); ihren Antworten ist nicht zu "
     "trauen, ihre Ergebnisse sind unbekannt.",
     "Resolver prüfen; wenn die Liste eingestellt wurde, aus der Listen-Datei entfernen."},
    {"dnsbl.resolver-blocked",
     "The resolver is refused by {list}",
     "{list} answers with an error code ({detail}). Blocklists such as Spamhaus refuse public and large shared "
     "resolvers, so their results are unknown.",
     "Use a local recursive resolver (e.g. unbound on this host: --resolver 127.0.0.1) or a Spamhaus DQS key "
     "(--spamhaus-key).",
     "Der Resolver wird von {list} abgewiesen",
     "{list} antwortet mit einem Fehlercode ({detail}). Sperrlisten wie Spamhaus weisen öffentliche und große "
     "gemeinsam genutzte Resolver ab; ihre Ergebnisse sind daher unbekannt.",
     "Einen lokalen rekursiven Resolver verwenden (z. B. unbound auf diesem Rechner: --resolver 127.0.0.1) oder "
     "einen Spamhaus-DQS-Schlüssel (--spamhaus-key)."},
    {"rdns.no-ptr",
     "{address} has no reverse DNS (PTR) name",
     "Without a PTR record, T-Online, GMX/WEB.DE, Gmail, Yahoo and Microsoft refuse or distrust mail from "
     "this address.",
     "The owner of the address (the provider or hoster) must publish a PTR record naming a host that resolves "
     "back to {address}.",
     "{address} hat keinen Reverse-DNS-Namen (PTR)",
     "Ohne PTR-Eintrag lehnen T-Online, GMX/WEB.DE, Gmail, Yahoo und Microsoft Mail von dieser Adresse ab oder "
     "misstrauen ihr.",
     "Der Inhaber der Adresse (Anbieter oder Hoster) muss einen PTR-Eintrag setzen, dessen Name wieder auf "
     "{address} zeigt."},
    {"rdns.not-confirmed",
     "The PTR name of {address} does not point back to it",
     "{address} has the PTR name {ptr}, but that name does not resolve to {address} "
     "(no forward-confirmed reverse DNS).",
     "Add an A/AAAA record for {ptr} pointing to {address}, or change the PTR to a name that does.",
     "Der PTR-Name von {address} zeigt nicht zurück",
     "{address} hat den PTR-Namen {ptr}, aber dieser Name löst nicht auf {address} auf "
     "(kein vorwärts bestätigtes Reverse-DNS).",
     "Einen A/AAAA-Eintrag für {ptr} auf {address} setzen oder den PTR auf einen passenden Namen ändern."},
    {"rdns.unknown",
     "Reverse DNS of {address} could not be checked",
     "{error}",
     "Run again later or through another resolver.",
     "Reverse-DNS von {address} konnte nicht geprüft werden",
     "{error}",
     "Später erneut versuchen oder einen anderen Resolver verwenden."},
    {"address.more",
     "{count} more addresses with the finding {finding}",
     "The same as above for {count} further addresses from {first} to {last}; each of them is shown in the "
     "address list (addresses[] in JSON). Findings of one kind are listed for the first {keep} addresses only.",
     "",
     "{count} weitere Adressen mit dem Befund {finding}",
     "Dasselbe wie oben für {count} weitere Adressen von {first} bis {last}; jede steht in der Adressliste "
     "(addresses[] in JSON). Befunde einer Art werden nur für die ersten {keep} Adressen einzeln aufgeführt.",
     ""},
    {"rdns.generic",
     "The PTR name of {address} looks generic or dynamic",
     "{ptr} {reason}. Receivers (T-Online's DIAL tag, Spamhaus PBL practice) treat such names as end-user "
     "lines, not mail servers.",
     "The provider should give this server a PTR name of its own mail host (e.g. mail.example.de).",
     "Der PTR-Name von {address} wirkt generisch oder dynamisch",
     "{ptr}: {reason}. Empfänger (T-Onlines DIAL-Kennung, Spamhaus-PBL-Praxis) halten solche Namen für "
     "Endkunden-Anschlüsse, nicht für Mailserver.",
     "Der Anbieter sollte dem Server einen eigenen Mailserver-Namen als PTR geben (z. B. mail.example.de)."},
};
}  // namespace

std::span<const MessageText> messages() { return k_messages; }

}  // namespace mailrep::dnsbl
