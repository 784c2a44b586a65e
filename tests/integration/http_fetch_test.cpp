// http::Fetcher against real HTTPS/HTTP servers on loopback (tests/support/https_server) with a
// test CA, names pointed at 127.0.0.1 through a TableResolver and ports through the port map.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "fault_server.hpp"
#include "https_server.hpp"
#include "mailrep/dns/ares_resolver.hpp"
#include "mailrep/http/fetcher.hpp"
#include "mailrep/io/loop.hpp"
#include "table_resolver.hpp"

using namespace mailrep;
using namespace std::chrono_literals;
using http::Outcome;
using test::HttpRoute;
using test::HttpServer;

namespace {

const char* const k_policy = "version: STSv1\nmode: enforce\nmx: mx.example.test\nmax_age: 86400\n";
const char* const k_policy_url = "https://mta-sts.example.test/.well-known/mta-sts.txt";

/// A loop, a table resolver with the test names at 127.0.0.1, and a Fetcher built last (so it
/// is destroyed first).
struct World {
  io::Loop loop;
  test::TableResolver dns;
  std::unique_ptr<http::Fetcher> fetcher;

  World() {
    for (const char* name : {"mta-sts.example.test", "example.test", "www.provider.test", "provider.test",
                             "shop.provider.test", "www.other.test", "other.test"})
      dns.add_a(name, "127.0.0.1");
  }
  void make(http::FetcherOptions options) {
    auto f = http::Fetcher::create(loop, dns, std::move(options));
    REQUIRE(f);
    fetcher = std::move(*f);
  }
  http::Response get(http::Request r) { return loop.run(fetcher->fetch(std::move(r))); }
  http::Response get(std::string url) {
    http::Request r;
    r.url = std::move(url);
    return get(std::move(r));
  }
};

http::FetcherOptions options_for(const test::TestPki& pki, std::uint16_t https_port, std::uint16_t http_port = 0) {
  http::FetcherOptions o;
  o.ca_file = pki.ca_file();
  o.port_map[443] = https_port;
  if (http_port) o.port_map[80] = http_port;
  return o;
}

HttpRoute text(std::string body, int status = 200) {
  HttpRoute r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpRoute redirect(std::string location, int status = 302) {
  HttpRoute r;
  r.status = status;
  r.content_type = "text/html";
  r.body = "<a>moved</a>";
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

using TimePoint = std::chrono::steady_clock::time_point;

io::Task<void> fetch_into(http::Fetcher& f, http::Request r, http::Response* out, TimePoint* done) {
  auto t = f.fetch(std::move(r));
  *out = co_await t;
  *done = std::chrono::steady_clock::now();
}

io::Task<void> lookup_into(dns::Resolver& r, dns::Query q, dns::Answer* out, TimePoint* done) {
  auto t = r.lookup(std::move(q));
  *out = co_await t;
  *done = std::chrono::steady_clock::now();
}

dns::Record a_record(std::string owner, std::string address) {
  dns::Record r;
  r.owner = std::move(owner);
  r.type = dns::RrType::a;
  r.ttl = 300;
  r.text = std::move(address);
  r.address = *util::IpAddress::parse(r.text);
  return r;
}

}  // namespace

TEST_SUITE("integration::http") {

TEST_CASE("an MTA-STS policy over HTTPS with the test CA: 200 text/plain") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  HttpRoute policy = text(k_policy);
  policy.content_type = "Text/Plain; charset=utf-8";
  server->route("/.well-known/mta-sts.txt", policy);
  World w;
  w.make(options_for(*pki, server->port()));

  auto r = w.get(k_policy_url);
  CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
  CHECK(r.status == 200);
  CHECK(r.content_type == "Text/Plain; charset=utf-8");
  CHECK(http::media_type(r.content_type) == "text/plain");
  CHECK(r.body == k_policy);
  CHECK(r.address == "127.0.0.1");
  CHECK(r.final_url == k_policy_url);
  CHECK(r.redirects.empty());
  // The name went through our resolver, and the server saw the real Host and our agent.
  CHECK(w.dns.count("mta-sts.example.test", dns::RrType::a) == 1);
  auto seen = server->requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].path == "/.well-known/mta-sts.txt");
  CHECK(seen[0].host == "mta-sts.example.test");
  CHECK(seen[0].user_agent.rfind("mailrep/", 0) == 0);
}

