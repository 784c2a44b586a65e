#pragma once
/// \file Checking addresses: reverse DNS and every usable blocklist, for `ip` and `check`.
///
/// Lists are health-probed once per run (RFC 5782 test points) and set aside when they misbehave.
/// Addresses are checked by a bounded pool of workers so memory stays flat as the address count
/// grows: per address only listings, errors and allowlist answers are kept; clean answers are counted.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mailrep/data/blocklists.hpp"
#include "mailrep/dnsbl/dnsbl.hpp"
#include "mailrep/io/loop.hpp"
#include "mailrep/rdns/rdns.hpp"
#include "mailrep/util/finding.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::assess {

/// One command-line target: an address, a network, or a host name (expanded to its A and AAAA).
struct Target {
  std::string input;
  std::optional<util::Cidr> cidr;  ///< address (full prefix) or network
  std::string host;                ///< normalised host name when it is one
};
[[nodiscard]] Result<Target> parse_target(const std::string& text);

struct AddressReport {
  util::IpAddress address;
  std::string source;  ///< how it was found: the input, "A of host", ...
  rdns::RdnsResult rdns;
  std::string generic_reason;  ///< why the PTR name looks generic, if it does
  std::vector<dnsbl::ListResult> listings;
  std::vector<dnsbl::ListResult> errors;
  std::vector<dnsbl::ListResult> allow;
  std::size_t lists_checked = 0;
  std::size_t not_listed = 0;
};

struct ScanOptions {
  std::uint64_t max_addresses = 4096;
  bool probe_lists = true;  ///< quick RFC 5782 probe before trusting a list
  std::size_t workers = 0;  ///< addresses in progress at once; 0 = from the resolver window and the list count
  std::size_t window = 500;
  /// When set, every address report is handed here, in input order, as soon as it and all before it
  /// are done, and ScanReport::addresses stays empty: the scan then holds a bounded number of reports
  /// whatever the number of addresses (a /16 is 65,536 reports and 2.6 million answers).
  std::function<void(AddressReport&&)> on_address;
};

struct ListUse {
  const data::Blocklist* list = nullptr;
  std::optional<dnsbl::HealthResult> health;  ///< when probed
  bool used = true;                            ///< false: set aside (its results are unknown)
};

struct ScanReport {
  std::vector<AddressReport> addresses;  ///< in input order (empty with ScanOptions::on_address)
  std::size_t address_count = 0;         ///< addresses checked (also with on_address)
  std::vector<ListUse> lists;
  std::vector<std::string> unresolved;  ///< host names without addresses, with the reason
  std::string fatal;                     ///< a problem that makes the whole run meaningless
  std::size_t listed = 0;                ///< (address, list) pairs listed
  std::size_t unknown = 0;               ///< (address, list) pairs unknown
  std::size_t answered = 0;              ///< (address, list) pairs with a fact
  std::chrono::milliseconds elapsed{0};
};

/// Check every target's addresses against the IP blocklists of `catalogue` (queryable ones).
io::Task<ScanReport> scan_addresses(dns::Resolver& resolver, io::Loop& loop, const data::Catalogue& catalogue,
                                    std::vector<Target> targets, ScanOptions options);

/// Findings of many addresses with a bounded number kept: at most `keep` of each id; the rest of
/// an id becomes one "address.more" finding (same severity and fixer) that counts them. A scan of a
/// network where every address lacks a PTR stays readable, and its memory stays flat.
class FindingFolder {
public:
  explicit FindingFolder(std::size_t keep = 10) : m_keep(keep) {}
  void add(Finding f);
  /// The kept findings in the order they came, then one fold per id that overflowed.
  [[nodiscard]] std::vector<Finding> take();

private:
  struct Fold {
    std::size_t kept = 0, more = 0;
    Severity severity = Severity::info;
    Fixer fixer = Fixer::nobody;
    std::string first, last;
  };
  std::size_t m_keep;
  std::vector<Finding> m_kept;
  std::vector<std::pair<std::string, Fold>> m_folds;  // by id, in order of first appearance
};

/// Findings for one address (listings, unknowns, PTR/FCrDNS, generic names) and for the lists.
[[nodiscard]] std::vector<Finding> address_findings(const AddressReport& a);
[[nodiscard]] std::vector<Finding> list_findings(const ScanReport& scan);

}  // namespace mailrep::assess
