// The openspf/pyspf conformance suites run against a TableResolver loaded with each scenario's
// zone data: the fast, socket-free twin of tests/integration/spf_conformance_test.cpp.
#include <doctest/doctest.h>

#include <string>

#include "mailrep/auth/spf/check_host.hpp"
#include "../../../support/spf_suite.hpp"
#include "../../../support/table_resolver.hpp"

#ifndef MAILREP_CONFORMANCE_DIR
#error "MAILREP_CONFORMANCE_DIR must name the folder with rfc7208-tests.yml"
#endif

namespace {

using namespace mailrep;
namespace suite = mailrep::test::spf_suite;

void load_table(test::TableResolver& table, const suite::Zone& zone) {
  table.clear();
  for (const auto& r : zone.records) table.add(r);
  for (const auto& t : zone.timeouts)
    for (auto type : t.types) table.set_outcome(t.name, type, dns::Outcome::timeout);
}

void run_suite(const std::string& file) {
  std::string error;
  auto scenarios = suite::load(std::string(MAILREP_CONFORMANCE_DIR) + "/" + file, error);
  REQUIRE_MESSAGE(error.empty(), error);
  REQUIRE(!scenarios.empty());
  int total = 0, passed = 0, preferred = 0;
  for (const auto& sc : scenarios) {
    test::TableResolver table;
    load_table(table, sc.zone);
    for (const auto& c : sc.cases) {
      ++total;
      auto ip = util::IpAddress::parse(c.host);
      REQUIRE_MESSAGE(ip.has_value(), c.name, ": bad host ", c.host);
      auto input = auth::spf::input_from_envelope(*ip, c.mailfrom, c.helo);
      auto task = auth::spf::check_host(table, input);
      REQUIRE(task.done());  // the table answers synchronously
      auto out = task.take();
      std::string why;
      const bool ok = suite::matches(c, std::string(auth::spf::to_string(out.result)), out.explanation, why);
      CHECK_MESSAGE(ok, file, ": ", sc.description, " / ", c.name, ": ", why, " [", out.problem, ": ", out.detail, "]");
      if (ok) ++passed;
      // The prefetch must not change anything but speed: same result, counts and explanation.
      auto plain_input = input;
      plain_input.prefetch = false;
      auto plain_task = auth::spf::check_host(table, plain_input);
      REQUIRE(plain_task.done());
      auto plain = plain_task.take();
      CHECK_MESSAGE((plain.result == out.result && plain.lookups == out.lookups &&
                     plain.void_lookups == out.void_lookups && plain.explanation == out.explanation),
                    file, ": ", c.name, ": prefetch changed the outcome");
      // And once more with lookups that really suspend (one round trip at a time).
      test::SteppedResolver stepped(table);
      auto stepped_out = stepped.run(auth::spf::check_host(stepped, input));
      CHECK_MESSAGE((stepped_out.result == out.result && stepped_out.lookups == out.lookups &&
                     stepped_out.explanation == out.explanation),
                    file, ": ", c.name, ": suspending lookups changed the outcome");
      if (ok && c.results.front() == auth::spf::to_string(out.result)) ++preferred;
    }
  }
  // rfc4408-tests.yml sometimes lists RFC 4408's preference first; mailrep follows RFC 7208.
  MESSAGE(file, ": ", passed, "/", total, " passed (", preferred, " with the suite's first-listed result)");
}

}  // namespace

TEST_SUITE("auth::spf") {
TEST_CASE("conformance (TableResolver): rfc7208-tests.yml") { run_suite("rfc7208-tests.yml"); }
TEST_CASE("conformance (TableResolver): rfc4408-tests.yml") { run_suite("rfc4408-tests.yml"); }
}
