/// \file Loading lists/shorteners.toml (toml++ stays in src/data).
#include "mailrep/data/shorteners.hpp"

#include <utility>

#include "mailrep/util/text.hpp"
#include "toml_read.hpp"

namespace mailrep::data {
namespace {

using detail::bad;
using detail::Parsed;
using detail::quoted;

constexpr std::size_t k_max_entries = 4096;

Parsed<Shorteners> read_list(const toml::table& root, std::string_view /*name*/) {
  if (auto ok = detail::check_keys(root, {"shortener"}, "the file"); !ok) return tl::unexpected(ok.error());
  auto arr = detail::opt_table_array(root, "shortener", "[[shortener]]");
  if (!arr) return tl::unexpected(arr.error());
  if (*arr == nullptr) return bad(1, "no [[shortener]] entries");
  Shorteners out;
  for (const toml::node& node : **arr) {
    const toml::table& t = *node.as_table();
    const auto line = detail::line_of(t);
    if (out.entries.size() >= k_max_entries)
      return bad(line, "more than " + util::format_uint(k_max_entries) + " shorteners");
    if (auto ok = detail::check_keys(t, {"domain", "name", "source", "note"}, "[[shortener]]"); !ok)
      return tl::unexpected(ok.error());
    Shortener s;
    auto domain = detail::req_string(t, "domain", line);
    if (!domain) return tl::unexpected(domain.error());
    if (!detail::normalise_host(*domain, s.domain) || s.domain.find('.') == std::string::npos)
      return bad(*t.get("domain"), quoted(*domain) + " is not a domain name");
    auto source = detail::req_string(t, "source", line);
    if (!source) return tl::unexpected(source.error());
    s.source = *source;
    for (auto [key, field] : {std::pair{"name", &s.name}, std::pair{"note", &s.note}}) {
      auto v = detail::opt_string(t, key);
      if (!v) return tl::unexpected(v.error());
      *field = v->value_or(std::string{});
    }
    for (const auto& e : out.entries)
      if (e.domain == s.domain) return bad(*t.get("domain"), "duplicate shortener " + quoted(s.domain));
    out.entries.push_back(std::move(s));
  }
  return out;
}

}  // namespace

const Shortener* Shorteners::match(std::string_view host) const {
  for (const auto& e : entries) {
    if (host == e.domain) return &e;
    if (host.size() > e.domain.size() && host.substr(host.size() - e.domain.size()) == e.domain &&
        host[host.size() - e.domain.size() - 1] == '.')
      return &e;
  }
  return nullptr;
}

Result<Shorteners> parse_shorteners(std::string_view toml_text, std::string_view source_name) {
  return detail::parse_document<Shorteners>(toml_text, source_name, read_list);
}

Result<Shorteners> load_shorteners(const std::string& path) {
  auto text = detail::read_file(path, "shortener list");
  if (!text) return tl::unexpected(text.error());
  return parse_shorteners(*text, path);
}

}  // namespace mailrep::data
