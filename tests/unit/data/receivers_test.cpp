// Unit tests for the receiver catalogue: the shipped lists/receivers.toml, lookups by domain and
// MX host, classification of the reference's bounce samples, and rejection of bad files with
// file:line messages.
#include "mailrep/data/receivers.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR (source root, string literal) must be defined by the build"
#endif

namespace {

using mailrep::data::ReceiverCatalogue;
using mailrep::data::ReplyCategory;

const std::string shipped_path = std::string(MAILREP_SOURCE_DIR) + "/lists/receivers.toml";

const ReceiverCatalogue& shipped() {
  static const ReceiverCatalogue cat = [] {
    auto loaded = mailrep::data::load_receivers(shipped_path);
    if (!loaded) FAIL("shipped receiver catalogue rejected: " << loaded.error().message);
    return loaded ? std::move(*loaded) : ReceiverCatalogue{};
  }();
  return cat;
}

std::string error_of(std::string_view toml) {
  auto parsed = mailrep::data::parse_receivers(toml, "r.toml");
  return parsed ? std::string("(accepted)") : parsed.error().message;
}

/// A minimal valid receiver; `extra` is appended inside it (line 6 onwards).
std::string receiver_with(std::string_view extra) {
  std::string s =
      "[[receiver]]\n"                 // 1
      "id = \"x\"\n"                   // 2
      "name = \"X\"\n"                 // 3
      "domains = [\"x.example\"]\n"    // 4
      "source = \"test\"\n";           // 5
  s += extra;
  return s;
}

constexpr std::string_view valid_code =
    "[[receiver.code]]\n"
    "id = \"c\"\n"
    "pattern = 'blocked (?P<ip>[0-9.]+)'\n"
    "receiver_code = \"B1\"\n"
    "meaning_en = \"m\"\n"
    "meaning_de = \"m\"\n"
    "category = \"blocked\"\n"
    "who_can_fix = \"provider\"\n"
    "confidence = \"high\"\n"
    "source = \"test\"\n";

}  // namespace

