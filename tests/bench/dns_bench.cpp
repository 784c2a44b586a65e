// mailrep_bench_dns: N distinct queries through the DNS engine; prints one JSON line.
//   mailrep_bench_dns --server 127.0.0.1:PORT --queries N [--window W] [--zone bench.test] [--timeout-ms T]
#include <sys/resource.h>

#include <iostream>
#include <string>

#include "mailrep/dns/ares_resolver.hpp"

using namespace mailrep;

namespace {
io::Task<int> worker(dns::Resolver& r, std::size_t& next, std::size_t total, std::string zone, std::size_t& answers,
                     std::size_t& failures) {
  while (next < total) {
    std::size_t i = next++;
    auto t = r.lookup(dns::Query{"q" + std::to_string(i) + "." + zone, dns::RrType::a});
    dns::Answer a = co_await t;
    if (a.outcome == dns::Outcome::answer) ++answers;
    else ++failures;
  }
  co_return 0;
}
}  // namespace

int main(int argc, char** argv) {
  std::string server = "127.0.0.1:53", zone = "bench.test";
  std::size_t queries = 10000, window = 500;
  long timeout_ms = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--server") server = v;
    else if (k == "--queries") queries = std::stoul(v);
    else if (k == "--window") window = std::stoul(v);
    else if (k == "--zone") zone = v;
    else if (k == "--timeout-ms") timeout_ms = std::stol(v);
  }
  io::Loop loop;
  dns::ResolverOptions o;
  o.servers.push_back(*dns::parse_server(server));
  o.concurrency = window;
  o.timeout = std::chrono::milliseconds(timeout_ms);
  o.retries = 3;
  o.cache_entries = 1000;
  auto r = dns::AresResolver::create(loop, o);
  if (!r) {
    std::cerr << r.error().message << "\n";
    return 1;
  }
  std::size_t next = 0, answers = 0, failures = 0;
  auto start = io::Clock::now();
  // Workers keep exactly `window` lookups outstanding; memory does not grow with the query count.
  std::vector<io::Task<int>> pool;
  for (std::size_t i = 0; i < window; ++i) pool.push_back(worker(**r, next, queries, zone, answers, failures));
  loop.run_until([&] {
    for (auto& t : pool)
      if (!t.done()) return false;
    return true;
  });
  double secs = std::chrono::duration<double>(io::Clock::now() - start).count();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const auto& st = (*r)->stats();
  std::cout << "{\"queries\":" << queries << ",\"seconds\":" << secs << ",\"qps\":" << static_cast<double>(queries) / secs
            << ",\"answers\":" << answers << ",\"failures\":" << failures << ",\"sent\":" << st.sent
            << ",\"retries\":" << st.retries << ",\"max_in_flight\":" << st.max_in_flight
            << ",\"peak_rss_kb\":" << ru.ru_maxrss << "}\n";
  return failures ? 1 : 0;
}
