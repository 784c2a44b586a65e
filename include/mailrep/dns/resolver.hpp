#pragma once
/// \file The Resolver interface: all that checks ever see of DNS.
///
/// `lookup()` never throws and never blocks; it always yields an Answer whose Outcome says
/// what happened. Only `answer`, `nxdomain` and `nodata` are facts about the DNS; every other
/// outcome is a failure to learn something and must never be read as "not listed"/"absent".
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/io/task.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::dns {

enum class RrType : std::uint16_t {
  a = 1, ns = 2, cname = 5, soa = 6, ptr = 12, mx = 15, txt = 16, aaaa = 28, srv = 33, tlsa = 52, spf = 99,
};
[[nodiscard]] std::string_view to_string(RrType t);

enum class Outcome {
  answer,     ///< NOERROR with records of the asked type
  nxdomain,   ///< the name does not exist (a fact)
  nodata,     ///< the name exists, no records of this type (a fact)
  servfail,   ///< server failure (not a fact)
  refused,    ///< the server refused (public-resolver blocks, ACLs)
  timeout,    ///< no answer within timeout x retries from any server
  malformed,  ///< an answer we could not trust (garbage, wrong class, oversized, mismatched)
  error,      ///< anything else: FORMERR, NOTIMP, connection refused, bad name ...
};
[[nodiscard]] std::string_view to_string(Outcome o);
/// answer, nxdomain or nodata: the DNS told us something true.
[[nodiscard]] constexpr bool is_fact(Outcome o) {
  return o == Outcome::answer || o == Outcome::nxdomain || o == Outcome::nodata;
}

/// One resource record of the asked type, already parsed. Which fields are set depends on type:
///  A/AAAA: address (and text = address as string)
///  MX: priority, text = exchange host (no trailing dot, lower case)
///  TXT/SPF: strings = the character-strings, text = all strings joined without separator (RFC 7208 3.3)
///  PTR/CNAME/NS: text = target host (no trailing dot)
///  SRV: priority, weight, port, text = target
///  TLSA: usage, selector, matching (in priority/weight/port), text = hex of the data
///  SOA: text = presentation form
struct Record {
  RrType type = RrType::a;
  std::string owner;  ///< owner name as it came (lower case, no trailing dot)
  std::uint32_t ttl = 0;
  std::string text;
  util::IpAddress address;
  std::vector<std::string> strings;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
};

struct Query {
  std::string name;  ///< presentation form, no trailing dot needed
  RrType type = RrType::a;
};

struct Answer {
  Query query;
  Outcome outcome = Outcome::error;
  std::vector<Record> records;        ///< records of query.type only
  std::vector<std::string> cnames;    ///< the CNAME chain followed, in order (targets)
  std::uint32_t ttl = 0;              ///< min TTL of the records (or the SOA minimum for negatives, when given)
  std::string server;                 ///< "127.0.0.1:5353" - the server that gave this outcome
  std::string detail;                 ///< why, for failures (sanitised)
  [[nodiscard]] bool is_fact() const { return dns::is_fact(outcome); }
  [[nodiscard]] bool has_records() const { return outcome == Outcome::answer && !records.empty(); }
};

class Resolver {
public:
  virtual ~Resolver() = default;
  /// Never throws, never blocks. Identical (name, type) queries may share one wire query.
  virtual io::Task<Answer> lookup(Query query) = 0;
};

/// Lower-case, strip one trailing dot, convert U-labels to A-labels (IDNA2008 via libidn2),
/// validate lengths (label <= 63, name <= 253) and characters. Empty/invalid -> nullopt + reason.
struct NameCheck {
  bool ok = false;
  std::string name;    ///< normalised
  std::string reason;  ///< when !ok
};
[[nodiscard]] NameCheck normalize_domain(std::string_view input);
/// Looser check for names used as query names (allows '_' labels and any LDH/underscore label).
[[nodiscard]] bool is_valid_query_name(std::string_view name);

}  // namespace mailrep::dns
