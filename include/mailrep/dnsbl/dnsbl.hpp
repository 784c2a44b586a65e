#pragma once
/// \file Asking DNS blocklists correctly: query names, the three states, health probes.
///
/// A (subject, list) pair ends in exactly one of three states. `listed` needs an A answer that the
/// list's answer table documents; `not_listed` needs NXDOMAIN or NODATA; everything else (timeout,
/// SERVFAIL, REFUSED, malformed, a documented error code such as Spamhaus' 127.255.255.254, an
/// answer outside 127/8, an undocumented code) is `unknown`, with the reason.
#include <optional>
#include <string>
#include <vector>

#include "mailrep/data/blocklists.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::dnsbl {

enum class State { listed, not_listed, unknown };
[[nodiscard]] std::string_view to_string(State s);

struct Hit {
  std::string answer;   ///< "127.0.0.2"
  std::string meaning;  ///< from the list's answer table
  data::Severity severity = data::Severity::warning;
};

struct ListResult {
  const data::Blocklist* list = nullptr;
  std::string subject;     ///< the address or domain asked about
  std::string query_name;  ///< without any key (display form)
  State state = State::unknown;
  std::vector<Hit> hits;   ///< when listed (or an allowlist entry)
  std::string txt;         ///< the list's TXT reason, sanitised
  std::string error;       ///< when unknown: why
  bool error_code = false; ///< unknown because the list answered with a documented error code
  dns::Outcome outcome = dns::Outcome::error;
  [[nodiscard]] data::Severity severity() const;  ///< the worst hit (critical > warning > info > good)
  /// Each answer once, in order: one answer of a bitmask list carries several meanings.
  [[nodiscard]] std::vector<std::string> answers() const;
  /// The meaning of every hit, in order, sanitised for output.
  [[nodiscard]] std::vector<std::string> meanings() const;
};

/// The name to query: reversed IPv4 / IPv6 nibbles + zone (RFC 5782 2.1, 2.4). nullopt when the
/// list does not take this family or is a domain list.
[[nodiscard]] std::optional<std::string> ip_query_name(const data::Blocklist& list, const util::IpAddress& ip,
                                                       bool display = false);
/// The domain (full host or registered domain, per the list's query form) + zone (RFC 5782 3.1).
[[nodiscard]] std::optional<std::string> domain_query_name(const data::Blocklist& list, const std::string& domain,
                                                           bool display = false);

/// Turns an Answer for a list query into the three states (no TXT lookup).
[[nodiscard]] ListResult interpret(const data::Blocklist& list, const dns::Answer& answer);

/// Ask one list about an address / a domain (then its TXT record when listed).
io::Task<ListResult> check_ip(dns::Resolver& resolver, const data::Blocklist& list, util::IpAddress ip);
io::Task<ListResult> check_domain(dns::Resolver& resolver, const data::Blocklist& list, std::string domain);

enum class Health { healthy, dead, lists_everything, refused, timeout, misbehaving };
[[nodiscard]] std::string_view to_string(Health h);

struct HealthResult {
  const data::Blocklist* list = nullptr;
  Health health = Health::misbehaving;
  std::string detail;
  bool resolver_blocked = false;  ///< a documented error code says the resolver is refused (public/open)
};

/// RFC 5782 section 5 test points: the listed point must be listed, the unlisted point and a
/// random label must not be. `quick` skips the random label.
io::Task<HealthResult> probe(dns::Resolver& resolver, const data::Blocklist& list, bool quick);

}  // namespace mailrep::dnsbl
