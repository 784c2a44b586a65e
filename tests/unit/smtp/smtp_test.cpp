// Pure parts of the SMTP probe: reply lines, enhanced codes, EHLO keywords, addresses in replies,
// targets, option checks, verdicts from hand-made conversations, and the finding texts.
#include <doctest/doctest.h>

#include <string>

#include "mailrep/data/receivers.hpp"
#include "mailrep/smtp/client.hpp"
#include "mailrep/smtp/messages.hpp"
#include "mailrep/smtp/probe.hpp"

using namespace mailrep;
using smtp::Stage;
using smtp::Verdict;

namespace {

const data::ReceiverCatalogue& catalogue() {
  static const data::ReceiverCatalogue cat = [] {
    auto c = data::load_receivers(std::string(MAILREP_SOURCE_DIR) + "/lists/receivers.toml");
    REQUIRE(c);
    return std::move(*c);
  }();
  return cat;
}

smtp::Reply reply(std::initializer_list<std::string> lines) {
  smtp::Reply r;
  for (const auto& l : lines) r.lines.push_back(l);
  r.code = smtp::parse_reply_line(r.lines.front()).code;
  r.enhanced = smtp::enhanced_status(smtp::parse_reply_line(r.lines.front()).text);
  return r;
}

smtp::MxProbe judge(Stage stage, smtp::Reply r, const std::string& local = "198.51.100.7") {
  smtp::SessionResult s;
  s.stage = stage;
  s.greeting = stage == Stage::greeting ? r : reply({"220 ok"});
  s.reply = r;
  s.local_address = local;
  smtp::MxProbe p;
  smtp::judge(catalogue(), nullptr, s, std::nullopt, p);
  return p;
}

}  // namespace

TEST_CASE("smtp: reply lines") {
  auto a = smtp::parse_reply_line("250-PIPELINING");
  CHECK(a.ok);
  CHECK(a.code == 250);
  CHECK_FALSE(a.last);
  CHECK(a.text == "PIPELINING");
  auto b = smtp::parse_reply_line("554 IP=192.0.2.1 - x (BL)");
  CHECK(b.ok);
  CHECK(b.last);
  CHECK(smtp::parse_reply_line("250").ok);
  CHECK(smtp::parse_reply_line("250").last);
  CHECK_FALSE(smtp::parse_reply_line("25").ok);
  CHECK_FALSE(smtp::parse_reply_line("HTTP/1.1 400").ok);
  CHECK_FALSE(smtp::parse_reply_line("250x").ok);
  CHECK_FALSE(smtp::parse_reply_line("650 no").ok);   // first digit 2..5
  CHECK_FALSE(smtp::parse_reply_line("170 no").ok);
  CHECK_FALSE(smtp::parse_reply_line("590 no").ok);   // second digit 0..5
}

TEST_CASE("smtp: enhanced status codes") {
  CHECK(smtp::enhanced_status("5.7.1 blocked") == "5.7.1");
  CHECK(smtp::enhanced_status("4.7.0") == "4.7.0");
  CHECK(smtp::enhanced_status("5.7.606 Access denied") == "5.7.606");
  CHECK(smtp::enhanced_status("IP=192.0.2.1").empty());
  CHECK(smtp::enhanced_status("3.1.1 x").empty());
  CHECK(smtp::enhanced_status("5.7 x").empty());
  CHECK(smtp::enhanced_status("5.7.1234 x").empty());
  CHECK(smtp::enhanced_status("5.7.1x").empty());
}

TEST_CASE("smtp: EHLO keywords") {
  auto r = reply({"250-mx.example.test Hello", "250-pipelining", "250-SIZE 1000", "250 STARTTLS"});
  auto k = smtp::ehlo_keywords(r);
  REQUIRE(k.size() == 3);
  CHECK(k[0] == "PIPELINING");
  CHECK(k[1] == "SIZE");
  CHECK(k[2] == "STARTTLS");
}

TEST_CASE("smtp: addresses named in replies") {
  CHECK(smtp::address_in_reply("554 IP=192.0.2.77 - A problem occurred. (BL)") == "192.0.2.77");
  CHECK(smtp::address_in_reply("550 5.7.1 [198.51.100.23] Our system ...") == "198.51.100.23");
  CHECK(smtp::address_in_reply("421 4.7.0 from 2001:db8::25: try later") == "2001:db8::25");
  CHECK(smtp::address_in_reply("550 5.7.1 blocked, see 4.7.1 and 10:22:33") == "");
  CHECK(smtp::address_in_reply("250 ok").empty());
}

TEST_CASE("smtp: targets") {
  auto d = smtp::parse_targets(catalogue(), {});
  REQUIRE(d);
  REQUIRE(d->size() == 6);
  CHECK((*d)[0].domain == "t-online.de");
  REQUIRE((*d)[0].receiver);
  CHECK((*d)[0].receiver->id == "t-online");
  CHECK((*d)[2].domain == "web.de");

  auto ui = smtp::parse_targets(catalogue(), {"united-internet"});
  REQUIRE(ui);
  REQUIRE(ui->size() == 2);  // gmx.net and web.de: the default domains of that receiver
  CHECK((*ui)[0].domain == "gmx.net");
  CHECK((*ui)[1].domain == "web.de");

  auto mixed = smtp::parse_targets(catalogue(), {"Example.TEST.", "192.0.2.25", "[2001:db8::25]", "example.test"});
  REQUIRE(mixed);
  REQUIRE(mixed->size() == 3);  // duplicates dropped
  CHECK((*mixed)[0].domain == "example.test");
  CHECK((*mixed)[1].address->to_string() == "192.0.2.25");
  CHECK((*mixed)[2].address->is_v6());

  CHECK_FALSE(smtp::parse_targets(catalogue(), {"bad name"}));
  CHECK_FALSE(smtp::parse_targets(catalogue(), {"strato"}));  // a receiver with MX patterns only
}

