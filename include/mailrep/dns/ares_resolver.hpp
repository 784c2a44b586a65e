#pragma once
/// \file AresResolver: the real resolver, c-ares transport on the io::Loop.
///
/// One c-ares channel per server (so every Answer names its server, and failover is ours):
/// a window of queries in flight (`concurrency`), a per-attempt timeout, retries that rotate
/// through the servers, TCP fallback on truncation (c-ares), and de-duplication of identical
/// (name, type) queries: in flight always, completed through a bounded cache.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/loop.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::dns {

struct ServerAddress {
  std::string host;  ///< IPv4 or IPv6 literal
  std::uint16_t port = 53;
  [[nodiscard]] std::string to_string() const;
};

/// "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353"
[[nodiscard]] Result<ServerAddress> parse_server(std::string_view text);
/// The nameservers of /etc/resolv.conf (or another file).
[[nodiscard]] Result<std::vector<ServerAddress>> servers_from_resolv_conf(const std::string& path = "/etc/resolv.conf");
/// True for well-known public resolvers (Google, Cloudflare, Quad9, OpenDNS ...), which
/// Spamhaus and others refuse to answer.
[[nodiscard]] bool is_public_resolver(const ServerAddress& s);

struct ResolverOptions {
  std::vector<ServerAddress> servers;
  std::chrono::milliseconds timeout{2000};  ///< per attempt
  int retries = 2;                          ///< extra attempts after the first
  std::size_t concurrency = 500;            ///< queries in flight at most
  std::size_t cache_entries = 10000;        ///< completed answers kept for de-duplication
};

struct ResolverStats {
  std::uint64_t lookups = 0;       ///< calls to lookup()
  std::uint64_t deduplicated = 0;  ///< answered by an in-flight or cached query
  std::uint64_t sent = 0;          ///< attempts sent (first tries + retries)
  std::uint64_t retries = 0;
  std::uint64_t responses = 0;  ///< DNS responses received (of any rcode, even malformed)
  std::size_t max_in_flight = 0;
  std::uint64_t rate_delayed = 0;  ///< queries that waited for a zone's rate limit
};

class AresResolver final : public Resolver {
public:
  /// Fails when c-ares cannot be initialised or no server is given.
  [[nodiscard]] static Result<std::unique_ptr<AresResolver>> create(io::Loop& loop, ResolverOptions options);
  ~AresResolver() override;
  io::Task<Answer> lookup(Query query) override;
  /// Send queries for names at or under `zone` at most `qps` per second on average, with bursts of
  /// up to `burst` queries (a token bucket). Waiting queries hold no slot of the window, so other
  /// zones go on at full speed; answers from the cache and de-duplicated queries cost nothing.
  /// For blocklists whose operators punish bursts (lists/dnsbl.toml rate_limit_qps). A later call
  /// for the same zone replaces the limit; qps <= 0 is ignored.
  void limit_zone(std::string_view zone, double qps, double burst);
  [[nodiscard]] const ResolverStats& stats() const;
  [[nodiscard]] const ResolverOptions& options() const;

  struct Impl;
private:
  explicit AresResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailrep::dns
