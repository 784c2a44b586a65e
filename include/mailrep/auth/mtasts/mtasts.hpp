#pragma once
/// \file MTA-STS (RFC 8461): the `_mta-sts` TXT record, the policy file, and MX coverage.
///
/// Pure parts: parse_record() (TXT text), parse_policy() (policy body; strict: CRLF or LF line
/// ends, "key: value" fields, unknown keys ignored), mx_matches() (RFC 8461 4.1: a wildcard only
/// as the whole leftmost label). check_mta_sts() queries the TXT record and the domain's MX at
/// once; when a record exists it asks a PolicySource for the policy (the HTTPS fetch of
/// https://mta-sts.<domain>/.well-known/mta-sts.txt is wired by the caller: certificate checks,
/// no redirects, size and time caps are the source's job) and checks status, media type, syntax
/// and that every MX host matches a policy pattern.
///
/// Finding ids (texts in auth_messages()): mtasts.missing, mtasts.multiple, mtasts.record-syntax,
/// mtasts.dns-error, mtasts.policy-unreachable, mtasts.policy-content-type, mtasts.policy-syntax,
/// mtasts.mx-mismatch, mtasts.testing, mtasts.mode-none, mtasts.max-age-short, mtasts.no-mx.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/auth/dkim/tag_list.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::auth::mtasts {

using dkim::Problem;

struct StsRecord {
  std::string text;
  bool is_sts = false;   ///< begins with v=STSv1
  std::string id;        ///< 1-32 ALPHA/DIGIT
  std::vector<dkim::Tag> tags;
  std::vector<Problem> problems;
  bool usable = false;
};
/// "v=STSv1" followed by ";", white space or the end.
[[nodiscard]] bool is_sts_record(std::string_view txt);
[[nodiscard]] StsRecord parse_record(std::string_view text);

enum class Mode : std::uint8_t { enforce, testing, none };
[[nodiscard]] std::string_view to_string(Mode m);

/// Longest max_age allowed (RFC 8461 3.2: one year).
inline constexpr std::uint64_t k_max_age_limit = 31557600;
/// Largest policy body parse_policy() reads.
inline constexpr std::size_t k_max_policy_bytes = 65536;

struct Policy {
  std::string version;                    ///< "STSv1" when valid
  std::optional<Mode> mode;
  std::optional<std::uint64_t> max_age;   ///< seconds
  std::vector<std::string> mx;            ///< patterns, lower case, as given ("*.example.net")
  std::vector<std::string> extensions;    ///< unknown keys (ignored by senders)
  std::vector<Problem> problems;          ///< position = byte offset in the body
  bool usable = false;                    ///< no fatal problem: version, mode, max_age (and mx unless none)
};
[[nodiscard]] Policy parse_policy(std::string_view body);

/// RFC 8461 4.1: `host` matches `pattern` case-insensitively; "*.example.com" matches exactly one
/// extra leftmost label ("mx1.example.com", not "example.com" nor "a.b.example.com").
[[nodiscard]] bool mx_matches(std::string_view pattern, std::string_view host);

/// What a policy fetch gave. `ok` = a response was received (any status); else `error` says why.
struct FetchedPolicy {
  bool ok = false;
  std::string error;
  long status = 0;
  std::string content_type;
  std::string body;
};

/// Where check_mta_sts() gets the policy from. The real one fetches
/// https://mta-sts.<domain>/.well-known/mta-sts.txt through the http module; tests use a table.
class PolicySource {
public:
  virtual ~PolicySource() = default;
  virtual io::Task<FetchedPolicy> fetch(std::string domain) = 0;
};

struct MtaStsReport {
  std::string domain;
  std::vector<std::string> record_texts;   ///< TXT strings beginning with v=STSv1
  std::optional<StsRecord> record;         ///< when exactly one
  bool fetched = false;                    ///< the policy source was asked
  std::optional<FetchedPolicy> response;   ///< body capped to k_max_policy_bytes
  std::optional<Policy> policy;            ///< when a body was received with status 200
  std::vector<std::string> mx_hosts;
  std::vector<std::string> mx_unmatched;   ///< MX hosts no policy pattern covers
  bool mx_known = false;                   ///< the MX lookup gave a fact
  std::vector<Finding> findings;
  /// The mode senders apply: the policy's, when record and policy are valid; else nullopt.
  [[nodiscard]] std::optional<Mode> effective_mode() const;
};

/// Check MTA-STS for `domain` (the recipient side: mail TO this domain). Never throws.
/// `source` must outlive the returned task.
[[nodiscard]] io::Task<MtaStsReport> check_mta_sts(dns::Resolver& resolver, std::string domain, PolicySource& source);

}  // namespace mailrep::auth::mtasts
