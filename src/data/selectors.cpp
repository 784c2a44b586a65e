/// \file Loading lists/dkim-selectors.toml (toml++ stays in src/data).
#include "mailrep/data/selectors.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <utility>

#include <toml++/toml.h>

#include "mailrep/util/text.hpp"

namespace mailrep::data {

namespace {

constexpr std::size_t k_max_file_bytes = std::size_t{1} << 20;
constexpr std::size_t k_max_selectors = 512;

bool valid_selector(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (auto label : util::split(s, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!util::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

struct Failure {
  std::uint32_t line = 0;
  std::string reason;
};

std::uint32_t line_of(const toml::node& n) { return n.source().begin.line; }

tl::expected<std::vector<DkimSelector>, Failure> read(const toml::table& root) {
  std::vector<DkimSelector> out;
  for (const auto& [key, node] : root) {
    if (key.str() != "selector")
      return tl::unexpected<Failure>(Failure{line_of(node), "unknown key '" + util::sanitize(key.str(), 60) + "'"});
  }
  const toml::node* list_node = root.get("selector");
  if (list_node == nullptr) return tl::unexpected<Failure>(Failure{1, "no [[selector]] entries"});
  const toml::array* arr = list_node->as_array();
  if (arr == nullptr || !arr->is_array_of_tables())
    return tl::unexpected<Failure>(Failure{line_of(*list_node), "'selector' must be [[selector]] tables"});
  for (const toml::node& entry : *arr) {
    const toml::table& t = *entry.as_table();
    const std::uint32_t line = line_of(entry);
    if (out.size() >= k_max_selectors)
      return tl::unexpected<Failure>(Failure{line, "more than " + util::format_uint(k_max_selectors) + " selectors"});
    DkimSelector s;
    for (const auto& [k, v] : t) {
      const std::string_view key = k.str();
      const auto* str = v.as_string();
      if (key != "name" && key != "used_by" && key != "source")
        return tl::unexpected<Failure>(Failure{line_of(v), "unknown key '" + util::sanitize(key, 60) + "'"});
      if (str == nullptr) return tl::unexpected<Failure>(Failure{line_of(v), "'" + std::string(key) + "' must be a string"});
      if (key == "name") s.name = util::lower(str->get());
      else if (key == "used_by") s.used_by = str->get();
      else s.source = str->get();
    }
    if (s.name.empty()) return tl::unexpected<Failure>(Failure{line, "a selector without name"});
    if (!valid_selector(s.name))
      return tl::unexpected<Failure>(Failure{line, "'" + util::sanitize(s.name, 60) + "' is not a valid selector"});
    if (s.source.empty() || s.used_by.empty())
      return tl::unexpected<Failure>(Failure{line, "selector '" + s.name + "' needs used_by and source"});
    for (const auto& o : out)
      if (o.name == s.name) return tl::unexpected<Failure>(Failure{line, "duplicate selector '" + s.name + "'"});
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Result<std::vector<DkimSelector>> parse_dkim_selectors(std::string_view toml_text, std::string_view source_name) {
  const std::string name = util::sanitize(source_name, 256);
  if (toml_text.size() > k_max_file_bytes)
    return fail(ErrorCode::limit, name + ": larger than " + util::format_uint(k_max_file_bytes) + " bytes");
  auto failed = [&name](const Failure& f) {
    return fail(ErrorCode::parse, name + ":" + util::format_uint(f.line) + ": " + f.reason);
  };
#if TOML_EXCEPTIONS
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    return failed(Failure{e.source().begin.line, "TOML syntax: " + util::sanitize(e.description(), 200)});
  }
#else
  toml::parse_result parsed = toml::parse(toml_text, source_name);
  if (!parsed)
    return failed(Failure{parsed.error().source().begin.line,
                          "TOML syntax: " + util::sanitize(parsed.error().description(), 200)});
  const toml::table& root = parsed.table();
#endif
  auto list = read(root);
  if (!list) return failed(list.error());
  return std::move(*list);
}

Result<std::vector<DkimSelector>> load_dkim_selectors(const std::string& path) {
  const std::string shown = util::sanitize(path, 256);
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::io, shown + ": cannot open the DKIM selector list");
  std::string text;
  std::array<char, 8192> buf{};
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    text.append(buf.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > k_max_file_bytes)
      return fail(ErrorCode::limit, shown + ": larger than " + util::format_uint(k_max_file_bytes) + " bytes");
  }
  if (in.bad()) return fail(ErrorCode::io, shown + ": read error");
  return parse_dkim_selectors(text, path);
}

std::vector<std::string> selector_names(const std::vector<DkimSelector>& selectors) {
  std::vector<std::string> out;
  out.reserve(selectors.size());
  for (const auto& s : selectors) out.push_back(s.name);
  return out;
}

}  // namespace mailrep::data
