#pragma once
/// \file Outbound discovery: which addresses really send a domain's mail, how each was found and
/// how sure that is. Sources: provider knowledge (lists/providers.toml), the SPF network set,
/// the MX hosts, RFC 6186 SRV records, common submission names, and addresses the user gives.
#include <optional>
#include <string>
#include <vector>

#include "mailrep/auth/spf/lint.hpp"
#include "mailrep/data/providers.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::discover {

enum class Confidence { high, medium, low };
[[nodiscard]] std::string_view to_string(Confidence c);

struct Outbound {
  util::IpAddress address;
  std::vector<std::string> sources;  ///< how it was found, e.g. "provider relay mout.web.de (WEB.DE)"
  Confidence confidence = Confidence::low;
  std::string host;                   ///< the host name it came from, when there is one
};

struct ProviderHit {
  const data::Provider* provider = nullptr;
  std::string why;  ///< "domain web.de", "SPF include _spf.strato.com", "MX smtpin.rzone.de"
};

struct MxHostInput {
  std::string host;
  std::vector<util::IpAddress> addresses;
};

struct Input {
  std::string domain;
  const data::ProviderCatalogue* providers = nullptr;  ///< may be null
  const auth::spf::SpfReport* spf = nullptr;           ///< may be null
  std::vector<MxHostInput> mx;
  std::vector<util::IpAddress> extra;                  ///< --ip
  std::size_t max_addresses = 24;                      ///< total cap (highest confidence kept)
  std::size_t range_sample = 2;                        ///< addresses taken from each large SPF range
};

struct Discovery {
  std::vector<Outbound> outbound;  ///< highest confidence first
  std::vector<ProviderHit> providers;
  std::vector<std::string> notes;  ///< what was sampled or capped, what failed
};

/// Never throws. All name lookups run together.
io::Task<Discovery> discover(dns::Resolver& resolver, Input input);

/// The lookups of discover() that need nothing but the domain (RFC 6186 SRV records and their
/// targets' addresses, the common submission names): started before the domain's records are in,
/// they are answered (from the resolver's cache or in-flight queries) when discover() asks.
io::Task<void> prefetch(dns::Resolver& resolver, std::string domain);

}  // namespace mailrep::discover