TEST_SUITE("data::receivers") {

TEST_CASE("the shipped catalogue loads without errors or warnings") {
  auto loaded = mailrep::data::load_receivers(shipped_path);
  REQUIRE_MESSAGE(loaded.has_value(), (loaded ? std::string() : loaded.error().message));
  CHECK(loaded->receivers.size() >= 5);
  CHECK_MESSAGE(loaded->warnings.empty(), (loaded->warnings.empty() ? std::string() : loaded->warnings.front()));
  for (std::string_view id : {"t-online", "united-internet", "gmail", "yahoo", "microsoft"}) {
    CAPTURE(id);
    CHECK(loaded->find(id) != nullptr);
  }
}

TEST_CASE("shipped catalogue invariants") {
  for (const auto& r : shipped().receivers) {
    CAPTURE(r.id);
    CHECK(!r.source.empty());
    CHECK(!r.postmaster.empty());
    for (const auto& c : r.contacts) CHECK(!c.source.empty());
    for (const auto& q : r.requirements) {
      CAPTURE(q.id);
      CHECK(!q.source.empty());
      CHECK(!q.text_en.empty());
      CHECK(!q.text_de.empty());
    }
    for (const auto& c : r.codes) {
      CAPTURE(c.id);
      CHECK(c.pattern.valid());
      CHECK(!c.source.empty());
      CHECK(!c.meaning_de.empty());
      if (!c.contact.empty()) CHECK(r.contact(c.contact) != nullptr);
    }
  }
}

TEST_CASE("T-Online contacts are copied exactly from the reference") {
  const auto* t = shipped().find("t-online");
  REQUIRE(t != nullptr);
  const std::vector<std::pair<std::string_view, std::string_view>> expected = {
      {"tosa", "tosa@rx.t-online.de"}, {"tobr", "tobr@rx.t-online.de"}, {"toda", "toda@rx.t-online.de"},
      {"fpr", "fpr@rx.t-online.de"}};
  for (const auto& [id, address] : expected) {
    CAPTURE(id);
    const auto* c = t->contact(id);
    REQUIRE(c != nullptr);
    CHECK(c->address == address);
    CHECK(c->kind == mailrep::data::ContactKind::email);
  }
  const auto* req = t->requirement("dkim-strict-alignment");
  REQUIRE(req != nullptr);
  CHECK(req->since == "2025-07-02");
  CHECK(req->severity == mailrep::Severity::critical);
}

TEST_CASE("receiver_for_domain: exact mailbox domains, case and trailing dot ignored") {
  struct Row {
    std::string_view domain;
    std::string_view receiver;  // empty = none
  };
  const Row rows[] = {
      {"t-online.de", "t-online"},     {"MAGENTA.DE.", "t-online"},       {"gmx.net", "united-internet"},
      {"web.de", "united-internet"},   {"mail.com", "united-internet"},   {"gmail.com", "gmail"},
      {"googlemail.com", "gmail"},     {"yahoo.com", "yahoo"},            {"aol.com", "yahoo"},
      {"hotmail.com", "microsoft"},    {"outlook.com", "microsoft"},      {"live.com", "microsoft"},
      {"freenet.de", "freenet"},       {"posteo.de", "posteo"},           {"sub.t-online.de", ""},
      {"example.org", ""},             {"", ""},                          {"t-online.de.example", ""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.domain);
    const auto* r = mailrep::data::receiver_for_domain(shipped(), row.domain);
    if (row.receiver.empty()) {
      CHECK(r == nullptr);
    } else {
      REQUIRE(r != nullptr);
      CHECK(r->id == row.receiver);
    }
  }
}

TEST_CASE("receiver_for_mx: whole host names against the MX patterns") {
  struct Row {
    std::string_view mx;
    std::string_view receiver;
  };
  const Row rows[] = {
      {"mx02.t-online.de", "t-online"},
      {"MX00.T-ONLINE.DE.", "t-online"},
      {"mx00.emig.gmx.net", "united-internet"},
      {"mx-ha03.web.de", "united-internet"},
      {"mx01.kundenserver.de", "united-internet"},
      {"mx00.ionos.de", "united-internet"},
      {"gmail-smtp-in.l.google.com", "gmail"},
      {"alt1.gmail-smtp-in.l.google.com.", "gmail"},
      {"aspmx.l.google.com", "gmail"},
      {"mx-eu.mail.am0.yahoodns.net", "yahoo"},
      {"mx-att.mail.am0.yahoodns.net", "yahoo"},
      {"hotmail-com.olc.protection.outlook.com", "microsoft"},
      {"contoso-com.mail.protection.outlook.com", "microsoft"},
      {"smtpin.rzone.de", "strato"},
      {"mx02.t-online.de.evil.example", ""},
      {"evilmx02.t-online.de", ""},
      {"mx.example.org", ""},
      {"", ""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.mx);
    const auto* r = mailrep::data::receiver_for_mx(shipped(), row.mx);
    if (row.receiver.empty()) {
      CHECK(r == nullptr);
    } else {
      REQUIRE(r != nullptr);
      CHECK(r->id == row.receiver);
    }
  }
}

TEST_CASE("classify_reply: the reference's bounce samples (ref section 10)") {
  struct Row {
    std::string_view reply;
    std::string_view receiver;
    std::string_view code_id;
    std::string_view receiver_code;
    ReplyCategory category;
    bool temporary;
    std::string_view ip;  // expected "ip" capture, empty = none
  };
  const Row rows[] = {
      // T-Online greeting rejects as Postfix logs them
      {"host mx02.t-online.de[194.25.134.9] refused to talk to me: 554 IP=198.51.100.23 - A problem occurred. (Ask "
       "your postmaster for help or to contact tosa@rx.t-online.de to clarify.) (BL)",
       "t-online", "bl", "(BL)", ReplyCategory::blocked, false, "198.51.100.23"},
      {"host mx03.t-online.de[194.25.134.73] refused to talk to me: 554 IP=198.51.100.23 - None/bad reputation. Ask "
       "your postmaster for help or to contact tobr@rx.t-online.de for reset. (NOWL)",
       "t-online", "nowl", "(NOWL)", ReplyCategory::badreputation, false, "198.51.100.23"},
      {"host mx00.t-online.de[194.25.134.8] refused to talk to me: 554 IP=198.51.100.23 - Dialup/transient IP not "
       "allowed. Use a mailgateway or contact toda@rx.t-online.de if obsolete. (DIAL)",
       "t-online", "dial", "(DIAL)", ReplyCategory::blocked, false, "198.51.100.23"},
      {"host mx01.t-online.de[194.25.134.72] said: 559 5.1.9 (DKIM reject DKIMr) Missing, invalid or non-matching "
       "DKIM signature (250) (in reply to end of DATA command)",
       "t-online", "dkim-reject", "(DKIM reject DKIMr)", ReplyCategory::authfailure, false, ""},
      {"554 IP=2001:db8::25 - Something new. (XYZ:Q1)", "t-online", "ip-tag-other", "(XYZ:Q1)", ReplyCategory::blocked,
       false, "2001:db8::25"},
      // GMX / WEB.DE / IONOS
      {"554-gmx.net (mxgmx117) Nemesis ESMTP Service not available 554-No SMTP service 554-IP address is block "
       "listed. 554 For explanation visit "
       "https://postmaster.gmx.net/en/case?c=r0301&i=ip&v=198.51.100.23&r=1AbCdE-1xYz0000000-00Q1w2",
       "united-internet", "ip-blocklisted", "r0301", ReplyCategory::blocked, false, ""},
      {"554-web.de (mxweb108) Nemesis ESMTP Service not available 554-No SMTP service 554 invalid DNS PTR resource "
       "record, IP=198.51.100.23",
       "united-internet", "invalid-ptr", "invalid DNS PTR resource record", ReplyCategory::requireptr, false,
       "198.51.100.23"},
      {"554 Transaction failed Reject due to policy restrictions. For explanation visit "
       "https://web.de/email/senderguidelines?ip=198.51.100.23&c=hi",
       "united-internet", "transaction-policy", "hi", ReplyCategory::policyviolation, false, ""},
      {"550-Requested action not taken: mailbox unavailable 550 invalid DNS MX or A/AAAA resource record. For "
       "explanation visit https://postmaster.1und1.de/en/case?c=r1601&i=ip&v=198.51.100.23&r=abc",
       "united-internet", "sender-domain-no-mx", "r1601", ReplyCategory::rejected, false, ""},
      // Gmail
      {"421-4.7.0 [198.51.100.23] The IP address sending this message does not have a PTR record, or the "
       "corresponding forward DNS entry does not point to the sending IP. ... - gsmtp",
       "gmail", "ptr-missing", "4.7.0", ReplyCategory::requireptr, true, ""},
      {"550-5.7.26 This email has been blocked because the sender is unauthenticated. Gmail requires all senders to "
       "authenticate with either SPF or DKIM. Authentication results: DKIM = did not pass SPF [example.de] with ip: "
       "[198.51.100.23] = did not pass. ... - gsmtp",
       "gmail", "unauthenticated", "5.7.26", ReplyCategory::authfailure, false, ""},
      {"550-5.7.1 [198.51.100.23] Our system has detected that this message is likely suspicious due to the very low "
       "reputation of the sending IP address. ... - gsmtp",
       "gmail", "low-ip-reputation", "5.7.1", ReplyCategory::badreputation, false, ""},
      // Yahoo / AOL
      {"421 4.7.0 [TSS04] Messages from 198.51.100.23 temporarily deferred due to unexpected volume or user "
       "complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
       "yahoo", "tss04", "TSS04", ReplyCategory::badreputation, true, "198.51.100.23"},
      {"553 5.7.2 [TSS09] All messages from 198.51.100.23 will be permanently deferred; Retrying will NOT succeed. "
       "See https://postmaster.yahooinc.com/error-codes",
       "yahoo", "tss09", "TSS09", ReplyCategory::blocked, false, "198.51.100.23"},
      {"554 Message not allowed - [PH01] Email not accepted for policy reasons. Please visit "
       "https://postmaster.yahooinc.com/error-codes",
       "yahoo", "ph01", "PH01", ReplyCategory::policyviolation, false, ""},
      // Microsoft
      {"550 5.7.1 Unfortunately, messages from [198.51.100.23] weren't sent. Please contact your Internet service "
       "provider since part of their network is on our block list (S3150). You can also refer your provider to "
       "http://mail.live.com/mail/troubleshooting.aspx#errors. [AM0EUR02FT012.eop-eur02.prod.protection.outlook.com]",
       "microsoft", "s3150", "S3150", ReplyCategory::blocked, false, ""},
      {"550 5.7.606 Access denied, banned sending IP [198.51.100.23]. To request removal from this list please visit "
       "https://sender.office.com/ and follow the directions. AS(16012609)",
       "microsoft", "banned-ip", "5.7.606", ReplyCategory::blocked, false, "198.51.100.23"},
      {"550; 5.7.515 Access denied, sending domain [example.de] does not meet the required authentication level.",
       "microsoft", "bulk-auth", "5.7.515", ReplyCategory::authfailure, false, ""},
      // Sending-provider wrappers: the remote reply inside the provider's text
      {"SMTP error from remote server for TEXT command, host: mx00.t-online.de (194.25.134.8) reason: 554 "
       "IP=198.51.100.23 - None/bad reputation. Ask your postmaster for help or to contact tobr@rx.t-online.de for "
       "reset. (NOWL)",
       "t-online", "nowl", "(NOWL)", ReplyCategory::badreputation, false, "198.51.100.23"},
      {"Erkl\xc3\xa4rung: host mx-ha02.web.de [212.227.17.8] said: Transaction failed Reject due to policy "
       "restrictions. For explanation visit https://web.de/email/senderguidelines?ip=198.51.100.23&c=hi",
       "united-internet", "transaction-policy", "hi", ReplyCategory::policyviolation, false, ""},
  };
  for (const Row& row : rows) {
    CAPTURE(row.reply);
    for (const bool with_hint : {false, true}) {
      CAPTURE(with_hint);
      const auto* hint = with_hint ? shipped().find(row.receiver) : nullptr;
      const auto m = mailrep::data::classify_reply(shipped(), hint, row.reply);
      REQUIRE(m.has_value());
      REQUIRE(m->receiver != nullptr);
      REQUIRE(m->code != nullptr);
      CHECK(m->receiver->id == row.receiver);
      CHECK(m->code->id == row.code_id);
      CHECK(m->receiver_code == row.receiver_code);
      CHECK(m->code->category == row.category);
      CHECK(m->temporary == row.temporary);
      CHECK(m->capture("ip") == row.ip);
    }
  }
}

TEST_CASE("classify_reply: multi-line replies, contacts and captures") {
  const std::string reply =
      "554-gmx.net (mxgmx104) Nemesis ESMTP Service not available\r\n554-No SMTP service\r\n"
      "554-IP address is block listed.\r\n554 For explanation visit "
      "https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=192.0.2.1&r=X1\r\n";
  const auto m = mailrep::data::classify_reply(shipped(), nullptr, reply);
  REQUIRE(m.has_value());
  CHECK(m->code->id == "ip-blocklisted");
  CHECK(m->receiver_code == "r0201");
  CHECK(m->capture("url") == "https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=192.0.2.1&r=X1");
  REQUIRE(m->contact() != nullptr);
  CHECK(m->contact()->id == "gmx-contact");

  const auto bl = mailrep::data::classify_reply(
      shipped(), nullptr, "554 IP=192.0.2.7 - A problem occurred. (Ask your postmaster ... tosa@rx.t-online.de) (BL)");
  REQUIRE(bl.has_value());
  REQUIRE(bl->contact() != nullptr);
  CHECK(bl->contact()->address == "tosa@rx.t-online.de");
  CHECK(bl->code->who_can_fix == mailrep::Fixer::provider);

  const auto content = mailrep::data::classify_reply(
      shipped(), nullptr,
      "550-5.7.0 Message considered as spam or virus, rejected\n550-Your IP: 192.0.2.9\n550-Mailhost: "
      "mailin41.aul.t-online.de\n550 Timestamp: ...");
  REQUIRE(content.has_value());
  CHECK(content->code->id == "content-spam");
  CHECK(content->capture("ip") == "192.0.2.9");
  CHECK(content->capture("mailhost") == "mailin41.aul.t-online.de");
  REQUIRE(content->contact() != nullptr);
  CHECK(content->contact()->id == "fpr");
}

TEST_CASE("classify_reply: hint_only codes need a hint or a reply marker") {
  // RFC 5321's own example text: not T-Online's without a reason to think so.
  const std::string_view generic = "550 5.1.1 user unknown";
  CHECK_FALSE(mailrep::data::classify_reply(shipped(), nullptr, generic).has_value());
  const auto hinted = mailrep::data::classify_reply(shipped(), shipped().find("t-online"), generic);
  REQUIRE(hinted.has_value());
  CHECK(hinted->code->id == "user-unknown");
  CHECK(hinted->code->category == ReplyCategory::userunknown);

  // A bare enhanced code is only Gmail's when the reply says gsmtp.
  CHECK_FALSE(mailrep::data::classify_reply(shipped(), nullptr, "550 5.7.30 no").has_value());
  const auto marked = mailrep::data::classify_reply(shipped(), nullptr, "550-5.7.30 DKIM did not pass - gsmtp");
  REQUIRE(marked.has_value());
  CHECK(marked->receiver->id == "gmail");
  CHECK(marked->code->id == "dkim-fail");

  // The hinted receiver is tried first, then everyone else.
  const auto other = mailrep::data::classify_reply(shipped(), shipped().find("gmail"), "421 Rate limit reached. Please try again later");
  REQUIRE(other.has_value());
  CHECK(other->receiver->id == "united-internet");
  CHECK(other->temporary);
}

TEST_CASE("classify_reply: temporary is read from the reply when the code leaves it open") {
  const auto deferred = mailrep::data::classify_reply(shipped(), nullptr, "421-4.7.0 very low reputation of the sending IP - gsmtp");
  REQUIRE(deferred.has_value());
  CHECK(deferred->temporary);
  const auto refused = mailrep::data::classify_reply(shipped(), nullptr, "550-5.7.1 very low reputation of the sending IP - gsmtp");
  REQUIRE(refused.has_value());
  CHECK_FALSE(refused->temporary);
}

TEST_CASE("classify_reply: empty, unknown and oversized replies") {
  CHECK_FALSE(mailrep::data::classify_reply(shipped(), nullptr, "").has_value());
  CHECK_FALSE(mailrep::data::classify_reply(shipped(), nullptr, "250 OK").has_value());
  // The tag lies beyond max_reply_bytes: not looked at.
  std::string huge = "554 IP=192.0.2.1 - ";
  huge.append(mailrep::data::max_reply_bytes, 'a');
  huge += " (BL)";
  const auto m = mailrep::data::classify_reply(shipped(), nullptr, huge);
  CHECK((!m.has_value() || m->code->id != "bl"));
  CHECK(mailrep::data::normalise_reply(huge).size() <= mailrep::data::max_reply_bytes);
  CHECK(mailrep::data::normalise_reply("  a\r\n\tb  \x1b c ") == "a b c");
}

TEST_CASE("catalogue and patterns are movable, not copyable") {
  static_assert(!std::is_copy_constructible_v<mailrep::data::Pattern>);
  static_assert(std::is_nothrow_move_constructible_v<mailrep::data::Pattern>);
  static_assert(std::is_nothrow_move_assignable_v<mailrep::data::Pattern>);
  static_assert(std::is_move_constructible_v<ReceiverCatalogue>);
  auto loaded = mailrep::data::load_receivers(shipped_path);
  REQUIRE(loaded.has_value());
  ReceiverCatalogue moved = std::move(*loaded);
  const auto m = mailrep::data::classify_reply(moved, nullptr, "x (S3150) y");
  REQUIRE(m.has_value());
  CHECK(m->receiver == moved.find("microsoft"));
  mailrep::data::Pattern empty;
  CHECK_FALSE(empty.valid());
  CHECK_FALSE(empty.matches("anything"));
}

TEST_CASE("bad files are rejected whole with file:line") {
  struct Row {
    std::string text;
    std::string_view expected;  // start of the message
  };
  const std::vector<Row> rows = {
      {"[[receiver]\n", "r.toml:1: TOML syntax"},
      {"", "r.toml:1: no [[receiver]] tables"},
      {"foo = 1\n", "r.toml:1: unknown key 'foo' in the top level"},
      {receiver_with("colour = \"red\"\n"), "r.toml:6: unknown key 'colour' in [[receiver]]"},
      {"[[receiver]]\nid = \"x\"\nname = \"X\"\nsource = \"s\"\n", "r.toml:1: a receiver needs 'domains' or 'mx_patterns'"},
      {"[[receiver]]\nid = \"Bad Id\"\nname = \"X\"\n", "r.toml:2: id 'Bad Id' must be lower-case"},
      {"[[receiver]]\nid = \"x\"\nsource = \"s\"\ndomains = [\"x.example\"]\n", "r.toml:1: missing 'name'"},
      {receiver_with("mx_patterns = ['mx(\\d+\\.example']\n"), "r.toml:6: 'mx(\\d+\\.example': bad regular expression: missing )"},
      {receiver_with("reply_markers = [1]\n"), "r.toml:6: 'reply_markers' must be an array of regular expressions"},
      {receiver_with("postmaster = \"ftp://x\"\n"), "r.toml:6: 'postmaster' must be an http(s) URL"},
      {receiver_with(std::string(valid_code) + "\n" + std::string(valid_code)), "r.toml:18: duplicate [[receiver.code]] id 'c'"},
      {receiver_with("[[receiver.code]]\nid = \"c\"\npattern = 'a[b'\n"), "r.toml:8: 'a[b': bad regular expression"},
      {receiver_with(std::string(valid_code).replace(std::string(valid_code).find("\"blocked\""), 9, "\"nope\"")),
       "r.toml:12: unknown category 'nope'"},
      {receiver_with(std::string(valid_code).replace(std::string(valid_code).find("\"provider\""), 10, "\"nobody\"")),
       "r.toml:13: unknown who_can_fix 'nobody'"},
      {receiver_with(std::string(valid_code) + "contact = \"ghost\"\n"), "r.toml:16: contact 'ghost' is not a [[receiver.contact]]"},
      {receiver_with(std::string(valid_code) + "temporary = \"yes\"\n"), "r.toml:16: 'temporary' must be true or false"},
      {receiver_with("[[receiver.contact]]\nid = \"c\"\naddress = \"not an address\"\npurpose_en = \"p\"\n"
                     "purpose_de = \"p\"\nsource = \"s\"\n"),
       "r.toml:8: address 'not an address' is neither"},
      {receiver_with("[[receiver.requirement]]\nid = \"ptr\"\ntext_en = \"t\"\ntext_de = \"t\"\nseverity = \"good\"\n"
                     "confidence = \"high\"\nsource = \"s\"\n"),
       "r.toml:10: unknown severity 'good'"},
      {receiver_with("[[receiver.requirement]]\nid = \"ptr\"\ntext_en = \"t\"\ntext_de = \"t\"\nseverity = \"info\"\n"
                     "confidence = \"high\"\nsource = \"s\"\nsince = \"July 2025\"\n"),
       "r.toml:13: 'since' must be a date YYYY-MM-DD"},
      {receiver_with("") + "\n[[receiver]]\nid = \"x\"\nname = \"Y\"\ndomains = [\"y.example\"]\nsource = \"s\"\n",
       "r.toml:8: duplicate id 'x' (first at line 1)"},
      {receiver_with("") + "\n[[receiver]]\nid = \"y\"\nname = \"Y\"\ndomains = [\"X.example\"]\nsource = \"s\"\n",
       "r.toml:10: domain 'x.example' is also a domain of receiver 'x'"},
      {receiver_with("domains2 = []\n"), "r.toml:6: unknown key 'domains2'"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    const std::string message = error_of(row.text);
    CHECK_MESSAGE(message.starts_with(row.expected), message);
  }
}

TEST_CASE("a minimal valid file loads - unknown requirement ids only warn") {
  auto ok = mailrep::data::parse_receivers(receiver_with(valid_code), "r.toml");
  REQUIRE_MESSAGE(ok.has_value(), (ok ? std::string() : ok.error().message));
  const auto m = mailrep::data::classify_reply(*ok, nullptr, "550 BLOCKED 192.0.2.4 now");
  REQUIRE(m.has_value());
  CHECK(m->capture("ip") == "192.0.2.4");
  CHECK(m->receiver_code == "B1");
  CHECK_FALSE(m->temporary);

  auto warned = mailrep::data::parse_receivers(
      receiver_with("[[receiver.requirement]]\nid = \"carrier-pigeon\"\ntext_en = \"t\"\ntext_de = \"t\"\n"
                    "severity = \"info\"\nconfidence = \"low\"\nsource = \"s\"\n"),
      "r.toml");
  REQUIRE(warned.has_value());
  REQUIRE(warned->warnings.size() == 1);
  CHECK(warned->warnings.front().starts_with("r.toml:6: requirement id 'carrier-pigeon'"));
}

TEST_CASE("missing file is an io error") {
  auto r = mailrep::data::load_receivers(std::string(MAILREP_SOURCE_DIR) + "/lists/does-not-exist.toml");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == mailrep::ErrorCode::io);
}

TEST_CASE("category names round-trip") {
  for (int i = 0; i <= static_cast<int>(ReplyCategory::other); ++i) {
    const auto c = static_cast<ReplyCategory>(i);
    CHECK(mailrep::data::parse_reply_category(mailrep::data::to_string(c)) == c);
  }
  CHECK_FALSE(mailrep::data::parse_reply_category("Blocked").has_value());
}

}  // TEST_SUITE
