#pragma once
// Private to src/cli: the one input file of `bounce` and `content`.
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/util/result.hpp"

namespace mailrep::cli {

struct InputText {
  std::string data;        ///< at most max_bytes + 1 bytes (the extra byte says there was more)
  bool truncated = false;  ///< the input was longer than max_bytes
};

/// FILE, or '-' or nothing for standard input, from `command`'s arguments. Errors (a second
/// argument, a missing or unreadable file, a directory) are one line, naming the file.
[[nodiscard]] Result<InputText> read_input(const std::vector<std::string>& args, std::string_view command,
                                           std::size_t max_bytes);

}  // namespace mailrep::cli
