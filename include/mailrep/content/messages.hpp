#pragma once
/// \file English and German texts of the content.* findings.
#include <span>

#include "mailrep/util/finding.hpp"

namespace mailrep::content {
[[nodiscard]] std::span<const MessageText> messages();
}
