#pragma once
// Private to src/content: the bounded MIME walk.
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/content/content.hpp"

namespace mailrep::content::detail {

struct Walk {
  std::vector<Part> parts;
  bool alternative = false;        ///< a multipart/alternative was seen
  bool alternative_has_text = false;
  bool too_deep = false;
  bool too_many = false;
  std::vector<std::string> broken;  ///< what was wrong with the structure (at most a few)
  std::size_t entities = 0;
};

/// Walks the entity (headers + body) of a message; `path` names it ("" for the top).
void walk(const mail::HeaderBlock& headers, std::string_view body, unsigned depth, const std::string& path, Walk& w);

}  // namespace mailrep::content::detail
