#pragma once
/// \file check_host() (RFC 7208 4-6): is this client IP allowed to send for this domain?
///
/// Evaluation is strictly in RFC order and counts exactly as RFC 7208 4.6.4 says: at most 10
/// mechanisms/modifiers that do DNS lookups (include a mx ptr exists redirect), at most 2 void
/// lookups, at most 10 MX/PTR names per lookup. To be fast, the include/redirect tree is prefetched
/// first: every sibling TXT lookup of a level (and the a/mx/exists targets that need no
/// client-specific data) goes out together, bounded to depth 10 and 40 records. The evaluator then
/// asks the resolver again in order; the resolver answers from its in-flight/cached queries. The
/// counts reported are those of the in-order evaluation, never of the prefetch.
///
/// Prefetch lookups that the evaluation did not need may still be in flight when check_host()
/// returns; they are detached tasks (io/task.hpp) that only touch the resolver to finish, so the
/// resolver must live as long as the loop runs them (set `prefetch = false` to avoid them).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::auth::spf {

enum class SpfResult : std::uint8_t { none, neutral, pass, fail, softfail, temperror, permerror };
/// "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
[[nodiscard]] std::string_view to_string(SpfResult r);

struct SpfOutcome {
  SpfResult result = SpfResult::none;
  /// RFC 7208 6.2: the expanded exp= text for a fail, when the record gave a usable one; empty
  /// otherwise (the caller may then use its default explanation).
  std::string explanation;
  /// The mechanism that decided, as written ("ip4:192.0.2.0/24"), in the outermost record that was
  /// evaluated (after redirects); "default" when no mechanism matched (neutral or via redirect).
  std::string mechanism;
  /// The path to the deciding mechanism through includes, e.g. {"include:_spf.example.com", "ip4:..."}.
  std::vector<std::string> match_path;
  std::string domain;  ///< the domain whose record held `mechanism` (differs after redirect=)
  int lookups = 0;       ///< DNS-mechanism/modifier count (RFC 7208 4.6.4), as evaluated (11 when the limit ended it)
  int void_lookups = 0;  ///< lookups that gave NXDOMAIN or no records
  /// Why, for none/permerror/temperror: a short code ("no-record", "multiple-records", "syntax",
  /// "too-many-lookups", "too-many-void-lookups", "too-many-mx", "include-none", "redirect-none",
  /// "dns-error", "invalid-domain") and a sentence in English.
  std::string problem;
  std::string detail;
};

struct CheckHostInput {
  util::IpAddress ip;      ///< the client; IPv4-mapped IPv6 is treated as IPv4 (RFC 7208 5)
  std::string domain;      ///< <domain>: the MAIL FROM domain, or the HELO name
  std::string sender;      ///< <sender>: MAIL FROM, or "postmaster@" + HELO when it is empty
  std::string helo;        ///< HELO/EHLO name (%{h})
  std::string receiver_host = "unknown";  ///< %{r}
  std::optional<std::int64_t> now;        ///< %{t}; nullopt = the current time
  bool prefetch = true;    ///< fetch the include tree in parallel first (off: plain in-order lookups)
};

/// RFC 7208 2.4: the <domain> and <sender> for a MAIL FROM (which may be empty) and a HELO name.
[[nodiscard]] CheckHostInput input_from_envelope(util::IpAddress ip, std::string_view mail_from,
                                                 std::string_view helo);

/// RFC 7208 4: check_host(). Never throws; DNS failures end in temperror.
[[nodiscard]] io::Task<SpfOutcome> check_host(dns::Resolver& resolver, CheckHostInput input);

}  // namespace mailrep::auth::spf
