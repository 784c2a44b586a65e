// The SMTP probe client (smtp::run_session) and prober (smtp::probe) against the scriptable fake
// SMTP server on loopback (tests/support/smtp_server), names answered by a TableResolver.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "https_server.hpp"
#include "mailrep/data/receivers.hpp"
#include "mailrep/io/loop.hpp"
#include "mailrep/smtp/client.hpp"
#include "mailrep/smtp/probe.hpp"
#include "smtp_server.hpp"
#include "table_resolver.hpp"

using namespace mailrep;
using namespace std::chrono_literals;
using smtp::Failure;
using smtp::Stage;
using smtp::Verdict;
using test::SmtpScript;
using test::SmtpServer;

namespace {

const char* const k_tonline_bl =
    "554 IP=192.0.2.77 - A problem occurred. (Ask your postmaster for help or to contact tosa@rx.t-online.de to "
    "clarify.) (BL)";

const data::ReceiverCatalogue& catalogue() {
  static const data::ReceiverCatalogue cat = [] {
    auto c = data::load_receivers(std::string(MAILREP_SOURCE_DIR) + "/lists/receivers.toml");
    REQUIRE(c);
    return std::move(*c);
  }();
  return cat;
}

std::unique_ptr<SmtpServer> server(SmtpScript script, const test::TestPki* pki = nullptr) {
  auto s = SmtpServer::start(std::move(script), pki);
  REQUIRE(s);
  return s;
}

smtp::SessionResult talk(std::uint16_t port, smtp::SessionOptions o = {}) {
  io::Loop loop;
  o.address = *util::IpAddress::parse("127.0.0.1");
  o.port = port;
  if (o.helo.empty()) o.helo = "probe.example.test";
  if (o.timeout == 10000ms) o.timeout = 3000ms;
  return loop.run(smtp::run_session(loop, std::move(o)));
}

smtp::MxProbe judged(const smtp::SessionResult& s, const data::Receiver* hint = nullptr) {
  smtp::MxProbe p;
  smtp::judge(catalogue(), hint, s, std::nullopt, p);
  return p;
}

bool sent_data(const SmtpServer& srv) {
  for (const auto& c : srv.commands())
    if (c.rfind("DATA", 0) == 0 || c.rfind("data", 0) == 0) return true;
  return false;
}

}  // namespace

TEST_CASE("probe client: a friendly server is accepted after EHLO, then QUIT, never DATA") {
  auto srv = server(SmtpScript{});
  auto s = talk(srv->port());
  CHECK(s.failure == Failure::none);
  CHECK(s.completed);
  CHECK(s.stage == Stage::ehlo);
  REQUIRE(s.greeting);
  CHECK(s.greeting->code == 220);
  CHECK(s.local_address == "127.0.0.1");
  CHECK(std::find(s.extensions.begin(), s.extensions.end(), "PIPELINING") != s.extensions.end());
  CHECK_FALSE(s.tls.offered);
  CHECK(srv->commands() == std::vector<std::string>{"EHLO probe.example.test", "QUIT"});
  CHECK(judged(s).verdict == Verdict::accepted);
}

TEST_CASE("probe client: T-Online style block in the greeting") {
  SmtpScript sc;
  sc.greeting = k_tonline_bl;
  auto srv = server(sc);
  auto s = talk(srv->port());
  CHECK(s.failure == Failure::none);
  CHECK_FALSE(s.completed);
  CHECK(s.stage == Stage::greeting);
  REQUIRE(s.reply);
  CHECK(s.reply->code == 554);
  CHECK(s.reply->enhanced.empty());
  // Politely QUIT after a refusal; no EHLO, never DATA.
  CHECK(srv->commands() == std::vector<std::string>{"QUIT"});

  auto p = judged(s);
  CHECK(p.verdict == Verdict::blocked);
  REQUIRE(p.match);
  CHECK(p.match->receiver_code == "(BL)");
  CHECK(p.match->receiver->id == "t-online");
  REQUIRE(p.match->contact());
  CHECK(p.match->contact()->address == "tosa@rx.t-online.de");
  CHECK(p.reply_ip == "192.0.2.77");
  REQUIRE(p.names_this_host);
  CHECK_FALSE(*p.names_this_host);  // we connect from 127.0.0.1
}

