// mailrep content [FILE|-]: what in a message or template may trip spam filters (structure, links
// and their domains on domain blocklists, headers, attachments). Links are never fetched.

#include <iostream>
#include <map>
#include <optional>

#include "address_view.hpp"
#include "catalogue.hpp"
#include "context.hpp"
#include "input.hpp"
#include "mailrep/content/content.hpp"
#include "mailrep/data/shorteners.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {

namespace {

constexpr std::size_t k_max_links_json = 1000;
constexpr std::size_t k_max_domain_lines = 50;

std::string size_text(std::size_t bytes) {
  if (bytes >= 1024u * 1024u) return util::format_double(static_cast<double>(bytes) / (1024.0 * 1024.0), 1) + " MB";
  if (bytes >= 1024) return util::format_uint((bytes + 512) / 1024) + " KB";
  return util::format_uint(bytes) + " B";
}

std::string_view kind_name(content::HostKind k) {
  switch (k) {
    case content::HostKind::name: return "name";
    case content::HostKind::ipv4: return "ipv4";
    case content::HostKind::ipv6: return "ipv6";
    case content::HostKind::none: return "none";
    case content::HostKind::malformed: return "malformed";
  }
  return "none";
}

nlohmann::json link_json(const content::Link& l, bool offline) {
  nlohmann::json j;
  j["url"] = util::sanitize(l.url.text, 2000);
  j["domain"] = util::sanitize(l.url.registered.empty() ? l.url.host : l.url.registered, 300);
  j["host"] = util::sanitize(l.url.host, 300);
  j["host_kind"] = std::string(kind_name(l.url.kind));
  j["scheme"] = l.url.scheme;
  j["source"] = std::string(content::to_string(l.source));
  j["part"] = l.part;
  if (!l.shown.empty()) j["text"] = util::sanitize(l.shown, 300);
  if (!l.shortener.empty()) j["shortener"] = l.shortener;
  if (!l.url.problem.empty()) j["problem"] = util::sanitize(l.url.problem, 300);
  j["checked"] = l.checked;
  if (offline) j["not_checked"] = "offline";
  nlohmann::json listings = nlohmann::json::array(), errors = nlohmann::json::array();
  for (const auto& r : l.listings) {
    nlohmann::json entry = listing_json(r);
    entry["subject"] = util::sanitize(r.subject, 300);
    listings.push_back(std::move(entry));
  }
  for (const auto& r : l.errors)
    errors.push_back({{"list", r.list->id}, {"zone", r.list->display_zone}, {"subject", util::sanitize(r.subject, 300)},
                      {"error", util::sanitize(r.error, 300)}});
  j["listings"] = listings;
  j["errors"] = errors;
  return j;
}

}  // namespace

