/// \file URL parsing for the content checks: host, registered domain, IP literals, odd forms.
#include "mailrep/content/url.hpp"

#include "mailrep/dns/resolver.hpp"
#include "mailrep/util/ip.hpp"
#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::content {
namespace {

/// One number of a dotted IPv4 as browsers read it: decimal, 0x hex or 0-prefixed octal.
bool numeric_part(std::string_view p, bool& unusual) {
  if (p.empty() || p.size() > 12) return false;
  if (p.size() > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    unusual = true;
    for (char c : p.substr(2))
      if (util::hex_digit_value(c) < 0) return false;
    return true;
  }
  for (char c : p)
    if (!util::is_digit(c)) return false;
  if (p.size() > 1 && p[0] == '0') unusual = true;
  return true;
}

/// "3232235777", "0xC0A80001", "0300.0250.0.1", "192.168.1": an address in a form browsers accept.
bool numeric_host(std::string_view host, bool& obfuscated) {
  const auto parts = util::split(host, '.');
  if (parts.empty() || parts.size() > 4) return false;
  bool unusual = parts.size() < 4;
  for (auto p : parts)
    if (!numeric_part(p, unusual)) return false;
  obfuscated = unusual;
  return true;
}

}  // namespace

Url parse_url(std::string_view text) {
  Url u;
  std::string_view t = util::trim(text);
  if (t.size() > max_url_bytes) t = t.substr(0, max_url_bytes);
  // Browsers drop tabs and line breaks inside URLs.
  for (char c : t)
    if (c != '\t' && c != '\n' && c != '\r') u.text += c;
  std::string_view s = u.text;

  std::size_t pos = 0;
  if (util::istarts_with(s, "www.")) {
    u.scheme = "http";
  } else if (s.size() >= 2 && s[0] == '/' && s[1] == '/') {
    u.scheme = "";
  } else {
    std::size_t i = 0;
    while (i < s.size() && i < 32 && (util::is_alnum(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
    if (i == 0 || i >= s.size() || s[i] != ':' || !util::is_alpha(s[0])) return u;  // relative or no URL
    u.scheme = util::lower(s.substr(0, i));
    pos = i + 1;
    if (u.scheme != "http" && u.scheme != "https" && u.scheme != "ftp") return u;
  }
  u.web = u.scheme.empty() || u.scheme == "http" || u.scheme == "https";
  // "http:\\host", "http:/host", "http:///host": browsers read them all as the host.
  while (pos < s.size() && (s[pos] == '/' || s[pos] == '\\')) ++pos;
  std::size_t end = s.find_first_of("/?#\\", pos);
  std::string_view authority = s.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    u.userinfo = true;
    authority.remove_prefix(at + 1);
  }
  std::string host;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    host = std::string(authority.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    auto ip = util::IpAddress::parse(host);
    if (ip) {
      u.kind = HostKind::ipv6;
      u.host = ip->to_string();
    } else {
      u.kind = HostKind::malformed;
      u.host = host.substr(0, 255);
      u.problem = "not a valid IPv6 address";
    }
    return u;
  }
  if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    bool digits = true;
    for (char c : authority.substr(colon + 1))
      if (!util::is_digit(c)) digits = false;
    if (digits) authority = authority.substr(0, colon);
  }
  host = util::percent_decode(authority);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) {
    u.kind = HostKind::malformed;
    u.problem = "no host name";
    return u;
  }
  if (host.size() > 253) {
    std::size_t labels = 1;
    for (char c : host) labels += c == '.' ? 1u : 0u;
    u.kind = HostKind::malformed;
    u.host = host.substr(0, 255);
    u.problem = "host name of " + util::format_uint(host.size()) + " characters and " + util::format_uint(labels) +
                " labels (DNS allows 253 characters, 127 labels)";
    return u;
  }
  if (auto ip = util::IpAddress::parse(host); ip && ip->is_v4()) {
    u.kind = HostKind::ipv4;
    u.host = ip->to_string();
    return u;
  }
  bool obfuscated = false;
  if (numeric_host(host, obfuscated)) {
    u.kind = HostKind::ipv4;
    u.numeric_obfuscated = true;
    u.host = util::lower(host);
    return u;
  }
  dns::NameCheck name = dns::normalize_domain(host);
  if (!name.ok) {
    u.kind = HostKind::malformed;
    u.host = host;
    u.problem = name.reason;
    return u;
  }
  for (char c : name.name) {
    if (!util::is_alnum(c) && c != '-' && c != '.' && c != '_') {
      u.kind = HostKind::malformed;
      u.host = host;
      u.problem = "characters that are not allowed in a host name";
      return u;
    }
  }
  u.kind = HostKind::name;
  u.host = name.name;
  u.registered = util::registered_domain(u.host);
  return u;
}

std::string domain_in_text(std::string_view text) {
  std::string_view t = util::trim(text);
  if (t.empty() || t.size() > 300) return {};
  if (util::istarts_with(t, "http://") || util::istarts_with(t, "https://")) {
    Url u = parse_url(t);
    return u.kind == HostKind::name ? u.host : std::string();
  }
  const std::size_t end = t.find_first_of("/?#");
  std::string_view host = t.substr(0, end);
  if (host.empty() || host.find('.') == std::string_view::npos) return {};
  for (char c : host)
    if (!util::is_alnum(c) && c != '-' && c != '.') return {};
  if (host.back() == '.' || host.front() == '.') return {};
  const std::string_view tld = host.substr(host.rfind('.') + 1);
  if (!util::istarts_with(host, "www.") && !util::is_public_suffix(tld)) return {};
  for (char c : tld)
    if (!util::is_alpha(c)) return {};
  Url u = parse_url("http://" + std::string(host));
  return u.kind == HostKind::name ? u.host : std::string();
}

}  // namespace mailrep::content
