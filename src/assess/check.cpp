#include "mailrep/assess/check.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::assess {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::likely_accepted: return "likely-accepted";
    case Verdict::at_risk: return "at-risk";
    case Verdict::likely_rejected: return "likely-rejected";
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(Reason::State s) {
  switch (s) {
    case Reason::State::pass: return "pass";
    case Reason::State::fail: return "fail";
    case Reason::State::unknown: return "unknown";
    case Reason::State::not_checked: return "not-checked";
  }
  return "not-checked";
}

// ---- score -------------------------------------------------------------------------------------
// Published weights (README "Score"). A finding id not in the table weighs by its severity:
// critical 15, warning 5, info 0. Listings weigh their list's weight.
namespace {
struct Weight {
  std::string_view id;
  int points;
};
constexpr Weight k_weights[] = {
    {"rdns.no-ptr", 25},           {"rdns.not-confirmed", 15},    {"rdns.generic", 15},
    {"rdns.unknown", 2},           {"dnsbl.unknown", 2},          {"dnsbl.resolver-blocked", 0},
    {"dnsbl.list-set-aside", 0},   {"dnsbl.allowlisted", 0},      {"imprint.missing", 10},
    {"imprint.unreachable", 5},    {"spf.no-record", 20},         {"spf.too-many-lookups", 15},
    {"spf.syntax", 15},            {"spf.multiple-records", 15},  {"spf.plus-all", 20},
    {"spf.loop", 15},              {"spf.temperror", 3},          {"spf.void-lookups", 5},
    {"spf.neutral-all", 5},        {"spf.ptr-deprecated", 3},     {"spf.include-no-spf", 5},
    {"dmarc.missing", 10},         {"dmarc.p-none", 5},           {"dmarc.syntax", 8},
    {"dmarc.multiple", 8},         {"dmarc.unusable", 8},         {"dmarc.dns-error", 2},
    {"dkim.none-found", 5},        {"dkim.key-broken", 15},       {"dkim.key-weak", 5},
    {"dkim.revoked", 0},           {"dkim.dns-error", 2},         {"mx.missing", 5},
    {"domain.nxdomain", 60},       {"mx.unknown", 2},             {"outbound.none", 10},
    {"mtasts.missing", 0},         {"tlsrpt.missing", 0},         {"bimi.missing", 0},
};
}  // namespace

int finding_weight(const Finding& f) {
  if (f.id == "dnsbl.listed") {
    auto w = util::parse_uint(f.get("weight"), 100);
    return w ? static_cast<int>(*w) : 20;
  }
  for (const auto& w : k_weights)
    if (w.id == f.id) return w.points;
  switch (f.severity) {
    case Severity::critical: return 15;
    case Severity::warning: return 5;
    case Severity::info: return 0;
  }
  return 0;
}

int score_findings(const std::vector<Finding>& findings, std::vector<std::pair<std::string, int>>* deductions) {
  int score = 100;
  for (const auto& f : findings) {
    int w = finding_weight(f);
    if (w <= 0) continue;
    score -= w;
    if (deductions) deductions->emplace_back(f.id + (f.subject.empty() ? "" : " " + f.subject), w);
  }
  return std::max(0, score);
}

