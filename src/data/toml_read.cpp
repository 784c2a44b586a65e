/// \file Shared toml++ helpers for the receivers and providers loaders (see toml_read.hpp).
#include "toml_read.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <system_error>
#include <utility>

#include "mailrep/util/text.hpp"

namespace mailrep::data::detail {

namespace {
constexpr std::size_t file_cap = std::size_t{4} << 20;
}  // namespace

std::size_t max_file_bytes() { return file_cap; }

tl::unexpected<Failure> bad(std::uint32_t line, std::string reason) {
  return tl::unexpected<Failure>(Failure{line, std::move(reason)});
}
std::uint32_t line_of(const toml::node& node) { return node.source().begin.line; }
tl::unexpected<Failure> bad(const toml::node& node, std::string reason) { return bad(line_of(node), std::move(reason)); }

std::string quoted(std::string_view untrusted) {
  std::string out(1, '\'');  // appended, not "'" + s: GCC 12 -O3 warns falsely (-Wrestrict, PR 105329)
  out += util::sanitize(untrusted, 80);
  out += '\'';
  return out;
}

std::string shown_name(std::string_view source_name) { return util::sanitize(source_name, 256); }

Error parse_failure(std::string_view name, const Failure& f) {
  return Error{ErrorCode::parse, std::string(name) + ":" + util::format_uint(f.line) + ": " + f.reason};
}

Parsed<void> check_keys(const toml::table& table, std::initializer_list<std::string_view> allowed,
                        std::string_view where) {
  const toml::key* first = nullptr;
  for (auto&& [key, value] : table) {
    (void)value;
    if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
    if (first == nullptr || key.source().begin.line < first->source().begin.line) first = &key;
  }
  if (first != nullptr)
    return bad(first->source().begin.line, "unknown key " + quoted(first->str()) + " in " + std::string(where));
  return {};
}

Parsed<std::optional<std::string>> opt_string(const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<std::string>{};
  const auto* s = n->as_string();
  if (s == nullptr) return bad(*n, "'" + std::string(key) + "' must be a string");
  return std::optional<std::string>{s->get()};
}

Parsed<std::string> req_string(const toml::table& t, std::string_view key, std::uint32_t header) {
  auto v = opt_string(t, key);
  if (!v) return tl::unexpected(v.error());
  if (!*v) return bad(header, "missing '" + std::string(key) + "'");
  if (util::trim(**v).empty()) return bad(*t.get(key), "'" + std::string(key) + "' must not be empty");
  return std::move(**v);
}

Parsed<std::optional<bool>> opt_bool(const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return std::optional<bool>{};
  const auto* b = n->as_boolean();
  if (b == nullptr) return bad(*n, "'" + std::string(key) + "' must be true or false");
  return std::optional<bool>{b->get()};
}

Parsed<std::vector<std::string>> opt_string_array(const toml::table& t, std::string_view key) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const auto* arr = n->as_array();
  if (arr == nullptr) return bad(*n, "'" + std::string(key) + "' must be an array of strings");
  for (const toml::node& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return bad(item, "'" + std::string(key) + "' must be an array of strings");
    if (util::trim(s->get()).empty()) return bad(item, "'" + std::string(key) + "' has an empty string");
    out.push_back(s->get());
  }
  return out;
}

Parsed<const toml::array*> opt_table_array(const toml::table& t, std::string_view key, std::string_view shown) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return static_cast<const toml::array*>(nullptr);
  const auto* a = n->as_array();
  if (a == nullptr || !a->is_array_of_tables())
    return bad(*n, "'" + std::string(key) + "' must be an array of tables (" + std::string(shown) + ")");
  return a;
}

Parsed<const toml::table*> opt_table(const toml::table& t, std::string_view key) {
  const toml::node* n = t.get(key);
  if (n == nullptr) return static_cast<const toml::table*>(nullptr);
  const auto* tab = n->as_table();
  if (tab == nullptr) return bad(*n, "'" + std::string(key) + "' must be a table");
  return tab;
}

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && util::is_alnum(id.front()) &&
         std::all_of(id.begin(), id.end(), [](char c) { return util::is_digit(c) || (c >= 'a' && c <= 'z') || c == '-'; });
}

bool normalise_host(std::string_view name, std::string& out) {
  out = util::lower(name);
  if (out.empty() || out.size() > 253) return false;
  for (std::string_view label : util::split(out, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!util::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool is_http_url(std::string_view s) {
  return (util::istarts_with(s, "https://") || util::istarts_with(s, "http://")) && s.size() > 8 &&
         std::none_of(s.begin(), s.end(), [](char c) { return util::is_space(c) || static_cast<unsigned char>(c) < 0x20; });
}

Parsed<Pattern> compile_at(const toml::node& node, std::string_view text, Pattern::Anchor anchor) {
  auto p = Pattern::compile(text, anchor);
  if (!p) return bad(node, quoted(text) + ": " + p.error().message);
  return std::move(*p);
}

Parsed<std::vector<Pattern>> opt_pattern_array(const toml::table& t, std::string_view key, Pattern::Anchor anchor) {
  std::vector<Pattern> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const auto* arr = n->as_array();
  if (arr == nullptr) return bad(*n, "'" + std::string(key) + "' must be an array of regular expressions (strings)");
  for (const toml::node& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return bad(item, "'" + std::string(key) + "' must be an array of regular expressions (strings)");
    auto p = compile_at(item, s->get(), anchor);
    if (!p) return tl::unexpected(p.error());
    out.push_back(std::move(*p));
  }
  return out;
}

Parsed<std::vector<std::string>> opt_host_array(const toml::table& t, std::string_view key) {
  std::vector<std::string> out;
  const toml::node* n = t.get(key);
  if (n == nullptr) return out;
  const auto* arr = n->as_array();
  if (arr == nullptr) return bad(*n, "'" + std::string(key) + "' must be an array of host names");
  for (const toml::node& item : *arr) {
    const auto* s = item.as_string();
    if (s == nullptr) return bad(item, "'" + std::string(key) + "' must be an array of host names");
    std::string host;
    if (!normalise_host(s->get(), host)) return bad(item, quoted(s->get()) + " is not a host name");
    if (std::find(out.begin(), out.end(), host) != out.end())
      return bad(item, "duplicate " + quoted(host) + " in '" + std::string(key) + "'");
    out.push_back(std::move(host));
  }
  return out;
}

Parsed<toml::table> parse_toml(std::string_view text, std::string_view source_name) {
#if TOML_EXCEPTIONS
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return bad(e.source().begin.line, "TOML syntax: " + util::sanitize(e.description(), 200));
  }
#else
  toml::parse_result parsed = toml::parse(text, source_name);
  if (!parsed) return bad(parsed.error().source().begin.line, "TOML syntax: " + util::sanitize(parsed.error().description(), 200));
  return std::move(parsed).table();
#endif
}

Result<std::string> read_file(const std::string& path, std::string_view what) {
  const std::string shown = util::sanitize(path, 256);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::io, shown + ": cannot open the " + std::string(what));
  std::string text;
  std::array<char, 8192> buf{};
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    text.append(buf.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > file_cap) return fail(ErrorCode::limit, shown + ": larger than " + util::format_uint(file_cap) + " bytes");
  }
  if (in.bad()) return fail(ErrorCode::io, shown + ": read error");
  return text;
}

}  // namespace mailrep::data::detail
