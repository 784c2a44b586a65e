#pragma once
/// \file Reverse DNS: PTR names of an address and forward confirmation (FCrDNS).
#include <optional>
#include <string>
#include <vector>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::rdns {

enum class Fcrdns { confirmed, not_confirmed, no_ptr, unknown };
[[nodiscard]] std::string_view to_string(Fcrdns f);

struct RdnsResult {
  util::IpAddress address;
  std::vector<std::string> ptr;        ///< PTR names (sanitised, at most 10 are followed)
  std::vector<std::string> confirmed;  ///< PTR names whose A/AAAA include the address
  Fcrdns fcrdns = Fcrdns::unknown;
  dns::Outcome ptr_outcome = dns::Outcome::error;
  std::string error;                   ///< why unknown
};

/// PTR lookup, then A (or AAAA) of every PTR name in parallel (RFC 7208 5.5 / RFC 8601 style
/// forward confirmation, at most 10 names).
io::Task<RdnsResult> check(dns::Resolver& resolver, util::IpAddress address);

/// Heuristic: does a PTR name look generic/dynamic (address digits, dyn, pool, dsl, dialup ...)?
/// Returns the reason, or empty when it looks like a proper mail server name.
[[nodiscard]] std::string generic_name_reason(const std::string& ptr_name, const util::IpAddress& address);
/// The German words for a reason generic_name_reason() gave.
[[nodiscard]] std::string generic_name_reason_de(std::string_view reason);

}  // namespace mailrep::rdns
