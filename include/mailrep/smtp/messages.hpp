#pragma once
/// \file English and German texts of the probe findings (ids probe.*) and of the variable parts
/// the prober composes (causes of unknowns, advice, verdict and stage words).
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mailrep/data/receivers.hpp"
#include "mailrep/smtp/client.hpp"
#include "mailrep/smtp/probe.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::smtp {

[[nodiscard]] std::span<const MessageText> messages();

struct Bilingual {
  std::string en, de;
};

/// Why a probe ended as unknown, with the likely cause ("many networks block outbound port 25 ...").
[[nodiscard]] Bilingual cause_text(const MxProbe& p, std::chrono::milliseconds timeout);
/// What to do about an unknown.
[[nodiscard]] Bilingual unknown_advice(const MxProbe& p);
/// What a refusal means: the catalogue's meaning, or a generic reading of the reply code.
[[nodiscard]] Bilingual meaning_text(const MxProbe& p);
/// Whom to ask and how: the code's contact (and its purpose), a case URL from the reply, the
/// receiver's postmaster site, and who has to act.
[[nodiscard]] Bilingual advice_text(const MxProbe& p);
/// "answered at the greeting" / "bei der Begrüßung"
[[nodiscard]] std::string_view stage_words(Stage s, bool de);
/// ACCEPTED / BLOCKED / TEMPORARY / UNKNOWN and the German words.
[[nodiscard]] std::string_view verdict_words(Verdict v, bool de);
/// The steps that went through ("greeting, EHLO, STARTTLS, MAIL FROM, RCPT TO").
[[nodiscard]] std::string steps_text(const MxProbe& p);

}  // namespace mailrep::smtp
