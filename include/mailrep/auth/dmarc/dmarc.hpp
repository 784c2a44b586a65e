#pragma once
/// \file DMARC (RFC 9989, "DMARCbis", which obsoletes RFC 7489; RFC 7489 records are accepted):
/// record parsing, policy discovery, report-destination authorisation and identifier alignment.
///
/// Pure parts: parse_record() (text -> Record with every problem and its byte position),
/// tree_walk_names(), discover() (answers -> which record applies), check_alignment().
/// check_dmarc() does the DNS: every tree-walk name and the domain's own existence are queried at
/// once (the walk is evaluated in order afterwards), then all external-destination authorisation
/// records (RFC 7489 7.1 / RFC 9989: `<domain>._report._dmarc.<destination>`) at once.
///
/// Finding ids (texts in auth_messages()): dmarc.missing, dmarc.multiple, dmarc.syntax,
/// dmarc.unusable, dmarc.inherited, dmarc.p-none, dmarc.p-missing, dmarc.sp-weaker, dmarc.np-weaker,
/// dmarc.testing, dmarc.pct-partial, dmarc.historic-tag, dmarc.unknown-tag, dmarc.no-rua,
/// dmarc.rua-unauthorized, dmarc.rua-unknown, dmarc.strict-alignment,
/// dmarc.org-domain-differs, dmarc.dns-error, dmarc.not-aligned, dmarc.dkim-not-aligned,
/// dmarc.dkim-not-strict, dmarc.spf-not-aligned.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/auth/dkim/tag_list.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::auth::dmarc {

using dkim::Problem;

enum class Policy : std::uint8_t { none, quarantine, reject };
[[nodiscard]] std::string_view to_string(Policy p);
enum class AlignMode : std::uint8_t { relaxed, strict };
[[nodiscard]] std::string_view to_string(AlignMode m);  ///< "relaxed" / "strict"
/// psd= (RFC 9989): y = the record is a public suffix domain's, n = an organizational domain's,
/// u (or absent) = unknown.
enum class Psd : std::uint8_t { absent, yes, no, unknown };

/// One rua=/ruf= destination (RFC 7489 6.4 / RFC 9989: a URI, mailto: in practice).
struct ReportUri {
  std::string uri;       ///< as written (trimmed)
  std::string scheme;    ///< lower case ("mailto", "https", ...)
  std::string address;   ///< mailto: the address without any "!size" suffix
  std::string host;      ///< the domain of the address (lower case); empty when not a mailto: URI
  std::optional<std::uint64_t> max_size;  ///< RFC 7489 "!10m" suffix in bytes (not in RFC 9989)
  std::size_t position = 0;               ///< byte offset in the record text
  bool valid = false;                     ///< a usable mailto: URI with an address
};

struct Record {
  std::string text;
  bool is_dmarc = false;  ///< begins with v=DMARC1 (else it is not a DMARC record at all)
  bool usable = false;    ///< the record applies (is_dmarc, no fatal problem, a usable policy)
  std::optional<Policy> p, sp, np;
  bool p_from_default = false;  ///< p missing or invalid but rua valid: treated as p=none
  Psd psd = Psd::absent;
  bool testing = false;          ///< t=y (RFC 9989) or pct=0 (RFC 7489)
  AlignMode adkim = AlignMode::relaxed;
  AlignMode aspf = AlignMode::relaxed;
  bool adkim_set = false, aspf_set = false;
  std::vector<ReportUri> rua, ruf;
  std::vector<std::string> fo;   ///< "0", "1", "d", "s" as given (default "0")
  std::optional<unsigned> pct;   ///< RFC 7489 only (historic in RFC 9989)
  std::string rf;                ///< RFC 7489 only
  std::optional<std::uint32_t> ri;  ///< RFC 7489 only
  std::vector<dkim::Tag> tags;      ///< every tag as written
  std::vector<Problem> problems;    ///< syntax and value problems (fatal ones make the record unusable)
  std::vector<std::string> historic_tags;  ///< pct, rf, ri when present (removed by RFC 9989)
  std::vector<std::string> unknown_tags;

  [[nodiscard]] Policy policy() const { return p.value_or(Policy::none); }
  /// sp, else p (existing subdomains)
  [[nodiscard]] Policy subdomain_policy() const { return sp ? *sp : policy(); }
  /// np, else sp, else p (non-existent subdomains, RFC 9989)
  [[nodiscard]] Policy nonexistent_policy() const { return np ? *np : subdomain_policy(); }
};

/// "v" *WSP "=" *WSP "DMARC1", then ";", white space or the end (RFC 7489 6.4; the version is
/// case-sensitive).
[[nodiscard]] bool is_dmarc_record(std::string_view txt);

/// Parse one TXT string. Tag names and keyword values are case-insensitive. Unknown tags are
/// ignored (reported); pct/rf/ri are accepted and reported as historic. An invalid p= makes the
/// record unusable unless rua= has a valid URI, in which case p=none applies (RFC 7489 6.6.3);
/// a missing p= means p=none (RFC 9989).
[[nodiscard]] Record parse_record(std::string_view text);