TEST_CASE("smtp: option checks") {
  CHECK(smtp::check_helo("mx.example.de").empty());
  CHECK(smtp::check_helo("[192.0.2.1]").empty());
  CHECK(smtp::check_helo("[IPv6:2001:db8::1]").empty());
  CHECK_FALSE(smtp::check_helo("bad name").empty());
  CHECK_FALSE(smtp::check_helo("mx.example.de\r\nDATA").empty());
  CHECK_FALSE(smtp::check_helo("[300.1.1.1]").empty());
  CHECK(smtp::check_mailbox("", true).empty());
  CHECK_FALSE(smtp::check_mailbox("", false).empty());
  CHECK(smtp::check_mailbox("a@example.de", false).empty());
  CHECK_FALSE(smtp::check_mailbox("a b@example.de", false).empty());
  CHECK_FALSE(smtp::check_mailbox("a@example.de>\r\nDATA", false).empty());
  CHECK_FALSE(smtp::check_mailbox("nobody", false).empty());
}

TEST_CASE("smtp: verdicts") {
  auto bl = judge(Stage::greeting, reply({"554 IP=198.51.100.7 - A problem occurred. (Ask your postmaster for help "
                                          "or to contact tosa@rx.t-online.de to clarify.) (BL)"}));
  CHECK(bl.verdict == Verdict::blocked);
  REQUIRE(bl.match);
  CHECK(bl.match->receiver_code == "(BL)");
  CHECK(bl.reply_ip == "198.51.100.7");
  CHECK(bl.names_this_host == true);
  CHECK(bl.reached);

  auto unknown_tag = judge(Stage::greeting, reply({"554 IP=198.51.100.7 - Something new. (XYZ)"}));
  CHECK(unknown_tag.verdict == Verdict::blocked);
  REQUIRE(unknown_tag.match);
  CHECK(unknown_tag.match->receiver_code == "(XYZ)");

  auto grey = judge(Stage::rcpt, reply({"451 4.7.1 Greylisting in action, please come back later"}));
  CHECK(grey.verdict == Verdict::temporary);
  CHECK(grey.greylisted);

  auto rate = judge(Stage::greeting, reply({"421 4.7.0 [TSS04] Messages from 198.51.100.9 temporarily deferred due "
                                            "to unexpected volume or user complaints"}));
  CHECK(rate.verdict == Verdict::temporary);
  CHECK_FALSE(rate.greylisted);
  CHECK(rate.names_this_host == false);

  auto generic = judge(Stage::greeting, reply({"554 5.7.1 go away"}));
  CHECK(generic.verdict == Verdict::blocked);

  auto user = judge(Stage::rcpt, reply({"550 5.1.1 <x@example.test>: Recipient address rejected"}));
  CHECK(user.verdict == Verdict::accepted);
  CHECK(user.recipient_refused);

  auto helo = judge(Stage::ehlo, reply({"550 5.7.1 HELO name refused"}));
  CHECK(helo.verdict == Verdict::blocked);

  smtp::SessionResult timeout;
  timeout.stage = Stage::connect;
  timeout.failure = smtp::Failure::timeout;
  smtp::MxProbe t;
  smtp::judge(catalogue(), nullptr, timeout, std::nullopt, t);
  CHECK(t.verdict == Verdict::unknown);
  CHECK_FALSE(t.reached);

  smtp::SessionResult ok;
  ok.completed = true;
  ok.greeting = reply({"220 hi"});
  smtp::MxProbe a;
  smtp::judge(catalogue(), nullptr, ok, std::nullopt, a);
  CHECK(a.verdict == Verdict::accepted);
}

TEST_CASE("smtp: finding texts are complete in both languages") {
  for (const auto& m : smtp::messages()) {
    INFO(m.id);
    CHECK(std::string_view(m.id).rfind("probe.", 0) == 0);
    CHECK_FALSE(m.en_title.empty());
    CHECK_FALSE(m.de_title.empty());
    CHECK_FALSE(m.en_detail.empty());
    CHECK_FALSE(m.de_detail.empty());
    CHECK(m.en_fix.empty() == m.de_fix.empty());
  }
  smtp::MxProbe p;
  p.target = "example.test";
  p.mx = "mx.example.test";
  p.address = "192.0.2.25";
  p.stage = Stage::connect;
  p.failure = smtp::Failure::timeout;
  auto c = smtp::cause_text(p, std::chrono::milliseconds(2000));
  CHECK(c.en.find("block outbound port 25") != std::string::npos);
  CHECK(c.de.find("Port 25") != std::string::npos);
  auto h = smtp::unknown_advice(p);
  CHECK(h.en.find("on the mail server itself") != std::string::npos);
}
