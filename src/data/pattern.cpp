/// \file Pattern: RE2 compiled once, matched without exceptions (RE2 stays in src/data).
#include "mailrep/data/pattern.hpp"

#include <array>
#include <charconv>
#include <map>
#include <system_error>
#include <utility>

#include <re2/re2.h>

#include "mailrep/util/text.hpp"

namespace mailrep::data {

namespace {

/// Memory budget of one compiled pattern (RE2's default is 8 MiB; ours are small).
constexpr std::int64_t max_pattern_memory = std::int64_t{2} << 20;
constexpr std::size_t max_capture_bytes = 256;
/// RE2 cannot give more groups than this back to us without a heap array; plenty for data files.
constexpr int max_groups = 16;

std::string group_number(int n) {
  std::array<char, 12> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  return ec == std::errc{} ? std::string(buf.data(), end) : std::string{};
}

}  // namespace

Pattern::Pattern() noexcept = default;
Pattern::~Pattern() = default;
Pattern::Pattern(Pattern&& other) noexcept = default;
Pattern& Pattern::operator=(Pattern&& other) noexcept = default;

Result<Pattern> Pattern::compile(std::string_view text, Anchor anchor) {
  if (text.empty()) return fail(ErrorCode::parse, "empty regular expression");
  if (text.size() > max_text)
    return fail(ErrorCode::limit, "regular expression longer than " + group_number(static_cast<int>(max_text)) + " characters");
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  options.set_max_mem(max_pattern_memory);
  auto re = std::make_unique<RE2>(re2::StringPiece(text.data(), text.size()), options);
  if (!re->ok()) return fail(ErrorCode::parse, "bad regular expression: " + util::sanitize(re->error(), 200));
  if (re->NumberOfCapturingGroups() > max_groups)
    return fail(ErrorCode::limit, "regular expression has more than " + group_number(max_groups) + " capturing groups");
  Pattern p;
  p.m_text = std::string(text);
  p.m_anchor = anchor;
  p.m_re = std::move(re);
  return p;
}

std::vector<std::string> Pattern::group_names() const {
  std::vector<std::string> out;
  if (!m_re) return out;
  for (const auto& [index, name] : m_re->CapturingGroupNames()) {
    (void)index;
    out.push_back(name);  // std::map: in group order
  }
  return out;
}

bool Pattern::matches(std::string_view subject) const {
  if (!m_re) return false;
  const re2::StringPiece sp(subject.data(), subject.size());
  return m_re->Match(sp, 0, sp.size(), m_anchor == Anchor::full ? RE2::ANCHOR_BOTH : RE2::UNANCHORED, nullptr, 0);
}

std::optional<std::vector<Capture>> Pattern::match(std::string_view subject) const {
  if (!m_re) return std::nullopt;
  const int groups = m_re->NumberOfCapturingGroups();
  std::array<re2::StringPiece, max_groups + 1> parts{};
  const re2::StringPiece sp(subject.data(), subject.size());
  if (groups < 0 ||
      !m_re->Match(sp, 0, sp.size(), m_anchor == Anchor::full ? RE2::ANCHOR_BOTH : RE2::UNANCHORED, parts.data(), groups + 1))
    return std::nullopt;
  const std::map<int, std::string>& names = m_re->CapturingGroupNames();
  std::vector<Capture> out;
  for (int i = 1; i <= groups; ++i) {
    const re2::StringPiece& part = parts[static_cast<std::size_t>(i)];
    if (part.data() == nullptr) continue;  // group did not take part
    const auto named = names.find(i);
    out.push_back(Capture{named != names.end() ? named->second : group_number(i),
                          util::sanitize(std::string_view(part.data(), part.size()), max_capture_bytes)});
  }
  return out;
}

}  // namespace mailrep::data
