#pragma once
/// \file The domain authentication audit: MX, SPF, DMARC, DKIM, MTA-STS, TLS-RPT and BIMI of one
/// domain, every lookup in flight together. Shared by `mailrep auth` and `mailrep check`.
#include <optional>
#include <string>
#include <vector>

#include "mailrep/auth/bimi/bimi.hpp"
#include "mailrep/auth/dkim/dkim.hpp"
#include "mailrep/auth/dmarc/dmarc.hpp"
#include "mailrep/auth/mtasts/mtasts.hpp"
#include "mailrep/auth/spf/lint.hpp"
#include "mailrep/auth/tlsrpt/tlsrpt.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/http/fetcher.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::assess {

struct MxHost {
  std::string host;
  std::uint16_t priority = 0;
  std::vector<util::IpAddress> addresses;
  std::string error;  ///< when the address lookups failed
};

struct MxInfo {
  dns::Outcome outcome = dns::Outcome::error;
  std::string detail;
  std::vector<MxHost> hosts;  ///< by priority
  bool null_mx = false;       ///< RFC 7505 "0 ." : the domain accepts no mail
};

struct AuthAudit {
  std::string domain;
  MxInfo mx;
  auth::spf::SpfReport spf;
  auth::dmarc::DmarcReport dmarc;
  auth::dkim::DkimReport dkim;
  auth::mtasts::MtaStsReport mta_sts;
  auth::tlsrpt::TlsRptReport tls_rpt;
  auth::bimi::BimiReport bimi;
  std::vector<Finding> findings;  ///< all of the above, plus MX findings
};

struct AuthOptions {
  std::vector<std::string> selectors;         ///< --selector values, tried first
  std::vector<std::string> common_selectors;  ///< lists/dkim-selectors.toml
};

/// `fetcher` may be null: the MTA-STS policy is then reported as not fetched (unknown).
io::Task<AuthAudit> audit_domain(dns::Resolver& resolver, http::Fetcher* fetcher, std::string domain, AuthOptions options);

/// MX of a domain with the addresses of every exchange (at most 10 hosts).
io::Task<MxInfo> lookup_mx(dns::Resolver& resolver, std::string domain);

}  // namespace mailrep::assess
