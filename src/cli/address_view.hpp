#pragma once
// Private to src/cli: the JSON of checked addresses and their list results (DESIGN.md keys), shared
// by `ip`, `check`, `bounce` and `content`.
#include <nlohmann/json.hpp>

#include "mailrep/assess/address.hpp"
#include "mailrep/dnsbl/dnsbl.hpp"

namespace mailrep::cli {

/// A listing: list, zone, answer, meaning, severity, txt, delist.
[[nodiscard]] nlohmann::json listing_json(const dnsbl::ListResult& l);
/// An allowlist or good-reputation answer: list, zone, answer, meaning.
[[nodiscard]] nlohmann::json allow_json(const dnsbl::ListResult& l);
/// One address: address, source, ptr, fcrdns, fcrdns_state, ptr_generic, listings, errors, allow,
/// lists_checked.
[[nodiscard]] nlohmann::json address_json(const assess::AddressReport& a);

}  // namespace mailrep::cli
