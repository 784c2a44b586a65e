#pragma once
/// \file The sending-provider catalogue (lists/providers.toml) as typed values, its loader, and
/// the pure lookup that recognises a provider from a domain or host name.
///
/// A provider is where a small business's mail leaves from: a German hoster or mailbox provider
/// (Strato, IONOS, GMX, WEB.DE, T-Online) or a big platform (Google Workspace, Microsoft 365).
/// The file is accepted whole or rejected whole ("file:line: reason": syntax, unknown key, bad
/// value, duplicate id, a host claimed by two providers, a regular expression RE2 cannot
/// compile). Pointers returned by the lookups point into the catalogue.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/data/pattern.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::data {

/// How to reach a provider's desk; any field may be empty (not published / not found).
struct ProviderContact {
  std::string url;
  std::string email;
  std::string phone;
  std::string note;

  [[nodiscard]] bool empty() const { return url.empty() && email.empty() && phone.empty() && note.empty(); }
};

struct Provider {
  std::string id;    ///< stable, e.g. "strato"
  std::string name;  ///< e.g. "Strato"
  std::vector<std::string> domains;           ///< brand/infrastructure domains; names under them match (suffix)
  std::vector<std::string> spf_includes;      ///< SPF include/redirect targets, e.g. "_spf.strato.com"
  std::vector<std::string> submission_hosts;  ///< exact names, e.g. "smtp.strato.de"
  std::vector<std::string> outbound_hosts;    ///< exact relay names, e.g. "mout.gmx.net"
  std::vector<Pattern> outbound_patterns;     ///< full-match RE2, e.g. mo\d+-p\d+-ob\.smtp\.rzone\.de
  std::vector<std::string> inbound_hosts;     ///< MX hosts of customer domains, e.g. "smtpin.rzone.de"
  std::vector<std::string> dkim_selectors;    ///< selectors the provider signs with, e.g. "strato-dkim-0002"
  ProviderContact support;
  ProviderContact abuse;
  std::string notes;
  std::string source;
  std::uint32_t line = 0;
};

struct ProviderCatalogue {
  std::vector<Provider> providers;    ///< file order
  std::vector<std::string> warnings;  ///< "file:line: ..." facts that do not reject the file

  [[nodiscard]] const Provider* find(std::string_view id) const;
};

/// Reads and parses lists/providers.toml (size-capped). Errors: io, limit, parse.
[[nodiscard]] Result<ProviderCatalogue> load_providers(const std::string& path);
/// Parses catalogue text; `source_name` prefixes error messages ("source_name:line: reason").
[[nodiscard]] Result<ProviderCatalogue> parse_providers(std::string_view toml_text, std::string_view source_name);

/// How a name was recognised, strongest first.
enum class ProviderMatchKind {
  spf_include,      ///< equals an SPF include target
  submission_host,  ///< equals a submission host
  outbound_host,    ///< equals an outbound relay name, or matches an outbound pattern
  inbound_host,     ///< equals a customer-domain MX host
  domain,           ///< equals a provider domain or lies under one (longest suffix wins)
};
[[nodiscard]] std::string_view to_string(ProviderMatchKind k);

struct ProviderMatch {
  const Provider* provider = nullptr;  ///< never null in a returned match
  ProviderMatchKind kind = ProviderMatchKind::domain;
};

/// Recognises a provider from a domain or host name (case-insensitive, trailing dot ignored):
/// exact names first (SPF includes, submission, outbound and inbound hosts), then outbound
/// patterns, then the longest provider domain the name equals or lies under.
[[nodiscard]] std::optional<ProviderMatch> match_provider(const ProviderCatalogue& cat, std::string_view name);
/// match_provider's provider, or nullptr.
[[nodiscard]] const Provider* provider_for_domain(const ProviderCatalogue& cat, std::string_view name);

}  // namespace mailrep::data
