#pragma once
/// \file The shipped list of public URL shorteners (lists/shorteners.toml) and its loader.
///
/// T-Online rejects mail that contains shortened links (bit.ly and the like), and other filters
/// score them, because a shortener hides where a link goes. Every entry names its source. A file
/// is accepted whole or rejected whole ("file:line: reason"): unknown keys, a missing or invalid
/// domain, a missing source and duplicates are errors. toml++ stays in src/data.
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/util/result.hpp"

namespace mailrep::data {

struct Shortener {
  std::string domain;  ///< lower case; matches the domain itself and every name below it
  std::string name;    ///< the service, optional
  std::string source;  ///< where it is documented
  std::string note;    ///< e.g. which receiver rejects it, optional
};

struct Shorteners {
  std::vector<Shortener> entries;
  /// The entry whose domain is `host` or a parent of it (host lower case), or nullptr.
  [[nodiscard]] const Shortener* match(std::string_view host) const;
};

[[nodiscard]] Result<Shorteners> parse_shorteners(std::string_view toml_text, std::string_view source_name);
[[nodiscard]] Result<Shorteners> load_shorteners(const std::string& path);

}  // namespace mailrep::data
