#pragma once
/// \file Locale-independent ASCII helpers and sanitising of untrusted text.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailrep::util {

[[nodiscard]] constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
[[nodiscard]] constexpr bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }
[[nodiscard]] constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
[[nodiscard]] constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
[[nodiscard]] constexpr char to_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

[[nodiscard]] std::string lower(std::string_view s);
[[nodiscard]] bool iequals(std::string_view a, std::string_view b);
[[nodiscard]] bool istarts_with(std::string_view s, std::string_view prefix);
[[nodiscard]] bool iends_with(std::string_view s, std::string_view suffix);
[[nodiscard]] std::string_view trim(std::string_view s);
[[nodiscard]] std::vector<std::string_view> split(std::string_view s, char sep);
/// Split on runs of ASCII whitespace, dropping empty pieces.
[[nodiscard]] std::vector<std::string_view> split_ws(std::string_view s);
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// Replace control characters, escape sequences and invalid UTF-8 from untrusted input
/// (DNS answers, HTTP bodies, mail files) with visible escapes (\xNN). Keeps valid UTF-8 text.
/// The result is safe to print to a terminal.
[[nodiscard]] std::string sanitize(std::string_view untrusted, std::size_t max_len = 4096);

/// Decimal parsing without locale: whole string must be digits, no sign, no overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_uint(std::string_view s, std::uint64_t max = UINT64_MAX);
/// Locale-independent number formatting.
[[nodiscard]] std::string format_double(double v, int precision = 3);
/// Decimal digits of v (std::to_chars: no locale).
[[nodiscard]] std::string format_uint(std::uint64_t v);
/// %XX escapes decoded to bytes; a '%' not followed by two hex digits stays as it is.
[[nodiscard]] std::string percent_decode(std::string_view s);
/// The value of a hexadecimal digit (either case), -1 for any other character.
[[nodiscard]] constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace mailrep::util
