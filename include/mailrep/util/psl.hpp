#pragma once
/// \file Registered ("organizational") domains from the Public Suffix List (libpsl).
#include <string>
#include <string_view>

namespace mailrep::util {

/// "mail.example.co.uk" -> "example.co.uk". Empty when `host` is itself a public suffix or invalid.
/// Uses the system's PSL file when present (Debian's publicsuffix package), else libpsl's builtin copy.
[[nodiscard]] std::string registered_domain(std::string_view host);
/// True when `name` is a public suffix (e.g. "de", "co.uk").
[[nodiscard]] bool is_public_suffix(std::string_view name);

}  // namespace mailrep::util