TEST_CASE("without --ca-file the test CA is not trusted: tls_error") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  server->route("/.well-known/mta-sts.txt", text(k_policy));
  World w;
  http::FetcherOptions o;
  o.port_map[443] = server->port();
  w.make(o);
  auto r = w.get(k_policy_url);
  CHECK(r.outcome == Outcome::tls_error);
  CHECK(!r.detail.empty());
  CHECK(r.body.empty());
}

TEST_CASE("the extra CA is trusted in addition to the system store") {
  // Stand-in for the system bundle: a second, independent CA.
  auto pki = test::TestPki::create();
  auto system = test::TestPki::create();
  REQUIRE(pki);
  REQUIRE(system);
  auto a = HttpServer::start(HttpServer::Mode::https, pki.get());
  auto b = HttpServer::start(HttpServer::Mode::https, system.get());
  REQUIRE(a);
  REQUIRE(b);
  a->route("/", text("from the extra CA"));
  b->route("/", text("from the system CA"));
  World w;
  http::FetcherOptions o;
  o.ca_file = pki->ca_file();
  o.system_ca_file = system->ca_file();
  o.port_map[443] = a->port();
  o.port_map[8443] = b->port();
  w.make(o);
  auto ra = w.get("https://www.provider.test/");
  auto rb = w.get("https://www.provider.test:8443/");
  CHECK_MESSAGE(ra.outcome == Outcome::ok, ra.detail);
  CHECK(ra.body == "from the extra CA");
  CHECK_MESSAGE(rb.outcome == Outcome::ok, rb.detail);
  CHECK(rb.body == "from the system CA");
}

TEST_CASE("a bad --ca-file is an error at creation") {
  io::Loop loop;
  test::TableResolver dns;
  http::FetcherOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  auto f = http::Fetcher::create(loop, dns, o);
  REQUIRE(!f);
  CHECK(f.error().code == ErrorCode::io);
}

TEST_CASE("redirects are refused when not following (RFC 8461 3.3)") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  server->route("/.well-known/mta-sts.txt", redirect("https://mta-sts.example.test/policy.txt", 301));
  server->route("/policy.txt", text(k_policy));
  World w;
  w.make(options_for(*pki, server->port()));
  auto r = w.get(k_policy_url);
  CHECK(r.outcome == Outcome::redirect_refused);
  CHECK(r.status == 301);
  CHECK(r.location == "https://mta-sts.example.test/policy.txt");
  CHECK(r.detail.find("not followed") != std::string::npos);
  CHECK(server->requests().size() == 1);  // the target was never asked
}

TEST_CASE("redirects within the site are followed, others refused") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  auto plain = HttpServer::start(HttpServer::Mode::http, nullptr);
  REQUIRE(server);
  REQUIRE(plain);
  World w;
  w.make(options_for(*pki, server->port(), plain->port()));
  http::Request req;
  req.follow_redirects = true;

  SUBCASE("same site: www -> apex -> relative path") {
    server->route("/", redirect("https://provider.test/home"));
    server->route("/home", redirect("/impressum", 301));
    server->route("/impressum", text("Impressum: Provider GmbH"));
    req.url = "https://www.provider.test/";
    auto r = w.get(req);
    CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
    CHECK(r.body == "Impressum: Provider GmbH");
    CHECK(r.final_url == "https://provider.test/impressum");
    REQUIRE(r.redirects.size() == 2);
    CHECK(r.redirects[0] == "https://www.provider.test/");
    CHECK(r.redirects[1] == "https://provider.test/home");
    CHECK(w.dns.count("provider.test", dns::RrType::a) == 2);  // one lookup per hop (the resolver caches)
  }
  SUBCASE("cross site") {
    server->route("/", redirect("https://www.other.test/"));
    req.url = "https://www.provider.test/";
    auto r = w.get(req);
    CHECK(r.outcome == Outcome::redirect_refused);
    CHECK(r.location == "https://www.other.test/");
    CHECK(r.detail.find("provider.test") != std::string::npos);
    CHECK(w.dns.count("www.other.test", dns::RrType::a) == 0);
  }
  SUBCASE("cross site allowed when same_site_only is off") {
    server->route("/", redirect("https://www.other.test/x"));
    server->route("/x", text("elsewhere"));
    req.url = "https://www.provider.test/";
    req.same_site_only = false;
    auto r = w.get(req);
    CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
    CHECK(r.final_url == "https://www.other.test/x");
  }
  SUBCASE("a loop ends after max_redirects") {
    server->route("/loop", redirect("/loop"));
    req.url = "https://www.provider.test/loop";
    auto r = w.get(req);
    CHECK(r.outcome == Outcome::redirect_refused);
    CHECK(r.redirects.size() == 5);
    CHECK(r.detail.find("more than 5") != std::string::npos);
    CHECK(server->requests().size() == 6);
  }
  SUBCASE("https -> http is refused unless http is allowed") {
    server->route("/", redirect("http://www.provider.test/plain"));
    plain->route("/plain", text("plain"));
    req.url = "https://www.provider.test/";
    auto r = w.get(req);
    CHECK(r.outcome == Outcome::redirect_refused);
    CHECK(plain->requests().empty());
    req.allow_http = true;
    auto r2 = w.get(req);
    CHECK_MESSAGE(r2.outcome == Outcome::ok, r2.detail);
    CHECK(r2.body == "plain");
  }
}

