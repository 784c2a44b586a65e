#include "mailrep/util/ip.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include "mailrep/util/text.hpp"

namespace mailrep::util {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  IpAddress ip;
  if (s.find(':') != std::string::npos) {
    in6_addr a6{};
    if (inet_pton(AF_INET6, s.c_str(), &a6) != 1) return std::nullopt;
    ip.m_family = Family::v6;
    std::memcpy(ip.m_bytes.data(), &a6, 16);
    return ip;
  }
  // Strict dotted quad: four decimal parts 0-255, no leading zeros beyond "0" (inet_pton is strict too).
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) != 1) return std::nullopt;
  ip.m_family = Family::v4;
  std::memcpy(ip.m_bytes.data(), &a4, 4);
  return ip;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress ip;
  ip.m_family = Family::v4;
  ip.m_bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
  ip.m_bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
  ip.m_bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
  ip.m_bytes[3] = static_cast<std::uint8_t>(host_order);
  return ip;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
  IpAddress ip;
  ip.m_family = Family::v6;
  ip.m_bytes = bytes;
  return ip;
}

std::uint32_t IpAddress::v4_value() const {
  return (std::uint32_t{m_bytes[0]} << 24) | (std::uint32_t{m_bytes[1]} << 16) | (std::uint32_t{m_bytes[2]} << 8) |
         std::uint32_t{m_bytes[3]};
}

std::optional<IpAddress> IpAddress::unmapped_v4() const {
  if (is_v4()) return *this;
  for (int i = 0; i < 10; ++i)
    if (m_bytes[static_cast<std::size_t>(i)] != 0) return std::nullopt;
  if (m_bytes[10] != 0xff || m_bytes[11] != 0xff) return std::nullopt;
  return v4((std::uint32_t{m_bytes[12]} << 24) | (std::uint32_t{m_bytes[13]} << 16) |
            (std::uint32_t{m_bytes[14]} << 8) | std::uint32_t{m_bytes[15]});
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4()) inet_ntop(AF_INET, m_bytes.data(), buf, sizeof buf);
  else inet_ntop(AF_INET6, m_bytes.data(), buf, sizeof buf);
  return buf;
}

std::string IpAddress::reverse_labels() const {
  std::string out;
  if (is_v4()) {
    for (int i = 3; i >= 0; --i) {
      char buf[4];
      auto v = m_bytes[static_cast<std::size_t>(i)];
      int n = 0;
      if (v >= 100) buf[n++] = static_cast<char>('0' + v / 100);
      if (v >= 10) buf[n++] = static_cast<char>('0' + (v / 10) % 10);
      buf[n++] = static_cast<char>('0' + v % 10);
      out.append(buf, static_cast<std::size_t>(n));
      if (i) out += '.';
    }
    return out;
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    auto b = m_bytes[static_cast<std::size_t>(i)];
    out += k_hex[b & 0xF];
    out += '.';
    out += k_hex[b >> 4];
    if (i) out += '.';
  }
  return out;
}

std::string IpAddress::ptr_name() const {
  return reverse_labels() + (is_v4() ? ".in-addr.arpa" : ".ip6.arpa");
}

bool IpAddress::in_network(const IpAddress& net, unsigned prefix) const {
  if (m_family != net.m_family) return false;
  unsigned max = max_prefix();
  if (prefix > max) return false;
  unsigned full = prefix / 8, rest = prefix % 8;
  for (unsigned i = 0; i < full; ++i)
    if (m_bytes[i] != net.m_bytes[i]) return false;
  if (rest) {
    auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
    if ((m_bytes[full] & mask) != (net.m_bytes[full] & mask)) return false;
  }
  return true;
}

IpAddress IpAddress::offset(std::uint64_t n) const {
  IpAddress out = *this;
  if (is_v4()) return v4(v4_value() + static_cast<std::uint32_t>(n));
  std::uint64_t carry = n;
  for (int i = 15; i >= 0 && carry; --i) {
    std::uint64_t sum = out.m_bytes[static_cast<std::size_t>(i)] + (carry & 0xFF);
    out.m_bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(sum);
    carry = (carry >> 8) + (sum >> 8);
  }
  return out;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  auto ip = IpAddress::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  unsigned prefix = ip->max_prefix();
  if (slash != std::string_view::npos) {
    auto p = parse_uint(text.substr(slash + 1), ip->max_prefix());
    if (!p || text.size() - slash - 1 > 3) return std::nullopt;
    prefix = static_cast<unsigned>(*p);
  }
  Cidr c;
  c.prefix = prefix;
  auto bytes = ip->bytes();
  for (unsigned bit = prefix; bit < 128; ++bit) bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  c.network = ip->is_v4() ? IpAddress::v4((std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
                                          (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]})
                          : IpAddress::v6(bytes);
  return c;
}

std::uint64_t Cidr::size() const {
  unsigned host_bits = network.max_prefix() - prefix;
  if (host_bits >= 63) return std::uint64_t{1} << 63;
  return std::uint64_t{1} << host_bits;
}

std::string Cidr::to_string() const {
  char buf[4];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, prefix);
  (void)ec;
  return network.to_string() + "/" + std::string(buf, p);
}

}  // namespace mailrep::util
