#pragma once
/// \file English and German texts of the findings of the dnsbl and rdns modules.
#include <span>

#include "mailrep/util/finding.hpp"

namespace mailrep::dnsbl {
[[nodiscard]] std::span<const MessageText> messages();
}
