#pragma once
/// \file The blocklist catalogue (lists/dnsbl.toml) as typed values, its loader, and the pure
/// function that says what one A answer from a list means.
///
/// A catalogue file is accepted whole or rejected whole: any error (syntax, unknown key, bad
/// value, duplicate id) gives an Error "file:line: reason". Reading answers follows RFC 5782:
/// only A records inside 127.0.0.0/8 can be listings; documented error codes (Spamhaus
/// 127.255.255.x, URIBL 127.0.0.1 ...) are never listings; anything else is "unknown".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/util/ip.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::data {

enum class ListKind { ip, domain, allow_ip, allow_domain };
/// critical/warning/info rate a listing; good marks allowlist and good-reputation answers.
enum class Severity { critical, warning, info, good };
/// How a subject is turned into a query name (RFC 5782 2.1/2.4/3.1).
enum class QueryForm {
  address,     ///< reversed IPv4 octets or IPv6 nibbles (ip and allow-ip lists)
  host,        ///< the full host name as given (e.g. SURBL since 2024)
  registered,  ///< the registered domain only (e.g. URIBL strips host parts)
};

[[nodiscard]] std::string_view to_string(ListKind k);  ///< "ip", "domain", "allow-ip", "allow-domain"
[[nodiscard]] std::string_view to_string(Severity s);  ///< "critical", "warning", "info", "good"
[[nodiscard]] std::string_view to_string(QueryForm f);  ///< "address", "host", "registered"

/// One `match` of an answer or error rule, over IPv4 answers in 127.0.0.0/8.
struct AnswerMatch {
  enum class Kind { exact, range, mask };
  Kind kind = Kind::exact;
  std::uint32_t low = 0;   ///< exact: the address; range: first address (host order)
  std::uint32_t high = 0;  ///< range: last address (inclusive); exact: == low
  std::uint8_t mask = 0;   ///< mask: bits tested in the last octet, only for 127.0.0.x answers
  std::string text;        ///< as written in the file, e.g. "mask:0x04"

  [[nodiscard]] bool matches(std::uint32_t answer_v4) const;
};

/// What an answer means when it is a listing (or an allowlist/reputation entry).
struct AnswerRule {
  AnswerMatch match;
  std::string meaning;
  Severity severity = Severity::warning;
  unsigned weight = 0;     ///< the rule's own `weight`, else the list's
  std::uint32_t line = 0;  ///< line in the catalogue file
};

/// An answer that is NOT a listing: refused query, quota exceeded, bad key, zone-name typo.
struct ErrorRule {
  AnswerMatch match;
  std::string meaning;
  std::uint32_t line = 0;
};

/// Names (domain lists) or addresses (ip lists) for RFC 5782 section 5 health probes, written
/// in natural form (not reversed). Defaults when the file has none: 127.0.0.2 / 127.0.0.1
/// (plus ::ffff:7f00:2 / ::ffff:7f00:1 for ipv6 lists), or "test" / "invalid" for domain lists.
/// An empty list means "no known point": skip that half of the probe.
struct TestPoints {
  std::vector<std::string> listed;    ///< must answer with a documented listing
  std::vector<std::string> unlisted;  ///< must give NXDOMAIN
};

