#pragma once
/// \file SMTP TLS Reporting (RFC 8460): the `_smtp._tls.<domain>` TXT record.
///
/// parse_record() is pure; check_tls_rpt() does one TXT lookup. RFC 8460 3: records not beginning
/// with v=TLSRPTv1 are discarded; unless exactly one remains the domain does not use TLS-RPT.
/// rua= takes mailto: and https: URIs, comma-separated.
///
/// Finding ids (texts in auth_messages()): tlsrpt.missing, tlsrpt.multiple, tlsrpt.syntax,
/// tlsrpt.bad-uri, tlsrpt.dns-error.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/auth/dkim/tag_list.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::auth::tlsrpt {

using dkim::Problem;

struct ReportUri {
  std::string uri;
  std::string scheme;  ///< "mailto" or "https" when valid
  bool valid = false;
  std::size_t position = 0;
};

struct TlsRptRecord {
  std::string text;
  bool is_tlsrpt = false;
  std::vector<ReportUri> rua;
  std::vector<dkim::Tag> tags;
  std::vector<Problem> problems;
  bool usable = false;  ///< version ok, no fatal problem, at least one valid rua URI
};

/// "v=TLSRPTv1" followed by ";", white space or the end.
[[nodiscard]] bool is_tlsrpt_record(std::string_view txt);
[[nodiscard]] TlsRptRecord parse_record(std::string_view text);

struct TlsRptReport {
  std::string domain;
  std::vector<std::string> record_texts;
  std::optional<TlsRptRecord> record;  ///< when exactly one
  std::vector<Finding> findings;
};

[[nodiscard]] io::Task<TlsRptReport> check_tls_rpt(dns::Resolver& resolver, std::string domain);

}  // namespace mailrep::auth::tlsrpt
