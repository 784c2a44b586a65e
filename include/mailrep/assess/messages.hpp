#pragma once
/// \file English and German texts of the findings the assess layer emits itself
/// (MX, imprint, outbound discovery).
#include <span>

#include "mailrep/util/finding.hpp"

namespace mailrep::assess {
[[nodiscard]] std::span<const MessageText> messages();
}
