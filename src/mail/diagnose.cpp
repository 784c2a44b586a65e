// Explaining a parsed bounce: receiver, category, who can fix it. See include/mailrep/mail/bounce.hpp.
#include <algorithm>
#include <array>

#include "mailrep/mail/bounce.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::mail {
namespace {

using data::ReplyCategory;

struct CategoryText {
  ReplyCategory category;
  std::string_view meaning_en, meaning_de, action_en, action_de;
};

constexpr std::array<CategoryText, 15> k_texts = {{
    {ReplyCategory::blocked,
     "The receiver refuses mail from the sending server's IP address (its own block list, a public blocklist, or an "
     "address range it does not accept mail from).",
     "Der Empfänger nimmt von der IP-Adresse des sendenden Servers keine Mail an (eigene Sperrliste, öffentliche "
     "Blocklist oder ein Adressbereich, aus dem er keine Mail annimmt).",
     "Please find out why the sending IP address is blocked, remove the cause, and request removal from the "
     "receiver's list (contact below), or send through another server whose address is not blocked.",
     "Bitte klären Sie, warum die sendende IP-Adresse gesperrt ist, beseitigen Sie die Ursache und beantragen Sie die "
     "Entsperrung beim Empfänger (Kontakt unten) - oder versenden Sie über einen anderen, nicht gesperrten Server."},
    {ReplyCategory::badreputation,
     "The receiver does not trust the sending IP address or domain: its reputation is poor or unknown (new or "
     "long-silent addresses count as unknown).",
     "Der Empfänger vertraut der sendenden IP-Adresse oder Domain nicht: ihre Reputation ist schlecht oder unbekannt "
     "(neue oder lange nicht genutzte Adressen gelten als unbekannt).",
     "Please ask the receiver for a reputation reset of the sending IP address (contact below) and keep the volume "
     "from this address steady; check that PTR, SPF and DKIM are in order first.",
     "Bitte beantragen Sie beim Empfänger einen Reputations-Reset der sendenden IP-Adresse (Kontakt unten) und halten "
     "Sie das Versandvolumen dieser Adresse gleichmäßig; prüfen Sie vorher PTR, SPF und DKIM."},
    {ReplyCategory::requireptr,
     "The sending IP address has no reverse DNS name (PTR), a generic one, or one that does not resolve back to the "
     "address (no forward-confirmed reverse DNS).",
     "Die sendende IP-Adresse hat keinen Reverse-DNS-Namen (PTR), einen generischen, oder einen, der nicht wieder auf "
     "die Adresse auflöst (kein FCrDNS).",
     "Please give the sending IP address a PTR record naming a host in your own domain whose A/AAAA record points back "
     "to the same address (forward-confirmed reverse DNS), and use that name as HELO.",
     "Bitte richten Sie für die sendende IP-Adresse einen PTR-Eintrag auf einen Hostnamen Ihrer eigenen Domain ein, "
     "dessen A/AAAA-Eintrag wieder auf dieselbe Adresse zeigt (FCrDNS), und verwenden Sie diesen Namen als HELO."},
    {ReplyCategory::authfailure,
     "The message failed the receiver's authentication checks: SPF, DKIM or DMARC missing, failing or not aligned "
     "with the From domain.",
     "Die Nachricht hat die Authentifizierungsprüfung des Empfängers nicht bestanden: SPF, DKIM oder DMARC fehlen, "
     "schlagen fehl oder passen nicht zur From-Domain.",
     "Please check that the sending server is in the domain's SPF record, that it signs with DKIM using the From "
     "domain (d=), and that the domain's DMARC record is valid.",
     "Bitte prüfen Sie, dass der sendende Server im SPF-Eintrag der Domain steht, mit DKIM für die From-Domain (d=) "
     "signiert, und dass der DMARC-Eintrag der Domain gültig ist."},
    {ReplyCategory::policyviolation,
     "The receiver's policy was not met (for example HELO name, TLS, message format or its published sender "
     "requirements).",
     "Die Richtlinien des Empfängers wurden nicht erfüllt (z. B. HELO-Name, TLS, Nachrichtenformat oder seine "
     "veröffentlichten Anforderungen an Absender).",
     "Please compare the sending server's setup (HELO name, TLS, PTR) with the receiver's published requirements and "
     "fix what differs.",
     "Bitte vergleichen Sie die Einrichtung des sendenden Servers (HELO-Name, TLS, PTR) mit den veröffentlichten "
     "Anforderungen des Empfängers und beheben Sie die Abweichungen."},
    {ReplyCategory::spamdetected,
     "The receiver judged the content of the message to be spam (or a virus).",
     "Der Empfänger hat den Inhalt der Nachricht als Spam (oder Virus) eingestuft.",
     "Please check the message content (links, URL shorteners, attachments); if it is a false positive, report it "
     "to the receiver (contact below).",
     "Bitte prüfen Sie den Inhalt (Links, URL-Kürzer, Anhänge); bei einem Fehlalarm melden Sie ihn dem Empfänger "
     "(Kontakt unten)."},
    {ReplyCategory::rejected,
     "The receiver refused the sender address or its domain (for example because the sender domain has no MX or A "
     "record).",
     "Der Empfänger hat die Absenderadresse oder ihre Domain abgelehnt (z. B. weil die Absenderdomain keinen MX- oder "
     "A-Eintrag hat).",
     "Please check the sender domain's DNS (MX and A/AAAA records) and that the envelope sender is an address "
     "that exists.",
     "Bitte prüfen Sie das DNS der Absenderdomain (MX- und A/AAAA-Einträge) und dass der Umschlag-Absender eine "
     "existierende Adresse ist."},
    {ReplyCategory::userunknown,
     "The recipient address does not exist at the receiver.",
     "Die Empfängeradresse existiert beim Empfänger nicht.",
     "Check the recipient address for typos or ask the recipient for the current one; there is nothing for the "
     "provider to fix.",
     "Prüfen Sie die Empfängeradresse auf Tippfehler oder fragen Sie nach der aktuellen; der Anbieter muss nichts "
     "ändern."},
    {ReplyCategory::mailboxfull,
     "The recipient's mailbox is full.",
     "Das Postfach des Empfängers ist voll.",
     "Try again later or reach the recipient another way; there is nothing for the provider to fix.",
     "Später erneut senden oder den Empfänger auf anderem Weg erreichen; der Anbieter muss nichts ändern."},
    {ReplyCategory::ratelimited,
     "The receiver limits how much mail or how many connections it accepts from the sender, and the limit was hit.",
     "Der Empfänger begrenzt, wie viel Mail oder wie viele Verbindungen er vom Absender annimmt; die Grenze wurde "
     "erreicht.",
     "Please reduce the sending rate and the number of parallel connections from the sending server towards this "
     "receiver.",
     "Bitte verringern Sie Versandrate und Zahl paralleler Verbindungen vom sendenden Server zu diesem Empfänger."},
    {ReplyCategory::greylisted,
     "The receiver deferred the message on purpose (greylisting or a temporary check); a later retry normally "
     "passes.",
     "Der Empfänger hat die Nachricht absichtlich zurückgestellt (Greylisting oder vorübergehende Prüfung); ein "
     "späterer Zustellversuch gelingt normalerweise.",
     "Nothing to do if the retry succeeds; if delivery still fails after some hours, please check the sending "
     "server's retry queue.",
     "Nichts zu tun, wenn der erneute Versuch gelingt; schlägt die Zustellung nach einigen Stunden weiter fehl, bitte "
     "die Warteschlange des sendenden Servers prüfen."},
    {ReplyCategory::contenterror,
     "The message is malformed (RFC 5322 problems such as missing or duplicate headers, or too large).",
     "Die Nachricht ist fehlerhaft aufgebaut (RFC-5322-Probleme wie fehlende oder doppelte Kopfzeilen, oder zu "
     "groß).",
     "Please check the software that creates the message (headers, size, encoding).",
     "Bitte prüfen Sie die Software, die die Nachricht erzeugt (Kopfzeilen, Größe, Kodierung)."},
    {ReplyCategory::expired,
     "The sending server gave up after retrying for a long time without success.",
     "Der sendende Server hat nach längeren erfolglosen Versuchen aufgegeben.",
     "Please check why the sending server could not deliver to the receiver's server (the last reply above).",
     "Bitte prüfen Sie, warum der sendende Server nicht an den Server des Empfängers zustellen konnte (letzte "
     "Antwort oben)."},
    {ReplyCategory::systemerror,
     "The receiver's server had a problem of its own.",
     "Der Server des Empfängers hatte ein eigenes Problem.",
     "Try again later; if it persists, tell the receiver's postmaster.",
     "Später erneut versuchen; wenn es anhält, den Postmaster des Empfängers informieren."},
    {ReplyCategory::other,
     "The receiver refused the message; the reply does not match a known reason.",
     "Der Empfänger hat die Nachricht abgelehnt; die Antwort passt zu keinem bekannten Grund.",
     "Please read the exact reply above and tell me what needs to change.",
     "Bitte lesen Sie die genaue Antwort oben und teilen Sie mir mit, was geändert werden muss."},
}};

const CategoryText& text_of(ReplyCategory c) {
  for (const CategoryText& t : k_texts)
    if (t.category == c) return t;
  return k_texts.back();
}

struct Keyword {
  std::string_view needle;  // lower case
  ReplyCategory category;
};

// First match wins: specific texts before general words.
constexpr std::array<Keyword, 62> k_keywords = {{
    {"greylist", ReplyCategory::greylisted},
    {"graylist", ReplyCategory::greylisted},
    {"mailbox full", ReplyCategory::mailboxfull},
    {"mailbox is full", ReplyCategory::mailboxfull},
    {"quota exceeded", ReplyCategory::mailboxfull},
    {"over quota", ReplyCategory::mailboxfull},
    {"exceeded storage", ReplyCategory::mailboxfull},
    {"insufficient storage", ReplyCategory::mailboxfull},
    {"user unknown", ReplyCategory::userunknown},
    {"unknown user", ReplyCategory::userunknown},
    {"no such user", ReplyCategory::userunknown},
    {"user not found", ReplyCategory::userunknown},
    {"unknown recipient", ReplyCategory::userunknown},
    {"recipient unknown", ReplyCategory::userunknown},
    {"invalid recipient", ReplyCategory::userunknown},
    {"does not exist", ReplyCategory::userunknown},
    {"doesn't exist", ReplyCategory::userunknown},
    {"no mailbox", ReplyCategory::userunknown},
    {"mailbox not found", ReplyCategory::userunknown},
    {"address rejected: user", ReplyCategory::userunknown},
    {"reverse dns", ReplyCategory::requireptr},
    {"ptr record", ReplyCategory::requireptr},
    {"reverse lookup", ReplyCategory::requireptr},
    {"rdns", ReplyCategory::requireptr},
    {"reverse hostname", ReplyCategory::requireptr},
    {"dmarc", ReplyCategory::authfailure},
    {"dkim", ReplyCategory::authfailure},
    {"spf", ReplyCategory::authfailure},
    {"unauthenticated", ReplyCategory::authfailure},
    {"blocked using", ReplyCategory::blocked},
    {"blocklist", ReplyCategory::blocked},
    {"block list", ReplyCategory::blocked},
    {"blacklist", ReplyCategory::blocked},
    {"black list", ReplyCategory::blocked},
    {"spamhaus", ReplyCategory::blocked},
    {"dnsbl", ReplyCategory::blocked},
    {"listed at", ReplyCategory::blocked},
    {"listed in", ReplyCategory::blocked},
    {"client host rejected", ReplyCategory::blocked},
    {"dynamic ip", ReplyCategory::blocked},
    {"dialup", ReplyCategory::blocked},
    {"reputation", ReplyCategory::badreputation},
    {"rate limit", ReplyCategory::ratelimited},
    {"too many", ReplyCategory::ratelimited},
    {"throttl", ReplyCategory::ratelimited},
    {"virus", ReplyCategory::spamdetected},
    {"spam", ReplyCategory::spamdetected},
    {"unsolicited", ReplyCategory::spamdetected},
    {"sender address rejected", ReplyCategory::rejected},
    {"sender rejected", ReplyCategory::rejected},
    {"sender domain", ReplyCategory::rejected},
    {"relay access denied", ReplyCategory::rejected},
    {"relaying denied", ReplyCategory::rejected},
    {"message size", ReplyCategory::contenterror},
    {"too large", ReplyCategory::contenterror},
    {"rfc 5322", ReplyCategory::contenterror},
    {"retry timeout exceeded", ReplyCategory::expired},
    {"delivery time expired", ReplyCategory::expired},
    {"policy", ReplyCategory::policyviolation},
    {"helo", ReplyCategory::policyviolation},
    {"local error", ReplyCategory::systemerror},
    {"internal error", ReplyCategory::systemerror},
}};

std::optional<ReplyCategory> by_keyword(std::string_view reply) {
  const std::string low = util::lower(reply);
  for (const Keyword& k : k_keywords)
    if (low.find(k.needle) != std::string::npos) return k.category;
  return std::nullopt;
}

/// RFC 3463 subject/detail: X.1.1 user unknown, X.2.2 mailbox full, X.4.7 expired ...
std::optional<ReplyCategory> by_enhanced(std::string_view code) {
  if (code.size() < 5) return std::nullopt;
  const std::string_view rest = code.substr(2);
  if (rest == "1.1" || rest == "1.10") return ReplyCategory::userunknown;
  if (rest == "2.2") return ReplyCategory::mailboxfull;
  if (rest == "4.7") return ReplyCategory::expired;
  if (rest == "3.4" || rest == "6.0") return ReplyCategory::contenterror;
  if (rest == "1.8") return ReplyCategory::rejected;
  if (rest == "7.1") return ReplyCategory::policyviolation;
  if (rest.substr(0, 2) == "3.") return ReplyCategory::systemerror;
  return std::nullopt;
}

Fixer default_fixer(ReplyCategory c) {
  switch (c) {
    case ReplyCategory::blocked:
    case ReplyCategory::badreputation:
    case ReplyCategory::requireptr:
    case ReplyCategory::policyviolation:
    case ReplyCategory::ratelimited:
    case ReplyCategory::expired:
    case ReplyCategory::other: return Fixer::provider;
    case ReplyCategory::authfailure:
    case ReplyCategory::rejected: return Fixer::domain_owner;
    case ReplyCategory::spamdetected:
    case ReplyCategory::contenterror:
    case ReplyCategory::userunknown: return Fixer::user;
    case ReplyCategory::mailboxfull:
    case ReplyCategory::systemerror: return Fixer::receiver;
    case ReplyCategory::greylisted: return Fixer::nobody;
  }
  return Fixer::provider;
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : util::lower(address.substr(at + 1));
}

bool markers_match(const data::Receiver& r, std::string_view reply) {
  const std::string norm = data::normalise_reply(reply);
  return std::any_of(r.reply_markers.begin(), r.reply_markers.end(), [&norm](const data::Pattern& p) { return p.matches(norm); });
}

}  // namespace

