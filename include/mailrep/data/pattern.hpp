#pragma once
/// \file Pattern: an owned, compiled RE2 regular expression for the data catalogues
/// (lists/receivers.toml, lists/providers.toml). RE2 stays out of this header.
///
/// Patterns are compiled once, when a catalogue is loaded; a pattern that does not compile
/// rejects the file with RE2's own error text. Matching is case-insensitive, linear-time (RE2),
/// bounded in memory, and never throws. A Pattern is movable, not copyable; a moved-from or
/// default-constructed Pattern matches nothing.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/util/result.hpp"

namespace re2 {
class RE2;
}  // namespace re2

namespace mailrep::data {

/// One capturing group that took part in a match.
struct Capture {
  std::string name;   ///< the group's name ((?P<ip>...)), or its number ("1") when unnamed
  std::string value;  ///< the captured text, sanitised (safe to print), at most 256 bytes
};

class Pattern {
 public:
  enum class Anchor {
    partial,  ///< matches anywhere in the subject (reply texts)
    full,     ///< must match the whole subject (host names)
  };

  /// Longest pattern text accepted.
  static constexpr std::size_t max_text = 1024;

  Pattern() noexcept;
  ~Pattern();
  Pattern(Pattern&& other) noexcept;
  Pattern& operator=(Pattern&& other) noexcept;
  Pattern(const Pattern&) = delete;
  Pattern& operator=(const Pattern&) = delete;

  /// Compiles `text` case-insensitively. Error (parse): RE2's message, or a size/memory limit.
  [[nodiscard]] static Result<Pattern> compile(std::string_view text, Anchor anchor);

  [[nodiscard]] const std::string& text() const { return m_text; }
  [[nodiscard]] Anchor anchor() const { return m_anchor; }
  [[nodiscard]] bool valid() const { return m_re != nullptr; }
  /// Names of the named capturing groups, in group order.
  [[nodiscard]] std::vector<std::string> group_names() const;

  [[nodiscard]] bool matches(std::string_view subject) const;
  /// The participating groups of the first (leftmost) match; nullopt when it does not match.
  [[nodiscard]] std::optional<std::vector<Capture>> match(std::string_view subject) const;

 private:
  std::string m_text;
  Anchor m_anchor = Anchor::partial;
  std::unique_ptr<re2::RE2> m_re;
};

}  // namespace mailrep::data
