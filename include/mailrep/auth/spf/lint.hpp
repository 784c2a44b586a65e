#pragma once
/// \file SPF lint and inventory: `mailrep spf DOMAIN` without --ip.
///
/// lint() fetches the whole include/redirect tree (breadth-first, every sibling at once), counts
/// the DNS lookups an in-order evaluation would need when no mechanism matches (the worst case,
/// which is what receivers hit for a foreign IP), and reports problems as Findings (ids below;
/// texts in English and German from spf_messages()). It also flattens the tree into the networks
/// the domain authorises (ip4/ip6 plus a/mx resolutions, under "+" qualifiers only), each with its
/// origin; outbound-IP discovery builds on that set.
///
/// Finding ids: spf.no-record, spf.multiple-records, spf.syntax, spf.too-many-lookups,
/// spf.void-lookups, spf.loop, spf.ptr-deprecated, spf.plus-all, spf.neutral-all,
/// spf.include-no-spf, spf.temperror.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mailrep/auth/spf/check_host.hpp"
#include "mailrep/auth/spf/record.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/finding.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::auth::spf {

/// One term of a record in the tree, with what it costs.
struct TermCost {
  std::string text;        ///< as written
  bool is_modifier = false;
  int cost = 0;            ///< DNS lookups it counts (0 or 1)
  int running = 0;         ///< running total after this term, in evaluation order (worst case)
  bool evaluated = true;   ///< false for terms after "all" and for redirect= next to "all"
};

struct TreeNode {
  std::string domain;
  std::string via;          ///< "" for the root, else "include:x" or "redirect=x" as written
  std::string record;       ///< the SPF record text (empty when none)
  std::string status;       ///< "ok", "no-record", "multiple-records", "syntax", "dns-error", "loop",
                            ///< "depth-limit", "not-fetched" (macros we cannot expand without a client)
  std::vector<TermCost> terms;
  int lookups_here = 0;     ///< lookups counted by this record's own terms
  int running_start = 0;    ///< running total when evaluation enters this record
  int running_end = 0;      ///< ... and when it leaves it (children included)
  std::vector<TreeNode> children;  ///< include targets and the redirect target, in evaluation order
};

struct SpfNetwork {
  util::Cidr cidr;
  std::string origin;  ///< "ip4:192.0.2.0/24", "include:_spf.example.com → ip4:192.0.2.0/24",
                       ///< "mx:example.com → mx1.example.com A"
};

struct SpfReport {
  std::string domain;
  std::string record;                ///< the root record text ("" when none)
  std::optional<Record> parsed;      ///< the root record, parsed
  TreeNode tree;
  int lookups = 0;                   ///< worst-case DNS-mechanism count (RFC 7208 4.6.4)
  int void_lookups = 0;              ///< a/mx/exists targets without records (known without a client)
  std::vector<Finding> findings;
  std::vector<SpfNetwork> networks;  ///< deduplicated, in tree order
  bool complete = true;              ///< false when DNS failures or macros left parts unknown
};

/// Walk `domain`'s SPF tree and report. Never throws.
[[nodiscard]] io::Task<SpfReport> lint(dns::Resolver& resolver, std::string domain);

/// English and German texts for every finding id lint() emits ({name} = Finding argument).
[[nodiscard]] std::span<const MessageText> spf_messages();

}  // namespace mailrep::auth::spf
