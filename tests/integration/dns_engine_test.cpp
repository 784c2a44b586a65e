// The DNS engine against a real server on loopback (the ldns FaultServer): record types,
// every outcome, TCP fallback, the window, de-duplication, failover, unreachable servers.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "fault_server.hpp"
#include "mailrep/dns/ares_resolver.hpp"

using namespace mailrep;
using namespace mailrep::dns;
using namespace std::chrono_literals;
using test::FaultAction;
using test::FaultRule;
using test::FaultServer;

namespace {

Record rec(std::string owner, RrType type, std::string text = {}) {
  Record r;
  r.owner = std::move(owner);
  r.type = type;
  r.ttl = 300;
  r.text = std::move(text);
  if (type == RrType::a || type == RrType::aaaa) r.address = *util::IpAddress::parse(r.text);
  return r;
}

std::unique_ptr<AresResolver> make(io::Loop& loop, std::vector<std::uint16_t> ports, int retries = 1,
                                   std::chrono::milliseconds timeout = 300ms, std::size_t window = 500) {
  ResolverOptions o;
  for (auto p : ports) o.servers.push_back(ServerAddress{"127.0.0.1", p});
  o.timeout = timeout;
  o.retries = retries;
  o.concurrency = window;
  auto r = AresResolver::create(loop, o);
  REQUIRE(r);
  return std::move(*r);
}

io::Task<Answer> one(Resolver& r, Query q) {
  Answer a = co_await r.lookup(q);
  co_return a;
}

Answer ask(io::Loop& loop, Resolver& r, std::string name, RrType type) {
  return loop.run(one(r, Query{std::move(name), type}));
}

std::uint16_t dead_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

}  // namespace

