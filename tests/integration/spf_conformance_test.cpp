// The openspf/pyspf SPF conformance suites over the wire: each scenario's zone data is served by a
// FaultServer on loopback (TIMEOUT entries by never answering), and check_host() runs through the
// real AresResolver. Every test is one CHECK with its name; totals are reported per suite.
//
// Where a test lists several acceptable results, mailrep gives the RFC 7208 preferred one
// (rfc7208-tests.yml lists it first); for rfc4408-tests.yml that is sometimes the second choice
// (e.g. Record lookup/spfonly: none, because RFC 7208 4.4 reads TXT only).
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "mailrep/auth/spf/check_host.hpp"
#include "mailrep/dns/ares_resolver.hpp"
#include "mailrep/io/loop.hpp"
#include "../support/fault_server.hpp"
#include "../support/spf_suite.hpp"

#ifndef MAILREP_CONFORMANCE_DIR
#error "MAILREP_CONFORMANCE_DIR must name the folder with rfc7208-tests.yml"
#endif

namespace {

using namespace mailrep;
namespace suite = mailrep::test::spf_suite;

void load_server(test::FaultServer& server, const suite::Zone& zone) {
  server.clear();
  // TIMEOUT: drop the types that have no records at that name (rules come before records).
  for (const auto& t : zone.timeouts)
    for (auto type : t.types) server.add_rule(test::FaultRule{t.name, type, test::FaultAction::drop, 0, {}, -1});
  for (const auto& r : zone.records) server.add_record(r);
}

/// Passes lookups through to the real resolver and counts those still in flight, so a test can
/// let check_host()'s detached prefetch lookups finish before the resolver is destroyed.
class CountingResolver final : public dns::Resolver {
public:
  explicit CountingResolver(dns::Resolver& inner) : m_inner(inner) {}
  io::Task<dns::Answer> lookup(dns::Query query) override {
    ++m_outstanding;
    auto task = m_inner.lookup(std::move(query));
    dns::Answer a = co_await task;
    --m_outstanding;
    co_return a;
  }
  [[nodiscard]] int outstanding() const { return m_outstanding; }

private:
  dns::Resolver& m_inner;
  int m_outstanding = 0;
};

void run_suite(const std::string& file) {
  std::string error;
  auto scenarios = suite::load(std::string(MAILREP_CONFORMANCE_DIR) + "/" + file, error);
  REQUIRE_MESSAGE(error.empty(), error);
  REQUIRE(!scenarios.empty());
  auto server = test::FaultServer::start();
  REQUIRE(server != nullptr);
  int total = 0, passed = 0, preferred = 0;
  for (const auto& sc : scenarios) {
    load_server(*server, sc.zone);
    for (const auto& c : sc.cases) {
      ++total;
      auto ip = util::IpAddress::parse(c.host);
      REQUIRE_MESSAGE(ip.has_value(), c.name, ": bad host ", c.host);
      io::Loop loop;
      dns::ResolverOptions options;
      options.servers = {dns::ServerAddress{"127.0.0.1", server->port()}};
      options.timeout = std::chrono::milliseconds(300);
      options.retries = 0;
      auto resolver = dns::AresResolver::create(loop, options);
      const std::string create_error = resolver.has_value() ? std::string() : resolver.error().message;
      REQUIRE_MESSAGE(resolver.has_value(), create_error);
      CountingResolver counting(**resolver);
      auto input = auth::spf::input_from_envelope(*ip, c.mailfrom, c.helo);
      auto out = loop.run(auth::spf::check_host(counting, input));
      loop.run_until([&] { return counting.outstanding() == 0; });
      std::string why;
      const bool ok = suite::matches(c, std::string(auth::spf::to_string(out.result)), out.explanation, why);
      CHECK_MESSAGE(ok, file, ": ", sc.description, " / ", c.name, ": ", why, " [", out.problem, ": ", out.detail, "]");
      if (ok) ++passed;
      if (ok && c.results.front() == auth::spf::to_string(out.result)) ++preferred;
    }
  }
  MESSAGE(file, " over the wire: ", passed, "/", total, " passed (", preferred, " with the suite's first-listed result)");
}

}  // namespace

TEST_SUITE("auth::spf") {
TEST_CASE("conformance (FaultServer + AresResolver): rfc7208-tests.yml") { run_suite("rfc7208-tests.yml"); }
TEST_CASE("conformance (FaultServer + AresResolver): rfc4408-tests.yml") { run_suite("rfc4408-tests.yml"); }
}
