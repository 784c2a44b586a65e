#include "mailrep/smtp/messages.hpp"

#include "mailrep/util/text.hpp"

namespace mailrep::smtp {
namespace {
// One entry per finding id, both languages side by side. {name} is replaced by the finding's argument.
constexpr MessageText k_messages[] = {
    {"probe.blocked",
     "{name} refuses this host: {code}",
     "{mx} [{address}] answered {stage_en}: \"{reply}\". {meaning_en}{ip_en}",
     "{advice_en}",
     "{name} lehnt diesen Server ab: {code}",
     "{mx} [{address}] antwortete {stage_de}: \"{reply}\". {meaning_de}{ip_de}",
     "{advice_de}"},
    {"probe.temporary",
     "{name} defers this host for now: {code}",
     "{mx} [{address}] answered {stage_en}: \"{reply}\". {meaning_en}{ip_en} A temporary refusal: a sending "
     "server retries; if it persists for hours, treat it like a block.",
     "{advice_en}",
     "{name} weist diesen Server vorübergehend ab: {code}",
     "{mx} [{address}] antwortete {stage_de}: \"{reply}\". {meaning_de}{ip_de} Eine vorübergehende Ablehnung: "
     "ein sendender Server versucht es erneut; hält sie stundenlang an, ist sie wie eine Sperre zu behandeln.",
     "{advice_de}"},
    {"probe.greylisted",
     "{name} greylists this host",
     "{mx} [{address}] answered {stage_en}: \"{reply}\". Greylisting defers the first attempts of a sender the "
     "receiver does not know yet; a real mail server retries after some minutes and is then usually accepted.",
     "Nothing to do while your server retries (every mail server does). If mail stays deferred for hours: {advice_en}",
     "{name} stellt diesen Server per Greylisting zurück",
     "{mx} [{address}] antwortete {stage_de}: \"{reply}\". Greylisting stellt die ersten Versuche eines noch "
     "unbekannten Absenders zurück; ein echter Mailserver versucht es nach einigen Minuten erneut und wird dann "
     "meist angenommen.",
     "Nichts zu tun, solange Ihr Server erneut zustellt (das tut jeder Mailserver). Bleibt Mail stundenlang "
     "zurückgestellt: {advice_de}"},
    {"probe.unknown",
     "{name}: whether {target} refuses this host is unknown",
     "{cause_en}",
     "{hint_en}",
     "{name}: ob {target} diesen Server ablehnt, ist unbekannt",
     "{cause_de}",
     "{hint_de}"},
    {"probe.no-port-25",
     "No receiver could be reached on port {port}",
     "All {count} connection attempt(s) failed ({causes}). Many networks - home and office lines, most cloud "
     "providers - block outbound port 25. This says nothing about whether the receivers refuse your mail server: "
     "it is NOT a clean result.",
     "Run mailrep probe on the mail server itself (or with --source set to its outbound address).",
     "Kein Empfänger war auf Port {port} erreichbar",
     "Alle {count} Verbindungsversuche schlugen fehl ({causes}). Viele Netze - Privat- und Büroanschlüsse, die "
     "meisten Cloud-Anbieter - sperren ausgehenden Port 25. Über eine Ablehnung Ihres Mailservers durch die "
     "Empfänger sagt das nichts: das ist KEIN sauberes Ergebnis.",
     "mailrep probe auf dem Mailserver selbst ausführen (oder mit --source und seiner ausgehenden Adresse)."},
    {"probe.recipient-refused",
     "{name} refused the recipient {rcpt}, not this host",
     "{mx} [{address}] answered RCPT TO with \"{reply}\". {meaning_en} The host was not refused up to RCPT TO, but "
     "the answer for an existing recipient is not known.",
     "Probe again with an existing address at the receiver (--rcpt).",
     "{name} hat den Empfänger {rcpt} abgelehnt, nicht diesen Server",
     "{mx} [{address}] antwortete auf RCPT TO mit \"{reply}\". {meaning_de} Bis RCPT TO wurde der Server nicht "
     "abgelehnt; die Antwort für einen existierenden Empfänger ist aber unbekannt.",
     "Erneut mit einer existierenden Adresse beim Empfänger prüfen (--rcpt)."},
    {"probe.accepted",
     "{name} talks to this host ({mx})",
     "{mx} [{address}] went through {steps} without refusing this host. Content filters act after DATA, which a "
     "probe never sends: this does not promise that a message is delivered.",
     "",
     "{name} spricht mit diesem Server ({mx})",
     "{mx} [{address}] hat {steps} ohne Ablehnung dieses Servers durchlaufen. Inhaltsfilter greifen erst nach "
     "DATA, das eine Probe nie sendet: eine Zustellung einer Nachricht ist damit nicht zugesagt.",
     ""},
    {"probe.other-ip",
     "{mx} sees this host as {reply_ip}",
     "The reply names {reply_ip}, but this end of the connection is {local}: the connection leaves through NAT or "
     "another gateway, and the receiver's answer is about {reply_ip}.",
     "Check that address too: mailrep ip {reply_ip}",
     "{mx} sieht diesen Server als {reply_ip}",
     "Die Antwort nennt {reply_ip}, dieses Ende der Verbindung ist aber {local}: die Verbindung geht über NAT oder "
     "ein anderes Gateway, und die Antwort des Empfängers gilt {reply_ip}.",
     "Diese Adresse ebenfalls prüfen: mailrep ip {reply_ip}"},
    {"probe.no-starttls",
     "{mx} does not offer STARTTLS",
     "The EHLO reply of {mx} [{address}] lists no STARTTLS: mail to it travels unencrypted.",
     "",
     "{mx} bietet kein STARTTLS an",
     "Die EHLO-Antwort von {mx} [{address}] enthält kein STARTTLS: Mail dorthin wird unverschlüsselt übertragen.",
     ""},
    {"probe.tls-unverified",
     "The certificate of {mx} could not be verified",
     "{mx} [{address}] presented {subject} (issuer {issuer}): {error}. Reported only: mail servers deliver with "
     "opportunistic TLS anyway unless a policy (MTA-STS, DANE) demands a valid certificate.",
     "",
     "Das Zertifikat von {mx} ließ sich nicht prüfen",
     "{mx} [{address}] zeigte {subject} (Aussteller {issuer}): {error}. Nur zur Information: Mailserver stellen "
     "mit opportunistischem TLS trotzdem zu, solange keine Richtlinie (MTA-STS, DANE) ein gültiges Zertifikat "
     "verlangt.",
     ""},
    {"probe.helo-literal",
     "EHLO used the address literal {helo}",
     "This host has no fully qualified name, so the probe greeted with its address. Receivers that check the HELO "
     "name (T-Online, GMX/WEB.DE require a fully qualified name) may answer your real mail server differently.",
     "Give --helo with the name your mail server uses in EHLO.",
     "EHLO mit dem Adressliteral {helo}",
     "Dieser Rechner hat keinen vollständigen Namen, die Probe grüßte daher mit seiner Adresse. Empfänger, die den "
     "HELO-Namen prüfen (T-Online, GMX/WEB.DE verlangen einen vollständigen Namen), antworten Ihrem echten "
     "Mailserver womöglich anders.",
     "--helo mit dem Namen angeben, den Ihr Mailserver bei EHLO nennt."},
};

std::string ms(std::chrono::milliseconds t) { return std::to_string(t.count()) + " ms"; }

Bilingual who_text(Fixer f) {
  switch (f) {
    case Fixer::provider: return {"whoever runs the sending server's IP address (your mail provider, or you for an own server)",
                                  "der Betreiber der IP-Adresse des sendenden Servers (Ihr Mail-Anbieter, bei eigenem Server Sie)"};
    case Fixer::domain_owner: return {"whoever manages the DNS of the sender domain", "wer das DNS der Absenderdomain verwaltet"};
    case Fixer::receiver: return {"the receiver's side", "die Empfängerseite"};
    case Fixer::sender_admin: return {"the admin of the sending mail server", "der Admin des sendenden Mailservers"};
    case Fixer::user: return {"the sender (content, addresses)", "der Absender (Inhalt, Adressen)"};
    case Fixer::nobody: break;
  }
  return {"whoever runs the sending server", "der Betreiber des sendenden Servers"};
}

}  // namespace

std::span<const MessageText> messages() { return k_messages; }

std::string_view stage_words(Stage s, bool de) {
  switch (s) {
    case Stage::connect: return de ? "beim Verbindungsaufbau" : "at connect";
    case Stage::greeting: return de ? "bei der Begrüßung (Greeting)" : "in the greeting";
    case Stage::ehlo: return de ? "auf EHLO" : "to EHLO";
    case Stage::starttls: return de ? "bei STARTTLS" : "at STARTTLS";
    case Stage::mail: return de ? "auf MAIL FROM" : "to MAIL FROM";
    case Stage::rcpt: return de ? "auf RCPT TO" : "to RCPT TO";
  }
  return "";
}

std::string_view verdict_words(Verdict v, bool de) {
  switch (v) {
    case Verdict::accepted: return de ? "ANGENOMMEN" : "ACCEPTED";
    case Verdict::blocked: return de ? "ABGELEHNT" : "BLOCKED";
    case Verdict::temporary: return de ? "VORLÄUFIG" : "TEMPORARY";
    case Verdict::unknown: return de ? "UNBEKANNT" : "UNKNOWN";
  }
  return "";
}

std::string steps_text(const MxProbe& p) {
  std::string out = "greeting, EHLO";
  if (p.tls.established) out += ", STARTTLS, EHLO";
  if (p.stage == Stage::mail || p.stage == Stage::rcpt) out += ", MAIL FROM";
  if (p.stage == Stage::rcpt) out += ", RCPT TO";
  return out;
}

Bilingual cause_text(const MxProbe& p, std::chrono::milliseconds timeout) {
  const std::string port = std::to_string(p.port);
  const std::string at = p.mx.empty() ? p.address : p.mx + " [" + p.address + "]";
  if (p.null_mx)
    return {p.target + " publishes a null MX (RFC 7505): it accepts no mail at all.",
            p.target + " veröffentlicht einen Null-MX (RFC 7505): die Domain nimmt gar keine Mail an."};
  switch (p.failure) {
    case Failure::dns:
      return {"The name could not be resolved: " + p.detail + ". Nothing was asked.",
              "Der Name ließ sich nicht auflösen: " + p.detail + ". Es wurde nichts gefragt."};
    case Failure::refused:
      return {"The connection to " + at + " port " + port + " was refused. Either nothing listens there, or a "
                  "firewall on the way (often the local network's) rejects outbound port " + port + ".",
              "Die Verbindung zu " + at + " Port " + port + " wurde abgewiesen. Entweder lauscht dort nichts, oder "
                  "eine Firewall auf dem Weg (oft die des eigenen Netzes) weist ausgehenden Port " + port + " ab."};
    case Failure::timeout:
      if (p.stage == Stage::connect)
        return {"No answer to the connection attempt to " + at + " port " + port + " within " + ms(timeout) +
                    ". Many networks block outbound port 25; run this on the mail server itself.",
                "Keine Antwort auf den Verbindungsversuch zu " + at + " Port " + port + " innerhalb von " +
                    ms(timeout) + ". Viele Netze sperren ausgehenden Port 25; auf dem Mailserver selbst ausführen."};
      if (p.stage == Stage::greeting)
        return {"Connected to " + at + ", but no greeting came within " + ms(timeout) +
                    " (a slow or busy server, or a filtering proxy on the way; try a larger --timeout-ms).",
                "Verbunden mit " + at + ", aber keine Begrüßung innerhalb von " + ms(timeout) +
                    " (langsamer oder ausgelasteter Server oder ein filternder Proxy auf dem Weg; größeres "
                    "--timeout-ms versuchen)."};
      if (p.stage == Stage::starttls)
        return {"The TLS handshake with " + at + " did not complete within " + ms(timeout) +
                    "; what the receiver would answer after STARTTLS is unknown.",
                "Der TLS-Handshake mit " + at + " wurde nicht innerhalb von " + ms(timeout) +
                    " fertig; was der Empfänger nach STARTTLS antworten würde, ist unbekannt."};
      return {"No reply from " + at + " " + std::string(stage_words(p.stage, false)) + " within " + ms(timeout) + ".",
              "Keine Antwort von " + at + " " + std::string(stage_words(p.stage, true)) + " innerhalb von " +
                  ms(timeout) + "."};
    case Failure::unreachable:
      return {"This host cannot reach " + at + ": " + p.detail + " (no route for this address family, or "
                  "blocked locally).",
              "Dieser Rechner erreicht " + at + " nicht: " + p.detail + " (keine Route für diese Adressfamilie oder "
                  "lokal gesperrt)."};
    case Failure::source:
      return {"The source address cannot be used: " + p.detail + ".",
              "Die Absendeadresse (--source) ist nicht nutzbar: " + p.detail + "."};
    case Failure::closed:
      if (p.stage == Stage::greeting)
        return {at + " closed the connection without a greeting. Some receivers do that to hosts they refuse, but "
                     "it is not a statement; try again, and from the mail server itself.",
                at + " hat die Verbindung ohne Begrüßung geschlossen. Manche Empfänger tun das bei abgelehnten "
                     "Servern, eine Aussage ist es aber nicht; erneut versuchen, und vom Mailserver selbst."};
      return {at + " closed the connection " + std::string(stage_words(p.stage, false)) + ": " + p.detail + ".",
              at + " hat die Verbindung " + std::string(stage_words(p.stage, true)) + " geschlossen: " + p.detail + "."};
    case Failure::protocol:
      return {"The answer of " + at + " is not valid SMTP (" + p.detail + ").",
              "Die Antwort von " + at + " ist kein gültiges SMTP (" + p.detail + ")."};
    case Failure::tls:
      return {"The TLS handshake with " + at + " failed (" + p.detail +
                  "); what the receiver would answer after STARTTLS is unknown.",
              "Der TLS-Handshake mit " + at + " schlug fehl (" + p.detail +
                  "); was der Empfänger nach STARTTLS antworten würde, ist unbekannt."};
    case Failure::io:
    case Failure::none: break;
  }
  return {"Talking to " + at + " failed " + std::string(stage_words(p.stage, false)) + ": " + p.detail + ".",
          "Das Gespräch mit " + at + " scheiterte " + std::string(stage_words(p.stage, true)) + ": " + p.detail + "."};
}

Bilingual unknown_advice(const MxProbe& p) {
  if (p.null_mx) return {"Check the domain name.", "Den Domainnamen prüfen."};
  switch (p.failure) {
    case Failure::dns:
      return {"Check the name, or try again through another resolver.",
              "Den Namen prüfen oder es über einen anderen Resolver erneut versuchen."};
    case Failure::refused:
    case Failure::unreachable:
    case Failure::timeout:
      if (p.stage == Stage::connect)
        return {"Run mailrep probe on the mail server itself (outbound port 25 must be open there), or give --source "
                "with its outbound address.",
                "mailrep probe auf dem Mailserver selbst ausführen (dort muss ausgehender Port 25 offen sein) oder "
                "--source mit seiner ausgehenden Adresse angeben."};
      return {"Try again later, or with a larger --timeout-ms.", "Später erneut versuchen oder mit größerem --timeout-ms."};
    case Failure::source:
      return {"Give an address of this host to --source (one of the same family as the receiver's).",
              "Bei --source eine Adresse dieses Rechners angeben (in derselben Adressfamilie wie die des Empfängers)."};
    default: break;
  }
  return {"Try again later.", "Später erneut versuchen."};
}

Bilingual meaning_text(const MxProbe& p) {
  if (p.match && p.match->code) return {p.match->code->meaning_en, p.match->code->meaning_de};
  int code = p.reply ? p.reply->code : 0;
  std::string c = std::to_string(code);
  if (p.greylisted)
    return {"The reply says greylisting.", "Die Antwort nennt Greylisting."};
  if (code / 100 == 4)
    return {"The reply (" + c + ") is not in mailrep's receiver catalogue; a 4xx is a temporary refusal.",
            "Die Antwort (" + c + ") steht nicht im Empfänger-Katalog von mailrep; ein 4xx ist eine vorübergehende "
            "Ablehnung."};
  if (p.stage == Stage::greeting)
    return {"The reply (" + c + ") is not in mailrep's receiver catalogue; a 5xx greeting means the receiver refuses "
            "to talk to this host at all.",
            "Die Antwort (" + c + ") steht nicht im Empfänger-Katalog von mailrep; eine 5xx-Begrüßung heißt, dass der "
            "Empfänger mit diesem Server gar nicht spricht."};
  return {"The reply (" + c + ") is not in mailrep's receiver catalogue; read its text for the reason.",
          "Die Antwort (" + c + ") steht nicht im Empfänger-Katalog von mailrep; der Grund steht im Antworttext."};
}

Bilingual advice_text(const MxProbe& p) {
  Bilingual out;
  Fixer who = p.match && p.match->code ? p.match->code->who_can_fix : Fixer::provider;
  Bilingual w = who_text(who);
  out.en = "To be fixed by " + w.en + ".";
  out.de = "Zu beheben durch: " + w.de + ".";
  if (p.match) {
    if (const data::ReceiverContact* c = p.match->contact()) {
      std::string_view pen = util::trim(c->purpose_en), pde = util::trim(c->purpose_de);
      while (!pen.empty() && pen.back() == '.') pen.remove_suffix(1);
      while (!pde.empty() && pde.back() == '.') pde.remove_suffix(1);
      bool url = c->kind == data::ContactKind::url;
      out.en += std::string(url ? " Contact via " : " Write to ") + c->address + (pen.empty() ? "" : " (" + std::string(pen) + ")") + ".";
      out.de += std::string(url ? " Kontakt über " : " Schreiben an ") + c->address + (pde.empty() ? "" : " (" + std::string(pde) + ")") + ".";
    }
    std::string_view url = p.match->capture("url");
    if (!url.empty()) {
      out.en += " The receiver's page for this case: " + std::string(url) + ".";
      out.de += " Die Seite des Empfängers zu diesem Fall: " + std::string(url) + ".";
    }
  }
  const data::Receiver* r = p.receiver ? p.receiver : (p.match ? p.match->receiver : nullptr);
  if (r && !r->postmaster.empty()) {
    out.en += " Postmaster site: " + r->postmaster + ".";
    out.de += " Postmaster-Seite: " + r->postmaster + ".";
  }
  if (!p.reply_ip.empty()) {
    out.en += " Quote the full reply and the address it names, " + p.reply_ip + ".";
    out.de += " Die vollständige Antwort und die darin genannte Adresse " + p.reply_ip + " zitieren.";
  }
  return out;
}

}  // namespace mailrep::smtp