struct Blocklist {
  std::string id;            ///< stable id used in output and options
  std::string name;
  std::string zone;          ///< zone to query (after apply_keys: the keyed zone, which holds the key)
  std::string display_zone;  ///< zone for output and logs; never contains a key
  ListKind kind = ListKind::ip;
  bool ipv4 = true;          ///< answers IPv4 queries (ip kinds only)
  bool ipv6 = false;         ///< answers RFC 5782 2.4 nibble queries (ip kinds only)
  unsigned weight = 0;       ///< 0..100, contribution to the score when listed
  std::string delist;        ///< URL or instructions
  std::string access;        ///< usage terms, resolver and registration requirements
  std::string source;        ///< where the facts come from
  bool enabled = true;
  bool dead = false;         ///< never queried; shipped so configs naming it get a warning
  std::string dead_reason;
  std::string keyed;         ///< key provider whose key upgrades the zone ("spamhaus"), optional
  std::string requires_key;  ///< key provider without whose key the list cannot be used
  std::string key_zone;      ///< zone template containing "{key}", for keyed/requires_key lists
  bool key_applied = false;
  QueryForm query_form = QueryForm::address;
  double rate_limit_qps = 0;  ///< 0 = no limit; otherwise max queries per second to this zone
  double rate_burst = 0;      ///< queries that may go at once before the rate applies (>= 1 when limited)
  std::string rate_scope;     ///< the limit's zone: `zone` or a parent shared with the operator's other lists
  /// The zone the rate limit is kept for (rate_scope when it covers the zone queried, else zone).
  [[nodiscard]] std::string rate_zone() const {
    if (rate_scope.empty() || zone == rate_scope) return zone;
    const bool under = zone.size() > rate_scope.size() && zone.ends_with(rate_scope) &&
                       zone[zone.size() - rate_scope.size() - 1] == '.';
    return under ? rate_scope : zone;
  }
  TestPoints test_points;
  std::vector<AnswerRule> answers;  ///< first match wins
  std::vector<ErrorRule> errors;    ///< checked before answers
  std::uint32_t line = 0;           ///< line of the [[list]] header

  [[nodiscard]] bool is_allow() const { return kind == ListKind::allow_ip || kind == ListKind::allow_domain; }
  [[nodiscard]] bool is_domain() const { return kind == ListKind::domain || kind == ListKind::allow_domain; }
  /// enabled, not dead, and its key (if it needs one) has been applied.
  [[nodiscard]] bool queryable() const { return enabled && !dead && (requires_key.empty() || key_applied); }
};

struct Catalogue {
  std::vector<Blocklist> lists;       ///< in file order
  std::vector<std::string> warnings;  ///< "file:line: ..." facts worth showing that do not reject the file

  [[nodiscard]] const Blocklist* find(std::string_view id) const;
};

/// Reads and parses a catalogue file (size-capped). Errors: io (unreadable), parse (content).
[[nodiscard]] Result<Catalogue> load_blocklists(const std::string& path);
/// Parses catalogue text; `source_name` prefixes error messages ("source_name:line: reason").
[[nodiscard]] Result<Catalogue> parse_blocklists(std::string_view toml_text, std::string_view source_name);

struct Classification {
  enum class State {
    listed,        ///< an answer rule matched (for allow/reputation lists: an entry, see severity)
    error,         ///< a documented error code: the list could not answer (unknown, never listed)
    undocumented,  ///< inside 127.0.0.0/8 but no rule: unknown, never listed
    not_127,       ///< outside 127.0.0.0/8 (or IPv6): not a listing, a resolver/zone problem (unknown)
  };
  State state = State::undocumented;
  const AnswerRule* rule = nullptr;  ///< set when listed; points into the Blocklist
  const ErrorRule* error = nullptr;  ///< set when error
  std::string meaning;
  Severity severity = Severity::warning;  ///< the rule's severity; warning for every unknown state
};

/// What one A answer from `list` means: errors first, then answer rules (first match wins; a
/// mask only matches 127.0.0.x), else undocumented; answers outside 127/8 are not_127.
[[nodiscard]] Classification classify(const Blocklist& list, const util::IpAddress& answer);
/// Every answer rule matching `answer` (a bitmask answer such as 127.0.0.14 can match several).
[[nodiscard]] std::vector<const AnswerRule*> matching_rules(const Blocklist& list, const util::IpAddress& answer);

/// Access keys; empty = not given. Keys are secrets: they appear in `zone` but never in
/// `display_zone` or in error messages.
struct Keys {
  std::string spamhaus;  ///< Spamhaus DQS key
  std::string spamrats;
  std::string abusix;
};

/// For each given key: lists with `keyed` or `requires_key` naming that provider switch `zone` to
/// `key_zone` with the key filled in, and are enabled. Fails (changing nothing) if a key is not
/// a valid DNS label.
[[nodiscard]] Result<void> apply_keys(Catalogue& catalogue, const Keys& keys);
[[nodiscard]] Result<void> apply_spamhaus_key(Catalogue& catalogue, std::string key);

}  // namespace mailrep::data
