#pragma once
/// \file Tag=value lists (RFC 6376 3.2), the syntax shared by DKIM key records, DMARC (RFC 7489 6.3,
/// RFC 9989), MTA-STS and TLS-RPT TXT records (RFC 8461 3.1, RFC 8460 3) and BIMI records.
///
/// Pure code. split_tag_list() never fails as a call: it returns every tag it could read, in order,
/// and every problem with its byte position in the text. Tag names are kept as written (DKIM names
/// are case-sensitive; callers that want case-insensitive names compare with util::iequals). Values
/// are trimmed of surrounding whitespace; inner whitespace (folded base64 in DKIM p=) is kept.
/// The DMARC, MTA-STS, TLS-RPT and BIMI parsers use this header too (declared layer edge
/// auth/{dmarc,mtasts,tlsrpt,bimi} -> auth/dkim/tag_list.hpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/util/finding.hpp"

namespace mailrep::auth::dkim {

struct Tag {
  std::string name;               ///< as written
  std::string value;              ///< trimmed
  std::size_t position = 0;       ///< byte offset of the tag name in the text
  std::size_t value_position = 0; ///< byte offset of the (trimmed) value
  std::size_t length = 0;         ///< bytes from the name to the end of the value
};

/// A problem in a record: where (byte offset and length in the parsed text) and what.
/// `fatal` problems make the record unusable; the others are worth reporting but tolerated by
/// receivers (e.g. an empty element between two ';').
struct Problem {
  std::size_t position = 0;
  std::size_t length = 0;
  std::string message;  ///< English, ASCII; untrusted bytes appear sanitised
  std::string tag;      ///< the tag concerned, when there is one
  bool fatal = true;
};

struct TagList {
  std::vector<Tag> tags;
  std::vector<Problem> problems;
  [[nodiscard]] const Tag* find(std::string_view name, bool case_insensitive = false) const;
};

/// Split `text` into tags. Duplicate tag names are fatal (RFC 6376 3.2: the whole list is
/// invalid); names compare case-insensitively for the duplicate check when `case_insensitive`.
/// Hard cap: at most 64 tags are read (the rest is one fatal problem).
[[nodiscard]] TagList split_tag_list(std::string_view text, bool case_insensitive = false);

/// Shared by the DKIM-style records (MTA-STS, TLS-RPT, BIMI): `txt` begins (after spaces/tabs)
/// with exactly `version` ("v=STSv1"), followed by ';', white space or the end.
[[nodiscard]] bool begins_with_version(std::string_view txt, std::string_view version);

}  // namespace mailrep::auth::dkim
