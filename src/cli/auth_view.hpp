#pragma once
// Private to src/cli: JSON and text views of the auth audit, shared by `auth` and `check`.
#include <nlohmann/json.hpp>

#include "mailrep/assess/auth_audit.hpp"
#include "mailrep/report/report.hpp"

namespace mailrep::cli {

[[nodiscard]] nlohmann::json spf_json(const auth::spf::SpfReport& spf);
/// Adds the DESIGN.md keys spf, dmarc, dkim, mta_sts, tls_rpt, bimi (and mx) to `out`.
void add_auth_json(nlohmann::json& out, const assess::AuthAudit& audit);
/// A short block per record for text output.
[[nodiscard]] std::string auth_text(const assess::AuthAudit& audit, report::Lang lang);
/// The SPF tree with running lookup counts, indented.
[[nodiscard]] std::string spf_tree_text(const auth::spf::TreeNode& node, int depth = 0);

}  // namespace mailrep::cli
