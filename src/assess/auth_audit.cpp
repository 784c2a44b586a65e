#include "mailrep/assess/auth_audit.hpp"

#include <algorithm>

#include "mailrep/util/text.hpp"

namespace mailrep::assess {
namespace {

/// MTA-STS policy over HTTPS (RFC 8461 3.3: https only, certificate checked, no redirects).
class FetcherPolicySource final : public auth::mtasts::PolicySource {
public:
  explicit FetcherPolicySource(http::Fetcher* fetcher) : m_fetcher(fetcher) {}
  io::Task<auth::mtasts::FetchedPolicy> fetch(std::string domain) override {
    auth::mtasts::FetchedPolicy out;
    if (!m_fetcher) {
      out.error = "HTTPS fetches are not available in this run";
      co_return out;
    }
    http::Request req;
    req.url = "https://mta-sts." + domain + "/.well-known/mta-sts.txt";
    req.follow_redirects = false;
    req.max_bytes = auth::mtasts::k_max_policy_bytes;
    req.timeout = std::chrono::milliseconds(10000);
    auto task = m_fetcher->fetch(req);
    http::Response r = co_await task;
    out.ok = r.outcome == http::Outcome::ok || r.outcome == http::Outcome::http_error ||
             r.outcome == http::Outcome::redirect_refused;
    out.status = r.status;
    out.content_type = r.content_type;
    out.body = std::move(r.body);
    if (!out.ok || r.outcome != http::Outcome::ok)
      out.error = std::string(http::to_string(r.outcome)) + (r.detail.empty() ? "" : ": " + r.detail);
    co_return out;
  }

private:
  http::Fetcher* m_fetcher;
};

}  // namespace

io::Task<MxInfo> lookup_mx(dns::Resolver& resolver, std::string domain) {
  MxInfo info;
  auto mx_task = resolver.lookup(dns::Query{domain, dns::RrType::mx});
  dns::Answer mx = co_await mx_task;
  info.outcome = mx.outcome;
  info.detail = mx.detail;
  if (mx.outcome != dns::Outcome::answer) co_return info;
  std::vector<dns::Record> recs = mx.records;
  std::stable_sort(recs.begin(), recs.end(), [](const dns::Record& a, const dns::Record& b) { return a.priority < b.priority; });
  if (recs.size() == 1 && (recs[0].text.empty() || recs[0].text == ".")) {
    info.null_mx = true;
    co_return info;
  }
  if (recs.size() > 10) recs.resize(10);
  std::vector<io::Task<dns::Answer>> a4, a6;
  for (const auto& r : recs) {
    a4.push_back(resolver.lookup(dns::Query{r.text, dns::RrType::a}));
    a6.push_back(resolver.lookup(dns::Query{r.text, dns::RrType::aaaa}));
  }
  for (std::size_t i = 0; i < recs.size(); ++i) {
    MxHost h;
    h.host = util::sanitize(recs[i].text, 260);
    h.priority = recs[i].priority;
    auto& t4 = a4[i];
    auto& t6 = a6[i];
    dns::Answer r4 = co_await t4;
    dns::Answer r6 = co_await t6;
    for (const dns::Answer* a : {&r4, &r6}) {
      for (const auto& rec : a->records) h.addresses.push_back(rec.address);
      if (!a->is_fact()) h.error = std::string(dns::to_string(a->outcome));
    }
    info.hosts.push_back(std::move(h));
  }
  co_return info;
}

io::Task<AuthAudit> audit_domain(dns::Resolver& resolver, http::Fetcher* fetcher, std::string domain, AuthOptions options) {
  AuthAudit audit;
  audit.domain = domain;
  FetcherPolicySource source(fetcher);
  // Everything independent starts now; the awaits below only collect.
  auto mx_task = lookup_mx(resolver, domain);
  auto spf_task = auth::spf::lint(resolver, domain);
  auto dmarc_task = auth::dmarc::check_dmarc(resolver, domain);
  auto dkim_task = auth::dkim::check_dkim(resolver, domain, options.selectors, options.common_selectors);
  auto sts_task = auth::mtasts::check_mta_sts(resolver, domain, source);
  auto rpt_task = auth::tlsrpt::check_tls_rpt(resolver, domain);
  auto bimi_task = auth::bimi::check_bimi(resolver, domain);
  audit.mx = co_await mx_task;
  audit.spf = co_await spf_task;
  audit.dmarc = co_await dmarc_task;
  audit.dkim = co_await dkim_task;
  audit.mta_sts = co_await sts_task;
  audit.tls_rpt = co_await rpt_task;
  audit.bimi = co_await bimi_task;

  switch (audit.mx.outcome) {
    case dns::Outcome::answer:
      if (audit.mx.null_mx) audit.findings.push_back(domain_owner_finding("mx.null", Severity::info, domain));
      break;
    case dns::Outcome::nodata:
    case dns::Outcome::nxdomain: {
      Finding f = domain_owner_finding(audit.mx.outcome == dns::Outcome::nxdomain ? "domain.nxdomain" : "mx.missing",
                             audit.mx.outcome == dns::Outcome::nxdomain ? Severity::critical : Severity::warning, domain);
      audit.findings.push_back(std::move(f));
      break;
    }
    default: {
      Finding f = domain_owner_finding("mx.unknown", Severity::warning, domain);
      f.who_can_fix = Fixer::nobody;
      f.arg("error", std::string(dns::to_string(audit.mx.outcome)) + (audit.mx.detail.empty() ? "" : ": " + audit.mx.detail));
      audit.findings.push_back(std::move(f));
    }
  }
  for (auto* list : {&audit.spf.findings, &audit.dmarc.findings, &audit.dkim.findings, &audit.mta_sts.findings,
                     &audit.tls_rpt.findings, &audit.bimi.findings})
    for (const auto& f : *list) audit.findings.push_back(f);
  co_return audit;
}

}  // namespace mailrep::assess