Result<CommandResult> cmd_content(Context& ctx) {
  auto input = read_input(ctx.args, "content", content::max_input_bytes);
  if (!input) return tl::unexpected(input.error());
  if (util::trim(input->data).empty()) return fail(ErrorCode::invalid_input, "content: the input is empty");
  auto shorteners = data::load_shorteners(lists_file(ctx, "shorteners.toml"));
  if (!shorteners) return tl::unexpected(shorteners.error());
  const bool offline = ctx.vm.count("offline") > 0;
  const auto started = io::Clock::now();

  if (input->truncated) input->data.resize(content::max_input_bytes);  // read at most this much
  content::Analysis a = content::analyse(input->data, *shorteners, input->truncated);
  input->data.clear();
  input->data.shrink_to_fit();

  std::optional<data::Catalogue> catalogue;  // the list results point into it: it lives until the end
  content::ListPlan plan;
  bool any_domain = false;
  for (const auto& l : a.links)
    if (l.url.kind == content::HostKind::name && !l.url.registered.empty()) any_domain = true;
  if (offline) {
    if (any_domain) content::apply_offline(a);
  } else if (any_domain) {
    auto cat = load_catalogue(ctx);
    if (!cat) return tl::unexpected(cat.error());
    catalogue = std::move(*cat);
    plan = content::plan_list_checks(a, *catalogue);
    std::vector<dnsbl::ListResult> results;
    if (!plan.queries.empty()) {
      auto resolver = ctx.dns();
      if (!resolver) return tl::unexpected(resolver.error());
      auto task = content::run_list_checks(**resolver, plan.queries);
      results = ctx.loop.run(std::move(task));
      if (auto dead = ctx.unreachable_resolver()) ctx.notes.push_back(*dead);
    }
    content::apply_list_results(a, plan, results);
  }

  CommandResult r;
  r.command = "content";
  r.findings = a.findings;
  const bool de = ctx.render.lang == report::Lang::de;

  // Per registered domain (or host, for IPs and malformed hosts): its state on the lists.
  struct DomainState {
    std::size_t links = 0;
    std::vector<const dnsbl::ListResult*> listings, errors;
    bool checked = false;
    std::string kind;
  };
  std::map<std::string, DomainState> domains;
  std::vector<std::string> domain_order;
  for (const auto& l : a.links) {
    const std::string key = l.url.registered.empty() ? l.url.host : l.url.registered;
    if (key.empty()) continue;
    auto [it, inserted] = domains.try_emplace(key);
    if (inserted) domain_order.push_back(key);
    DomainState& d = it->second;
    ++d.links;
    d.checked = d.checked || l.checked;
    d.kind = std::string(kind_name(l.url.kind));
    for (const auto& x : l.listings)
      if (std::none_of(d.listings.begin(), d.listings.end(), [&](const auto* y) { return y->list == x.list && y->subject == x.subject; }))
        d.listings.push_back(&x);
    for (const auto& x : l.errors)
      if (std::none_of(d.errors.begin(), d.errors.end(), [&](const auto* y) { return y->list == x.list; })) d.errors.push_back(&x);
  }
  std::size_t listed_domains = 0, unknown_domains = 0;
  for (const auto& [k, d] : domains) {
    (void)k;
    if (!d.listings.empty()) ++listed_domains;
    else if (!d.errors.empty()) ++unknown_domains;
  }

  std::size_t crit = 0, warn = 0;
  for (const auto& f : a.findings) {
    if (f.severity == Severity::critical) ++crit;
    if (f.severity == Severity::warning) ++warn;
  }

  // ---- text: summary first ----
  std::string text;
  text += de ? "Nachricht: " : "Message: ";
  text += size_text(a.input_bytes) + (a.input_truncated ? "+" : "");
  text += ", " + util::format_uint(a.parts.size()) + (de ? " Teil(e)" : " part(s)");
  if (a.html_bytes) text += ", HTML " + size_text(a.html_bytes);
  if (a.text_bytes) text += (de ? ", Text " : ", text ") + size_text(a.text_bytes);
  if (a.attachments) text += ", " + util::format_uint(a.attachments) + (de ? " Anhang/Anhänge" : " attachment(s)");
  if (a.images) text += ", " + util::format_uint(a.images) + (de ? " Bild(er)" : " image(s)");
  if (!a.has_headers) text += de ? " (nur Inhalt, keine Header)" : " (body only, no headers)";
  text += "\n";
  text += de ? "Ergebnis: " : "Result: ";
  text += util::format_uint(crit) + (de ? " kritisch, " : " critical, ") + util::format_uint(warn) + (de ? " Warnung(en)" : " warning(s)") + "\n";
  text += "Links: " + util::format_uint(a.links.size()) + (de ? " verschiedene" : " distinct");
  if (a.links_seen > a.links.size()) text += " (" + util::format_uint(a.links_seen) + (de ? " insgesamt" : " in all") + ")";
  text += (de ? ", " : ", ") + util::format_uint(domains.size()) + (de ? " Domain(s)" : " domain(s)");
  if (offline) {
    if (any_domain) text += de ? "; Domain-Sperrlisten nicht abgefragt (--offline)" : "; domain lists not asked (--offline)";
  } else if (plan.lists > 0) {
    text += "; " + util::format_uint(plan.lists) + (de ? " Domain-Liste(n): " : " domain list(s): ") + util::format_uint(listed_domains) +
            (de ? " gelistet, " : " listed, ") + util::format_uint(unknown_domains) + (de ? " unbekannt" : " unknown");
  }
  text += "\n";
  std::size_t lines = 0;
  for (const auto& key : domain_order) {
    const DomainState& d = domains[key];
    const bool show = !d.listings.empty() || !d.errors.empty() || ctx.render.verbose;
    if (!show) continue;
    if (++lines > k_max_domain_lines) {
      text += de ? "  ... (weitere Domains in --format json)\n" : "  ... (more domains in --format json)\n";
      break;
    }
    const std::string name = util::sanitize(key, 120);
    for (const auto* l : d.listings) {
      std::vector<std::string> meanings;
      for (const auto& h : l->hits) meanings.push_back(util::sanitize(h.meaning, 200));
      text += std::string(de ? "  GELISTET  " : "  LISTED    ") + name + "  " + l->list->id + "  " + util::join(meanings, "; ") + "\n";
    }
    for (const auto* l : d.errors)
      text += std::string(de ? "  UNBEKANNT " : "  UNKNOWN   ") + name + "  " + l->list->id + "  " + util::sanitize(l->error, 200) + "\n";
    if (d.listings.empty() && d.errors.empty())
      text += std::string("            ") + name + "  " + util::format_uint(d.links) + " link(s)" +
              (d.checked ? (de ? ", nicht gelistet" : ", not listed") : (de ? ", nicht geprüft" : ", not checked")) + "\n";
  }
  r.text = text;

  // ---- json ----
  nlohmann::json links = nlohmann::json::array();
  for (std::size_t i = 0; i < a.links.size() && i < k_max_links_json; ++i) links.push_back(link_json(a.links[i], offline));
  r.data["links"] = links;
  r.data["links_total"] = a.links_seen;
  r.data["links_distinct"] = a.links.size();
  if (a.links.size() > k_max_links_json) r.data["links_omitted"] = a.links.size() - k_max_links_json;
  nlohmann::json parts = nlohmann::json::array();
  for (std::size_t i = 0; i < a.parts.size() && i < 200; ++i) {
    const auto& p = a.parts[i];
    nlohmann::json pj{{"path", p.path}, {"content_type", util::sanitize(p.content_type, 200)}, {"bytes", p.decoded_bytes}};
    if (!p.charset.empty()) pj["charset"] = util::sanitize(p.charset, 100);
    if (!p.encoding.empty()) pj["encoding"] = util::sanitize(p.encoding, 100);
    if (!p.disposition.empty()) pj["disposition"] = util::sanitize(p.disposition, 100);
    if (!p.filename.empty()) pj["filename"] = util::sanitize(p.filename, 300);
    pj["attachment"] = p.is_attachment();
    parts.push_back(pj);
  }
  r.data["parts"] = parts;
  r.data["size"] = a.input_bytes;
  r.data["truncated"] = a.input_truncated;
  r.data["headers"] = a.has_headers;
  r.data["offline"] = offline;
  r.data["lists_checked"] = plan.lists;
  r.data["domains_checked"] = plan.domains;
  r.data["listed"] = listed_domains;
  r.data["unknown"] = unknown_domains;

  // ---- status: the worst finding (an unknown lookup is a warning finding: never OK) ----
  report::Status status = report::Status::ok;
  for (const auto& f : r.findings) status = report::worst(status, report::from_severity(f.severity));
  r.status = status;
  r.summary = util::format_uint(crit) + " critical, " + util::format_uint(warn) + " warning(s); " + util::format_uint(a.links.size()) + " link(s), " +
              util::format_uint(domains.size()) + " domain(s), " + util::format_uint(listed_domains) + " listed, " + util::format_uint(unknown_domains) + " unknown" +
              (offline && any_domain ? " (offline: domain lists not asked)" : "");
  const double secs = std::chrono::duration<double>(io::Clock::now() - started).count();
  r.perf.push_back(report::Perf{"critical", static_cast<double>(crit), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"warnings", static_cast<double>(warn), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"links", static_cast<double>(a.links.size()), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"listed", static_cast<double>(listed_domains), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"unknown", static_cast<double>(unknown_domains), "", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"size", static_cast<double>(a.input_bytes), "B", "", "", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"time", secs, "s", "", "", 0.0, std::nullopt});
  r.metrics.push_back(report::Metric{"mailrep_content_findings", "Findings of the content check by severity",
                                     {{"command", "content"}, {"severity", "critical"}}, static_cast<double>(crit)});
  r.metrics.push_back(report::Metric{"mailrep_content_findings", "Findings of the content check by severity",
                                     {{"command", "content"}, {"severity", "warning"}}, static_cast<double>(warn)});
  r.metrics.push_back(report::Metric{"mailrep_content_link_domains_listed", "Link domains on a domain blocklist",
                                     {{"command", "content"}}, static_cast<double>(listed_domains)});
  r.metrics.push_back(report::Metric{"mailrep_content_link_domains_unknown", "Link domains whose list lookups failed",
                                     {{"command", "content"}}, static_cast<double>(unknown_domains)});
  return r;
}

}  // namespace mailrep::cli
