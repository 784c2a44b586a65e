// BIMI: the default._bimi TXT record (presence and form of l= and a=).
#include "mailrep/auth/bimi/bimi.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::auth::bimi {

namespace {

enum class Found { none, one, multiple, error };
Found select(const dns::Answer& a, std::vector<std::string>& texts) {
  if (!a.is_fact()) return Found::error;
  for (const auto& r : a.records)
    if (is_bimi_record(r.text)) texts.push_back(r.text);
  return texts.empty() ? Found::none : texts.size() == 1 ? Found::one : Found::multiple;
}

}  // namespace

bool is_bimi_record(std::string_view txt) { return dkim::begins_with_version(txt, "v=BIMI1"); }

BimiRecord parse_record(std::string_view text) {
  BimiRecord r;
  r.text = std::string(text);
  if (!is_bimi_record(text)) {
    r.problems.push_back(Problem{0, text.size(), "the record does not begin with v=BIMI1", "v", true});
    return r;
  }
  r.is_bimi = true;
  dkim::TagList tl = dkim::split_tag_list(text, true);
  r.problems = std::move(tl.problems);
  r.tags = std::move(tl.tags);
  for (std::size_t i = 0; i < r.tags.size(); ++i) {
    const auto& t = r.tags[i];
    const std::string name = util::lower(t.name);
    if (name == "v") {
      if (i != 0) r.problems.push_back(Problem{t.position, t.length, "v=BIMI1 must be the first tag", "v", true});
    } else if (name == "l") {
      r.has_l = true;
      r.logo = t.value;
    } else if (name == "a") {
      r.has_a = true;
      r.evidence = t.value;
    } else if (name == "avp") {
      r.avp = util::lower(t.value);
      if (r.avp != "brand" && r.avp != "personal")
        r.problems.push_back(Problem{t.position, t.length, "avp='" + util::sanitize(t.value, 40) +
                                                               "' is not brand or personal", "avp", false});
    }
    // other tags (lps, s, ...) are left to receivers
  }
  if (!r.has_l) r.problems.push_back(Problem{0, text.size(), "no l= tag (the logo URI; empty to decline)", "l", true});
  bool fatal = false;
  for (const auto& p : r.problems) fatal = fatal || p.fatal;
  r.usable = !fatal;
  return r;
}

io::Task<BimiReport> check_bimi(dns::Resolver& resolver, std::string domain) {
  BimiReport rep;
  rep.domain = util::lower(util::trim(domain));
  while (!rep.domain.empty() && rep.domain.back() == '.') rep.domain.pop_back();
  const std::string org = util::registered_domain(rep.domain);
  const bool try_org = !org.empty() && org != rep.domain;
  io::Task<dns::Answer> own_task = resolver.lookup(dns::Query{"default._bimi." + rep.domain, dns::RrType::txt});
  io::Task<dns::Answer> org_task;
  if (try_org) org_task = resolver.lookup(dns::Query{"default._bimi." + org, dns::RrType::txt});
  dns::Answer own = co_await own_task;
  dns::Answer at_org;
  if (try_org) at_org = co_await org_task;

  std::vector<std::string> texts;
  Found found = select(own, texts);
  std::string where = rep.domain;
  const dns::Answer* failed = found == Found::error ? &own : nullptr;
  if (found == Found::none && try_org) {
    texts.clear();
    found = select(at_org, texts);
    where = org;
    if (found == Found::error) failed = &at_org;
  }
  if (failed != nullptr) {
    Finding f = domain_owner_finding("bimi.dns-error", Severity::warning, rep.domain);
    f.arg("name", "default._bimi." + where).arg("error", std::string(dns::to_string(failed->outcome)));
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  rep.record_texts = texts;
  if (found == Found::none) {
    rep.findings.push_back(domain_owner_finding("bimi.missing", Severity::info, rep.domain));
    co_return rep;
  }
  rep.record_domain = where;
  if (found == Found::multiple) {
    Finding f = domain_owner_finding("bimi.multiple", Severity::warning, rep.domain);
    f.arg("count", util::format_uint(texts.size())).arg("record_domain", where);
    for (const auto& t : texts) f.evidence += (f.evidence.empty() ? "" : "\n") + util::sanitize(t, 300);
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  rep.record = parse_record(texts.front());
  const BimiRecord& r = *rep.record;
  const std::string evidence = util::sanitize(r.text, 400);
  if (where != rep.domain) {
    Finding f = domain_owner_finding("bimi.inherited", Severity::info, rep.domain);
    f.arg("record_domain", where);
    f.evidence = evidence;
    rep.findings.push_back(std::move(f));
  }
  std::size_t n = 0;
  for (const auto& p : r.problems) {
    if (n++ >= 3) break;
    Finding f = domain_owner_finding("bimi.syntax", p.fatal ? Severity::warning : Severity::info, rep.domain);
    f.arg("problem", p.message).arg("record_domain", where);
    f.evidence = evidence;
    rep.findings.push_back(std::move(f));
  }
  if (!r.usable) co_return rep;
  if (r.declined()) {
    Finding f = domain_owner_finding("bimi.declined", Severity::info, rep.domain);
    f.arg("record_domain", where);
    f.evidence = evidence;
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  if (!r.logo.empty() && !util::istarts_with(r.logo, "https://")) {
    Finding f = domain_owner_finding("bimi.logo-not-https", Severity::warning, rep.domain);
    f.arg("logo", util::sanitize(r.logo, 200)).arg("record_domain", where);
    f.evidence = evidence;
    rep.findings.push_back(std::move(f));
  }
  if (r.evidence.empty()) {
    Finding f = domain_owner_finding("bimi.no-vmc", Severity::info, rep.domain);
    f.arg("record_domain", where);
    f.evidence = evidence;
    rep.findings.push_back(std::move(f));
  } else {
    Finding f = domain_owner_finding("bimi.vmc-unverified", Severity::info, rep.domain);
    f.arg("certificate", util::sanitize(r.evidence, 200)).arg("record_domain", where);
    f.evidence = evidence;
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
  }
  co_return rep;
}

}  // namespace mailrep::auth::bimi
