#include "mailrep/auth/messages.hpp"

namespace mailrep::auth {
namespace {
// One entry per finding id, both languages side by side. {name} is replaced by the finding's argument.
constexpr MessageText k_messages[] = {
    // --- DMARC ---------------------------------------------------------------------------------
    {"dmarc.missing",
     "{domain} has no DMARC record",
     "Neither _dmarc.{domain} nor a parent domain up to {org_domain} publishes a DMARC record. Gmail and Yahoo "
     "require one (p=none is enough) from bulk senders, Microsoft from senders of more than 5,000 messages a day; "
     "without it anyone can send in the domain's name unnoticed.",
     "Publish _dmarc.{domain} TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\", read the reports for a few "
     "weeks, then tighten to p=quarantine and p=reject.",
     "{domain} hat keinen DMARC-Eintrag",
     "Weder _dmarc.{domain} noch eine übergeordnete Domain bis {org_domain} veröffentlicht einen DMARC-Eintrag. "
     "Gmail und Yahoo verlangen ihn (p=none genügt) von Massenversendern, Microsoft ab 5.000 Nachrichten am Tag; "
     "ohne ihn kann jeder unbemerkt im Namen der Domain senden.",
     "Veröffentlichen Sie _dmarc.{domain} TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\", werten Sie einige "
     "Wochen die Berichte aus und verschärfen Sie dann auf p=quarantine und p=reject."},
    {"dmarc.multiple",
     "{domain} publishes {count} DMARC records",
     "With more than one v=DMARC1 record at _dmarc.{domain} receivers discard all of them (RFC 7489 6.6.3, "
     "RFC 9989): the domain is treated as having no DMARC record of its own.",
     "Keep exactly one TXT record at _dmarc.{domain}, e.g. \"v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}\", "
     "and delete the others.",
     "{domain} veröffentlicht {count} DMARC-Einträge",
     "Bei mehr als einem v=DMARC1-Eintrag unter _dmarc.{domain} verwerfen Empfänger alle (RFC 7489 6.6.3, "
     "RFC 9989): die Domain gilt als ohne eigenen DMARC-Eintrag.",
     "Behalten Sie genau einen TXT-Eintrag unter _dmarc.{domain}, z. B. \"v=DMARC1; p=quarantine; "
     "rua=mailto:dmarc@{domain}\", und löschen Sie die anderen."},
    {"dmarc.syntax",
     "The DMARC record of {domain} has an error",
     "At position {position}: {problem}. Receivers ignore the faulty part and use defaults.",
     "Correct the TXT record at _dmarc.{domain}; a valid example: \"v=DMARC1; p=quarantine; "
     "rua=mailto:dmarc@{domain}\".",
     "Der DMARC-Eintrag von {domain} enthält einen Fehler",
     "An Position {position}: {problem}. Empfänger ignorieren den fehlerhaften Teil und verwenden Vorgaben.",
     "Korrigieren Sie den TXT-Eintrag unter _dmarc.{domain}; ein gültiges Beispiel: \"v=DMARC1; p=quarantine; "
     "rua=mailto:dmarc@{domain}\"."},
    {"dmarc.unusable",
     "The DMARC record of {domain} is unusable",
     "At position {position}: {problem}. Receivers ignore the whole record, so the domain has no DMARC policy.",
     "Replace the TXT record at _dmarc.{domain} with a valid one, e.g. \"v=DMARC1; p=quarantine; "
     "rua=mailto:dmarc@{domain}\".",
     "Der DMARC-Eintrag von {domain} ist unbrauchbar",
     "An Position {position}: {problem}. Empfänger ignorieren den ganzen Eintrag; die Domain hat damit keine "
     "DMARC-Richtlinie.",
     "Ersetzen Sie den TXT-Eintrag unter _dmarc.{domain} durch einen gültigen, z. B. \"v=DMARC1; p=quarantine; "
     "rua=mailto:dmarc@{domain}\"."},
    {"dmarc.inherited",
     "{domain} uses the DMARC record of {record_domain}",
     "{domain} has no DMARC record of its own; receivers apply the record of {record_domain}, which gives mail "
     "from {domain} the policy {policy}.",
     "Nothing to do if that is intended. For a different policy publish _dmarc.{domain} TXT \"v=DMARC1; "
     "p=quarantine; rua=mailto:dmarc@{record_domain}\".",
     "{domain} verwendet den DMARC-Eintrag von {record_domain}",
     "{domain} hat keinen eigenen DMARC-Eintrag; Empfänger wenden den Eintrag von {record_domain} an, der Mail "
     "von {domain} die Richtlinie {policy} gibt.",
     "Nichts zu tun, wenn das so gewollt ist. Für eine andere Richtlinie _dmarc.{domain} TXT \"v=DMARC1; "
     "p=quarantine; rua=mailto:dmarc@{record_domain}\" veröffentlichen."},
    {"dmarc.p-none",
     "The DMARC policy of {domain} only monitors (p=none)",
     "With {policy} receivers deliver mail that fails DMARC as usual: forged mail in the domain's name is not "
     "stopped. Gmail and Yahoo accept p=none from bulk senders, so this does not block mail.",
     "Once the aggregate reports show that all legitimate mail passes, change _dmarc.{domain} to \"v=DMARC1; "
     "p=quarantine; rua=mailto:dmarc@{domain}\" and later p=reject.",
     "Die DMARC-Richtlinie von {domain} beobachtet nur (p=none)",
     "Mit {policy} stellen Empfänger Mail, die DMARC nicht besteht, normal zu: gefälschte Mail im Namen der "
     "Domain wird nicht aufgehalten. Gmail und Yahoo akzeptieren p=none bei Massenversendern; Mail wird dadurch "
     "nicht blockiert.",
     "Sobald die Sammelberichte zeigen, dass alle legitime Mail besteht, _dmarc.{domain} auf \"v=DMARC1; "
     "p=quarantine; rua=mailto:dmarc@{domain}\" und später auf p=reject ändern."},
    {"dmarc.p-missing",
     "The DMARC record of {domain} has no p= tag",
     "Receivers following RFC 9989 treat it as p=none; older RFC 7489 receivers may ignore the record entirely.",
     "Add the policy explicitly: _dmarc.{domain} TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\".",
     "Der DMARC-Eintrag von {domain} hat kein p=",
     "Empfänger nach RFC 9989 behandeln ihn wie p=none; ältere Empfänger nach RFC 7489 ignorieren ihn "
     "womöglich ganz.",
     "Die Richtlinie ausdrücklich angeben: _dmarc.{domain} TXT \"v=DMARC1; p=none; rua=mailto:dmarc@{domain}\"."},
    {"dmarc.sp-weaker",
     "Subdomains of {domain} are protected less than the domain",
     "The record says {policy}: mail from subdomains that fails DMARC is treated more leniently, a common way "
     "to forge mail from invented subdomains.",
     "Unless a subdomain needs it, remove sp= or set it to the same value as p= in _dmarc.{domain}.",
     "Subdomains von {domain} sind schwächer geschützt als die Domain",
     "Der Eintrag lautet {policy}: Mail von Subdomains, die DMARC nicht besteht, wird nachsichtiger behandelt - "
     "ein üblicher Weg, Mail von erfundenen Subdomains zu fälschen.",
     "Wenn keine Subdomain es braucht, sp= entfernen oder auf den Wert von p= setzen (in _dmarc.{domain})."},
    {"dmarc.np-weaker",
     "Non-existent subdomains of {domain} are protected less",
     "The record says {policy}: mail from subdomains that do not even exist is treated more leniently than mail "
     "from existing ones, although no legitimate mail can come from them.",
     "Set np=reject in _dmarc.{domain} (RFC 9989), or remove np=.",
     "Nicht existierende Subdomains von {domain} sind schwächer geschützt",
     "Der Eintrag lautet {policy}: Mail von Subdomains, die es gar nicht gibt, wird nachsichtiger behandelt als "
     "von existierenden, obwohl von dort keine legitime Mail kommen kann.",
     "np=reject in _dmarc.{domain} setzen (RFC 9989) oder np= entfernen."},
    {"dmarc.testing",
     "The DMARC policy of {domain} is in test mode",
     "t=y (or pct=0) asks receivers not to apply {policy} but at most a milder handling: the policy is not "
     "enforced.",
     "When the reports look clean, remove t=y (and pct=) from _dmarc.{domain}.",
     "Die DMARC-Richtlinie von {domain} ist im Testmodus",
     "t=y (oder pct=0) bittet Empfänger, {policy} nicht anzuwenden, sondern höchstens milder zu verfahren: die "
     "Richtlinie wird nicht durchgesetzt.",
     "Wenn die Berichte sauber aussehen, t=y (und pct=) aus _dmarc.{domain} entfernen."},
    {"dmarc.pct-partial",
     "The DMARC policy of {domain} applies to {pct}% of failing mail only",
     "pct={pct} (RFC 7489) lets receivers apply {policy} to a sample only; RFC 9989 removed pct and many "
     "receivers apply the policy to all mail or treat it as test mode.",
     "Remove pct= from _dmarc.{domain}; use t=y while testing instead.",
     "Die DMARC-Richtlinie von {domain} gilt nur für {pct} % der fehlschlagenden Mail",
     "pct={pct} (RFC 7489) lässt Empfänger {policy} nur auf eine Stichprobe anwenden; RFC 9989 hat pct "
     "gestrichen, und viele Empfänger wenden die Richtlinie auf alle Mail an oder behandeln sie als Testmodus.",
     "pct= aus _dmarc.{domain} entfernen; zum Testen stattdessen t=y verwenden."},
    {"dmarc.historic-tag",
     "The DMARC record of {domain} uses the removed tag {tag}=",
     "RFC 9989 removed pct=, rf= and ri= (RFC 7489); receivers ignore them.",
     "Remove {tag}= from _dmarc.{domain}.",
     "Der DMARC-Eintrag von {domain} verwendet das gestrichene Tag {tag}=",
     "RFC 9989 hat pct=, rf= und ri= (RFC 7489) gestrichen; Empfänger ignorieren sie.",
     "{tag}= aus _dmarc.{domain} entfernen."},
    {"dmarc.unknown-tag",
     "The DMARC record of {domain} has an unknown tag {tag}=",
     "Receivers ignore tags they do not know; a typo here means the intended setting is not in effect.",
     "Check the spelling of {tag}= in _dmarc.{domain} (known: v p sp np psd t adkim aspf rua ruf fo).",
     "Der DMARC-Eintrag von {domain} hat ein unbekanntes Tag {tag}=",
     "Empfänger ignorieren unbekannte Tags; ein Tippfehler hier bedeutet, dass die gewünschte Einstellung nicht "
     "wirkt.",
     "Schreibweise von {tag}= in _dmarc.{domain} prüfen (bekannt: v p sp np psd t adkim aspf rua ruf fo)."},
    {"dmarc.no-rua",
     "{domain} receives no DMARC aggregate reports",
     "Without rua= nobody learns which servers send in the domain's name or whether legitimate mail fails; "
     "Yahoo recommends it to bulk senders.",
     "Add rua=mailto:dmarc@{domain} to the record at _dmarc.{domain}.",
     "{domain} erhält keine DMARC-Sammelberichte",
     "Ohne rua= erfährt niemand, welche Server im Namen der Domain senden oder ob legitime Mail scheitert; Yahoo "
     "empfiehlt es Massenversendern.",
     "rua=mailto:dmarc@{domain} in den Eintrag unter _dmarc.{domain} aufnehmen."},
    {"dmarc.rua-unauthorized",
     "Reports for {domain} go to {destination}, which has not agreed to receive them",
     "{tag}={uri} lies outside the organizational domain, and {query} has no v=DMARC1 record, so receivers do "
     "not send these reports (RFC 7489 7.1).",
     "The operator of {destination} must publish {query} TXT \"v=DMARC1\" (report services do this when the "
     "domain is added to the account).",
     "Berichte für {domain} gehen an {destination}, das dem nicht zugestimmt hat",
     "{tag}={uri} liegt außerhalb der Organisationsdomain, und {query} hat keinen v=DMARC1-Eintrag; Empfänger "
     "senden diese Berichte daher nicht (RFC 7489 7.1).",
     "Der Betreiber von {destination} muss {query} TXT \"v=DMARC1\" veröffentlichen (Berichtsdienste tun das, "
     "wenn die Domain im Konto eingetragen wird)."},
    {"dmarc.rua-unknown",
     "Whether {uri} may receive reports for {domain} is unknown",
     "The lookup of {query} failed ({error}).",
     "Run the check again later.",
     "Ob {uri} Berichte für {domain} empfangen darf, ist unbekannt",
     "Die Abfrage von {query} schlug fehl ({error}).",
     "Die Prüfung später wiederholen."},
    {"dmarc.strict-alignment",
     "{domain} demands strict DMARC alignment",
     "adkim={adkim}, aspf={aspf}: with strict alignment the DKIM d= or the envelope sender domain must equal the "
     "From domain exactly; mail signed or sent with a parent or sibling domain fails DMARC.",
     "Keep it only if every sending service signs with d={domain} exactly; otherwise remove adkim=s/aspf=s.",
     "{domain} verlangt strenge DMARC-Übereinstimmung",
     "adkim={adkim}, aspf={aspf}: bei strenger Übereinstimmung muss DKIM d= bzw. die Domain des Umschlagabsenders "
     "genau der From-Domain entsprechen; mit Eltern- oder Nachbardomain signierte oder versandte Mail besteht "
     "DMARC nicht.",
     "Nur beibehalten, wenn jeder Versanddienst genau mit d={domain} signiert; sonst adkim=s/aspf=s entfernen."},
    {"dmarc.org-domain-differs",
     "The organizational domain of {domain} depends on the method",
     "The DMARC DNS tree walk (RFC 9989) finds {org_domain}; the Public Suffix List (RFC 7489) gives "
     "{org_domain_psl}. Receivers still on RFC 7489 align and look up policies differently.",
     "",
     "Die Organisationsdomain von {domain} hängt vom Verfahren ab",
     "Die DMARC-Baumsuche (RFC 9989) findet {org_domain}; die Public Suffix List (RFC 7489) ergibt "
     "{org_domain_psl}. Empfänger nach RFC 7489 prüfen Übereinstimmung und Richtlinie daher anders.",
     ""},
    {"dmarc.dns-error",
     "The DMARC record of {domain} could not be determined",
     "The lookup of {name} failed ({error}); which DMARC policy applies is unknown - this is not evidence that "
     "there is none.",
     "Run the check again later or through another resolver; if it persists, the domain's name servers are at fault.",
     "Der DMARC-Eintrag von {domain} konnte nicht ermittelt werden",
     "Die Abfrage von {name} schlug fehl ({error}); welche DMARC-Richtlinie gilt, ist unbekannt - das ist kein "
     "Beleg dafür, dass es keine gibt.",
     "Später oder über einen anderen Resolver erneut prüfen; bleibt es so, liegt der Fehler bei den Nameservern "
     "der Domain."},
    {"dmarc.not-aligned",
     "Neither DKIM nor SPF aligns with the From domain {from}",
     "DKIM d={dkim_domain} and the envelope sender domain {spf_domain} do not match {from} (adkim={adkim}, "
     "aspf={aspf}), so DMARC fails even if the signature and SPF pass. Gmail rejects such bulk mail (5.7.32), "
     "T-Online and GMX/WEB.DE want an aligned DKIM signature.",
     "Have the sending service sign with d={from} (publish its key at <selector>._domainkey.{from}) and use a "
     "bounce address under {from}.",
     "Weder DKIM noch SPF passen zur From-Domain {from}",
     "DKIM d={dkim_domain} und die Domain des Umschlagabsenders {spf_domain} passen nicht zu {from} "
     "(adkim={adkim}, aspf={aspf}); DMARC scheitert, selbst wenn Signatur und SPF bestehen. Gmail lehnt solche "
     "Massenmail ab (5.7.32), T-Online und GMX/WEB.DE verlangen eine passende DKIM-Signatur.",
     "Den Versanddienst mit d={from} signieren lassen (Schlüssel unter <selector>._domainkey.{from} "
     "veröffentlichen) und eine Bounce-Adresse unter {from} verwenden."},
    {"dmarc.dkim-not-aligned",
     "DKIM does not align with the From domain {from}; only SPF does",
     "d={dkim_domain} does not match {from} (adkim={adkim}). DMARC passes through SPF alone, which breaks when "
     "mail is forwarded; GMX/WEB.DE and T-Online want an aligned DKIM signature.",
     "Have the sending service sign with d={from}.",
     "DKIM passt nicht zur From-Domain {from}, nur SPF",
     "d={dkim_domain} passt nicht zu {from} (adkim={adkim}). DMARC besteht allein über SPF, was bei "
     "Weiterleitungen bricht; GMX/WEB.DE und T-Online verlangen eine passende DKIM-Signatur.",
     "Den Versanddienst mit d={from} signieren lassen."},
    {"dmarc.dkim-not-strict",
     "DKIM d={dkim_domain} is not exactly the From domain {from}",
     "Relaxed DMARC alignment accepts this, but T-Online has demanded strict DKIM alignment (d= equal to the From "
     "domain) since July 2025 and rejects such mail with 559 5.1.9 (DKIM reject DKIMr), whatever adkim= says.",
     "Sign with d={from} exactly (key at <selector>._domainkey.{from}).",
     "DKIM d={dkim_domain} ist nicht genau die From-Domain {from}",
     "Lockere DMARC-Übereinstimmung akzeptiert das, aber T-Online verlangt seit Juli 2025 strenge "
     "DKIM-Übereinstimmung (d= gleich der From-Domain) und lehnt solche Mail mit 559 5.1.9 (DKIM reject DKIMr) "
     "ab, unabhängig von adkim=.",
     "Genau mit d={from} signieren (Schlüssel unter <selector>._domainkey.{from})."},
    {"dmarc.spf-not-aligned",
     "SPF does not align with the From domain {from}",
     "The envelope sender domain {spf_domain} does not match {from} (aspf={aspf}); DMARC relies on DKIM alone. "
     "That is common with sending services and fine while the DKIM signature is aligned.",
     "Optionally use a bounce (Return-Path) domain under {from} with the sending service.",
     "SPF passt nicht zur From-Domain {from}",
     "Die Domain des Umschlagabsenders {spf_domain} passt nicht zu {from} (aspf={aspf}); DMARC hängt allein an "
     "DKIM. Bei Versanddiensten üblich und in Ordnung, solange die DKIM-Signatur passt.",
     "Optional beim Versanddienst eine Bounce-Domain (Return-Path) unter {from} einrichten."},
    // --- DKIM ----------------------------------------------------------------------------------
    {"dkim.found",
     "DKIM keys found for {domain}: {selectors}",
     "{count} selector(s) publish a key. Only selectors that were probed can be found; others may exist.",
     "",
     "DKIM-Schlüssel für {domain} gefunden: {selectors}",
     "{count} Selektor(en) veröffentlichen einen Schlüssel. Gefunden werden nur abgefragte Selektoren; weitere "
     "kann es geben.",
     ""},
    {"dkim.none-found",
     "No DKIM key found for {domain} under {count} common selectors",
     "{reason}. DKIM selectors cannot be listed from the DNS, so this alone does not prove that the domain has "
     "no DKIM key. Without an aligned DKIM signature GMX/WEB.DE and T-Online reject mail, and Gmail/Yahoo demand "
     "DKIM from bulk senders.",
     "Look up the s= value in the DKIM-Signature header of a sent message and run again with --selector NAME. If "
     "there is no signature, enable DKIM at the sending service and publish its key at "
     "<selector>._domainkey.{domain}.",
     "Kein DKIM-Schlüssel für {domain} unter {count} üblichen Selektoren gefunden",
     "{reason}. DKIM-Selektoren lassen sich nicht aus dem DNS auflisten; das allein beweist also nicht, dass die "
     "Domain keinen DKIM-Schlüssel hat. Ohne passende DKIM-Signatur lehnen GMX/WEB.DE und T-Online Mail ab, und "
     "Gmail/Yahoo verlangen DKIM von Massenversendern.",
     "Den s=-Wert im DKIM-Signature-Header einer versandten Nachricht nachsehen und mit --selector NAME erneut "
     "prüfen. Fehlt die Signatur, DKIM beim Versanddienst einschalten und dessen Schlüssel unter "
     "<selector>._domainkey.{domain} veröffentlichen."},
    {"dkim.selector-missing",
     "The DKIM selector {selector} of {domain} has no key",
     "{name} has no DKIM key record: mail signed with s={selector} fails DKIM at every receiver.",
     "Publish the key of the sending service at {name} (TXT \"v=DKIM1; k=rsa; p=...\" or the CNAME the "
     "service names), or correct the selector.",
     "Der DKIM-Selektor {selector} von {domain} hat keinen Schlüssel",
     "{name} hat keinen DKIM-Schlüssel: mit s={selector} signierte Mail scheitert bei jedem Empfänger an DKIM.",
     "Den Schlüssel des Versanddienstes unter {name} veröffentlichen (TXT \"v=DKIM1; k=rsa; p=...\" oder der "
     "vom Dienst genannte CNAME) oder den Selektor korrigieren."},
    {"dkim.key-broken",
     "The DKIM key {selector} of {domain} has only {bits} bits",
     "RSA keys below 1024 bits are rejected by verifiers (RFC 8301): signatures with this key count as failed.",
     "Create a 2048-bit key, publish it under a new selector (TXT \"v=DKIM1; k=rsa; p=...\" at "
     "<new>._domainkey.{domain}), switch signing to it, then remove {name}.",
     "Der DKIM-Schlüssel {selector} von {domain} hat nur {bits} Bit",
     "RSA-Schlüssel unter 1024 Bit werden von Prüfern verworfen (RFC 8301): Signaturen damit gelten als "
     "gescheitert.",
     "Einen 2048-Bit-Schlüssel erzeugen, unter neuem Selektor veröffentlichen (TXT \"v=DKIM1; k=rsa; p=...\" "
     "unter <neu>._domainkey.{domain}), die Signatur darauf umstellen, dann {name} entfernen."},
    {"dkim.key-weak",
     "The DKIM key {selector} of {domain} has only {bits} bits",
     "RSA keys below 2048 bits still verify but are considered weak (RFC 8301 recommends 2048); some receivers "
     "rate them down.",
     "Rotate to a 2048-bit key under a new selector (<new>._domainkey.{domain} TXT \"v=DKIM1; k=rsa; p=...\").",
     "Der DKIM-Schlüssel {selector} von {domain} hat nur {bits} Bit",
     "RSA-Schlüssel unter 2048 Bit werden noch geprüft, gelten aber als schwach (RFC 8301 empfiehlt 2048); "
     "manche Empfänger werten sie ab.",
     "Auf einen 2048-Bit-Schlüssel unter neuem Selektor wechseln (<neu>._domainkey.{domain} TXT \"v=DKIM1; "
     "k=rsa; p=...\")."},
    {"dkim.key-invalid",
     "The DKIM key record {selector} of {domain} is unusable",
     "{name}: {problem}. Signatures with this selector fail DKIM.",
     "Republish the key exactly as the signing software exports it: {name} TXT \"v=DKIM1; k=rsa; p=<base64>\".",
     "Der DKIM-Schlüsseleintrag {selector} von {domain} ist unbrauchbar",
     "{name}: {problem}. Signaturen mit diesem Selektor scheitern an DKIM.",
     "Den Schlüssel genau so veröffentlichen, wie die signierende Software ihn ausgibt: {name} TXT \"v=DKIM1; "
     "k=rsa; p=<base64>\"."},
    {"dkim.key-format",
     "The DKIM key {selector} of {domain} has an unusual format",
     "{problem}.",
     "Export the public key in the standard form (openssl pkey -pubout -outform DER | base64 for RSA; the raw "
     "32-byte key for Ed25519) and republish {name}.",
     "Der DKIM-Schlüssel {selector} von {domain} hat ein ungewöhnliches Format",
     "{problem}.",
     "Den öffentlichen Schlüssel im Standardformat exportieren (openssl pkey -pubout -outform DER | base64 für "
     "RSA; der rohe 32-Byte-Schlüssel für Ed25519) und {name} neu veröffentlichen."},
    {"dkim.revoked",
     "The DKIM key {selector} of {domain} is revoked",
     "{name} has an empty p=: the key was withdrawn, and signatures with s={selector} fail.",
     "If mail is still signed with {selector}, publish the current key there or switch signing to an active "
     "selector.",
     "Der DKIM-Schlüssel {selector} von {domain} ist widerrufen",
     "{name} hat ein leeres p=: der Schlüssel wurde zurückgezogen, Signaturen mit s={selector} scheitern.",
     "Wird noch mit {selector} signiert, dort den aktuellen Schlüssel veröffentlichen oder auf einen aktiven "
     "Selektor umstellen."},
    {"dkim.testing",
     "The DKIM key {selector} of {domain} is in test mode (t=y)",
     "Receivers may treat signatures with this key like unsigned mail.",
     "Remove t=y from {name} once signing works.",
     "Der DKIM-Schlüssel {selector} von {domain} ist im Testmodus (t=y)",
     "Empfänger dürfen Signaturen mit diesem Schlüssel wie unsignierte Mail behandeln.",
     "t=y aus {name} entfernen, sobald die Signatur funktioniert."},
    {"dkim.sha1-only",
     "The DKIM key {selector} of {domain} allows only SHA-1",
     "h={hashes}: verifiers no longer accept rsa-sha1 signatures (RFC 8301), so this key cannot verify anything.",
     "Remove h= from {name} (or set h=sha256) and sign with rsa-sha256.",
     "Der DKIM-Schlüssel {selector} von {domain} erlaubt nur SHA-1",
     "h={hashes}: Prüfer akzeptieren keine rsa-sha1-Signaturen mehr (RFC 8301); mit diesem Schlüssel lässt sich "
     "nichts prüfen.",
     "h= aus {name} entfernen (oder h=sha256 setzen) und mit rsa-sha256 signieren."},
    {"dkim.service-not-email",
     "The DKIM key {selector} of {domain} is not for e-mail",
     "s={services} excludes the service type \"email\", so verifiers must not use this key for mail.",
     "Remove s= from {name} or set s=email.",
     "Der DKIM-Schlüssel {selector} von {domain} gilt nicht für E-Mail",
     "s={services} schließt den Diensttyp \"email\" aus; Prüfer dürfen den Schlüssel für Mail nicht verwenden.",
     "s= aus {name} entfernen oder s=email setzen."},
    {"dkim.multiple-records",
     "Several DKIM key records at {name}",
     "{detail}: verifiers pick one of them, so signatures may fail at random.",
     "Keep exactly one TXT record at {name}.",
     "Mehrere DKIM-Schlüsseleinträge unter {name}",
     "{detail}: Prüfer wählen einen davon aus; Signaturen können daher zufällig scheitern.",
     "Genau einen TXT-Eintrag unter {name} behalten."},
    {"dkim.cname-dangling",
     "The DKIM selector {selector} of {domain} points to a missing key",
     "{name} is a CNAME to {target}, which has no key record: mail signed with s={selector} fails DKIM.",
     "Correct the CNAME target as the sending service documents it, or delete {name} if the service is no longer used.",
     "Der DKIM-Selektor {selector} von {domain} zeigt auf einen fehlenden Schlüssel",
     "{name} ist ein CNAME auf {target}, wo kein Schlüssel steht: mit s={selector} signierte Mail scheitert an DKIM.",
     "Das CNAME-Ziel laut Anleitung des Versanddienstes korrigieren oder {name} löschen, wenn der Dienst nicht "
     "mehr genutzt wird."},
    {"dkim.ed25519-only",
     "{domain} publishes only Ed25519 DKIM keys",
     "{selectors}: many receivers do not verify Ed25519 signatures (RFC 8463) and treat such mail as unsigned.",
     "Sign with an RSA 2048-bit key as well (a second selector with k=rsa).",
     "{domain} veröffentlicht nur Ed25519-DKIM-Schlüssel",
     "{selectors}: viele Empfänger prüfen keine Ed25519-Signaturen (RFC 8463) und behandeln solche Mail als "
     "unsigniert.",
     "Zusätzlich mit einem RSA-2048-Schlüssel signieren (zweiter Selektor mit k=rsa)."},
    {"dkim.wildcard",
     "A wildcard answers for every DKIM selector of {domain}",
     "The made-up name {name} returns a key, so any selector resolves to the same record; which selectors are "
     "really used cannot be told.",
     "Nothing to do if intended; otherwise remove the wildcard record under _domainkey.{domain}.",
     "Ein Wildcard-Eintrag antwortet für jeden DKIM-Selektor von {domain}",
     "Der erfundene Name {name} liefert einen Schlüssel; jeder Selektor ergibt denselben Eintrag, welche wirklich "
     "genutzt werden, ist nicht feststellbar.",
     "Nichts zu tun, wenn gewollt; sonst den Wildcard-Eintrag unter _domainkey.{domain} entfernen."},
    {"dkim.dns-error",
     "{count} DKIM lookup(s) for {domain} failed",
     "First failure: {error}. Whether keys exist under those selectors is unknown.",
     "Run the check again later or through another resolver.",
     "{count} DKIM-Abfrage(n) für {domain} schlugen fehl",
     "Erster Fehler: {error}. Ob unter diesen Selektoren Schlüssel stehen, ist unbekannt.",
     "Später oder über einen anderen Resolver erneut prüfen."},
    // --- MTA-STS -------------------------------------------------------------------------------
    {"mtasts.missing",
     "{domain} does not use MTA-STS",
     "Without MTA-STS (RFC 8461) sending servers may deliver mail to {domain} without TLS or to a forged MX. "
     "This does not affect mail that {domain} sends.",
     "Serve https://mta-sts.{domain}/.well-known/mta-sts.txt (\"version: STSv1\", \"mode: testing\", one "
     "\"mx:\" line per MX, \"max_age: 604800\") and publish _mta-sts.{domain} TXT \"v=STSv1; id=20250101T000000\".",
     "{domain} nutzt kein MTA-STS",
     "Ohne MTA-STS (RFC 8461) dürfen sendende Server Mail an {domain} ohne TLS oder an einen gefälschten MX "
     "zustellen. Mail, die {domain} versendet, ist nicht betroffen.",
     "https://mta-sts.{domain}/.well-known/mta-sts.txt bereitstellen (\"version: STSv1\", \"mode: testing\", eine "
     "\"mx:\"-Zeile je MX, \"max_age: 604800\") und _mta-sts.{domain} TXT \"v=STSv1; id=20250101T000000\" "
     "veröffentlichen."},
    {"mtasts.multiple",
     "{domain} publishes {count} MTA-STS records",
     "With more than one v=STSv1 record at _mta-sts.{domain} senders treat the domain as not using MTA-STS.",
     "Keep exactly one TXT record at _mta-sts.{domain}, e.g. \"v=STSv1; id=20250101T000000\".",
     "{domain} veröffentlicht {count} MTA-STS-Einträge",
     "Bei mehr als einem v=STSv1-Eintrag unter _mta-sts.{domain} behandeln Sender die Domain, als nutze sie kein "
     "MTA-STS.",
     "Genau einen TXT-Eintrag unter _mta-sts.{domain} behalten, z. B. \"v=STSv1; id=20250101T000000\"."},
    {"mtasts.record-syntax",
     "The MTA-STS record of {domain} has an error",
     "{problem}.",
     "Publish _mta-sts.{domain} TXT \"v=STSv1; id=20250101T000000\" (id: 1 to 32 letters and digits, changed "
     "whenever the policy changes).",
     "Der MTA-STS-Eintrag von {domain} enthält einen Fehler",
     "{problem}.",
     "_mta-sts.{domain} TXT \"v=STSv1; id=20250101T000000\" veröffentlichen (id: 1 bis 32 Buchstaben und "
     "Ziffern, bei jeder Richtlinienänderung neu)."},
    {"mtasts.dns-error",
     "MTA-STS of {domain} could not be checked",
     "The lookup of {name} failed ({error}); whether and how MTA-STS applies is unknown.",
     "Run the check again later or through another resolver.",
     "MTA-STS von {domain} konnte nicht geprüft werden",
     "Die Abfrage von {name} schlug fehl ({error}); ob und wie MTA-STS gilt, ist unbekannt.",
     "Später oder über einen anderen Resolver erneut prüfen."},
    {"mtasts.policy-unreachable",
     "The MTA-STS policy of {domain} cannot be fetched",
     "{url}: {error}. The TXT record announces a policy, but senders without a cached copy cannot get it and "
     "deliver as if there were none; senders with an old copy keep applying that.",
     "Serve the policy over HTTPS with a valid certificate for mta-sts.{domain} (no redirects, status 200, "
     "Content-Type text/plain), or remove _mta-sts.{domain}.",
     "Die MTA-STS-Richtlinie von {domain} ist nicht abrufbar",
     "{url}: {error}. Der TXT-Eintrag kündigt eine Richtlinie an, aber Sender ohne zwischengespeicherte Kopie "
     "erhalten sie nicht und stellen zu, als gäbe es keine; Sender mit alter Kopie wenden diese weiter an.",
     "Die Richtlinie per HTTPS mit gültigem Zertifikat für mta-sts.{domain} ausliefern (keine Weiterleitung, "
     "Status 200, Content-Type text/plain) oder _mta-sts.{domain} entfernen."},
    {"mtasts.policy-content-type",
     "The MTA-STS policy of {domain} is served as {content_type}",
     "RFC 8461 3.2 requires text/plain; strict senders reject the policy otherwise.",
     "Configure the web server to send {url} with Content-Type: text/plain.",
     "Die MTA-STS-Richtlinie von {domain} wird als {content_type} ausgeliefert",
     "RFC 8461 3.2 verlangt text/plain; strenge Sender verwerfen die Richtlinie sonst.",
     "Den Webserver so einstellen, dass {url} mit Content-Type: text/plain ausgeliefert wird."},
    {"mtasts.policy-syntax",
     "The MTA-STS policy of {domain} has an error",
     "{url}: {problem}.",
     "Write the policy as lines \"key: value\": version: STSv1, mode: enforce|testing|none, one mx: line per MX "
     "host (a wildcard only as \"*.\" prefix), max_age: seconds (at most 31557600).",
     "Die MTA-STS-Richtlinie von {domain} enthält einen Fehler",
     "{url}: {problem}.",
     "Die Richtlinie als Zeilen \"Schlüssel: Wert\" schreiben: version: STSv1, mode: enforce|testing|none, je "
     "MX-Host eine mx:-Zeile (Platzhalter nur als \"*.\"-Präfix), max_age: Sekunden (höchstens 31557600)."},
    {"mtasts.mx-mismatch",
     "MX hosts of {domain} are not covered by its MTA-STS policy",
     "{hosts} match none of the policy's mx patterns ({patterns}). In mode {mode} senders "
     "that honour MTA-STS refuse to deliver to these hosts (enforce) or report failures (testing).",
     "Add an \"mx: <host>\" line for each MX host to {url} and change the id= in _mta-sts.{domain}.",
     "MX-Hosts von {domain} sind nicht von der MTA-STS-Richtlinie abgedeckt",
     "{hosts} passen zu keinem mx-Muster der Richtlinie ({patterns}). Im Modus {mode} stellen Sender, die "
     "MTA-STS beachten, an diese Hosts nicht zu (enforce) oder melden Fehler (testing).",
     "Für jeden MX-Host eine Zeile \"mx: <host>\" in {url} ergänzen und die id= in _mta-sts.{domain} ändern."},
    {"mtasts.testing",
     "The MTA-STS policy of {domain} is in testing mode",
     "Senders report TLS problems (to the TLS-RPT address) but still deliver; mail is not protected yet.",
     "When TLS reports show no failures, change the policy to \"mode: enforce\" and update the id=.",
     "Die MTA-STS-Richtlinie von {domain} ist im Testmodus",
     "Sender melden TLS-Probleme (an die TLS-RPT-Adresse), stellen aber trotzdem zu; Mail ist noch nicht geschützt.",
     "Wenn die TLS-Berichte keine Fehler zeigen, die Richtlinie auf \"mode: enforce\" umstellen und die id= "
     "ändern."},
    {"mtasts.mode-none",
     "The MTA-STS policy of {domain} is switched off (mode: none)",
     "Senders drop any cached policy; MTA-STS gives no protection.",
     "Use mode testing or enforce, or remove MTA-STS altogether.",
     "Die MTA-STS-Richtlinie von {domain} ist abgeschaltet (mode: none)",
     "Sender verwerfen zwischengespeicherte Richtlinien; MTA-STS schützt nicht.",
     "Modus testing oder enforce verwenden oder MTA-STS ganz entfernen."},
    {"mtasts.max-age-short",
     "The MTA-STS policy of {domain} is cached only {max_age} seconds",
     "A short max_age weakens the protection: an attacker only needs to wait until caches expire. RFC 8461 "
     "suggests weeks.",
     "Set max_age: 604800 (one week) or more in the policy.",
     "Die MTA-STS-Richtlinie von {domain} wird nur {max_age} Sekunden zwischengespeichert",
     "Ein kurzes max_age schwächt den Schutz: ein Angreifer muss nur warten, bis die Zwischenspeicher ablaufen. "
     "RFC 8461 empfiehlt Wochen.",
     "max_age: 604800 (eine Woche) oder mehr in der Richtlinie setzen."},
    {"mtasts.no-mx",
     "{domain} has an MTA-STS policy but no MX records",
     "Without MX records there is no MX host the policy could cover.",
     "Publish the MX records the policy names, or remove MTA-STS.",
     "{domain} hat eine MTA-STS-Richtlinie, aber keine MX-Einträge",
     "Ohne MX-Einträge gibt es keinen MX-Host, den die Richtlinie abdecken könnte.",
     "Die in der Richtlinie genannten MX-Einträge veröffentlichen oder MTA-STS entfernen."},
    // --- TLS-RPT -------------------------------------------------------------------------------
    {"tlsrpt.missing",
     "{domain} receives no TLS reports (TLS-RPT)",
     "Without _smtp._tls.{domain} (RFC 8460) sending servers cannot tell the domain about failed TLS deliveries.",
     "Publish _smtp._tls.{domain} TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\".",
     "{domain} erhält keine TLS-Berichte (TLS-RPT)",
     "Ohne _smtp._tls.{domain} (RFC 8460) können sendende Server die Domain nicht über gescheiterte "
     "TLS-Zustellungen informieren.",
     "_smtp._tls.{domain} TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\" veröffentlichen."},
    {"tlsrpt.multiple",
     "{domain} publishes {count} TLS-RPT records",
     "With more than one v=TLSRPTv1 record senders treat the domain as not using TLS-RPT (RFC 8460 3).",
     "Keep exactly one TXT record at _smtp._tls.{domain}.",
     "{domain} veröffentlicht {count} TLS-RPT-Einträge",
     "Bei mehr als einem v=TLSRPTv1-Eintrag behandeln Sender die Domain, als nutze sie kein TLS-RPT (RFC 8460 3).",
     "Genau einen TXT-Eintrag unter _smtp._tls.{domain} behalten."},
    {"tlsrpt.syntax",
     "The TLS-RPT record of {domain} has an error",
     "{problem}.",
     "Publish _smtp._tls.{domain} TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\".",
     "Der TLS-RPT-Eintrag von {domain} enthält einen Fehler",
     "{problem}.",
     "_smtp._tls.{domain} TXT \"v=TLSRPTv1; rua=mailto:tls-reports@{domain}\" veröffentlichen."},
    {"tlsrpt.bad-uri",
     "A TLS report address of {domain} is invalid",
     "{problem}. Only mailto: and https: destinations are defined (RFC 8460 3).",
     "Use rua=mailto:tls-reports@{domain} (or an https: URL) in _smtp._tls.{domain}.",
     "Eine TLS-Berichtsadresse von {domain} ist ungültig",
     "{problem}. Nur mailto:- und https:-Ziele sind definiert (RFC 8460 3).",
     "rua=mailto:tls-reports@{domain} (oder eine https:-URL) in _smtp._tls.{domain} verwenden."},
    {"tlsrpt.dns-error",
     "TLS-RPT of {domain} could not be checked",
     "The lookup of {name} failed ({error}).",
     "Run the check again later or through another resolver.",
     "TLS-RPT von {domain} konnte nicht geprüft werden",
     "Die Abfrage von {name} schlug fehl ({error}).",
     "Später oder über einen anderen Resolver erneut prüfen."},
    // --- BIMI ----------------------------------------------------------------------------------
    {"bimi.missing",
     "{domain} publishes no BIMI record",
     "Without default._bimi.{domain} receivers show no brand logo. BIMI is optional and needs DMARC at "
     "p=quarantine or p=reject.",
     "With DMARC enforced, publish default._bimi.{domain} TXT \"v=BIMI1; l=https://{domain}/logo.svg; "
     "a=https://{domain}/vmc.pem\" (SVG Tiny PS logo; Gmail and Apple Mail also need a VMC or CMC certificate).",
     "{domain} veröffentlicht keinen BIMI-Eintrag",
     "Ohne default._bimi.{domain} zeigen Empfänger kein Markenlogo. BIMI ist freiwillig und setzt DMARC mit "
     "p=quarantine oder p=reject voraus.",
     "Bei durchgesetztem DMARC default._bimi.{domain} TXT \"v=BIMI1; l=https://{domain}/logo.svg; "
     "a=https://{domain}/vmc.pem\" veröffentlichen (Logo als SVG Tiny PS; Gmail und Apple Mail verlangen "
     "zusätzlich ein VMC- oder CMC-Zertifikat)."},
    {"bimi.multiple",
     "{domain} has {count} BIMI records at {record_domain}",
     "With more than one v=BIMI1 record receivers ignore them all.",
     "Keep exactly one TXT record at default._bimi.{record_domain}.",
     "{domain} hat {count} BIMI-Einträge unter {record_domain}",
     "Bei mehr als einem v=BIMI1-Eintrag ignorieren Empfänger alle.",
     "Genau einen TXT-Eintrag unter default._bimi.{record_domain} behalten."},
    {"bimi.syntax",
     "The BIMI record of {record_domain} has an error",
     "{problem}.",
     "Publish default._bimi.{record_domain} TXT \"v=BIMI1; l=https://{record_domain}/logo.svg; "
     "a=https://{record_domain}/vmc.pem\".",
     "Der BIMI-Eintrag von {record_domain} enthält einen Fehler",
     "{problem}.",
     "default._bimi.{record_domain} TXT \"v=BIMI1; l=https://{record_domain}/logo.svg; "
     "a=https://{record_domain}/vmc.pem\" veröffentlichen."},
    {"bimi.declined",
     "{domain} declines to show a BIMI logo",
     "The record at {record_domain} has an empty l= and no a=: an explicit \"no logo\".",
     "",
     "{domain} verzichtet auf ein BIMI-Logo",
     "Der Eintrag unter {record_domain} hat ein leeres l= und kein a=: ausdrücklich \"kein Logo\".",
     ""},
    {"bimi.logo-not-https",
     "The BIMI logo of {domain} is not an HTTPS URL",
     "l={logo}: receivers fetch the logo only over HTTPS.",
     "Serve the SVG over HTTPS and set l=https://... in default._bimi.{record_domain}.",
     "Das BIMI-Logo von {domain} ist keine HTTPS-Adresse",
     "l={logo}: Empfänger laden das Logo nur über HTTPS.",
     "Das SVG per HTTPS ausliefern und l=https://... in default._bimi.{record_domain} setzen."},
    {"bimi.no-vmc",
     "The BIMI record of {domain} has no certificate (a=)",
     "Gmail and Apple Mail show BIMI logos only with a Verified Mark Certificate or Common Mark Certificate; "
     "Yahoo may show the logo without one if the domain has good reputation.",
     "Obtain a VMC or CMC from a certification authority and add a=https://.../vmc.pem to "
     "default._bimi.{record_domain}.",
     "Der BIMI-Eintrag von {domain} hat kein Zertifikat (a=)",
     "Gmail und Apple Mail zeigen BIMI-Logos nur mit Verified-Mark- oder Common-Mark-Zertifikat; Yahoo zeigt "
     "das Logo bei gutem Ruf der Domain unter Umständen auch ohne.",
     "Ein VMC oder CMC bei einer Zertifizierungsstelle beschaffen und a=https://.../vmc.pem in "
     "default._bimi.{record_domain} eintragen."},
    {"bimi.vmc-unverified",
     "The BIMI certificate of {domain} was not validated",
     "a={certificate} is present; fetching and validating the certificate and the logo is outside what mailrep "
     "checks.",
     "",
     "Das BIMI-Zertifikat von {domain} wurde nicht geprüft",
     "a={certificate} ist vorhanden; Zertifikat und Logo abzurufen und zu prüfen gehört nicht zu dem, was "
     "mailrep prüft.",
     ""},
    {"bimi.inherited",
     "{domain} uses the BIMI record of {record_domain}",
     "{domain} has no BIMI record of its own; receivers fall back to the organizational domain's.",
     "",
     "{domain} verwendet den BIMI-Eintrag von {record_domain}",
     "{domain} hat keinen eigenen BIMI-Eintrag; Empfänger greifen auf den der Organisationsdomain zurück.",
     ""},
    {"bimi.dns-error",
     "BIMI of {domain} could not be checked",
     "The lookup of {name} failed ({error}).",
     "Run the check again later or through another resolver.",
     "BIMI von {domain} konnte nicht geprüft werden",
     "Die Abfrage von {name} schlug fehl ({error}).",
     "Später oder über einen anderen Resolver erneut prüfen."},
};
}  // namespace

std::span<const MessageText> auth_messages() { return k_messages; }

}  // namespace mailrep::auth
