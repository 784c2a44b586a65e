/// \file Loading lists/providers.toml (toml++ and RE2 stay in src/data) and recognising a
/// provider from a domain or host name.
#include "mailrep/data/providers.hpp"

#include <algorithm>
#include <utility>

#include "mailrep/util/text.hpp"
#include "toml_read.hpp"

namespace mailrep::data {

namespace {

using detail::bad;
using detail::check_keys;
using util::format_uint;
using detail::line_of;
using detail::opt_string;
using detail::opt_table_array;
using detail::Parsed;
using detail::quoted;
using detail::req_string;

Parsed<ProviderContact> read_contact(const toml::table& parent, std::string_view key) {
  ProviderContact c;
  auto t = detail::opt_table(parent, key);
  if (!t) return tl::unexpected(t.error());
  if (*t == nullptr) return c;
  const toml::table& table = **t;
  if (auto ok = check_keys(table, {"url", "email", "phone", "note"}, "'" + std::string(key) + "'"); !ok)
    return tl::unexpected(ok.error());
  for (auto [k, field] : {std::pair{"url", &c.url}, std::pair{"email", &c.email}, std::pair{"phone", &c.phone},
                          std::pair{"note", &c.note}}) {
    auto v = opt_string(table, k);
    if (!v) return tl::unexpected(v.error());
    *field = v->value_or(std::string{});
  }
  if (!c.url.empty() && !detail::is_http_url(c.url)) return bad(*table.get("url"), quoted(c.url) + " is not an http(s) URL");
  if (!c.email.empty()) {
    const auto at = c.email.find('@');
    std::string host;
    if (at == std::string::npos || at == 0 || !detail::normalise_host(std::string_view(c.email).substr(at + 1), host))
      return bad(*table.get("email"), quoted(c.email) + " is not an e-mail address");
  }
  if (c.empty()) return bad(table, "'" + std::string(key) + "' has none of url, email, phone, note");
  return c;
}

Parsed<Provider> read_provider(const toml::table& t) {
  const auto header = line_of(t);
  if (auto ok = check_keys(t,
                           {"id", "name", "domains", "spf_includes", "submission_hosts", "outbound_hosts",
                            "outbound_patterns", "inbound_hosts", "dkim_selectors", "support", "abuse", "notes",
                            "source"},
                           "[[provider]]");
      !ok)
    return tl::unexpected(ok.error());
  Provider p;
  p.line = header;
  auto id = req_string(t, "id", header);
  if (!id) return tl::unexpected(id.error());
  if (!detail::valid_id(*id)) return bad(*t.get("id"), "id " + quoted(*id) + " must be lower-case letters, digits and '-'");
  p.id = std::move(*id);
  for (auto [key, field] : {std::pair{"name", &p.name}, std::pair{"source", &p.source}}) {
    auto v = req_string(t, key, header);
    if (!v) return tl::unexpected(v.error());
    *field = std::move(*v);
  }
  auto notes = opt_string(t, "notes");
  if (!notes) return tl::unexpected(notes.error());
  p.notes = notes->value_or(std::string{});

  for (auto [key, field] : {std::pair{"domains", &p.domains}, std::pair{"spf_includes", &p.spf_includes},
                            std::pair{"submission_hosts", &p.submission_hosts},
                            std::pair{"outbound_hosts", &p.outbound_hosts}, std::pair{"inbound_hosts", &p.inbound_hosts}}) {
    auto hosts = detail::opt_host_array(t, key);
    if (!hosts) return tl::unexpected(hosts.error());
    *field = std::move(*hosts);
  }
  auto patterns = detail::opt_pattern_array(t, "outbound_patterns", Pattern::Anchor::full);
  if (!patterns) return tl::unexpected(patterns.error());
  p.outbound_patterns = std::move(*patterns);
  if (p.domains.empty() && p.spf_includes.empty() && p.submission_hosts.empty() && p.outbound_hosts.empty() &&
      p.outbound_patterns.empty() && p.inbound_hosts.empty())
    return bad(header, "a provider needs at least one domain, host, pattern or SPF include to be recognised by");

  auto selectors = detail::opt_string_array(t, "dkim_selectors");
  if (!selectors) return tl::unexpected(selectors.error());
  for (const std::string& s : *selectors) {
    std::string label;
    if (!detail::normalise_host(s, label))
      return bad(*t.get("dkim_selectors"), "DKIM selector " + quoted(s) + " is not a valid DNS name");
  }
  p.dkim_selectors = std::move(*selectors);

  auto support = read_contact(t, "support");
  if (!support) return tl::unexpected(support.error());
  p.support = std::move(*support);
  auto abuse = read_contact(t, "abuse");
  if (!abuse) return tl::unexpected(abuse.error());
  p.abuse = std::move(*abuse);
  return p;
}

/// Every exact name a provider claims (domains, includes, hosts).
std::vector<const std::string*> claimed_names(const Provider& p) {
  std::vector<const std::string*> out;
  for (const auto* list : {&p.domains, &p.spf_includes, &p.submission_hosts, &p.outbound_hosts, &p.inbound_hosts})
    for (const std::string& n : *list) out.push_back(&n);
  return out;
}

Parsed<ProviderCatalogue> read_catalogue(const toml::table& root, std::string_view /*source_name*/) {
  if (auto ok = check_keys(root, {"provider"}, "the top level"); !ok) return tl::unexpected(ok.error());
  auto providers = opt_table_array(root, "provider", "[[provider]]");
  if (!providers) return tl::unexpected(providers.error());
  if (*providers == nullptr || (*providers)->empty()) return bad(1, "no [[provider]] tables");

  ProviderCatalogue cat;
  for (const toml::node& n : **providers) {
    const auto& table = *n.as_table();
    auto p = read_provider(table);
    if (!p) return tl::unexpected(p.error());
    const auto mine = claimed_names(*p);
    for (const Provider& earlier : cat.providers) {
      if (earlier.id == p->id)
        return bad(*table.get("id"), "duplicate id " + quoted(p->id) + " (first at line " + format_uint(earlier.line) + ")");
      for (const std::string* theirs : claimed_names(earlier))
        for (const std::string* name : mine)
          if (*name == *theirs)
            return bad(p->line, quoted(*name) + " is also claimed by provider " + quoted(earlier.id) + " (line " +
                                    format_uint(earlier.line) + ")");
    }
    cat.providers.push_back(std::move(*p));
  }
  return cat;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

/// `name` equals `domain` or lies under it (label boundary).
bool under(std::string_view name, std::string_view domain) {
  if (name.size() == domain.size()) return name == domain;
  return name.size() > domain.size() && name.ends_with(domain) && name[name.size() - domain.size() - 1] == '.';
}

}  // namespace

std::string_view to_string(ProviderMatchKind k) {
  switch (k) {
    case ProviderMatchKind::spf_include: return "spf-include";
    case ProviderMatchKind::submission_host: return "submission-host";
    case ProviderMatchKind::outbound_host: return "outbound-host";
    case ProviderMatchKind::inbound_host: return "inbound-host";
    case ProviderMatchKind::domain: return "domain";
  }
  return "domain";
}

const Provider* ProviderCatalogue::find(std::string_view id) const {
  for (const Provider& p : providers)
    if (p.id == id) return &p;
  return nullptr;
}

Result<ProviderCatalogue> parse_providers(std::string_view toml_text, std::string_view source_name) {
  return detail::parse_document<ProviderCatalogue>(toml_text, source_name, read_catalogue);
}

Result<ProviderCatalogue> load_providers(const std::string& path) {
  auto text = detail::read_file(path, "provider catalogue");
  if (!text) return tl::unexpected(text.error());
  return parse_providers(*text, path);
}

std::optional<ProviderMatch> match_provider(const ProviderCatalogue& cat, std::string_view name) {
  name = util::trim(name);
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return std::nullopt;
  const std::string key = util::lower(name);
  for (const Provider& p : cat.providers) {
    if (contains(p.spf_includes, key)) return ProviderMatch{&p, ProviderMatchKind::spf_include};
    if (contains(p.submission_hosts, key)) return ProviderMatch{&p, ProviderMatchKind::submission_host};
    if (contains(p.outbound_hosts, key)) return ProviderMatch{&p, ProviderMatchKind::outbound_host};
    if (contains(p.inbound_hosts, key)) return ProviderMatch{&p, ProviderMatchKind::inbound_host};
  }
  for (const Provider& p : cat.providers)
    for (const Pattern& pattern : p.outbound_patterns)
      if (pattern.matches(key)) return ProviderMatch{&p, ProviderMatchKind::outbound_host};
  const Provider* best = nullptr;
  std::size_t best_len = 0;
  for (const Provider& p : cat.providers)
    for (const std::string& d : p.domains)
      if (d.size() > best_len && under(key, d)) {
        best = &p;
        best_len = d.size();
      }
  if (best != nullptr) return ProviderMatch{best, ProviderMatchKind::domain};
  return std::nullopt;
}

const Provider* provider_for_domain(const ProviderCatalogue& cat, std::string_view name) {
  const auto m = match_provider(cat, name);
  return m ? m->provider : nullptr;
}

}  // namespace mailrep::data
