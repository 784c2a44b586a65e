// The bounce reader: every sample in tests/bounces/ against its NAME.expected sidecar, the MIME
// decoders, and hostile input (caps, garbage, broken encodings).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "mailrep/data/receivers.hpp"
#include "mailrep/mail/bounce.hpp"
#include "mailrep/mail/messages.hpp"
#include "mailrep/mail/mime.hpp"
#include "mailrep/util/text.hpp"

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR (source root, string literal) must be defined by the build"
#endif

namespace {

namespace fs = std::filesystem;
using namespace mailrep;

const std::string k_samples = std::string(MAILREP_SOURCE_DIR) + "/tests/bounces";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

const data::ReceiverCatalogue& catalogue() {
  static const data::ReceiverCatalogue cat = [] {
    auto c = data::load_receivers(std::string(MAILREP_SOURCE_DIR) + "/lists/receivers.toml");
    REQUIRE_MESSAGE(c.has_value(), (c ? std::string() : c.error().message));
    return std::move(*c);
  }();
  return cat;
}

std::map<std::string, std::string> read_expected(const fs::path& p) {
  std::map<std::string, std::string> out;
  std::istringstream in(slurp(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    out[line.substr(0, colon)] = std::string(util::trim(std::string_view(line).substr(colon + 1)));
  }
  return out;
}

std::map<std::string, std::string> actual_fields(const mail::BounceInfo& b, const mail::Diagnosis& d) {
  std::map<std::string, std::string> a;
  a["kind"] = std::string(mail::to_string(b.kind));
  a["receiver"] = d.receiver != nullptr ? d.receiver->id : std::string();
  a["remote_mta"] = b.remote_mta;
  a["smtp_code"] = b.smtp_code ? std::string(1, static_cast<char>('0' + *b.smtp_code / 100)) +
                                     static_cast<char>('0' + *b.smtp_code / 10 % 10) + static_cast<char>('0' + *b.smtp_code % 10)
                               : std::string();
  a["enhanced_code"] = b.enhanced_code;
  a["receiver_code"] = d.receiver_code;
  a["sending_ip"] = d.sending_ip;
  a["recipient"] = b.recipient;
  a["category"] = d.category ? std::string(data::to_string(*d.category)) : std::string();
  a["temporary"] = d.temporary ? "true" : "false";
  return a;
}

}  // namespace

TEST_CASE("bounce samples: every sample parses to its expected fields") {
  std::vector<fs::path> samples;
  for (const auto& e : fs::directory_iterator(k_samples)) {
    const auto ext = e.path().extension().string();
    if (ext == ".eml" || ext == ".txt") samples.push_back(e.path());
  }
  std::sort(samples.begin(), samples.end());
  REQUIRE(samples.size() >= 20);
  std::vector<std::string> receivers_seen;
  for (const fs::path& p : samples) {
    CAPTURE(p.filename().string());
    fs::path expected_path = p;
    expected_path.replace_extension(".expected");
    REQUIRE_MESSAGE(fs::exists(expected_path), "missing sidecar " << expected_path.string());
    const auto expected = read_expected(expected_path);
    REQUIRE(expected.size() >= 7);
    auto parsed = mail::parse_bounce(slurp(p));
    REQUIRE_MESSAGE(parsed.has_value(), (parsed ? std::string() : parsed.error().message));
    const mail::Diagnosis d = mail::diagnose(*parsed, catalogue());
    const auto actual = actual_fields(*parsed, d);
    for (const auto& [key, value] : expected) {
      CAPTURE(key);
      REQUIRE_MESSAGE(actual.count(key) == 1, "unknown key in sidecar: " << key);
      CHECK(actual.at(key) == value);
    }
    if (d.receiver != nullptr) receivers_seen.push_back(d.receiver->id);
    // Everything printed is clean: no control characters anywhere.
    for (const std::string* s : {&parsed->reply, &parsed->recipient, &parsed->remote_mta, &parsed->subject})
      CHECK(util::sanitize(*s, 100000) == *s);
  }
  for (const char* id : {"t-online", "united-internet", "gmail", "yahoo", "microsoft"})
    CHECK_MESSAGE(std::count(receivers_seen.begin(), receivers_seen.end(), id) >= 1, id);
}

TEST_CASE("bounce: the DSN Status class does not decide - the reply does") {
  // T-Online greeting reject, Postfix kept it deferred: Status 4.0.0 but a 554 reply.
  const std::string dsn =
      "From: MAILER-DAEMON@mail.example.de\nSubject: Undelivered Mail Returned to Sender\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n"
      "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mail.example.de\n\n"
      "Final-Recipient: rfc822; a@t-online.de\nAction: failed\nStatus: 4.0.0\n"
      "Diagnostic-Code: smtp; 554 IP=198.51.100.23 - None/bad reputation. Ask your postmaster for help or to contact "
      "tobr@rx.t-online.de for reset. (NOWL)\n\n--b--\n";
  auto b = mail::parse_bounce(dsn);
  REQUIRE(b);
  CHECK(b->dsn_status == "4.0.0");
  CHECK(b->enhanced_code.empty());
  const auto d = mail::diagnose(*b, catalogue());
  CHECK_FALSE(d.temporary);
  REQUIRE(d.contact != nullptr);
  CHECK(d.contact->address == "tobr@rx.t-online.de");
  CHECK(d.who_can_fix == Fixer::provider);
}

TEST_CASE("bounce: bare replies, pasted fields and CRLF") {
  SUBCASE("one line, CRLF") {
    auto b = mail::parse_bounce("554 IP=198.51.100.23 - A problem occurred. (Ask your postmaster for help or to contact "
                                "tosa@rx.t-online.de to clarify.) (BL)\r\n");
    REQUIRE(b);
    CHECK(b->kind == mail::InputKind::smtp_reply);
    CHECK(b->sending_ip == "198.51.100.23");
    const auto d = mail::diagnose(*b, catalogue());
    REQUIRE(d.receiver != nullptr);
    CHECK(d.receiver->id == "t-online");
    CHECK(d.receiver_code == "(BL)");
  }
  SUBCASE("pasted Diagnostic-Code") {
    auto b = mail::parse_bounce("Diagnostic-Code: smtp; 550 5.7.1 [BL21] Connections will not be accepted from "
                                "198.51.100.9, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com\n");
    REQUIRE(b);
    CHECK(b->smtp_code == 550);
    CHECK(b->sending_ip == "198.51.100.9");
    const auto d = mail::diagnose(*b, catalogue());
    CHECK(d.category == data::ReplyCategory::blocked);
  }
  SUBCASE("unknown receiver, keyword table") {
    auto b = mail::parse_bounce("452 4.2.2 Mailbox full\n");
    REQUIRE(b);
    const auto d = mail::diagnose(*b, catalogue());
    CHECK(d.category == data::ReplyCategory::mailboxfull);
    CHECK(d.temporary);
  }
}

TEST_CASE("bounce: hostile and empty input never crashes and ends in a clear error") {
  SUBCASE("empty and blank") {
    for (const char* in : {"", "   \n\n\t\n"}) {
      auto b = mail::parse_bounce(in);
      REQUIRE_FALSE(b);
      CHECK(b.error().code == ErrorCode::parse);
      CHECK(b.error().message == "not a bounce or SMTP reply: the input is empty");
    }
  }
  SUBCASE("binary garbage") {
    std::string g;
    unsigned x = 12345;
    for (int i = 0; i < 5000; ++i) {
      x = x * 1103515245u + 12345u;
      g += static_cast<char>((x >> 16) & 0xff);
    }
    auto b = mail::parse_bounce(g);
    REQUIRE_FALSE(b);
    CHECK(util::istarts_with(b.error().message, "not a bounce or SMTP reply: "));
    CHECK(b.error().message.find('\n') == std::string::npos);
  }
  SUBCASE("prose is not a bounce") {
    auto b = mail::parse_bounce("Hello, this is just a note.\nNothing to see.\n");
    REQUIRE_FALSE(b);
    CHECK(b.error().message == "not a bounce or SMTP reply: no SMTP reply, delivery status or mail headers found");
  }
  SUBCASE("too large") {
    std::string big(mail::max_input_bytes + 1, 'a');
    auto b = mail::parse_bounce(big);
    REQUIRE_FALSE(b);
    CHECK(b.error().code == ErrorCode::limit);
  }
  SUBCASE("MIME nesting bomb") {
    std::string m = "From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n";
    std::string tail, name = "b";
    for (int i = 0; i < 500; ++i) {
      name += static_cast<char>('a' + i % 26);
      m += "Content-Type: multipart/mixed; boundary=" + name + "\n\n--" + name + "\n";
      tail = "\n--" + name + "--\n" + tail;
    }
    m += "Content-Type: text/plain\n\n<a@b.example>: host mx.b.example[203.0.113.1] said: 550 5.1.1 user unknown\n" + tail;
    auto b = mail::parse_bounce(m);
    // The reply sits below the nesting cap: it is not read, and that is said.
    if (b) {
      CHECK(std::find_if(b->notes.begin(), b->notes.end(), [](const std::string& n) { return n.find("nesting") != std::string::npos; }) !=
            b->notes.end());
    } else {
      CHECK(util::istarts_with(b.error().message, "not a bounce or SMTP reply: "));
    }
  }
  SUBCASE("very long line and control characters are sanitised") {
    std::string l = "550 5.7.1 blocked \x1b[31mred\x1b[0m " + std::string(200000, 'x') + "\n";
    auto b = mail::parse_bounce(l);
    REQUIRE(b);
    CHECK(b->reply.find('\x1b') == std::string::npos);
    CHECK(b->reply.size() <= data::max_reply_bytes * 4 + 16);
  }
  SUBCASE("broken base64 and QP are tolerated") {
    const std::string m =
        "From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail Returned to Sender\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
        "PGFAYi5leGFtcGxlPjogaG9zdCBteC5iLmV4YW1wbGVbMjAzLjAuMTEzLjFdIHNhaWQ6IDU1MCA1LjEuMSB1c2VyIHVua25vd24K!!**==garbage\n";
    auto b = mail::parse_bounce(m);
    REQUIRE(b);
    CHECK(b->smtp_code == 550);
    CHECK_FALSE(b->notes.empty());
  }
}

TEST_CASE("mime: decoders") {
  CHECK(mail::decode_qp("a=3Db=\nc=E4=zz=") == "a=bc\xE4=zz");  // a final "=" is a soft break
  bool broken = false;
  CHECK(mail::decode_base64("aGFsbG8=", &broken) == "hallo");
  CHECK_FALSE(broken);
  CHECK(mail::decode_base64("aGFs#bG8", &broken) == "hallo");
  CHECK(broken);
  CHECK(mail::to_utf8("\xE4\xF6\xFC\xDF", "ISO-8859-1") == "äöüß");
  CHECK(mail::to_utf8("\xA4", "iso-8859-15") == "€");
  CHECK(mail::to_utf8("\x80\x96", "windows-1252") == "€–");
  CHECK(mail::to_utf8("gr\xFC\xDF", "utf-8") == "grüß");  // stray bytes read as windows-1252
  CHECK(mail::decode_rfc2047("=?iso-8859-1?q?Gr=FC=DFe?= =?utf-8?B?YXVz?= Berlin") == "Grüßeaus Berlin");
  CHECK(mail::decode_rfc2047("=?bogus") == "=?bogus");
  const auto ct = mail::parse_content_type(nullptr);
  CHECK(ct.type == "text/plain");
  const std::string h = "Multipart/Report; report-type=delivery-status;\tboundary=\"a b\\\"c\"";
  const auto ct2 = mail::parse_content_type(&h);
  CHECK(ct2.type == "multipart/report");
  CHECK(ct2.param("boundary") == "a b\"c");
  CHECK(ct2.param("report-type") == "delivery-status");
}

TEST_CASE("mail messages: every finding id has both languages") {
  for (const MessageText& m : mail::messages()) {
    CAPTURE(m.id);
    CHECK_FALSE(m.en_title.empty());
    CHECK_FALSE(m.de_title.empty());
    CHECK_FALSE(m.en_detail.empty());
    CHECK_FALSE(m.de_detail.empty());
    CHECK(m.en_fix.empty() == m.de_fix.empty());
  }
  for (auto c : {data::ReplyCategory::blocked, data::ReplyCategory::other, data::ReplyCategory::greylisted}) {
    CHECK_FALSE(mail::category_meaning(c, true).empty());
    CHECK_FALSE(mail::category_action(c, false).empty());
  }
}

TEST_CASE("provider report: en and de carry the reply, the IP and the contact") {
  auto b = mail::parse_bounce("554 IP=192.0.2.66 - A problem occurred. (Ask your postmaster for help or to contact "
                              "tosa@rx.t-online.de to clarify.) (BL)\n");
  REQUIRE(b);
  const auto d = mail::diagnose(*b, catalogue());
  mail::LiveCheck live;
  live.attempted = true;
  live.done = false;
  live.error = "no resolver";
  const std::string en = mail::provider_report(*b, d, live, false);
  const std::string de = mail::provider_report(*b, d, live, true);
  CHECK(en.find("tosa@rx.t-online.de") != std::string::npos);
  CHECK(en.find("192.0.2.66") != std::string::npos);
  CHECK(en.find("(BL)") != std::string::npos);
  CHECK(en.find("not possible: no resolver") != std::string::npos);
  CHECK(de.find("Genaue Antwort:") != std::string::npos);
  CHECK(de.find("abgelehnt") != std::string::npos);
}
