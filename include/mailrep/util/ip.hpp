#pragma once
/// \file IP addresses and networks as values (IPv4 and IPv6), parsing and DNS reverse names.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailrep::util {

class IpAddress {
public:
  enum class Family : std::uint8_t { v4, v6 };
  IpAddress() = default;
  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  [[nodiscard]] static IpAddress v4(std::uint32_t host_order);
  [[nodiscard]] static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);

  [[nodiscard]] Family family() const { return m_family; }
  [[nodiscard]] bool is_v4() const { return m_family == Family::v4; }
  [[nodiscard]] bool is_v6() const { return m_family == Family::v6; }
  /// Bytes in network order; for v4 only the first 4 are used.
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const { return m_bytes; }
  [[nodiscard]] std::uint32_t v4_value() const;  ///< host order, v4 only
  /// ::ffff:a.b.c.d -> a.b.c.d (RFC 7208 5: IPv4-mapped IPv6 clients are treated as IPv4)
  [[nodiscard]] std::optional<IpAddress> unmapped_v4() const;
  [[nodiscard]] std::string to_string() const;
  /// "4.3.2.1" for 1.2.3.4; 32 dot-separated nibbles for IPv6 (RFC 5782 2.4 / RFC 3596).
  [[nodiscard]] std::string reverse_labels() const;
  /// reverse_labels() + ".in-addr.arpa" / ".ip6.arpa"
  [[nodiscard]] std::string ptr_name() const;
  [[nodiscard]] bool in_network(const IpAddress& net, unsigned prefix) const;
  [[nodiscard]] unsigned max_prefix() const { return is_v4() ? 32 : 128; }
  /// Address + n (wraps within the family); used to expand CIDRs.
  [[nodiscard]] IpAddress offset(std::uint64_t n) const;

  auto operator<=>(const IpAddress&) const = default;

private:
  Family m_family = Family::v4;
  std::array<std::uint8_t, 16> m_bytes{};
};

struct Cidr {
  IpAddress network;  ///< masked
  unsigned prefix = 0;
  /// "a.b.c.d/n", "x::/n" or a bare address (full prefix).
  [[nodiscard]] static std::optional<Cidr> parse(std::string_view text);
  [[nodiscard]] bool contains(const IpAddress& ip) const { return ip.in_network(network, prefix); }
  /// Number of addresses, saturating at 2^63.
  [[nodiscard]] std::uint64_t size() const;
  [[nodiscard]] std::string to_string() const;
  auto operator<=>(const Cidr&) const = default;
};

}  // namespace mailrep::util