/// RFC 9989 DNS tree walk: the names (without "_dmarc.") in query order. The domain itself; then,
/// with x labels, cut to 4 labels when x >= 5 (else drop one label); then one label at a time
/// down to the top-level label. Names are lower-cased without a trailing dot.
[[nodiscard]] std::vector<std::string> tree_walk_names(std::string_view domain);

/// One step of the walk, as found.
struct WalkStep {
  enum class Kind : std::uint8_t { record, none, multiple, invalid, dns_error };
  std::string domain;                ///< the name under _dmarc.
  Kind kind = Kind::none;
  std::vector<std::string> texts;    ///< the v=DMARC1 TXT strings found there
  std::optional<Record> record;      ///< when exactly one (usable or not)
  std::string detail;                ///< DNS outcome for dns_error
};
[[nodiscard]] std::string_view to_string(WalkStep::Kind k);

struct Discovery {
  std::string domain;
  std::vector<WalkStep> steps;
  std::optional<std::size_t> applicable;  ///< index into steps of the record that applies to `domain`
  bool own_record = false;                ///< the applicable record is the domain's own
  std::string org_domain;                 ///< organizational domain by the RFC 9989 tree walk
  std::string org_domain_psl;             ///< ... and by the Public Suffix List (RFC 7489), for comparison
  std::optional<bool> domain_exists;      ///< from the domain's own MX lookup (nullopt: unknown)
  std::optional<Policy> domain_policy;    ///< applies to mail From the domain itself
  std::optional<Policy> subdomain_policy; ///< ... From existing subdomains of it
  std::optional<Policy> nonexistent_policy;  ///< ... From non-existent subdomains of it
  bool complete = true;                   ///< false when a DNS failure left the answer unknown
  [[nodiscard]] const WalkStep* applicable_step() const { return applicable ? &steps[*applicable] : nullptr; }
  [[nodiscard]] const Record* record() const {
    const WalkStep* s = applicable_step();
    return s && s->record ? &*s->record : nullptr;
  }
};

/// Pure: evaluate the walk from the answers of _dmarc.<name> TXT lookups, in tree_walk_names()
/// order (answers[i] belongs to names[i]); `exists` is the answer of a lookup at the domain itself
/// (any type; NXDOMAIN = the domain does not exist), or nullptr.
[[nodiscard]] Discovery discover(std::string_view domain, const std::vector<std::string>& names,
                                 const std::vector<dns::Answer>& answers, const dns::Answer* exists);

/// Authorisation of one external report destination.
struct ReportAuthorization {
  std::string tag;          ///< "rua" or "ruf"
  std::string uri;
  std::string destination;  ///< the destination domain (host of the mailto: address)
  bool external = false;    ///< outside the organizational domain of the record's domain
  std::string query;        ///< "<domain>._report._dmarc.<destination>" when external
  enum class State : std::uint8_t { not_needed, authorized, unauthorized, unknown } state = State::not_needed;
  std::string detail;
};
[[nodiscard]] std::string_view to_string(ReportAuthorization::State s);

struct DmarcReport {
  std::string domain;
  Discovery discovery;
  std::vector<ReportAuthorization> destinations;
  std::vector<Finding> findings;
};

/// Findings for one parsed record found at `record_domain` (syntax, policy strength, tags).
[[nodiscard]] std::vector<Finding> record_findings(const Record& record, std::string_view record_domain);

/// Look up, evaluate and report DMARC for `domain`. Never throws.
[[nodiscard]] io::Task<DmarcReport> check_dmarc(dns::Resolver& resolver, std::string domain);

// --- Alignment (RFC 7489 3.1 / RFC 9989) ------------------------------------------------------

struct Alignment {
  std::string from_domain, dkim_domain, spf_domain;  ///< normalised (lower case, no trailing dot)
  std::string from_org, dkim_org, spf_org;           ///< organizational domains (PSL)
  bool dkim_strict = false, dkim_relaxed = false;    ///< d= equals / shares the org domain of From
  bool spf_strict = false, spf_relaxed = false;      ///< the SPF-authenticated domain ...
};

/// Compare identifiers (empty dkim/spf domain = that identifier is absent). Organizational domains
/// come from the Public Suffix List. Only the identifiers are compared: whether the DKIM signature
/// verifies and SPF passes is not known here.
[[nodiscard]] Alignment check_alignment(std::string_view from_domain, std::string_view dkim_domain,
                                        std::string_view spf_domain);
/// True when the identifiers align under the record's adkim/aspf modes (either DKIM or SPF).
[[nodiscard]] bool aligned_under(const Alignment& a, AlignMode adkim, AlignMode aspf);
/// Findings: dmarc.not-aligned (neither aligns under the modes; relaxed when record is null),
/// dmarc.dkim-not-aligned (only SPF aligns: forwarding breaks it; GMX/WEB.DE want aligned DKIM),
/// dmarc.dkim-not-strict (d= aligns only relaxed: T-Online demands d= == From since 2025-07),
/// dmarc.spf-not-aligned (info).
[[nodiscard]] std::vector<Finding> alignment_findings(const Alignment& a, const Record* record);

}  // namespace mailrep::auth::dmarc