TEST_SUITE("integration::dns_engine") {
  TEST_CASE("record types are parsed into typed records") {
    auto server = FaultServer::start();
    REQUIRE(server);
    server->add_record(rec("host.demo.test", RrType::a, "192.0.2.10"));
    server->add_record(rec("host.demo.test", RrType::aaaa, "2001:db8::10"));
    Record mx = rec("demo.test", RrType::mx, "mx1.demo.test");
    mx.priority = 10;
    server->add_record(mx);
    Record txt = rec("demo.test", RrType::txt);
    txt.strings = {"v=spf1 ip4:192.0.2.0/24", " -all"};
    server->add_record(txt);
    server->add_record(rec("10.2.0.192.in-addr.arpa", RrType::ptr, "host.demo.test"));
    server->add_record(rec("alias.demo.test", RrType::cname, "host.demo.test"));
    Record srv = rec("_submission._tcp.demo.test", RrType::srv, "smtp.demo.test");
    srv.priority = 0;
    srv.weight = 1;
    srv.port = 587;
    server->add_record(srv);

    io::Loop loop;
    auto r = make(loop, {server->port()});
    Answer a = ask(loop, *r, "host.demo.test", RrType::a);
    REQUIRE(a.outcome == Outcome::answer);
    CHECK(a.records.at(0).address.to_string() == "192.0.2.10");
    CHECK(a.ttl == 300);
    CHECK(a.server == server->address());
    CHECK(ask(loop, *r, "host.demo.test", RrType::aaaa).records.at(0).text == "2001:db8::10");
    Answer m = ask(loop, *r, "demo.test", RrType::mx);
    CHECK(m.records.at(0).priority == 10);
    CHECK(m.records.at(0).text == "mx1.demo.test");
    Answer t = ask(loop, *r, "demo.test", RrType::txt);
    REQUIRE(t.records.size() == 1);
    CHECK(t.records[0].strings.size() == 2);
    CHECK(t.records[0].text == "v=spf1 ip4:192.0.2.0/24 -all");  // RFC 7208 3.3: joined without separator
    CHECK(ask(loop, *r, "10.2.0.192.in-addr.arpa", RrType::ptr).records.at(0).text == "host.demo.test");
    Answer c = ask(loop, *r, "ALIAS.demo.test.", RrType::a);
    REQUIRE(c.outcome == Outcome::answer);
    CHECK(c.cnames == std::vector<std::string>{"host.demo.test"});
    CHECK(c.records.at(0).text == "192.0.2.10");
    Answer s = ask(loop, *r, "_submission._tcp.demo.test", RrType::srv);
    CHECK(s.records.at(0).port == 587);
    CHECK(s.records.at(0).text == "smtp.demo.test");
  }

  TEST_CASE("every outcome is told apart") {
    auto server = FaultServer::start();
    REQUIRE(server);
    server->add_record(rec("host.demo.test", RrType::a, "192.0.2.10"));
    server->add_rule(FaultRule{"servfail.demo.test", std::nullopt, FaultAction::rcode, 2});
    server->add_rule(FaultRule{"refused.demo.test", std::nullopt, FaultAction::rcode, 5});
    server->add_rule(FaultRule{"formerr.demo.test", std::nullopt, FaultAction::rcode, 1});
    server->add_rule(FaultRule{"silent.demo.test", std::nullopt, FaultAction::drop});
    server->add_rule(FaultRule{"garbage.demo.test", std::nullopt, FaultAction::garbage});
    server->add_rule(FaultRule{"wrongid.demo.test", std::nullopt, FaultAction::wrong_id});
    io::Loop loop;
    auto r = make(loop, {server->port()}, 0, 200ms);
    CHECK(ask(loop, *r, "host.demo.test", RrType::a).outcome == Outcome::answer);
    CHECK(ask(loop, *r, "host.demo.test", RrType::mx).outcome == Outcome::nodata);
    CHECK(ask(loop, *r, "nothere.demo.test", RrType::a).outcome == Outcome::nxdomain);
    CHECK(ask(loop, *r, "servfail.demo.test", RrType::a).outcome == Outcome::servfail);
    CHECK(ask(loop, *r, "refused.demo.test", RrType::a).outcome == Outcome::refused);
    CHECK(ask(loop, *r, "formerr.demo.test", RrType::a).outcome == Outcome::error);
    CHECK(ask(loop, *r, "silent.demo.test", RrType::a).outcome == Outcome::timeout);
    CHECK(ask(loop, *r, "garbage.demo.test", RrType::a).outcome == Outcome::malformed);
    CHECK(ask(loop, *r, "wrongid.demo.test", RrType::a).outcome == Outcome::timeout);
    CHECK(ask(loop, *r, "bad..name", RrType::a).outcome == Outcome::error);
    for (auto o : {Outcome::servfail, Outcome::refused, Outcome::timeout, Outcome::malformed, Outcome::error})
      CHECK_FALSE(is_fact(o));
  }

  TEST_CASE("truncation falls back to TCP - oversized TXT arrives whole") {
    auto server = FaultServer::start();
    REQUIRE(server);
    server->add_record(rec("tc.demo.test", RrType::a, "192.0.2.20"));
    server->add_rule(FaultRule{"tc.demo.test", std::nullopt, FaultAction::truncate});
    server->add_rule(FaultRule{"big.demo.test", std::nullopt, FaultAction::oversized_txt});
    io::Loop loop;
    auto r = make(loop, {server->port()});
    Answer a = ask(loop, *r, "tc.demo.test", RrType::a);
    REQUIRE(a.outcome == Outcome::answer);
    CHECK(a.records.at(0).text == "192.0.2.20");
    Answer big = ask(loop, *r, "big.demo.test", RrType::txt);
    REQUIRE(big.outcome == Outcome::answer);
    std::size_t total = 0;
    for (const auto& rr : big.records) total += rr.text.size();
    CHECK(total > 4000);
    bool tcp = false;
    for (const auto& line : server->query_log()) tcp = tcp || line.find("tcp") != std::string::npos;
    CHECK(tcp);
  }

  TEST_CASE("20000 queries: none lost or duplicated and never more than the window in flight") {
    auto server = FaultServer::start();
    REQUIRE(server);
    for (int i = 0; i < 256; ++i)
      server->add_record(rec("h" + std::to_string(i) + ".demo.test", RrType::a, "192.0.2." + std::to_string(i)));
    io::Loop loop;
    // Generous retries and timeout: under a sanitiser on a loaded machine a datagram may be lost more
    // than once; what is asserted is that nothing is lost for good and nothing is sent twice unasked.
    auto r = make(loop, {server->port()}, 4, 2000ms, 200);
    constexpr int n = 20000;
    std::vector<io::Task<Answer>> tasks;
    tasks.reserve(n);
    for (int i = 0; i < n; ++i) tasks.push_back(one(*r, Query{"q" + std::to_string(i) + ".h" + std::to_string(i % 256) + ".demo.test", RrType::a}));
    loop.run_until([&] {
      for (auto& t : tasks)
        if (!t.done()) return false;
      return true;
    });
    int nx = 0;
    for (auto& t : tasks) nx += t.take().outcome == Outcome::nxdomain;
    CHECK(nx == n);
    CHECK(r->stats().max_in_flight <= 200);
    CHECK(r->stats().max_in_flight >= 100);
    std::set<std::string> names;
    for (const auto& line : server->query_log()) names.insert(line.substr(0, line.find(' ')));
    CHECK(names.size() == n);
    // Every attempt is either a first try or a counted retry (a UDP packet lost in a full socket buffer).
    CHECK(server->query_count() <= r->stats().sent);
    CHECK(r->stats().sent == n + r->stats().retries);
    MESSAGE("retries: ", r->stats().retries);
  }

  TEST_CASE("a per-zone rate limit paces that zone only and repeats cost nothing") {
    auto server = FaultServer::start();
    REQUIRE(server);
    io::Loop loop;
    auto r = make(loop, {server->port()}, 1, 1000ms);
    r->limit_zone("Slow.BL.test.", 40, 10);  // 40 per second, bursts of 10
    const auto start = io::Clock::now();
    std::vector<io::Clock::time_point> slow_done, fast_done;
    auto timed = [](Resolver& res, Query q, std::vector<io::Clock::time_point>& done) -> io::Task<Outcome> {
      auto task = res.lookup(std::move(q));
      Answer a = co_await task;
      done.push_back(io::Clock::now());
      co_return a.outcome;
    };
    std::vector<io::Task<Outcome>> tasks;
    for (int i = 0; i < 50; ++i) {
      tasks.push_back(timed(*r, Query{std::to_string(i) + ".slow.bl.test", RrType::a}, slow_done));
      tasks.push_back(timed(*r, Query{std::to_string(i) + ".slow.bl.test", RrType::a}, slow_done));  // shared
      tasks.push_back(timed(*r, Query{std::to_string(i) + ".fast.bl.test", RrType::a}, fast_done));
    }
    loop.run_until([&] {
      for (auto& t : tasks)
        if (!t.done()) return false;
      return true;
    });
    for (auto& t : tasks) CHECK(t.take() == Outcome::nxdomain);
    REQUIRE(slow_done.size() == 100);
    REQUIRE(fast_done.size() == 50);
    // 50 distinct names: 10 at once, 40 more at 40 per second -> at least ~1 s. A lower bound only:
    // a busy machine makes it slower, never faster.
    auto slow_took = *std::max_element(slow_done.begin(), slow_done.end()) - start;
    CHECK(slow_took >= 950ms);
    CHECK(r->stats().rate_delayed == 40);
    // The other zone is not held back by the paced one.
    CHECK(*std::max_element(fast_done.begin(), fast_done.end()) < *std::max_element(slow_done.begin(), slow_done.end()));
    std::size_t slow_sent = 0;
    for (const auto& line : server->query_log()) slow_sent += line.find("slow.bl.test") != std::string::npos;
    CHECK(slow_sent == 50);
  }

  TEST_CASE("identical queries are sent once") {
    auto server = FaultServer::start();
    REQUIRE(server);
    server->add_record(rec("host.demo.test", RrType::a, "192.0.2.10"));
    server->add_rule(FaultRule{"host.demo.test", RrType::a, FaultAction::delay_then_answer, 0, 50ms});
    io::Loop loop;
    auto r = make(loop, {server->port()});
    std::vector<io::Task<Answer>> tasks;
    for (int i = 0; i < 50; ++i) tasks.push_back(one(*r, Query{i % 2 ? "HOST.demo.test" : "host.demo.test.", RrType::a}));
    loop.run_until([&] {
      for (auto& t : tasks)
        if (!t.done()) return false;
      return true;
    });
    for (auto& t : tasks) CHECK(t.take().outcome == Outcome::answer);
    CHECK(ask(loop, *r, "host.demo.test", RrType::a).outcome == Outcome::answer);  // from the cache
    CHECK(server->query_count() == 1);
    CHECK(r->stats().deduplicated == 50);
  }

  TEST_CASE("failover: a silent or refusing first server, the second answers") {
    auto good = FaultServer::start();
    auto bad = FaultServer::start();
    REQUIRE(good);
    REQUIRE(bad);
    good->add_record(rec("host.demo.test", RrType::a, "192.0.2.10"));
    bad->add_rule(FaultRule{"host.demo.test", std::nullopt, FaultAction::drop});
    bad->add_rule(FaultRule{"*", std::nullopt, FaultAction::rcode, 5});
    io::Loop loop;
    auto r = make(loop, {bad->port(), good->port()}, 1, 200ms);
    Answer a = ask(loop, *r, "host.demo.test", RrType::a);
    CHECK(a.outcome == Outcome::answer);
    CHECK(a.server == good->address());
    Answer b = ask(loop, *r, "other.demo.test", RrType::a);
    CHECK(b.outcome == Outcome::nxdomain);
    CHECK(b.server == good->address());
  }

  TEST_CASE("an unreachable resolver: queries waiting in the window or a rate queue fail at once") {
    io::Loop loop;
    auto r = make(loop, {dead_port()}, 1, 300ms, 50);
    r->limit_zone("paced.test", 1, 1);  // 300 queries at 1 per second would take 5 minutes
    std::vector<io::Task<Answer>> tasks;
    for (int i = 0; i < 300; ++i) tasks.push_back(one(*r, Query{std::to_string(i) + ".paced.test", RrType::a}));
    for (int i = 0; i < 300; ++i) tasks.push_back(one(*r, Query{std::to_string(i) + ".other.test", RrType::a}));
    const auto start = io::Clock::now();
    loop.run_until([&] {
      for (auto& t : tasks)
        if (!t.done()) return false;
      return true;
    });
    CHECK(io::Clock::now() - start < 30s);
    std::size_t not_sent = 0;
    for (auto& t : tasks) {
      Answer a = t.take();
      CHECK(a.outcome == Outcome::timeout);  // never a fact
      not_sent += a.detail.rfind("not sent: the resolver answered none of", 0) == 0;
    }
    CHECK(not_sent > 500);
    CHECK(r->stats().sent < 200);
    CHECK(r->stats().responses == 0);
  }

  TEST_CASE("an unreachable resolver fails quickly, bounded by timeout x attempts") {
    io::Loop loop;
    auto r = make(loop, {dead_port()}, 1, 300ms);
    auto start = io::Clock::now();
    Answer a = ask(loop, *r, "host.demo.test", RrType::a);
    auto took = io::Clock::now() - start;
    CHECK(a.outcome == Outcome::timeout);
    CHECK_FALSE(a.is_fact());
    CHECK(took < 2s);
  }
}