TEST_CASE("probe client: NOWL and DIAL tags, and a reply naming this host") {
  SmtpScript sc;
  sc.greeting = "554 IP=127.0.0.1 - None/bad reputation. Ask your postmaster for help or to contact "
                "tobr@rx.t-online.de for reset. (NOWL)";
  auto srv = server(sc);
  auto p = judged(talk(srv->port()));
  CHECK(p.verdict == Verdict::blocked);
  REQUIRE(p.match);
  CHECK(p.match->receiver_code == "(NOWL)");
  CHECK(p.reply_ip == "127.0.0.1");
  REQUIRE(p.names_this_host);
  CHECK(*p.names_this_host);

  sc.greeting = "554 IP=192.0.2.77 - Dialup/transient IP not allowed. Use a mailgateway or contact "
                "toda@rx.t-online.de if obsolete. (DIAL)";
  srv->set_script(sc);
  auto d = judged(talk(srv->port()));
  REQUIRE(d.match);
  CHECK(d.match->receiver_code == "(DIAL)");
  CHECK(d.verdict == Verdict::blocked);
}

TEST_CASE("probe client: GMX multi-line block with a case code") {
  SmtpScript sc;
  sc.greeting =
      "554-gmx.net (mxgmx117) Nemesis ESMTP Service not available\n554-No SMTP service\n554-IP address is block "
      "listed.\n554 For explanation visit https://postmaster.gmx.net/en/case?c=r0301&i=ip&v=192.0.2.77&r=1AbCdE";
  auto srv = server(sc);
  auto s = talk(srv->port());
  REQUIRE(s.reply);
  CHECK(s.reply->lines.size() == 4);
  CHECK(s.reply->text().find("554-No SMTP service\n554-IP address") != std::string::npos);
  auto p = judged(s);
  CHECK(p.verdict == Verdict::blocked);
  REQUIRE(p.match);
  CHECK(p.match->receiver->id == "united-internet");
  CHECK(p.match->receiver_code == "r0301");
}

TEST_CASE("probe client: multi-line 220 greeting") {
  SmtpScript sc;
  sc.greeting = "220-mx.probe.test ESMTP\n220-Be nice\n220 ready";
  auto srv = server(sc);
  auto s = talk(srv->port());
  CHECK(s.completed);
  REQUIRE(s.greeting);
  CHECK(s.greeting->lines.size() == 3);
  CHECK(s.greeting->code == 220);
}

TEST_CASE("probe client: greylisting in the greeting (421) and at RCPT (450)") {
  SmtpScript sc;
  sc.greeting = "421 4.7.0 mx.probe.test: greylisted, please try again later";
  sc.close_after_greeting = true;
  auto srv = server(sc);
  auto s = talk(srv->port());
  CHECK(s.stage == Stage::greeting);
  auto p = judged(s);
  CHECK(p.verdict == Verdict::temporary);
  CHECK(p.greylisted);

  SmtpScript rc;
  rc.rcpt_reply = "450 4.2.0 <someone@probe.test>: Recipient address rejected: Greylisted, see "
                  "http://postgrey.schweikert.ch/help/probe.test.html";
  srv->set_script(rc);
  smtp::SessionOptions o;
  o.rcpt = "someone@probe.test";
  auto r = talk(srv->port(), o);
  CHECK(r.stage == Stage::rcpt);
  auto q = judged(r);
  CHECK(q.verdict == Verdict::temporary);
  CHECK(q.greylisted);
  auto cmds = srv->commands();
  CHECK(std::find(cmds.begin(), cmds.end(), "MAIL FROM:<>") != cmds.end());
  CHECK(std::find(cmds.begin(), cmds.end(), "RCPT TO:<someone@probe.test>") != cmds.end());
  CHECK(cmds.back() == "QUIT");
  CHECK_FALSE(sent_data(*srv));
}

TEST_CASE("probe client: with --rcpt the envelope is sent, accepted, and still never DATA") {
  auto srv = server(SmtpScript{});
  smtp::SessionOptions o;
  o.rcpt = "postmaster@probe.test";
  o.mail_from = "check@example.test";
  auto s = talk(srv->port(), o);
  CHECK(s.completed);
  CHECK(s.stage == Stage::rcpt);
  CHECK(srv->commands() == std::vector<std::string>{"EHLO probe.example.test", "MAIL FROM:<check@example.test>",
                                                    "RCPT TO:<postmaster@probe.test>", "QUIT"});
  CHECK_FALSE(sent_data(*srv));
  CHECK(judged(s).verdict == Verdict::accepted);
}

