// mailrep spf [DOMAIN] [--ip IP --sender ADDR --helo NAME]
#include "auth_view.hpp"
#include "context.hpp"
#include "mailrep/auth/spf/check_host.hpp"
#include "mailrep/auth/spf/lint.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::cli {
namespace {

report::Status status_of(auth::spf::SpfResult r) {
  using R = auth::spf::SpfResult;
  switch (r) {
    case R::pass: case R::none: case R::neutral: return report::Status::ok;
    case R::softfail: return report::Status::warning;
    case R::fail: case R::permerror: return report::Status::critical;
    case R::temperror: return report::Status::unknown;
  }
  return report::Status::unknown;
}

Result<CommandResult> evaluate(Context& ctx, dns::Resolver& resolver) {
  auto ips = ctx.vm["ip"].as<std::vector<std::string>>();
  if (ips.size() != 1) return fail(ErrorCode::invalid_input, "spf: give exactly one --ip");
  auto ip = util::IpAddress::parse(ips.front());
  if (!ip) return fail(ErrorCode::invalid_input, "spf: '" + util::sanitize(ips.front(), 80) + "' is not an IP address");
  std::string sender = ctx.vm.count("sender") ? ctx.vm["sender"].as<std::string>() : "";
  std::string helo = ctx.vm.count("helo") ? ctx.vm["helo"].as<std::string>() : "";
  if (ctx.args.size() > 1) return fail(ErrorCode::invalid_input, "spf: at most one DOMAIN");
  auth::spf::CheckHostInput in = auth::spf::input_from_envelope(*ip, sender, helo);
  if (!ctx.args.empty()) {
    auto n = dns::normalize_domain(ctx.args.front());
    if (!n.ok) return fail(ErrorCode::invalid_input, "spf: '" + util::sanitize(ctx.args.front(), 100) + "': " + n.reason);
    in.domain = n.name;
    if (sender.empty()) in.sender = "postmaster@" + n.name;
  }
  if (in.domain.empty()) return fail(ErrorCode::invalid_input, "spf: --ip needs --sender ADDR, --helo NAME or a DOMAIN");
  auto task = auth::spf::check_host(resolver, in);
  auth::spf::SpfOutcome o = ctx.loop.run(std::move(task));

  CommandResult r;
  r.command = "spf";
  r.status = status_of(o.result);
  std::string result(auth::spf::to_string(o.result));
  r.data["result"] = result;
  r.data["explanation"] = util::sanitize(o.explanation);
  r.data["mechanism"] = util::sanitize(o.mechanism);
  r.data["domain"] = o.domain;
  r.data["ip"] = ip->to_string();
  r.data["sender"] = util::sanitize(in.sender);
  r.data["lookups"] = o.lookups;
  r.data["void_lookups"] = o.void_lookups;
  if (!o.problem.empty()) r.data["problem"] = util::sanitize(o.problem);
  if (!o.detail.empty()) r.data["detail"] = util::sanitize(o.detail);
  bool de = ctx.render.lang == report::Lang::de;
  r.text = "SPF " + result + (de ? " für " : " for ") + ip->to_string() + (de ? " als " : " as ") + util::sanitize(in.sender) +
           " (" + o.domain + ")\n";
  if (!o.mechanism.empty()) r.text += (de ? "  Mechanismus: " : "  mechanism: ") + util::sanitize(o.mechanism) + "\n";
  if (!o.explanation.empty()) r.text += (de ? "  Erklärung: " : "  explanation: ") + util::sanitize(o.explanation) + "\n";
  if (!o.problem.empty()) r.text += (de ? "  Problem: " : "  problem: ") + util::sanitize(o.problem) + "\n";
  r.text += (de ? "  DNS-Abfragen: " : "  DNS lookups: ") + std::to_string(o.lookups) + (de ? ", leere: " : ", void: ") +
            std::to_string(o.void_lookups) + "\n";
  r.summary = "SPF " + result + " for " + ip->to_string() + " (" + o.domain + ")";
  r.perf.push_back(report::Perf{"spf_lookups", static_cast<double>(o.lookups), "", "", "", 0.0, 10.0});
  return r;
}

Result<CommandResult> lint_domain(Context& ctx, dns::Resolver& resolver) {
  if (ctx.args.size() != 1) return fail(ErrorCode::invalid_input, "spf: give a DOMAIN (or --ip with --sender/--helo)");
  auto n = dns::normalize_domain(ctx.args.front());
  if (!n.ok) return fail(ErrorCode::invalid_input, "spf: '" + util::sanitize(ctx.args.front(), 100) + "': " + n.reason);
  auto task = auth::spf::lint(resolver, n.name);
  auth::spf::SpfReport rep = ctx.loop.run(std::move(task));
  if (auto dead = ctx.unreachable_resolver()) return fail(ErrorCode::dns, *dead);

  CommandResult r;
  r.command = "spf";
  r.findings = rep.findings;
  r.data = spf_json(rep);
  bool de = ctx.render.lang == report::Lang::de;
  r.text = (de ? "SPF von " : "SPF of ") + n.name + ": " +
           (rep.record.empty() ? std::string(de ? "kein Eintrag" : "no record") : "\"" + util::sanitize(rep.record, 600) + "\"") + "\n";
  r.text += (de ? "DNS-Abfragen (schlimmster Fall, Grenze 10): " : "DNS lookups (worst case, limit 10): ") +
            std::to_string(rep.lookups) + (de ? ", leere Abfragen: " : ", void lookups: ") + std::to_string(rep.void_lookups) + "\n";
  if (!rep.record.empty()) {
    r.text += de ? "\nBaum:\n" : "\nTree:\n";
    r.text += spf_tree_text(rep.tree, 1);
  }
  if (!rep.networks.empty()) {
    r.text += de ? "\nErlaubte Netze:\n" : "\nAuthorised networks:\n";
    for (const auto& net : rep.networks) r.text += "  " + net.cidr.to_string() + "  (" + util::sanitize(net.origin, 300) + ")\n";
  }
  report::Status st = report::Status::ok;
  for (const auto& f : rep.findings) st = report::worst(st, report::from_severity(f.severity));
  if (!rep.complete) st = report::worst(st, report::Status::warning);
  r.status = st;
  r.summary = n.name + ": " + (rep.record.empty() ? std::string("no SPF record") : std::to_string(rep.lookups) + " lookups, " +
                                                         std::to_string(rep.networks.size()) + " networks, " +
                                                         std::to_string(rep.findings.size()) + " finding(s)");
  r.perf.push_back(report::Perf{"spf_lookups", static_cast<double>(rep.lookups), "", "", "10", 0.0, std::nullopt});
  r.perf.push_back(report::Perf{"void_lookups", static_cast<double>(rep.void_lookups), "", "", "2", 0.0, std::nullopt});
  r.metrics.push_back(report::Metric{"mailrep_spf_lookups", "SPF DNS lookups (RFC 7208 4.6.4, worst case)", {{"domain", n.name}},
                                     static_cast<double>(rep.lookups)});
  return r;
}

}  // namespace

Result<CommandResult> cmd_spf(Context& ctx) {
  auto resolver = ctx.dns();
  if (!resolver) return tl::unexpected(resolver.error());
  if (ctx.vm.count("ip")) return evaluate(ctx, **resolver);
  return lint_domain(ctx, **resolver);
}

}  // namespace mailrep::cli
