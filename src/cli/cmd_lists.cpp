// mailrep lists [--probe]: the catalogue, and with --probe the health of every enabled list.
#include "catalogue.hpp"
#include "context.hpp"
#include "mailrep/dnsbl/dnsbl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {
namespace {

io::Task<std::vector<dnsbl::HealthResult>> probe_all(dns::Resolver& resolver, std::vector<const data::Blocklist*> lists) {
  std::vector<io::Task<dnsbl::HealthResult>> tasks;
  for (const auto* l : lists) tasks.push_back(dnsbl::probe(resolver, *l, false));
  std::vector<dnsbl::HealthResult> out;
  for (auto& t : tasks) {
    dnsbl::HealthResult h = co_await t;
    out.push_back(std::move(h));
  }
  co_return out;
}

std::string pad(std::string s, std::size_t n) {
  if (s.size() < n) s += std::string(n - s.size(), ' ');
  return s;
}

}  // namespace

Result<CommandResult> cmd_lists(Context& ctx) {
  if (!ctx.args.empty()) return fail(ErrorCode::invalid_input, "lists takes no arguments");
  auto cat = load_catalogue(ctx);
  if (!cat) return tl::unexpected(cat.error());
  bool probe = ctx.vm.count("probe") > 0;
  bool de = ctx.render.lang == report::Lang::de;

  CommandResult r;
  r.command = "lists";
  std::vector<const data::Blocklist*> probed;
  for (const auto& l : cat->lists)
    if (l.queryable()) probed.push_back(&l);
  std::vector<dnsbl::HealthResult> health;
  if (probe) {
    auto resolver = ctx.dns();
    if (!resolver) return tl::unexpected(resolver.error());
    health = ctx.loop.run(probe_all(**resolver, probed));
  }
  auto health_of = [&](const data::Blocklist* l) -> const dnsbl::HealthResult* {
    for (const auto& h : health)
      if (h.list == l) return &h;
    return nullptr;
  };

  nlohmann::json lists = nlohmann::json::array();
  std::string text;
  std::size_t healthy = 0, answered = 0;
  bool resolver_blocked = false;
  for (const auto& l : cat->lists) {
    nlohmann::json j{{"id", l.id}, {"name", l.name}, {"zone", l.display_zone}, {"kind", std::string(data::to_string(l.kind))},
                     {"enabled", l.queryable()}, {"ipv6", l.ipv6}, {"weight", l.weight}};
    if (l.dead) j["dead"] = l.dead_reason;
    if (!l.requires_key.empty()) j["requires_key"] = l.requires_key;
    if (!l.delist.empty()) j["delist"] = l.delist;
    if (!l.access.empty()) j["access"] = l.access;
    std::string state = l.dead ? (de ? "tot" : "dead") : l.queryable() ? (de ? "aktiv" : "on") : (de ? "aus" : "off");
    std::string line = "  " + pad(l.id, 24) + pad(l.display_zone, 34) + pad(std::string(data::to_string(l.kind)), 13) + pad(state, 6);
    if (const auto* h = health_of(&l)) {
      j["health"] = std::string(dnsbl::to_string(h->health));
      j["detail"] = h->detail;
      line += pad(std::string(dnsbl::to_string(h->health)), 17) + h->detail;
      healthy += h->health == dnsbl::Health::healthy;
      // Probed = some server answered for the list: not silence, not a REFUSED rcode (a documented
      // error code is an answer: the list itself refuses the resolver).
      answered += h->health != dnsbl::Health::timeout && (h->health != dnsbl::Health::refused || h->resolver_blocked);
      resolver_blocked = resolver_blocked || h->resolver_blocked;
      if (h->health != dnsbl::Health::healthy) {
        Finding f;
        f.id = h->resolver_blocked ? "dnsbl.resolver-blocked" : "dnsbl.list-set-aside";
        f.severity = Severity::warning;
        f.who_can_fix = Fixer::user;
        f.arg("list", l.name).arg("health", std::string(dnsbl::to_string(h->health))).arg("detail", h->detail);
        f.evidence = l.display_zone;
        r.findings.push_back(std::move(f));
      }
    } else if (l.dead) {
      line += l.dead_reason;
    }
    text += line + "\n";
    lists.push_back(j);
  }
  r.data["lists"] = lists;
  r.text = (de ? "Konfigurierte Listen (" : "Configured lists (") + std::to_string(cat->lists.size()) + ", " +
           std::to_string(probed.size()) + (de ? " aktiv):\n" : " enabled):\n") + text;
  if (!probe) {
    r.status = report::Status::ok;
    r.summary = std::to_string(probed.size()) + " enabled list(s)";
    return r;
  }
  // Exit 0 all healthy, 1 some not, 3 none could be probed (DESIGN.md).
  if (probed.empty() || answered == 0) r.status = report::Status::unknown;
  else if (healthy == probed.size()) r.status = report::Status::ok;
  else r.status = report::Status::warning;
  r.summary = std::to_string(healthy) + "/" + std::to_string(probed.size()) + " list(s) healthy";
  if (resolver_blocked) r.summary += de ? "; der Resolver wird abgewiesen" : "; the resolver is refused by some lists";
  r.perf.push_back(report::Perf{"healthy", static_cast<double>(healthy), "", "", "", 0.0, static_cast<double>(probed.size())});
  r.perf.push_back(report::Perf{"lists", static_cast<double>(probed.size()), "", "", "", 0.0, std::nullopt});
  for (const auto& h : health)
    r.metrics.push_back(report::Metric{"mailrep_list_healthy", "1 when the list's RFC 5782 test points answer correctly",
                                       {{"list", h.list->id}}, h.health == dnsbl::Health::healthy ? 1.0 : 0.0});
  return r;
}

}  // namespace mailrep::cli