TEST_CASE("probe client: refusals at MAIL FROM and RCPT TO") {
  SmtpScript sc;
  sc.rcpt_reply = "550 5.7.1 Unfortunately, messages from [192.0.2.77] weren't sent. Please contact your Internet "
                  "service provider since part of their network is on our block list (S3150).";
  auto srv = server(sc);
  smtp::SessionOptions o;
  o.rcpt = "someone@outlook.test";
  auto s = talk(srv->port(), o);
  CHECK(s.stage == Stage::rcpt);
  auto p = judged(s);
  CHECK(p.verdict == Verdict::blocked);
  REQUIRE(p.match);
  CHECK(p.match->receiver_code == "S3150");
  CHECK(p.reply_ip == "192.0.2.77");

  SmtpScript uu;
  uu.rcpt_reply = "550 5.1.1 <nobody@probe.test>: Recipient address rejected: User unknown in local recipient table";
  srv->set_script(uu);
  auto u = judged(talk(srv->port(), o));
  CHECK(u.verdict == Verdict::accepted);
  CHECK(u.recipient_refused);

  SmtpScript mf;
  mf.mail_reply = "553 5.7.1 Sender address rejected: not permitted";
  srv->set_script(mf);
  auto m = talk(srv->port(), o);
  CHECK(m.stage == Stage::mail);
  CHECK(judged(m).verdict == Verdict::blocked);
  CHECK_FALSE(sent_data(*srv));
}

TEST_CASE("probe client: a silent server times out within the timeout") {
  SmtpScript sc;
  sc.silent = true;
  auto srv = server(sc);
  smtp::SessionOptions o;
  o.timeout = 300ms;
  auto start = std::chrono::steady_clock::now();
  auto s = talk(srv->port(), o);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(s.failure == Failure::timeout);
  CHECK(s.stage == Stage::greeting);
  CHECK(took < 3s);
  CHECK(judged(s).verdict == Verdict::unknown);

  SmtpScript late;
  late.silent_after_ehlo = true;
  late.offer_starttls = false;
  srv->set_script(late);
  o.rcpt = "a@probe.test";
  auto m = talk(srv->port(), o);
  CHECK(m.failure == Failure::timeout);
  CHECK(m.stage == Stage::mail);
  CHECK(judged(m).verdict == Verdict::unknown);
}

TEST_CASE("probe client: connection refused is unknown, not 'not blocked'") {
  auto s = talk(test::closed_tcp_port());
  CHECK(s.failure == Failure::refused);
  CHECK(s.stage == Stage::connect);
  CHECK_FALSE(s.greeting);
  CHECK(judged(s).verdict == Verdict::unknown);
}

TEST_CASE("probe client: STARTTLS is used when offered and reported") {
  auto pki = test::TestPki::create({"mx.probe.test", "localhost", "127.0.0.1"});
  REQUIRE(pki);
  SmtpScript sc;
  sc.offer_starttls = true;
  auto srv = server(sc, pki.get());
  smtp::SessionOptions o;
  o.server_name = "mx.probe.test";
  o.ca_file = pki->ca_file();
  auto s = talk(srv->port(), o);
  CHECK(s.failure == Failure::none);
  CHECK(s.completed);
  CHECK(s.tls.offered);
  CHECK(s.tls.established);
  CHECK(s.tls.verified);
  CHECK(s.tls.name_matches);
  CHECK(s.tls.version.rfind("TLSv1", 0) == 0);
  CHECK_FALSE(s.tls.cipher.empty());
  CHECK(s.tls.subject.find("mx.probe.test") != std::string::npos);
  CHECK(std::find(s.tls.names.begin(), s.tls.names.end(), "mx.probe.test") != s.tls.names.end());
  CHECK(srv->tls_sessions() == 1);
  CHECK(srv->commands() ==
        std::vector<std::string>{"EHLO probe.example.test", "STARTTLS", "EHLO probe.example.test", "QUIT"});
  // After TLS the EHLO reply no longer offers STARTTLS.
  CHECK(std::find(s.extensions.begin(), s.extensions.end(), "STARTTLS") == s.extensions.end());

  // Without the test CA: still encrypted, reported as not verified (never enforced).
  smtp::SessionOptions plain;
  plain.server_name = "other.name.test";
  auto u = talk(srv->port(), plain);
  CHECK(u.completed);
  CHECK(u.tls.established);
  CHECK_FALSE(u.tls.verified);
  CHECK_FALSE(u.tls.verify_error.empty());
  CHECK_FALSE(u.tls.name_matches);

  // With --rcpt over TLS.
  smtp::SessionOptions env = o;
  env.rcpt = "a@probe.test";
  auto e = talk(srv->port(), env);
  CHECK(e.completed);
  CHECK(e.stage == Stage::rcpt);
  CHECK_FALSE(sent_data(*srv));
}