TEST_CASE("non-2xx answers are http_error with the status") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  World w;
  w.make(options_for(*pki, server->port()));
  auto r = w.get(k_policy_url);  // no route: 404
  CHECK(r.outcome == Outcome::http_error);
  CHECK(r.status == 404);
  CHECK(r.body == "not found\n");
}

TEST_CASE("an oversize body is too_large") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  World w;
  w.make(options_for(*pki, server->port()));
  const std::string big(200 * 1024, 'x');

  SUBCASE("announced by Content-Length") {
    server->route("/.well-known/mta-sts.txt", text(big));
    auto r = w.get(k_policy_url);
    CHECK(r.outcome == Outcome::too_large);
    CHECK(r.body.size() <= 64 * 1024);
  }
  SUBCASE("without Content-Length: cut at the cap") {
    HttpRoute route = text(big);
    route.content_length = false;
    server->route("/.well-known/mta-sts.txt", route);
    auto r = w.get(k_policy_url);
    CHECK(r.outcome == Outcome::too_large);
    CHECK(r.body.size() == 64 * 1024);
    CHECK(r.status == 200);
  }
  SUBCASE("exactly at the cap is fine") {
    HttpRoute route = text(std::string(1000, 'y'));
    route.content_length = false;
    server->route("/.well-known/mta-sts.txt", route);
    http::Request req;
    req.url = k_policy_url;
    req.max_bytes = 1000;
    auto r = w.get(req);
    CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
    CHECK(r.body.size() == 1000);
  }
}

TEST_CASE("bad certificates are tls_error") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  HttpServer::Mode mode = HttpServer::Mode::https_self_signed;
  SUBCASE("self-signed, not from the CA") { mode = HttpServer::Mode::https_self_signed; }
  SUBCASE("from the CA, for another name") { mode = HttpServer::Mode::https_wrong_name; }
  auto server = HttpServer::start(mode, pki.get());
  REQUIRE(server);
  server->route("/.well-known/mta-sts.txt", text(k_policy));
  World w;
  w.make(options_for(*pki, server->port()));
  auto r = w.get(k_policy_url);
  CHECK(r.outcome == Outcome::tls_error);
  CHECK(r.body.empty());
  CHECK(server->requests().empty());
}

TEST_CASE("a slow server ends in timeout within the cap") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  HttpRoute slow = text(k_policy);
  slow.delay_ms = 5000;
  server->route("/.well-known/mta-sts.txt", slow);
  World w;
  w.make(options_for(*pki, server->port()));
  http::Request req;
  req.url = k_policy_url;
  req.timeout = 400ms;
  auto start = std::chrono::steady_clock::now();
  auto r = w.get(req);
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.outcome == Outcome::timeout);
  CHECK(took >= 350ms);
  CHECK(took < 2000ms);
}

TEST_CASE("connection refused is connect_failed") {
  World w;
  http::FetcherOptions o;
  o.port_map[443] = test::closed_tcp_port();
  w.make(o);
  auto r = w.get(k_policy_url);
  CHECK(r.outcome == Outcome::connect_failed);
  CHECK(!r.detail.empty());
}

TEST_CASE("names our resolver cannot resolve are dns_failed") {
  World w;
  w.make({});
  SUBCASE("NXDOMAIN") {
    auto r = w.get("https://mta-sts.nowhere.test/.well-known/mta-sts.txt");
    CHECK(r.outcome == Outcome::dns_failed);
    CHECK(r.detail.find("nxdomain") != std::string::npos);
  }
  SUBCASE("SERVFAIL") {
    w.dns.set_outcome("mta-sts.broken.test", std::nullopt, dns::Outcome::servfail);
    auto r = w.get("https://mta-sts.broken.test/.well-known/mta-sts.txt");
    CHECK(r.outcome == Outcome::dns_failed);
    CHECK(r.detail.find("servfail") != std::string::npos);
  }
  CHECK(w.dns.count(dns::RrType::aaaa) == 1);  // both families were asked
}

