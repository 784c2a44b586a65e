#pragma once
/// \file BIMI (draft-brand-indicators-for-message-identification): the `default._bimi` TXT record.
///
/// parse_record() is pure; check_bimi() asks `default._bimi.<domain>` and, for a subdomain,
/// `default._bimi.<organizational domain>` at once (the record of the domain itself wins).
/// Only presence and form of l= (logo, HTTPS SVG) and a= (evidence document, VMC/CMC) are checked:
/// fetching and validating the SVG and the certificate is out of scope. BIMI also needs DMARC at
/// enforcement (p=quarantine or reject); the assess layer correlates that with the DMARC report.
///
/// Finding ids (texts in auth_messages()): bimi.missing, bimi.multiple, bimi.syntax,
/// bimi.declined, bimi.logo-not-https, bimi.no-vmc, bimi.vmc-unverified, bimi.inherited,
/// bimi.dns-error.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/auth/dkim/tag_list.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::auth::bimi {

using dkim::Problem;

struct BimiRecord {
  std::string text;
  bool is_bimi = false;
  std::string logo;       ///< l= (may be empty)
  std::string evidence;   ///< a= (may be empty)
  bool has_l = false, has_a = false;
  std::string avp;        ///< avp= (brand / personal), when given
  std::vector<dkim::Tag> tags;
  std::vector<Problem> problems;
  bool usable = false;    ///< version ok, no fatal problem
  /// l= empty and no a= (or a= empty): the domain declines to publish a logo.
  [[nodiscard]] bool declined() const { return logo.empty() && evidence.empty(); }
};

/// "v=BIMI1" followed by ";", white space or the end.
[[nodiscard]] bool is_bimi_record(std::string_view txt);
[[nodiscard]] BimiRecord parse_record(std::string_view text);

struct BimiReport {
  std::string domain;
  std::string record_domain;            ///< where the applicable record was found
  std::vector<std::string> record_texts;
  std::optional<BimiRecord> record;
  std::vector<Finding> findings;
};

[[nodiscard]] io::Task<BimiReport> check_bimi(dns::Resolver& resolver, std::string domain);

}  // namespace mailrep::auth::bimi