TEST_CASE("probe client: a TLS failure after STARTTLS is unknown") {
  auto pki = test::TestPki::create({"mx.probe.test"});
  REQUIRE(pki);
  SmtpScript sc;
  sc.offer_starttls = true;
  sc.starttls_garbage = true;
  auto srv = server(sc, pki.get());
  auto s = talk(srv->port());
  CHECK(s.stage == Stage::starttls);
  CHECK(s.failure == Failure::tls);
  CHECK(s.tls.attempted);
  CHECK_FALSE(s.tls.established);
  CHECK_FALSE(s.tls.error.empty());
  CHECK(judged(s).verdict == Verdict::unknown);

  // STARTTLS refused: the session goes on in the clear.
  SmtpScript refused;
  refused.offer_starttls = true;
  refused.starttls_reply = "454 4.7.0 TLS not available due to local problem";
  srv->set_script(refused);
  auto r = talk(srv->port());
  CHECK(r.completed);
  CHECK(r.tls.offered);
  CHECK_FALSE(r.tls.established);
  CHECK(r.tls.error.find("454") != std::string::npos);
}

TEST_CASE("probe client: garbage, oversized lines and escape sequences") {
  SmtpScript sc;
  sc.raw_greeting = "HTTP/1.1 400 Bad Request\r\n\r\n";
  auto srv = server(sc);
  auto s = talk(srv->port());
  CHECK(s.failure == Failure::protocol);
  CHECK(s.stage == Stage::greeting);
  CHECK(judged(s).verdict == Verdict::unknown);

  SmtpScript big;
  big.raw_greeting = "220 " + std::string(5000, 'x') + "\r\n";
  srv->set_script(big);
  auto b = talk(srv->port());
  CHECK(b.failure == Failure::protocol);
  CHECK(b.detail.find("longer than") != std::string::npos);

  SmtpScript many;
  for (int i = 0; i < 200; ++i) many.raw_greeting += "220-line " + std::to_string(i) + "\r\n";
  srv->set_script(many);
  auto m = talk(srv->port());
  CHECK(m.failure == Failure::protocol);

  SmtpScript esc;
  esc.greeting = "554 IP=192.0.2.77 - \x1b[31mred\x1b[0m \x07 blocked (BL)";
  srv->set_script(esc);
  auto e = talk(srv->port());
  REQUIRE(e.reply);
  CHECK(e.reply->text().find('\x1b') == std::string::npos);
  CHECK(e.reply->text().find('\x07') == std::string::npos);
  for (const auto& l : e.transcript) CHECK(l.line.find('\x1b') == std::string::npos);
}

TEST_CASE("probe client: source address binding") {
  auto srv = server(SmtpScript{});
  smtp::SessionOptions o;
  o.source = util::IpAddress::parse("127.0.0.1");
  auto s = talk(srv->port(), o);
  CHECK(s.completed);
  CHECK(s.local_address == "127.0.0.1");

  o.source = util::IpAddress::parse("192.0.2.1");  // not on this host
  auto bad = talk(srv->port(), o);
  CHECK(bad.failure == Failure::source);
  CHECK(bad.stage == Stage::connect);

  o.source = util::IpAddress::parse("::1");  // wrong family for 127.0.0.1
  auto fam = talk(srv->port(), o);
  CHECK(fam.failure == Failure::source);
}

