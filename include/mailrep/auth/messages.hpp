#pragma once
/// \file English and German texts of the findings of the dmarc, dkim, mtasts, tlsrpt and bimi
/// modules (one entry per finding id; {name} is replaced by the finding's argument of that name).
#include <span>

#include "mailrep/util/finding.hpp"

namespace mailrep::auth {
[[nodiscard]] std::span<const MessageText> auth_messages();
}