TEST_CASE("IP literals and IPv6 addresses from the resolver") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  server->route("/", text("by address"));
  World w;
  w.make(options_for(*pki, server->port()));
  SUBCASE("an IPv4 literal (certificate with an IP SAN) is not looked up") {
    auto r = w.get("https://127.0.0.1/");
    CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
    CHECK(r.body == "by address");
    CHECK(w.dns.log().empty());
  }
  SUBCASE("an AAAA-only name is handed to curl as [::1], where nothing listens") {
    w.dns.add_a("v6only.provider.test", "::1");
    auto r = w.get("https://v6only.provider.test/");
    // Not dns_failed: curl took the address from us (and did not resolve the name itself).
    CHECK(r.outcome == Outcome::connect_failed);
    CHECK(r.address == "::1");
  }
}

TEST_CASE("URLs that may not be fetched are bad_url") {
  World w;
  w.make({});
  CHECK(w.get("http://mta-sts.example.test/.well-known/mta-sts.txt").outcome == Outcome::bad_url);
  CHECK(w.get("ftp://example.test/").outcome == Outcome::bad_url);
  CHECK(w.get("not a url").outcome == Outcome::bad_url);
  CHECK(w.get("https://user:pw@example.test/").outcome == Outcome::bad_url);
  CHECK(w.get("https://bad_host!.test/").outcome == Outcome::bad_url);
  CHECK(w.dns.log().empty());
}

TEST_CASE("fetches overlap on the loop") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  REQUIRE(server);
  HttpRoute slow = text("slow");
  slow.delay_ms = 600;
  server->route("/a", slow);
  server->route("/b", slow);
  server->route("/c", slow);
  World w;
  w.make(options_for(*pki, server->port()));
  http::Response ra, rb, rc;
  TimePoint da, db, dc;
  http::Request a, b, c;
  a.url = "https://www.provider.test/a";
  b.url = "https://shop.provider.test/b";
  c.url = "https://mta-sts.example.test/c";
  auto ta = fetch_into(*w.fetcher, a, &ra, &da);
  auto tb = fetch_into(*w.fetcher, b, &rb, &db);
  auto tc = fetch_into(*w.fetcher, c, &rc, &dc);
  w.loop.run_until([&] { return ta.done() && tb.done() && tc.done(); });
  CHECK_MESSAGE(ra.outcome == Outcome::ok, ra.detail);
  CHECK_MESSAGE(rb.outcome == Outcome::ok, rb.detail);
  CHECK_MESSAGE(rc.outcome == Outcome::ok, rc.detail);
  // All three requests were on the server before the first answer came back (timing-robust
  // under load, unlike a wall-clock bound).
  auto seen = server->requests();
  REQUIRE(seen.size() == 3);
  TimePoint first_done = std::min({da, db, dc});
  for (const auto& s : seen) CHECK(s.received < first_done);
}

TEST_CASE("a fetch overlaps with DNS lookups on the same loop (AresResolver + FaultServer)") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
  auto dns_server = test::FaultServer::start();
  REQUIRE(server);
  REQUIRE(dns_server);
  HttpRoute slow = text("slow page");
  slow.delay_ms = 1500;
  server->route("/", slow);
  dns_server->add_record(a_record("www.provider.test", "127.0.0.1"));
  dns_server->add_record(a_record("slow.example.test", "192.0.2.1"));
  dns_server->add_rule(test::FaultRule{"slow.example.test", std::nullopt, test::FaultAction::delay_then_answer, 0, 1000ms});

  io::Loop loop;
  dns::ResolverOptions ro;
  ro.servers.push_back(dns::ServerAddress{"127.0.0.1", dns_server->port()});
  ro.timeout = 2000ms;
  auto resolver = dns::AresResolver::create(loop, ro);
  REQUIRE(resolver);
  auto fetcher = http::Fetcher::create(loop, **resolver, options_for(*pki, server->port()));
  REQUIRE(fetcher);

  http::Request req;
  req.url = "https://www.provider.test/";
  http::Response page;
  dns::Answer answer;
  TimePoint page_done, answer_done;
  auto tl = lookup_into(**resolver, dns::Query{"slow.example.test", dns::RrType::a}, &answer, &answer_done);
  auto tf = fetch_into(**fetcher, req, &page, &page_done);
  loop.run_until([&] { return tf.done() && tl.done(); });
  CHECK_MESSAGE(page.outcome == Outcome::ok, page.detail);
  CHECK(page.body == "slow page");
  CHECK(answer.outcome == dns::Outcome::answer);
  // The HTTPS request reached the server while the slow lookup was still pending, and the
  // lookup's answer arrived while the page was still pending.
  auto seen = server->requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].received < answer_done);
  CHECK(answer_done < page_done);
  auto log = dns_server->query_log();
  CHECK(std::find(log.begin(), log.end(), "www.provider.test A udp") != log.end());
  CHECK(std::find(log.begin(), log.end(), "www.provider.test AAAA udp") != log.end());
}

