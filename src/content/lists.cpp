/// \file The domain-list checks of the links: plan (pure), ask (all at once), attach (pure).
#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "detail.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::content {


ListPlan plan_list_checks(const Analysis& a, const data::Catalogue& catalogue) {
  ListPlan plan;
  // Registered domains in order of first appearance; hosts below them.
  std::vector<std::string> domains;
  std::set<std::string> domain_set, host_set, skipped_domains, skipped_hosts;
  std::vector<std::string> hosts;
  for (const Link& l : a.links) {
    if (l.url.kind != HostKind::name || l.url.registered.empty()) continue;
    const std::string& reg = l.url.registered;
    if (!domain_set.count(reg)) {
      if (domains.size() >= max_domains) {
        skipped_domains.insert(reg);
        continue;
      }
      domain_set.insert(reg);
      domains.push_back(reg);
    }
    if (l.url.host != reg && !host_set.count(l.url.host)) {
      if (hosts.size() >= max_hosts) {
        skipped_hosts.insert(l.url.host);
        continue;
      }
      host_set.insert(l.url.host);
      hosts.push_back(l.url.host);
    }
  }
  plan.domains = domains.size();
  plan.domains_skipped = skipped_domains.size();
  for (const data::Blocklist& list : catalogue.lists) {
    if (list.kind != data::ListKind::domain || !list.queryable()) continue;
    ++plan.lists;
    for (const auto& d : domains) plan.queries.push_back(ListQuery{&list, d});
    if (list.query_form == data::QueryForm::host)
      for (const auto& h : hosts) plan.queries.push_back(ListQuery{&list, h});
  }
  if (plan.lists > 0) plan.hosts_skipped = skipped_hosts.size();
  return plan;
}

io::Task<std::vector<dnsbl::ListResult>> run_list_checks(dns::Resolver& resolver, std::vector<ListQuery> queries) {
  std::vector<io::Task<dnsbl::ListResult>> tasks;
  tasks.reserve(queries.size());
  for (const ListQuery& q : queries) tasks.push_back(dnsbl::check_domain(resolver, *q.list, q.subject));
  std::vector<dnsbl::ListResult> out;
  out.reserve(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    io::Task<dnsbl::ListResult>& task = tasks[i];
    dnsbl::ListResult r = co_await task;
    out.push_back(std::move(r));
  }
  co_return out;
}

void apply_list_results(Analysis& a, const ListPlan& plan, const std::vector<dnsbl::ListResult>& results) {
  if (plan.lists == 0) {
    a.findings.push_back(Finding{"content.no-domain-lists", Severity::info, Fixer::nobody, {}, "", ""});
    return;
  }
  // subject -> the answers about it (one per list)
  std::map<std::string, std::vector<const dnsbl::ListResult*>, std::less<>> by_subject;
  for (const auto& r : results) by_subject[r.subject].push_back(&r);
  for (Link& l : a.links) {
    if (l.url.kind != HostKind::name || l.url.registered.empty()) continue;
    for (const std::string* subject : {&l.url.registered, &l.url.host}) {
      if (subject == &l.url.host && l.url.host == l.url.registered) continue;
      auto it = by_subject.find(*subject);
      if (it == by_subject.end()) continue;
      for (const dnsbl::ListResult* r : it->second) {
        l.checked = true;
        if (r->state == dnsbl::State::listed) l.listings.push_back(*r);
        else if (r->state == dnsbl::State::unknown) l.errors.push_back(*r);
      }
    }
  }
  // Findings: one per listed subject and list; unknowns grouped per list.
  std::map<std::pair<std::string, std::string>, bool> done;
  for (const auto& r : results) {
    if (r.state != dnsbl::State::listed) continue;
    if (done[{r.list->id, r.subject}]) continue;
    done[{r.list->id, r.subject}] = true;
    const data::Severity s = r.severity();
    if (s == data::Severity::good) continue;
    Severity sev = s == data::Severity::critical ? Severity::critical : s == data::Severity::warning ? Severity::warning : Severity::info;
    const std::vector<std::string> meanings = r.meanings(), answers = r.answers();
    std::string example;
    std::size_t count = 0;
    for (const Link& l : a.links)
      if (l.url.registered == r.subject || l.url.host == r.subject) {
        if (count++ == 0) example = l.url.text;
      }
    Finding f{"content.link-listed", sev, Fixer::user, {}, "", r.subject};
    f.arg("domain", util::sanitize(r.subject, 200))
        .arg("list", r.list->id)
        .arg("zone", r.list->display_zone)
        .arg("meaning", util::join(meanings, "; "))
        .arg("count", util::format_uint(count))
        .arg("delist", r.list->delist.empty() ? std::string() : ": " + util::sanitize(r.list->delist, 300));
    f.evidence = r.query_name + " -> " + util::join(answers, ",") + (r.txt.empty() ? "" : " (" + r.txt + ")") +
                 (example.empty() ? "" : "\n" + example);
    a.findings.push_back(std::move(f));
  }
  std::map<std::string, std::pair<std::size_t, const dnsbl::ListResult*>> unknown;  // list id -> count, first
  for (const auto& r : results) {
    if (r.state != dnsbl::State::unknown) continue;
    auto& u = unknown[r.list->id];
    if (u.first++ == 0) u.second = &r;
  }
  for (const auto& [id, u] : unknown) {
    Finding f{"content.link-unknown", Severity::warning, Fixer::nobody, {}, "", ""};
    f.arg("list", id)
        .arg("zone", u.second->list->display_zone)
        .arg("count", util::format_uint(u.first))
        .arg("error", util::sanitize(u.second->error, 200));
    f.evidence = u.second->query_name + ": " + u.second->error;
    a.findings.push_back(std::move(f));
  }
  if (plan.domains_skipped > 0 || plan.hosts_skipped > 0) {
    Finding f{"content.domains-capped", Severity::warning, Fixer::user, {}, "", ""};
    f.arg("checked", util::format_uint(plan.domains))
        .arg("skipped", util::format_uint(plan.domains_skipped))
        .arg("hosts_skipped", util::format_uint(plan.hosts_skipped))
        .arg("limit", util::format_uint(max_domains));
    a.findings.push_back(std::move(f));
  }
}

void apply_offline(Analysis& a) {
  a.findings.push_back(Finding{"content.dns-skipped", Severity::info, Fixer::nobody, {}, "", ""});
}

}  // namespace mailrep::content
