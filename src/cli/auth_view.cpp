#include "auth_view.hpp"

#include "mailrep/util/text.hpp"

namespace mailrep::cli {

namespace {
std::string s(std::string_view v, std::size_t max = 2000) { return util::sanitize(v, max); }

nlohmann::json tree_json(const auth::spf::TreeNode& n) {
  nlohmann::json j{{"domain", s(n.domain)}, {"status", n.status}, {"lookups_here", n.lookups_here},
                   {"running_start", n.running_start}, {"running_end", n.running_end}};
  if (!n.via.empty()) j["via"] = s(n.via);
  if (!n.record.empty()) j["record"] = s(n.record);
  nlohmann::json terms = nlohmann::json::array();
  for (const auto& t : n.terms)
    terms.push_back({{"term", s(t.text)}, {"cost", t.cost}, {"running", t.running}, {"evaluated", t.evaluated}});
  j["terms"] = terms;
  nlohmann::json kids = nlohmann::json::array();
  for (const auto& c : n.children) kids.push_back(tree_json(c));
  j["children"] = kids;
  return j;
}
}  // namespace

nlohmann::json spf_json(const auth::spf::SpfReport& spf) {
  nlohmann::json j;
  j["domain"] = spf.domain;
  j["record"] = s(spf.record);
  j["lookups"] = spf.lookups;
  j["void_lookups"] = spf.void_lookups;
  j["complete"] = spf.complete;
  nlohmann::json nets = nlohmann::json::array();
  for (const auto& n : spf.networks) nets.push_back({{"network", n.cidr.to_string()}, {"origin", s(n.origin)}});
  j["networks"] = nets;
  j["tree"] = tree_json(spf.tree);
  return j;
}

std::string spf_tree_text(const auth::spf::TreeNode& node, int depth) {
  std::string pad(static_cast<std::size_t>(depth) * 2, ' ');
  std::string out = pad + (node.via.empty() ? "" : s(node.via) + " → ") + s(node.domain) + "  [" + node.status + ", lookups " +
                    std::to_string(node.running_start) + "→" + std::to_string(node.running_end) + "]\n";
  if (!node.record.empty()) out += pad + "  \"" + s(node.record, 600) + "\"\n";
  for (const auto& c : node.children) out += spf_tree_text(c, depth + 1);
  return out;
}

void add_auth_json(nlohmann::json& out, const assess::AuthAudit& a) {
  nlohmann::json mx = nlohmann::json::object();
  mx["outcome"] = std::string(dns::to_string(a.mx.outcome));
  nlohmann::json hosts = nlohmann::json::array();
  for (const auto& h : a.mx.hosts) {
    nlohmann::json addrs = nlohmann::json::array();
    for (const auto& ip : h.addresses) addrs.push_back(ip.to_string());
    nlohmann::json hj{{"host", h.host}, {"priority", h.priority}, {"addresses", addrs}};
    if (!h.error.empty()) hj["error"] = h.error;
    hosts.push_back(hj);
  }
  mx["hosts"] = hosts;
  if (a.mx.null_mx) mx["null_mx"] = true;
  out["mx"] = mx;
  out["spf"] = spf_json(a.spf);

  nlohmann::json dm;
  const auto& d = a.dmarc.discovery;
  if (const auto* rec = d.record()) {
    dm["record"] = s(rec->text);
    dm["record_domain"] = d.applicable_step()->domain;
    dm["p"] = std::string(auth::dmarc::to_string(rec->policy()));
    if (rec->sp) dm["sp"] = std::string(auth::dmarc::to_string(*rec->sp));
    if (rec->np) dm["np"] = std::string(auth::dmarc::to_string(*rec->np));
    dm["adkim"] = std::string(auth::dmarc::to_string(rec->adkim));
    dm["aspf"] = std::string(auth::dmarc::to_string(rec->aspf));
    dm["testing"] = rec->testing;
    nlohmann::json rua = nlohmann::json::array();
    for (const auto& u : rec->rua) rua.push_back(s(u.uri));
    dm["rua"] = rua;
  }
  dm["own_record"] = d.own_record;
  dm["org_domain"] = d.org_domain;
  dm["org_domain_psl"] = d.org_domain_psl;
  if (d.domain_policy) dm["policy"] = std::string(auth::dmarc::to_string(*d.domain_policy));
  if (d.subdomain_policy) dm["subdomain_policy"] = std::string(auth::dmarc::to_string(*d.subdomain_policy));
  if (d.nonexistent_policy) dm["nonexistent_policy"] = std::string(auth::dmarc::to_string(*d.nonexistent_policy));
  dm["complete"] = d.complete;
  nlohmann::json dests = nlohmann::json::array();
  for (const auto& r : a.dmarc.destinations)
    dests.push_back({{"tag", r.tag}, {"uri", s(r.uri)}, {"external", r.external},
                     {"state", std::string(auth::dmarc::to_string(r.state))}});
  dm["destinations"] = dests;
  out["dmarc"] = dm;

  nlohmann::json dk;
  nlohmann::json sels = nlohmann::json::array();
  for (const auto& sel : a.dkim.selectors) {
    nlohmann::json sj{{"selector", s(sel.selector)}, {"state", std::string(auth::dkim::to_string(sel.state))}};
    if (sel.key) {
      sj["key_type"] = std::string(auth::dkim::to_string(sel.key->type));
      sj["key_bits"] = sel.key->bits;
      sj["strength"] = std::string(auth::dkim::to_string(sel.key->strength));
    }
    if (!sel.cnames.empty()) sj["cnames"] = sel.cnames;
    if (!sel.detail.empty()) sj["detail"] = s(sel.detail);
    sels.push_back(sj);
  }
  dk["selectors"] = sels;
  dk["probed"] = a.dkim.probed;
  dk["found"] = a.dkim.found_count();
  if (a.dkim.wildcard) dk["wildcard"] = true;
  out["dkim"] = dk;

  nlohmann::json sts;
  if (a.mta_sts.record) sts["record"] = s(a.mta_sts.record->text);
  if (a.mta_sts.policy) {
    const auto& p = *a.mta_sts.policy;
    if (p.mode) sts["mode"] = std::string(auth::mtasts::to_string(*p.mode));
    if (p.max_age) sts["max_age"] = *p.max_age;
    sts["mx"] = p.mx;
  }
  if (a.mta_sts.response && !a.mta_sts.response->error.empty()) sts["fetch_error"] = s(a.mta_sts.response->error);
  sts["mx_unmatched"] = a.mta_sts.mx_unmatched;
  out["mta_sts"] = sts;

  nlohmann::json rpt;
  if (a.tls_rpt.record) {
    rpt["record"] = s(a.tls_rpt.record->text);
    nlohmann::json rua = nlohmann::json::array();
    for (const auto& u : a.tls_rpt.record->rua) rua.push_back(s(u.uri));
    rpt["rua"] = rua;
  }
  out["tls_rpt"] = rpt;

  nlohmann::json bimi;
  if (a.bimi.record) {
    bimi["record"] = s(a.bimi.record->text);
    bimi["record_domain"] = a.bimi.record_domain;
    bimi["logo"] = s(a.bimi.record->logo);
    bimi["evidence"] = s(a.bimi.record->evidence);
  }
  out["bimi"] = bimi;
}

std::string auth_text(const assess::AuthAudit& a, report::Lang lang) {
  bool de = lang == report::Lang::de;
  std::string out;
  auto line = [&](std::string_view label, const std::string& value) {
    std::string l(label);
    if (l.size() < 10) l += std::string(10 - l.size(), ' ');
    out += "  " + l + value + "\n";
  };
  std::string mx;
  for (const auto& h : a.mx.hosts) mx += (mx.empty() ? "" : ", ") + std::to_string(h.priority) + " " + h.host;
  line("MX", mx.empty() ? (de ? "keiner (" : "none (") + std::string(dns::to_string(a.mx.outcome)) + ")" : mx);
  bool several = false;
  for (const auto& f : a.spf.findings) several = several || f.id == "spf.multiple-records";
  line("SPF", several       ? (de ? "mehrere Einträge (permerror)" : "several records (permerror)")
              : a.spf.record.empty() ? (de ? "kein Eintrag" : "no record")
                                   : "\"" + s(a.spf.record, 300) + "\" (" + std::to_string(a.spf.lookups) +
                                         (de ? " DNS-Abfragen)" : " DNS lookups)"));
  if (const auto* rec = a.dmarc.discovery.record())
    line("DMARC", "\"" + s(rec->text, 300) + "\"" +
                      (a.dmarc.discovery.own_record ? "" : (de ? " (von " : " (from ") + a.dmarc.discovery.applicable_step()->domain + ")"));
  else
    line("DMARC", de ? "kein Eintrag" : "no record");
  std::string dk;
  for (const auto& sel : a.dkim.selectors)
    if (sel.key)
      dk += (dk.empty() ? "" : ", ") + s(sel.selector) + " (" + std::string(auth::dkim::to_string(sel.key->type)) + " " +
            std::to_string(sel.key->bits) + ")";
  line("DKIM", dk.empty() ? (de ? "kein Schlüssel unter " : "no key under ") + std::to_string(a.dkim.probed) +
                                (de ? " üblichen Selektoren (Selektoren sind nicht aufzählbar)" : " common selectors (selectors cannot be listed)")
                          : dk);
  std::string sts = a.mta_sts.record ? (a.mta_sts.policy && a.mta_sts.policy->mode
                                            ? "mode " + std::string(auth::mtasts::to_string(*a.mta_sts.policy->mode))
                                            : std::string(de ? "Eintrag, Richtlinie nicht lesbar" : "record, policy not usable"))
                                     : std::string(de ? "nicht veröffentlicht" : "not published");
  line("MTA-STS", sts);
  line("TLS-RPT", a.tls_rpt.record ? s(a.tls_rpt.record->text, 200) : std::string(de ? "nicht veröffentlicht" : "not published"));
  line("BIMI", a.bimi.record ? s(a.bimi.record->text, 200) : std::string(de ? "nicht veröffentlicht" : "not published"));
  return out;
}

}  // namespace mailrep::cli
