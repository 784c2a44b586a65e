#include <idn2.h>

#include <cstdlib>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::dns {

std::string_view to_string(RrType t) {
  switch (t) {
    case RrType::a: return "A";
    case RrType::ns: return "NS";
    case RrType::cname: return "CNAME";
    case RrType::soa: return "SOA";
    case RrType::ptr: return "PTR";
    case RrType::mx: return "MX";
    case RrType::txt: return "TXT";
    case RrType::aaaa: return "AAAA";
    case RrType::srv: return "SRV";
    case RrType::tlsa: return "TLSA";
    case RrType::spf: return "SPF";
  }
  return "TYPE?";
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::answer: return "answer";
    case Outcome::nxdomain: return "nxdomain";
    case Outcome::nodata: return "nodata";
    case Outcome::servfail: return "servfail";
    case Outcome::refused: return "refused";
    case Outcome::timeout: return "timeout";
    case Outcome::malformed: return "malformed";
    case Outcome::error: return "error";
  }
  return "error";
}

bool is_valid_query_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  for (auto label : util::split(name, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label) {
      // Any byte is legal in a DNS label (RFC 2181 11); control characters and DEL are not sent.
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7F) return false;
    }
  }
  return true;
}

NameCheck normalize_domain(std::string_view input) {
  NameCheck out;
  std::string_view s = util::trim(input);
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty()) {
    out.reason = "empty domain name";
    return out;
  }
  if (s.size() > 1024) {
    out.reason = "domain name too long";
    return out;
  }
  bool ascii = true;
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
  std::string name;
  if (ascii) {
    name = util::lower(s);
  } else {
    std::string tmp(s);
    char* converted = nullptr;
    int rc = idn2_to_ascii_8z(tmp.c_str(), &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK || !converted) {
      out.reason = std::string("not a valid internationalised domain name (") + idn2_strerror(rc) + ")";
      return out;
    }
    name = util::lower(converted);
    std::free(converted);
  }
  if (name.size() > 253) {
    out.reason = "domain name longer than 253 characters";
    return out;
  }
  auto labels = util::split(name, '.');
  for (auto label : labels) {
    if (label.empty()) {
      out.reason = "empty label in domain name";
      return out;
    }
    if (label.size() > 63) {
      out.reason = "label longer than 63 characters";
      return out;
    }
    for (char c : label) {
      if (!(util::is_alnum(c) || c == '-' || c == '_')) {
        out.reason = "invalid character '" + util::sanitize(std::string_view(&c, 1)) + "' in domain name";
        return out;
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      out.reason = "label starts or ends with '-'";
      return out;
    }
  }
  out.ok = true;
  out.name = std::move(name);
  return out;
}

}  // namespace mailrep::dns