std::string_view category_meaning(ReplyCategory c, bool german) {
  const CategoryText& t = text_of(c);
  return german ? t.meaning_de : t.meaning_en;
}

std::string_view category_action(ReplyCategory c, bool german) {
  const CategoryText& t = text_of(c);
  return german ? t.action_de : t.action_en;
}

Diagnosis diagnose(const BounceInfo& info, const data::ReceiverCatalogue& catalogue) {
  Diagnosis d;
  d.sending_ip = info.sending_ip;
  const data::Receiver* by_mx = info.remote_mta.empty() ? nullptr : data::receiver_for_mx(catalogue, info.remote_mta);
  const data::Receiver* by_domain = info.recipient.empty() ? nullptr : data::receiver_for_domain(catalogue, domain_of(info.recipient));

  if (info.kind == InputKind::headers) {
    const data::Receiver* by_host = info.received_by.empty() ? nullptr : data::receiver_for_mx(catalogue, info.received_by);
    d.receiver = by_host != nullptr ? by_host : by_domain;
    bool spf_pass = false, dkim_pass = false, dmarc_fail = false, any_fail = false;
    for (const AuthVerdict& v : info.auth) {
      if (v.method != "spf" && v.method != "dkim" && v.method != "dmarc") continue;
      if (v.result == "pass") {
        if (v.method == "spf") spf_pass = true;
        if (v.method == "dkim") dkim_pass = true;
        continue;
      }
      d.failed_auth.push_back(v);
      if (v.result == "fail" || v.result == "permerror") any_fail = true;
      if (v.method == "dmarc" && v.result == "fail") dmarc_fail = true;
    }
    if (dmarc_fail || any_fail || (!info.auth.empty() && !spf_pass && !dkim_pass)) {
      d.category = ReplyCategory::authfailure;
      d.who_can_fix = Fixer::domain_owner;
      d.meaning_en = std::string(category_meaning(ReplyCategory::authfailure, false));
      d.meaning_de = std::string(category_meaning(ReplyCategory::authfailure, true));
    }
    return d;
  }

  d.rejection = true;
  const data::Receiver* hint = by_mx != nullptr ? by_mx : by_domain;
  std::optional<data::CodeMatch> m;
  if (!info.reply.empty()) m = data::classify_reply(catalogue, hint, info.reply);
  // A known remote server of another receiver (or of none): only trust a match the reply itself marks.
  if (m && !info.remote_mta.empty() && m->receiver != by_mx && !markers_match(*m->receiver, info.reply)) m.reset();

  if (m) {
    d.receiver = m->receiver;
    d.category = m->code->category;
    d.temporary = m->temporary;
    d.receiver_code = m->receiver_code;
    d.who_can_fix = m->code->who_can_fix;
    d.contact = m->contact();
    d.meaning_en = m->code->meaning_en;
    d.meaning_de = m->code->meaning_de;
    if (d.sending_ip.empty()) d.sending_ip = std::string(m->capture("ip"));
    d.match = std::move(m);
  } else {
    d.receiver = by_mx != nullptr ? by_mx : info.remote_mta.empty() ? by_domain : nullptr;
    std::optional<ReplyCategory> c;
    if (!info.reply.empty()) c = by_keyword(info.reply);
    if (!c && !info.enhanced_code.empty()) c = by_enhanced(info.enhanced_code);
    if (!c && info.reply.empty() && !info.dsn_status.empty()) c = by_enhanced(info.dsn_status);
    if (!c && info.reply.empty() && info.action == "delayed") c = ReplyCategory::other;
    d.category = c.value_or(ReplyCategory::other);
    d.who_can_fix = default_fixer(*d.category);
    if (info.smtp_code) d.temporary = *info.smtp_code / 100 == 4;
    else if (!info.enhanced_code.empty()) d.temporary = info.enhanced_code[0] == '4';
    else d.temporary = info.action == "delayed" || (!info.dsn_status.empty() && info.dsn_status[0] == '4' && info.action != "failed");
    d.meaning_en = std::string(category_meaning(*d.category, false));
    d.meaning_de = std::string(category_meaning(*d.category, true));
  }
  if (d.category == ReplyCategory::greylisted) d.temporary = true;
  if (d.receiver_code.empty() && d.match) d.receiver_code = d.match->receiver_code;
  return d;
}

}  // namespace mailrep::mail
