#pragma once
/// \file Private helpers shared by the receivers and providers loaders: typed access to toml++
/// tables with "line: reason" failures, file reading with a size cap, and the TOML parse step.
/// toml++ stays in src/data.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "mailrep/data/pattern.hpp"
#include "mailrep/util/result.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::data::detail {

/// A reason to reject a file, at a line.
struct Failure {
  std::uint32_t line = 0;
  std::string reason;
};
template <class T>
using Parsed = tl::expected<T, Failure>;

[[nodiscard]] tl::unexpected<Failure> bad(std::uint32_t line, std::string reason);
[[nodiscard]] tl::unexpected<Failure> bad(const toml::node& node, std::string reason);
[[nodiscard]] std::uint32_t line_of(const toml::node& node);
/// A value from the file, quoted and made safe for a message.
[[nodiscard]] std::string quoted(std::string_view untrusted);

/// Every key of `table` must be in `allowed`; reports the first unknown key in file order.
[[nodiscard]] Parsed<void> check_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                                      std::string_view where);
[[nodiscard]] Parsed<std::optional<std::string>> opt_string(const toml::table& t, std::string_view key);
/// A required, non-empty string; `header` is the line reported when it is missing.
[[nodiscard]] Parsed<std::string> req_string(const toml::table& t, std::string_view key, std::uint32_t header);
[[nodiscard]] Parsed<std::optional<bool>> opt_bool(const toml::table& t, std::string_view key);
/// An optional array of non-empty strings (empty vector when absent).
[[nodiscard]] Parsed<std::vector<std::string>> opt_string_array(const toml::table& t, std::string_view key);
/// An optional array of tables ([[x.key]]); nullptr when absent. `shown` names it in messages.
[[nodiscard]] Parsed<const toml::array*> opt_table_array(const toml::table& t, std::string_view key,
                                                         std::string_view shown);
/// An optional inline table or [x.key] table; nullptr when absent.
[[nodiscard]] Parsed<const toml::table*> opt_table(const toml::table& t, std::string_view key);
/// Lower-case letters, digits and '-', starting with a letter or digit, at most 64 characters.
[[nodiscard]] bool valid_id(std::string_view id);
/// A host or domain name of letters, digits, '-' and '_' (labels 1..63, at most 253 characters,
/// no trailing dot); `out` gets it lower-cased.
[[nodiscard]] bool normalise_host(std::string_view name, std::string& out);
/// An http:// or https:// URL without spaces or control characters.
[[nodiscard]] bool is_http_url(std::string_view s);
/// Compiles one array element (string) of `key` as a Pattern, reporting RE2's error at its line.
[[nodiscard]] Parsed<std::vector<Pattern>> opt_pattern_array(const toml::table& t, std::string_view key,
                                                             Pattern::Anchor anchor);
[[nodiscard]] Parsed<Pattern> compile_at(const toml::node& node, std::string_view text, Pattern::Anchor anchor);
/// An optional array of host names, lower-cased; duplicates are errors.
[[nodiscard]] Parsed<std::vector<std::string>> opt_host_array(const toml::table& t, std::string_view key);

/// Reads a whole file, capped in size. Error: io (unreadable) or limit.
[[nodiscard]] Result<std::string> read_file(const std::string& path, std::string_view what);

[[nodiscard]] std::size_t max_file_bytes();
/// A file name made safe for messages.
[[nodiscard]] std::string shown_name(std::string_view source_name);
[[nodiscard]] Error parse_failure(std::string_view shown_name, const Failure& f);
/// The toml++ parse step, exceptions or not; nullopt + failure on a syntax error.
[[nodiscard]] Parsed<toml::table> parse_toml(std::string_view text, std::string_view source_name);

/// Parses `text` as TOML and hands the root table to `read(root, shown_name)`; size-capped; every
/// failure becomes Error(parse) "source_name:line: reason".
template <class T, class Reader>
[[nodiscard]] Result<T> parse_document(std::string_view text, std::string_view source_name, Reader&& read) {
  const std::string name = shown_name(source_name);
  if (text.size() > max_file_bytes())
    return tl::unexpected<Error>(Error{ErrorCode::limit, name + ": larger than " + util::format_uint(max_file_bytes()) + " bytes"});
  auto root = parse_toml(text, source_name);
  if (!root) return tl::unexpected<Error>(parse_failure(name, root.error()));
  Parsed<T> value = read(*root, std::string_view(name));
  if (!value) return tl::unexpected<Error>(parse_failure(name, value.error()));
  return std::move(*value);
}

}  // namespace mailrep::data::detail