// ---- receivers ---------------------------------------------------------------------------------
namespace {

struct Facts {
  bool any_outbound = false;
  // over the addresses that matter (high/medium confidence, or all when none is)
  int addresses = 0, no_ptr = 0, not_confirmed = 0, rdns_unknown = 0, generic = 0;
  int listed_critical = 0, listed_other = 0, dnsbl_unknown = 0;
  int imprint_found = 0, imprint_missing = 0, imprint_unknown = 0;
  bool spf_ok = false, spf_present = false, spf_unknown = false;
  bool dkim_found = false, dkim_weak = false, dkim_unknown = true;
  bool dmarc_present = false, dmarc_enforcing = false, dmarc_unknown = false;
  bool domain_mx = false, domain_exists = true;
  std::vector<std::string> generic_names, listed_lists, missing_ptr, unconfirmed;
};

bool has(const std::vector<Finding>& fs, std::string_view id) {
  return std::any_of(fs.begin(), fs.end(), [&](const Finding& f) { return f.id == id; });
}

Facts gather(const CheckReport& r) {
  Facts f;
  std::set<std::string> important;
  for (const auto& o : r.discovery.outbound)
    if (o.confidence != discover::Confidence::low) important.insert(o.address.to_string());
  f.any_outbound = !r.scan.addresses.empty();
  for (const auto& a : r.scan.addresses) {
    std::string addr = a.address.to_string();
    if (!important.empty() && !important.count(addr)) continue;
    ++f.addresses;
    switch (a.rdns.fcrdns) {
      case rdns::Fcrdns::no_ptr: ++f.no_ptr; f.missing_ptr.push_back(addr); break;
      case rdns::Fcrdns::not_confirmed: ++f.not_confirmed; f.unconfirmed.push_back(addr); break;
      case rdns::Fcrdns::unknown: ++f.rdns_unknown; break;
      case rdns::Fcrdns::confirmed: break;
    }
    if (!a.generic_reason.empty()) {
      ++f.generic;
      f.generic_names.push_back(a.rdns.ptr.empty() ? addr : a.rdns.ptr.front());
    }
    for (const auto& l : a.listings) {
      (l.severity() == data::Severity::critical ? f.listed_critical : f.listed_other)++;
      f.listed_lists.push_back(addr + " on " + l.list->id);
    }
    if (!a.errors.empty()) ++f.dnsbl_unknown;
  }
  for (const auto& i : r.imprints) {
    if (i.state == ImprintState::found) ++f.imprint_found;
    else if (i.state == ImprintState::not_found) ++f.imprint_missing;
    else ++f.imprint_unknown;
  }
  const auto& spf = r.auth.spf;
  f.spf_present = !spf.record.empty();
  f.spf_unknown = has(spf.findings, "spf.temperror");
  f.spf_ok = f.spf_present && !has(spf.findings, "spf.syntax") && !has(spf.findings, "spf.too-many-lookups") &&
             !has(spf.findings, "spf.multiple-records") && !has(spf.findings, "spf.loop");
  f.dkim_found = r.auth.dkim.found_count() > 0;
  f.dkim_unknown = !f.dkim_found;  // selectors cannot be enumerated: not finding one proves nothing
  f.dkim_weak = has(r.auth.dkim.findings, "dkim.key-weak") || has(r.auth.dkim.findings, "dkim.key-broken");
  const auto* rec = r.auth.dmarc.discovery.record();
  f.dmarc_present = rec != nullptr;
  f.dmarc_unknown = !r.auth.dmarc.discovery.complete;
  f.dmarc_enforcing = rec && !has(r.auth.dmarc.findings, "dmarc.p-none");
  f.domain_mx = r.auth.mx.outcome == dns::Outcome::answer;
  f.domain_exists = r.auth.mx.outcome != dns::Outcome::nxdomain;
  return f;
}

Reason judge(const data::Requirement& req, const Facts& f) {
  Reason r;
  r.requirement = req.id;
  r.severity = req.severity;
  r.text_en = req.text_en;
  r.text_de = req.text_de;
  using S = Reason::State;
  auto list = [](const std::vector<std::string>& v) { return util::join(v, ", "); };
  const std::string& id = req.id;
  auto addr_rule = [&](int bad, const std::vector<std::string>& which, const std::string& what) {
    if (!f.any_outbound || f.addresses == 0) {
      r.state = S::unknown;
      r.evidence = "no sending address found to check";
    } else if (bad > 0) {
      r.state = S::fail;
      r.evidence = what + ": " + list(which);
    } else if (f.rdns_unknown > 0 && (id == "ptr" || id == "fcrdns")) {
      r.state = S::unknown;
      r.evidence = "reverse DNS could not be checked for some addresses";
    } else {
      r.state = S::pass;
      r.evidence = "all " + std::to_string(f.addresses) + " checked sending address(es) pass";
    }
  };
  if (id == "ptr") addr_rule(f.no_ptr, f.missing_ptr, "no PTR");
  else if (id == "fcrdns" || id == "helo-fqdn") {
    std::vector<std::string> bad = f.missing_ptr;
    bad.insert(bad.end(), f.unconfirmed.begin(), f.unconfirmed.end());
    addr_rule(f.no_ptr + f.not_confirmed, bad, "not forward-confirmed");
  } else if (id == "ptr-not-generic" || id == "no-dynamic-ip") addr_rule(f.generic, f.generic_names, "generic PTR");
  else if (id == "not-blocklisted" || id == "known-reputation") {
    addr_rule(f.listed_critical + f.listed_other, f.listed_lists, "listed");
    if (r.state == S::pass && f.dnsbl_unknown > 0) {
      r.state = S::unknown;
      r.evidence = "some blocklists could not be asked";
    }
    if (id == "known-reputation" && r.state == S::pass)
      r.evidence += "; the receiver's own reputation data is not visible from outside";
  } else if (id == "imprint") {
    if (f.imprint_found > 0 && f.imprint_missing == 0) {
      r.state = S::pass;
      r.evidence = "imprint/contact page found on the PTR domain's website";
    } else if (f.imprint_missing > 0) {
      r.state = S::fail;
      r.evidence = "no imprint/contact page found on the PTR domain's website";
    } else {
      r.state = S::unknown;
      r.evidence = f.imprint_unknown ? "the PTR domain's website could not be fetched" : "no PTR domain to check";
    }
  } else if (id == "spf") {
    r.state = f.spf_unknown ? S::unknown : f.spf_ok ? S::pass : S::fail;
    r.evidence = f.spf_present ? (f.spf_ok ? "SPF record valid" : "SPF record broken") : "no SPF record";
  } else if (id == "spf-or-dkim") {
    r.state = f.spf_ok || f.dkim_found ? S::pass : (f.dkim_unknown ? S::unknown : S::fail);
    r.evidence = f.spf_ok ? "SPF record valid" : f.dkim_found ? "DKIM key found" : "no valid SPF, no DKIM key found";
  } else if (id == "spf-and-dkim" && !f.spf_ok) {
    r.state = S::fail;
    r.evidence = "no valid SPF record";
  } else if (id == "spf-and-dkim" || id == "dkim-aligned" || id == "dkim-strict-alignment") {
    if (f.dkim_found) {
      // A key under the domain itself means mail can carry d=<domain> (strictly aligned). Whether the
      // signatures actually do is only visible in a received message (mailrep bounce on a copy).
      r.state = S::pass;
      r.evidence = id == "spf-and-dkim" ? "SPF valid and a DKIM key published"
                                        : "a DKIM key is published for the domain itself (d= can equal the From domain); "
                                          "check a received copy to see that mail is signed with it";
    } else {
      r.state = S::unknown;
      r.evidence = "no DKIM key found under the common selectors (selectors cannot be listed: give --selector)";
    }
  } else if (id == "dkim-key-size") {
    r.state = f.dkim_weak ? S::fail : f.dkim_found ? S::pass : S::unknown;
    r.evidence = f.dkim_weak ? "a DKIM key is shorter than 2048 bits" : f.dkim_found ? "DKIM key sizes fine" : "no DKIM key found";
  } else if (id == "dmarc" || id == "dmarc-aligned") {
    r.state = f.dmarc_unknown ? S::unknown : f.dmarc_present ? S::pass : S::fail;
    r.evidence = f.dmarc_present ? (f.dmarc_enforcing ? "DMARC record with an enforcing policy" : "DMARC record (p=none)")
                                 : "no DMARC record";
  } else if (id == "sender-domain-mx" || id == "sender-domain-soa") {
    r.state = !f.domain_exists ? S::fail : (f.domain_mx || id == "sender-domain-soa") ? S::pass : S::fail;
    r.evidence = !f.domain_exists ? "the domain does not exist" : f.domain_mx ? "the domain has MX records" : "the domain has no MX";
  } else {
    r.state = S::not_checked;
    r.evidence = "not visible in DNS; depends on the messages sent";
  }
  return r;
}

}  // namespace

