#pragma once
// Private to src/dns: turns a wire answer into an Answer.
#include <cstddef>
#include <cstdint>

#include "mailrep/dns/resolver.hpp"

namespace mailrep::dns::detail {

/// Parse `len` bytes of a DNS response to `query` (ldns). Never throws; hostile input → malformed.
[[nodiscard]] Answer parse_response(const Query& query, const unsigned char* data, std::size_t len);

}  // namespace mailrep::dns::detail
