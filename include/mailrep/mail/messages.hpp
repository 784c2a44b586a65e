#pragma once
/// \file English and German texts of the findings of the mail (bounce) module.
#include <span>

#include "mailrep/util/finding.hpp"

namespace mailrep::mail {
[[nodiscard]] std::span<const MessageText> messages();
}