TEST_CASE("probe: MX resolution, one MX by default, every MX with all_mx, findings") {
  SmtpScript sc;
  sc.greeting = k_tonline_bl;
  auto srv = server(sc);
  test::TableResolver dns;
  dns.add_mx("probe.test", 10, "mx.probe.test");
  dns.add_mx("probe.test", 20, "mx2.probe.test");
  dns.add_a("mx.probe.test", "127.0.0.1");
  dns.add_a("mx2.probe.test", "127.0.0.2");  // nothing listens there: refused
  dns.add_mx("null.test", 0, ".");
  dns.add_a("host.test", "127.0.0.1");  // no MX: the host itself
  dns.add_mx("noaddr.test", 10, "gone.noaddr.test");

  auto targets = smtp::parse_targets(catalogue(), {"probe.test", "null.test", "host.test", "missing.test", "noaddr.test"});
  REQUIRE(targets);
  smtp::ProbeOptions o;
  o.port = srv->port();
  o.timeout = 2000ms;
  o.delay = 0ms;
  o.helo = "probe.example.test";
  io::Loop loop;
  auto rep = loop.run(smtp::probe(dns, loop, catalogue(), *targets, o));
  REQUIRE(rep.probes.size() == 5);
  const auto& p = rep.probes[0];
  CHECK(p.target == "probe.test");
  CHECK(p.mx == "mx.probe.test");
  CHECK(p.preference == 10);
  CHECK(p.address == "127.0.0.1");
  CHECK(p.verdict == Verdict::blocked);
  CHECK(p.stage == Stage::greeting);
  REQUIRE(p.match);
  CHECK(p.match->receiver_code == "(BL)");
  CHECK(rep.probes[1].null_mx);
  CHECK(rep.probes[1].verdict == Verdict::unknown);
  CHECK(rep.probes[2].mx == "host.test");
  CHECK(rep.probes[2].verdict == Verdict::blocked);
  CHECK(rep.probes[3].failure == Failure::dns);
  CHECK(rep.probes[3].detail.find("NXDOMAIN") != std::string::npos);
  CHECK(rep.probes[4].failure == Failure::dns);
  CHECK(rep.reached == 2);
  CHECK(srv->connections() == 2);

  auto findings = smtp::probe_findings(rep, o);
  auto count = [&](std::string_view id) {
    return std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.id == id; });
  };
  CHECK(count("probe.blocked") == 2);
  CHECK(count("probe.unknown") == 3);
  CHECK(count("probe.other-ip") == 2);
  CHECK(count("probe.no-port-25") == 0);
  for (const auto& f : findings)
    if (f.id == "probe.blocked") {
      CHECK(f.severity == Severity::critical);
      CHECK(std::string(f.get("advice_en")).find("tosa@rx.t-online.de") != std::string::npos);
    }

  // --all-mx: both MX, the second refused.
  o.all_mx = true;
  auto one = smtp::parse_targets(catalogue(), {"probe.test"});
  REQUIRE(one);
  auto all = loop.run(smtp::probe(dns, loop, catalogue(), *one, o));
  REQUIRE(all.probes.size() == 2);
  CHECK(all.probes[0].verdict == Verdict::blocked);
  CHECK(all.probes[1].mx == "mx2.probe.test");
  CHECK(all.probes[1].failure == Failure::refused);
  CHECK(all.probes[1].verdict == Verdict::unknown);
}

TEST_CASE("probe: nothing reachable gives the port-25 finding") {
  test::TableResolver dns;
  dns.add_mx("probe.test", 10, "mx.probe.test");
  dns.add_a("mx.probe.test", "127.0.0.1");
  auto targets = smtp::parse_targets(catalogue(), {"probe.test", "127.0.0.1"});
  REQUIRE(targets);
  smtp::ProbeOptions o;
  o.port = test::closed_tcp_port();
  o.delay = 0ms;
  io::Loop loop;
  auto rep = loop.run(smtp::probe(dns, loop, catalogue(), *targets, o));
  REQUIRE(rep.probes.size() == 2);
  CHECK(rep.reached == 0);
  CHECK(rep.connect_failures == 2);
  auto findings = smtp::probe_findings(rep, o);
  CHECK(std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.id == "probe.no-port-25"; }) == 1);
}

TEST_CASE("probe: the polite delay spaces the connections") {
  auto srv = server(SmtpScript{});
  test::TableResolver dns;
  dns.add_a("a.test", "127.0.0.1");
  dns.add_a("b.test", "127.0.0.1");
  auto targets = smtp::parse_targets(catalogue(), {"a.test", "b.test"});
  REQUIRE(targets);
  smtp::ProbeOptions o;
  o.port = srv->port();
  o.delay = 300ms;
  o.helo = "probe.example.test";
  io::Loop loop;
  auto start = std::chrono::steady_clock::now();
  auto rep = loop.run(smtp::probe(dns, loop, catalogue(), *targets, o));
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  REQUIRE(rep.probes.size() == 2);
  CHECK(rep.probes[0].verdict == Verdict::accepted);
  CHECK(rep.probes[1].verdict == Verdict::accepted);
  CHECK(srv->connections() == 2);
}
