#pragma once
/// \file The MIME pieces the bounce reader needs: header blocks, RFC 2047 words, quoted-printable,
/// base64, charsets to UTF-8 and a bounded walk over a message's parts. Tolerant and total: broken
/// encodings decode as far as they can (a flag says so), nothing throws, every loop is bounded.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailrep::mail {

struct Header {
  std::string name;   ///< as written
  std::string value;  ///< unfolded (CRLF/LF + WSP -> one space), trimmed, raw (not 2047-decoded)
};

struct HeaderBlock {
  std::vector<Header> headers;
  /// The first header's value with this name (case-insensitive), or nullptr.
  [[nodiscard]] const std::string* get(std::string_view name) const;
  [[nodiscard]] std::vector<const std::string*> all(std::string_view name) const;
};

/// Most header fields kept per block; longest unfolded header value kept.
inline constexpr std::size_t max_headers = 1000;
inline constexpr std::size_t max_header_bytes = 32u * 1024u;

/// True when `line` looks like "Name: value" (RFC 5322 field name: printable ASCII, no ':' or space).
[[nodiscard]] bool is_header_line(std::string_view line);

/// Splits LF-terminated text into a header block and the body (after the first empty line). When
/// the text does not start with a header line, the block is empty and the body is all of it. An mbox
/// "From " line in front is skipped.
struct Entity {
  HeaderBlock headers;
  std::string_view body;
};
[[nodiscard]] Entity split_entity(std::string_view text);

/// Content-Type: lower-case "type/subtype" and a parameter (lower-case name; quotes removed).
struct ContentType {
  std::string type;  ///< "text/plain" when absent
  std::vector<std::pair<std::string, std::string>> params;
  [[nodiscard]] std::string_view param(std::string_view name) const;
};
[[nodiscard]] ContentType parse_content_type(const std::string* header_value);

/// Quoted-printable (RFC 2045 6.7); bad "=" sequences are kept literally.
[[nodiscard]] std::string decode_qp(std::string_view in, bool underscore_is_space = false);
/// Base64, skipping characters outside the alphabet; `broken` is set when the input was damaged.
[[nodiscard]] std::string decode_base64(std::string_view in, bool* broken = nullptr);
/// Bytes in `charset` to UTF-8: utf-8/us-ascii (invalid bytes read as windows-1252), iso-8859-1,
/// iso-8859-15, windows-1252; unknown charsets: UTF-8 when valid, else windows-1252.
[[nodiscard]] std::string to_utf8(std::string_view bytes, std::string_view charset);
[[nodiscard]] bool is_valid_utf8(std::string_view s);
/// Decodes RFC 2047 encoded words (=?cs?B|Q?...?=) in a header value; whitespace between two
/// adjacent encoded words is dropped. Undecodable words are kept as written.
[[nodiscard]] std::string decode_rfc2047(std::string_view value);
/// Transfer-decodes a part body (base64, quoted-printable, else as is).
[[nodiscard]] std::string decode_body(std::string_view body, std::string_view transfer_encoding, bool* broken = nullptr);

}  // namespace mailrep::mail