std::vector<ReceiverVerdict> judge_receivers(const data::ReceiverCatalogue& receivers, const CheckReport& report) {
  Facts facts = gather(report);
  std::vector<ReceiverVerdict> out;
  for (const auto& recv : receivers.receivers) {
    ReceiverVerdict v;
    v.receiver = &recv;
    bool fail_critical = false, fail_other = false, unknown_important = false;
    int checked = 0;
    for (const auto& req : recv.requirements) {
      Reason r = judge(req, facts);
      // Rules for bulk senders only (Gmail/Yahoo 5,000+ a day) cannot reject a small sender on their
      // own: a failure puts it at risk, an unknown changes nothing.
      bool bulk = req.applies_to == data::Audience::bulk;
      if (r.state == Reason::State::fail) {
        (req.severity == Severity::critical && !bulk ? fail_critical : fail_other) = true;
      } else if (r.state == Reason::State::unknown && req.severity == Severity::critical && !bulk) {
        unknown_important = true;
      }
      if (r.state != Reason::State::not_checked) ++checked;
      v.reasons.push_back(std::move(r));
    }
    if (!facts.any_outbound && checked == 0) v.verdict = Verdict::unknown;
    else if (fail_critical) v.verdict = Verdict::likely_rejected;
    else if (fail_other || unknown_important) v.verdict = Verdict::at_risk;
    else if (checked == 0) v.verdict = Verdict::unknown;
    else v.verdict = Verdict::likely_accepted;
    // Reasons that matter first: failures, then unknowns, then passes, then what DNS cannot show.
    std::stable_sort(v.reasons.begin(), v.reasons.end(), [](const Reason& a, const Reason& b) {
      auto rank = [](Reason::State s) {
        switch (s) {
          case Reason::State::fail: return 0;
          case Reason::State::unknown: return 1;
          case Reason::State::pass: return 2;
          case Reason::State::not_checked: return 3;
        }
        return 3;
      };
      return rank(a.state) < rank(b.state);
    });
    out.push_back(std::move(v));
  }
  return out;
}

