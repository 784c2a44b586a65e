// mailrep auth DOMAIN: SPF, DKIM, DMARC, MTA-STS, TLS-RPT, BIMI records and their problems.
#include "auth_view.hpp"
#include "catalogue.hpp"
#include "context.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {

Result<CommandResult> cmd_auth(Context& ctx) {
  if (ctx.args.size() != 1) return fail(ErrorCode::invalid_input, "auth: give exactly one DOMAIN");
  auto n = dns::normalize_domain(ctx.args.front());
  if (!n.ok) return fail(ErrorCode::invalid_input, "auth: '" + util::sanitize(ctx.args.front(), 100) + "': " + n.reason);
  auto resolver = ctx.dns();
  if (!resolver) return tl::unexpected(resolver.error());
  auto options = auth_options(ctx);
  if (!options) return tl::unexpected(options.error());
  auto fetcher = ctx.http();
  if (!fetcher) return tl::unexpected(fetcher.error());
  auto task = assess::audit_domain(**resolver, *fetcher, n.name, *options);
  assess::AuthAudit audit = ctx.loop.run(std::move(task));
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);

  CommandResult r;
  r.command = "auth";
  r.data["domain"] = n.name;
  add_auth_json(r.data, audit);
  r.findings = audit.findings;
  r.text = (ctx.render.lang == report::Lang::de ? "Authentifizierung von " : "Authentication of ") + n.name + "\n" +
           auth_text(audit, ctx.render.lang);
  report::Status st = report::Status::ok;
  for (const auto& f : r.findings) st = report::worst(st, report::from_severity(f.severity));
  r.status = st;
  std::size_t crit = 0, warn = 0;
  for (const auto& f : r.findings) {
    crit += f.severity == Severity::critical;
    warn += f.severity == Severity::warning;
  }
  r.summary = n.name + ": " + std::to_string(crit) + (ctx.render.lang == report::Lang::de ? " kritisch, " : " critical, ") +
              std::to_string(warn) + (ctx.render.lang == report::Lang::de ? " Warnung(en)" : " warning(s)");
  unsigned best_bits = 0;
  for (const auto& s : audit.dkim.selectors)
    if (s.key && s.key->bits > best_bits) best_bits = s.key->bits;
  r.perf.push_back(report::Perf{"spf_lookups", static_cast<double>(audit.spf.lookups), "", "", "10", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"dkim_key_bits", static_cast<double>(best_bits), "", "", "", 0.0, std::nullopt});
  return r;
}

}  // namespace mailrep::cli
