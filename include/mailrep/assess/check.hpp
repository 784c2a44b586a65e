#pragma once
/// \file `mailrep check DOMAIN`: the whole picture of a sending domain or provider.
///
/// Phases (everything inside a phase runs together): the auth audit (MX, SPF tree, DMARC, DKIM,
/// MTA-STS, TLS-RPT, BIMI) → outbound discovery → per-address checks (blocklist probes, PTR and
/// FCrDNS, blocklists) → imprint fetches for the PTR domains. Then findings, the score and one
/// verdict per receiver profile of lists/receivers.toml.
#include <string>
#include <vector>

#include "mailrep/assess/address.hpp"
#include "mailrep/assess/auth_audit.hpp"
#include "mailrep/assess/imprint.hpp"
#include "mailrep/data/receivers.hpp"
#include "mailrep/discover/discover.hpp"

namespace mailrep::assess {

struct CheckInput {
  std::string domain;
  std::vector<util::IpAddress> extra_ips;
  AuthOptions auth;
  const data::Catalogue* blocklists = nullptr;
  const data::ProviderCatalogue* providers = nullptr;
  const data::ReceiverCatalogue* receivers = nullptr;
  std::size_t window = 500;
  std::size_t max_addresses = 24;
};

enum class Verdict { likely_accepted, at_risk, likely_rejected, unknown };
[[nodiscard]] std::string_view to_string(Verdict v);

/// One requirement of a receiver, judged against what the check found.
struct Reason {
  std::string requirement;  ///< requirement id, e.g. "fcrdns"
  enum class State { pass, fail, unknown, not_checked } state = State::not_checked;
  Severity severity = Severity::warning;  ///< the receiver's weight for this requirement
  std::string text_en, text_de;           ///< the requirement as the receiver states it
  std::string evidence;                   ///< what the check saw
};
[[nodiscard]] std::string_view to_string(Reason::State s);

struct ReceiverVerdict {
  const data::Receiver* receiver = nullptr;
  Verdict verdict = Verdict::unknown;
  std::vector<Reason> reasons;
};

struct CheckReport {
  std::string domain;
  AuthAudit auth;
  discover::Discovery discovery;
  ScanReport scan;
  std::vector<ImprintResult> imprints;
  std::vector<ReceiverVerdict> receivers;
  std::vector<Finding> findings;
  int score = 0;  ///< 0-100, 100 = best
  std::vector<std::pair<std::string, int>> deductions;  ///< finding id → points taken (for the README's table)
  std::chrono::milliseconds elapsed{0};
};

io::Task<CheckReport> run_check(dns::Resolver& resolver, http::Fetcher* fetcher, io::Loop& loop, CheckInput input);

/// The score: 100 minus the published weight of every finding (see README "Score"), at least 0.
/// Blocklist listings weigh what the list's `weight` says (the answer's own weight when it has one).
[[nodiscard]] int score_findings(const std::vector<Finding>& findings, std::vector<std::pair<std::string, int>>* deductions);
/// The weight of one finding id (listings aside). Exposed for the README test.
[[nodiscard]] int finding_weight(const Finding& f);

/// Receiver verdicts from the facts of a report (pure).
[[nodiscard]] std::vector<ReceiverVerdict> judge_receivers(const data::ReceiverCatalogue& receivers, const CheckReport& report);

}  // namespace mailrep::assess