// ---- the run -------------------------------------------------------------------------------------

namespace {

/// The imprint check for the registered domains of the PTR names of `addresses` (at most 4).
io::Task<std::vector<ImprintResult>> imprints_for(dns::Resolver& resolver, http::Fetcher* fetcher,
                                                   std::vector<util::IpAddress> addresses) {
  std::vector<ImprintResult> out;
  if (!fetcher) co_return out;
  std::vector<io::Task<dns::Answer>> ptrs;
  for (const auto& ip : addresses) ptrs.push_back(resolver.lookup(dns::Query{ip.ptr_name(), dns::RrType::ptr}));
  std::set<std::string> domains;
  for (auto& t : ptrs) {
    dns::Answer a = co_await t;
    for (const auto& rec : a.records) {
      std::string reg = util::registered_domain(rec.text);
      if (!reg.empty() && domains.size() < 4) domains.insert(reg);
    }
  }
  std::vector<io::Task<ImprintResult>> fetches;
  for (const auto& d : domains) fetches.push_back(check_imprint(*fetcher, d));
  for (auto& t : fetches) {
    ImprintResult r = co_await t;
    out.push_back(std::move(r));
  }
  co_return out;
}

}  // namespace

io::Task<CheckReport> run_check(dns::Resolver& resolver, http::Fetcher* fetcher, io::Loop& loop, CheckInput input) {
  auto start = io::Clock::now();
  CheckReport report;
  report.domain = input.domain;

  // The blocklists' health probes depend on nothing: start them now, so that phase 3 finds their
  // answers in the resolver's cache instead of waiting another round trip for them.
  std::vector<io::Task<dnsbl::HealthResult>> early_probes;
  if (input.blocklists)
    for (const auto& list : input.blocklists->lists)
      if (list.queryable() && (list.kind == data::ListKind::ip || list.kind == data::ListKind::allow_ip))
        early_probes.push_back(dnsbl::probe(resolver, list, true));

  // Discovery's lookups that need only the domain (SRV, their targets, common submission names)
  // depend on nothing either: they run alongside the audit, and phase 2 finds them answered.
  auto discovery_prefetch = discover::prefetch(resolver, input.domain);

  // Phase 1: the domain's records (all lookups together inside).
  auto audit_task = audit_domain(resolver, fetcher, input.domain, input.auth);
  report.auth = co_await audit_task;

  // Phase 2: which addresses send.
  discover::Input din;
  din.domain = input.domain;
  din.providers = input.providers;
  din.spf = &report.auth.spf;
  for (const auto& h : report.auth.mx.hosts) din.mx.push_back(discover::MxHostInput{h.host, h.addresses});
  din.extra = input.extra_ips;
  din.max_addresses = input.max_addresses;
  auto disc_task = discover::discover(resolver, din);
  report.discovery = co_await disc_task;

  // Phase 3: every address against reverse DNS and the blocklists, and - at the same time - T-Online's
  // imprint rule for the registered domains of the sending hosts' PTR names (those PTR lookups are
  // the scan's own, shared through the resolver).
  std::vector<Target> targets;
  std::vector<util::IpAddress> important;
  for (const auto& o : report.discovery.outbound) {
    Target t;
    t.input = o.address.to_string();
    t.cidr = util::Cidr{o.address, o.address.max_prefix()};
    targets.push_back(std::move(t));
    if (o.confidence != discover::Confidence::low) important.push_back(o.address);
  }
  if (important.empty())
    for (const auto& o : report.discovery.outbound) important.push_back(o.address);
  auto imprint_task = imprints_for(resolver, fetcher, important);
  if (input.blocklists && !targets.empty()) {
    ScanOptions so;
    so.window = input.window;
    so.max_addresses = input.max_addresses;
    auto scan_task = scan_addresses(resolver, loop, *input.blocklists, targets, so);
    report.scan = co_await scan_task;
  }
  report.imprints = co_await imprint_task;
  co_await discovery_prefetch;  // long done: discover() asked the same names

  // Findings.
  for (const auto& f : report.auth.findings) report.findings.push_back(f);
  if (report.discovery.outbound.empty()) {
    Finding f = make_finding("outbound.none", Severity::warning, Fixer::user, input.domain);
    f.arg("domain", input.domain);
    report.findings.push_back(std::move(f));
  }
  std::map<std::string, const discover::Outbound*> by_addr;
  for (const auto& o : report.discovery.outbound) by_addr[o.address.to_string()] = &o;
  for (const auto& a : report.scan.addresses) {
    auto it = by_addr.find(a.address.to_string());
    bool low = it != by_addr.end() && it->second->confidence == discover::Confidence::low;
    for (auto& f : address_findings(a)) {
      // Addresses found only by weak evidence (MX hosts, common names, SPF samples) cannot fail
      // the check on their own: their findings are shown, one level lower.
      if (low && f.severity == Severity::critical) f.severity = Severity::warning;
      else if (low && f.severity == Severity::warning && f.id.rfind("rdns.", 0) == 0) f.severity = Severity::info;
      if (f.id == "dnsbl.listed") {
        for (const auto& l : a.listings)
          if (f.get("list") == l.list->name) {
            unsigned w = l.list->weight;
            for (const auto& h : l.hits)
              for (const auto& rule : l.list->answers)
                if (rule.meaning == h.meaning && rule.weight) w = std::max(w, rule.weight);
            f.arg("weight", std::to_string(low ? w / 2 : w));
          }
      }
      report.findings.push_back(std::move(f));
    }
  }
  for (auto& f : list_findings(report.scan)) report.findings.push_back(std::move(f));
  for (const auto& i : report.imprints) {
    if (i.state == ImprintState::found) continue;
    Finding f = make_finding(i.state == ImprintState::not_found ? "imprint.missing" : "imprint.unreachable", Severity::warning,
                       Fixer::provider, i.domain);
    f.arg("domain", i.domain).arg("evidence", i.evidence);
    f.evidence = i.url.empty() ? i.evidence : i.url;
    report.findings.push_back(std::move(f));
  }
  report.score = score_findings(report.findings, &report.deductions);
  if (input.receivers) report.receivers = judge_receivers(*input.receivers, report);
  report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - start);
  co_return report;
}

}  // namespace mailrep::assess