TEST_CASE("website: https first, http as fallback (imprint check)") {
  auto pki = test::TestPki::create();
  REQUIRE(pki);
  auto plain = HttpServer::start(HttpServer::Mode::http, nullptr);
  REQUIRE(plain);
  plain->route("/", text("Impressum (http)"));
  http::Request req;
  req.url = "https://www.provider.test/";
  req.follow_redirects = true;

  SUBCASE("https works: no fallback") {
    auto server = HttpServer::start(HttpServer::Mode::https, pki.get());
    REQUIRE(server);
    server->route("/", text("Impressum (https)"));
    World w;
    w.make(options_for(*pki, server->port(), plain->port()));
    auto r = w.loop.run(w.fetcher->fetch_website(req));
    CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
    CHECK(r.body == "Impressum (https)");
    CHECK(r.https_failure.empty());
    CHECK(plain->requests().empty());
  }
  SUBCASE("https refused: http") {
    World w;
    w.make(options_for(*pki, test::closed_tcp_port(), plain->port()));
    auto r = w.loop.run(w.fetcher->fetch_website(req));
    CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
    CHECK(r.body == "Impressum (http)");
    CHECK(r.final_url == "http://www.provider.test/");
    CHECK(r.https_failure.rfind("connect-failed", 0) == 0);
  }
  SUBCASE("https with a bad certificate: http") {
    auto server = HttpServer::start(HttpServer::Mode::https_self_signed, pki.get());
    REQUIRE(server);
    World w;
    w.make(options_for(*pki, server->port(), plain->port()));
    auto r = w.loop.run(w.fetcher->fetch_website(req));
    CHECK_MESSAGE(r.outcome == Outcome::ok, r.detail);
    CHECK(r.https_failure.rfind("tls-error", 0) == 0);
  }
  SUBCASE("http redirecting to https of the same site") {
    auto server = HttpServer::start(HttpServer::Mode::https_self_signed, pki.get());
    REQUIRE(server);
    plain->route("/", redirect("https://provider.test/", 301));
    World w;
    w.make(options_for(*pki, server->port(), plain->port()));
    auto r = w.loop.run(w.fetcher->fetch_website(req));
    CHECK(r.outcome == Outcome::tls_error);  // the https target still has the bad certificate
    REQUIRE(r.redirects.size() == 1);
    CHECK(r.redirects[0] == "http://www.provider.test/");
  }
  SUBCASE("DNS failure: no fallback") {
    World w;
    w.make(options_for(*pki, test::closed_tcp_port(), plain->port()));
    req.url = "https://www.nowhere.test/";
    auto r = w.loop.run(w.fetcher->fetch_website(req));
    CHECK(r.outcome == Outcome::dns_failed);
    CHECK(r.https_failure.empty());
  }
}

TEST_CASE("media_type and same_site") {
  CHECK(http::media_type("text/plain") == "text/plain");
  CHECK(http::media_type(" TEXT/Plain ; charset=UTF-8") == "text/plain");
  CHECK(http::media_type("") == "");
  CHECK(http::same_site("www.provider.test", "provider.test"));
  CHECK(http::same_site("WWW.Provider.Test.", "shop.provider.test"));
  CHECK(!http::same_site("www.provider.test", "www.other.test"));
  CHECK(http::same_site("www.example.co.uk", "example.co.uk"));
  CHECK(!http::same_site("a.co.uk", "b.co.uk"));
  CHECK(!http::same_site("example.co.uk", "other.co.uk"));
  CHECK(http::same_site("127.0.0.1", "127.0.0.1"));
  CHECK(!http::same_site("127.0.0.1", "127.0.0.2"));
  CHECK(http::same_site("[::1]", "::1"));
}

}  // TEST_SUITE
