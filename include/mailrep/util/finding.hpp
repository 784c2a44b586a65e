#pragma once
/// \file Finding: what every check yields, and the bilingual message texts behind it.
///
/// A check emits a Finding with a stable `id`, a severity, who can fix it, named arguments
/// and raw evidence. The words a person reads come from MessageText entries (English and German
/// side by side, one entry per id), looked up by the report layer; `{name}` in a text is replaced
/// by the argument of that name. A test checks that every id has complete texts in both languages.
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mailrep {

enum class Severity { info, warning, critical };
[[nodiscard]] constexpr std::string_view to_string(Severity s) {
  return s == Severity::info ? "info" : s == Severity::warning ? "warning" : "critical";
}

/// Who can fix a finding. The receiver's postmaster contact, when relevant, is an argument.
enum class Fixer { nobody, domain_owner, provider, receiver, sender_admin, user };
[[nodiscard]] constexpr std::string_view to_string(Fixer f) {
  switch (f) {
    case Fixer::domain_owner: return "domain-owner";
    case Fixer::provider: return "provider";
    case Fixer::receiver: return "receiver";
    case Fixer::sender_admin: return "sender-admin";
    case Fixer::user: return "user";
    case Fixer::nobody: break;
  }
  return "nobody";
}

struct Finding {
  std::string id;  ///< stable, e.g. "spf.too-many-lookups"
  Severity severity = Severity::info;
  Fixer who_can_fix = Fixer::nobody;
  std::vector<std::pair<std::string, std::string>> args;  ///< values for {name} in the texts (sanitised)
  std::string evidence;                                    ///< raw evidence (record text, answer ...)
  std::string subject;                                     ///< what it is about (domain, address), optional

  Finding& arg(std::string name, std::string value) {
    args.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  /// A value that is itself words (a heuristic's reason): the German text uses `german` for {name}.
  Finding& arg(std::string name, std::string value, std::string german) {
    args.emplace_back(name + std::string(k_german_suffix), std::move(german));
    return arg(std::move(name), std::move(value));
  }
  static constexpr std::string_view k_german_suffix = "@de";
  [[nodiscard]] std::string_view get(std::string_view name) const {
    for (const auto& [k, v] : args)
      if (k == name) return v;
    return {};
  }
};

/// A finding about `subject` (optional), arguments and evidence still to add.
[[nodiscard]] inline Finding make_finding(std::string id, Severity severity, Fixer who, std::string subject = {}) {
  Finding f;
  f.id = std::move(id);
  f.severity = severity;
  f.who_can_fix = who;
  f.subject = std::move(subject);
  return f;
}

/// A finding that the owner of `domain` fixes in its DNS; {domain} is set.
[[nodiscard]] inline Finding domain_owner_finding(std::string id, Severity severity, std::string_view domain) {
  Finding f = make_finding(std::move(id), severity, Fixer::domain_owner, std::string(domain));
  f.arg("domain", std::string(domain));
  return f;
}

/// The texts of one finding id in both languages. `fix` may be empty when there is nothing to do.
struct MessageText {
  std::string_view id;
  std::string_view en_title, en_detail, en_fix;
  std::string_view de_title, de_detail, de_fix;
};

}  // namespace mailrep
