#pragma once
/// \file URLs found in a message: scheme, host, registered domain and what is odd about them.
/// Pure and bounded: a URL longer than max_url_bytes is cut, a host longer than a DNS name can be
/// (253 characters, 127 labels) is "malformed" without being split into labels.
#include <cstddef>
#include <string>
#include <string_view>

namespace mailrep::content {

inline constexpr std::size_t max_url_bytes = 4096;

enum class HostKind { name, ipv4, ipv6, none, malformed };

struct Url {
  std::string text;        ///< as found (entity-decoded, trimmed), at most max_url_bytes
  std::string scheme;      ///< lower case ("http", "https", "mailto" ...); "http" for a bare "www." link
  std::string host;        ///< lower case, A-labels for names; the address for IP literals
  std::string registered;  ///< registered domain (Public Suffix List); empty for IPs and malformed hosts
  HostKind kind = HostKind::none;
  bool userinfo = false;   ///< "user@" in front of the host (http://bank.example@evil.example/)
  bool web = false;        ///< http, https or a bare "www." link: something a receiver's URL checks read
  bool numeric_obfuscated = false;  ///< an IPv4 address written as one number or in hex/octal
  std::string problem;     ///< why the host is malformed
};

/// Parses one URL. Never fails: what cannot be read ends up with kind none/malformed.
[[nodiscard]] Url parse_url(std::string_view text);

/// A domain the link *text* shows ("www.bank.example", "https://bank.example/login", "bank.example"),
/// lower case; empty when the text does not look like a domain or URL.
[[nodiscard]] std::string domain_in_text(std::string_view text);

}  // namespace mailrep::content
