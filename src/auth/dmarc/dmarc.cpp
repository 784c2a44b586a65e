// DMARC (RFC 9989, accepting RFC 7489 records): parsing, policy discovery, report authorisation,
// alignment.
#include "mailrep/auth/dmarc/dmarc.hpp"

#include <array>
#include <charconv>
#include <set>
#include <utility>

#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::auth::dmarc {

std::string_view to_string(Policy p) {
  switch (p) {
    case Policy::none: return "none";
    case Policy::quarantine: return "quarantine";
    case Policy::reject: return "reject";
  }
  return "none";
}

std::string_view to_string(AlignMode m) { return m == AlignMode::strict ? "strict" : "relaxed"; }

std::string_view to_string(WalkStep::Kind k) {
  switch (k) {
    case WalkStep::Kind::record: return "record";
    case WalkStep::Kind::none: return "none";
    case WalkStep::Kind::multiple: return "multiple";
    case WalkStep::Kind::invalid: return "invalid";
    case WalkStep::Kind::dns_error: return "dns-error";
  }
  return "none";
}

std::string_view to_string(ReportAuthorization::State s) {
  switch (s) {
    case ReportAuthorization::State::not_needed: return "not-needed";
    case ReportAuthorization::State::authorized: return "authorized";
    case ReportAuthorization::State::unauthorized: return "unauthorized";
    case ReportAuthorization::State::unknown: return "unknown";
  }
  return "unknown";
}

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string normalize(std::string_view d) {
  std::string s = util::lower(util::trim(d));
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::string org_of(std::string_view domain) {
  std::string o = util::registered_domain(domain);
  return o.empty() ? normalize(domain) : o;
}

std::optional<Policy> parse_policy(std::string_view v) {
  if (util::iequals(v, "none")) return Policy::none;
  if (util::iequals(v, "quarantine")) return Policy::quarantine;
  if (util::iequals(v, "reject")) return Policy::reject;
  return std::nullopt;
}

bool valid_host(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (auto label : util::split(h, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!util::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

Problem problem(std::size_t pos, std::size_t len, std::string msg, std::string_view tag, bool fatal) {
  return Problem{pos, len, std::move(msg), std::string(tag), fatal};
}

// RFC 7489 6.4: dmarc-uri = URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]
ReportUri parse_uri(std::string_view raw, std::size_t position, std::vector<Problem>& problems, std::string_view tag) {
  ReportUri u;
  u.position = position;
  u.uri = std::string(raw);
  const auto colon = raw.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    problems.push_back(problem(position, raw.size(), "'" + util::sanitize(raw, 80) + "' is not a URI", tag, false));
    return u;
  }
  u.scheme = util::lower(raw.substr(0, colon));
  std::string_view rest = raw.substr(colon + 1);
  // size limit suffix
  if (const auto bang = rest.rfind('!'); bang != std::string_view::npos) {
    std::string_view size = rest.substr(bang + 1);
    rest = rest.substr(0, bang);
    std::uint64_t mult = 1;
    if (!size.empty()) {
      const char unit = util::to_lower(size.back());
      if (unit == 'k' || unit == 'm' || unit == 'g' || unit == 't') {
        mult = unit == 'k' ? 1024ULL : unit == 'm' ? 1024ULL * 1024 : unit == 'g' ? 1024ULL * 1024 * 1024 : 1024ULL * 1024 * 1024 * 1024;
        size.remove_suffix(1);
      }
    }
    auto n = util::parse_uint(size, UINT64_MAX / (1024ULL * 1024 * 1024 * 1024));
    if (!n) {
      problems.push_back(problem(position, raw.size(), "bad size limit in '" + util::sanitize(raw, 80) + "'", tag, false));
    } else {
      u.max_size = *n * mult;
    }
  }
  if (u.scheme != "mailto") {
    problems.push_back(problem(position, raw.size(),
                               "'" + util::sanitize(raw, 80) + "': receivers send reports only to mailto: URIs", tag,
                               false));
    return u;
  }
  std::string_view addr = rest;
  if (const auto q = addr.find('?'); q != std::string_view::npos) addr = addr.substr(0, q);
  const auto at = addr.rfind('@');
  if (at == std::string_view::npos || at == 0 || !valid_host(addr.substr(at + 1))) {
    problems.push_back(problem(position, raw.size(), "'" + util::sanitize(raw, 80) + "' is not a mail address", tag, false));
    return u;
  }
  u.address = std::string(addr);
  u.host = normalize(addr.substr(at + 1));
  u.valid = true;
  return u;
}

void parse_uris(const dkim::Tag& tag, std::vector<ReportUri>& out, std::vector<Problem>& problems) {
  std::size_t start = 0;
  const std::string_view v = tag.value;
  while (start <= v.size()) {
    auto comma = v.find(',', start);
    if (comma == std::string_view::npos) comma = v.size();
    std::string_view piece = v.substr(start, comma - start);
    std::size_t lead = 0;
    while (lead < piece.size() && util::is_space(piece[lead])) ++lead;
    const std::string_view trimmed = util::trim(piece);
    if (trimmed.empty()) {
      problems.push_back(problem(tag.value_position + start, 1, "empty URI in " + tag.name + "=", tag.name, false));
    } else if (out.size() >= 16) {
      problems.push_back(problem(tag.value_position + start, trimmed.size(), "more than 16 URIs in " + tag.name + "=",
                                 tag.name, false));
      break;
    } else {
      out.push_back(parse_uri(trimmed, tag.value_position + start + lead, problems, tag.name));
    }
    if (comma >= v.size()) break;
    start = comma + 1;
  }
}

}  // namespace

bool is_dmarc_record(std::string_view txt) {
  std::size_t i = 0;
  while (i < txt.size() && is_wsp(txt[i])) ++i;
  if (i >= txt.size() || (txt[i] != 'v' && txt[i] != 'V')) return false;
  ++i;
  while (i < txt.size() && is_wsp(txt[i])) ++i;
  if (i >= txt.size() || txt[i] != '=') return false;
  ++i;
  while (i < txt.size() && is_wsp(txt[i])) ++i;
  if (txt.substr(i, 6) != "DMARC1") return false;
  i += 6;
  return i == txt.size() || txt[i] == ';' || is_wsp(txt[i]);
}

Record parse_record(std::string_view text) {
  Record r;
  r.text = std::string(text);
  if (!is_dmarc_record(text)) {
    r.problems.push_back(problem(0, text.size(), "the record does not begin with v=DMARC1", "v", true));
    return r;
  }
  r.is_dmarc = true;
  dkim::TagList tl = dkim::split_tag_list(text, true);
  r.problems = std::move(tl.problems);
  r.tags = std::move(tl.tags);
  bool p_invalid = false;
  bool p_seen = false;
  for (const auto& t : r.tags) {
    const std::string name = util::lower(t.name);
    const std::string_view v = t.value;
    auto bad = [&](std::string msg, bool fatal) {
      r.problems.push_back(problem(t.position, t.length, std::move(msg), name, fatal));
    };
    const std::string shown = util::sanitize(v, 60);
    if (name == "v") {
      // checked by is_dmarc_record; a trailing value ("DMARC1 x") is caught here
      if (v != "DMARC1") bad("v= must be exactly DMARC1", true);
    } else if (name == "p" || name == "sp" || name == "np") {
      auto pol = parse_policy(v);
      if (name == "p") p_seen = true;
      if (!pol) {
        if (name == "p") p_invalid = true;
        bad(name + "='" + shown + "' is not none, quarantine or reject", false);
        continue;
      }
      (name == "p" ? r.p : name == "sp" ? r.sp : r.np) = pol;
    } else if (name == "psd") {
      if (util::iequals(v, "y")) r.psd = Psd::yes;
      else if (util::iequals(v, "n")) r.psd = Psd::no;
      else if (util::iequals(v, "u")) r.psd = Psd::unknown;
      else bad("psd='" + shown + "' is not y, n or u", false);
    } else if (name == "t") {
      if (util::iequals(v, "y")) r.testing = true;
      else if (!util::iequals(v, "n")) bad("t='" + shown + "' is not y or n", false);
    } else if (name == "adkim" || name == "aspf") {
      AlignMode m = AlignMode::relaxed;
      if (util::iequals(v, "s")) m = AlignMode::strict;
      else if (!util::iequals(v, "r")) {
        bad(name + "='" + shown + "' is not r or s (relaxed is used)", false);
        continue;
      }
      if (name == "adkim") { r.adkim = m; r.adkim_set = true; }
      else { r.aspf = m; r.aspf_set = true; }
    } else if (name == "rua") {
      parse_uris(t, r.rua, r.problems);
    } else if (name == "ruf") {
      parse_uris(t, r.ruf, r.problems);
    } else if (name == "fo") {
      for (auto opt : util::split(v, ':')) {
        const auto o = util::trim(opt);
        if (o == "0" || o == "1" || util::iequals(o, "d") || util::iequals(o, "s")) r.fo.push_back(util::lower(o));
        else bad("fo='" + shown + "': options are 0, 1, d and s separated by ':'", false);
      }
    } else if (name == "pct") {
      r.historic_tags.push_back("pct");
      auto n = util::parse_uint(v, 100);
      if (!n) bad("pct='" + shown + "' is not a number from 0 to 100", false);
      else r.pct = static_cast<unsigned>(*n);
    } else if (name == "rf") {
      r.historic_tags.push_back("rf");
      r.rf = std::string(v);
      for (auto f : util::split(v, ':'))
        if (!util::iequals(util::trim(f), "afrf")) bad("rf='" + shown + "': only afrf is defined", false);
    } else if (name == "ri") {
      r.historic_tags.push_back("ri");
      auto n = util::parse_uint(v, UINT32_MAX);
      if (!n) bad("ri='" + shown + "' is not a number of seconds", false);
      else r.ri = static_cast<std::uint32_t>(*n);
    } else {
      r.unknown_tags.push_back(util::sanitize(t.name, 40));
    }
  }
  if (!r.tags.empty() && !util::iequals(r.tags.front().name, "v"))
    r.problems.push_back(problem(0, 1, "v=DMARC1 must be the first tag", "v", true));
  if (r.pct && *r.pct == 0) r.testing = true;
  const bool any_valid_rua = [&] {
    for (const auto& u : r.rua)
      if (u.valid) return true;
    return false;
  }();
  if (!p_seen) {
    // RFC 9989: a record without p= is treated as p=none. (RFC 7489 required p=.)
    r.p = Policy::none;
    r.p_from_default = true;
    r.problems.push_back(problem(0, text.size(), "no p= tag: receivers treat the record as p=none", "p", false));
  } else if (p_invalid) {
    if (any_valid_rua) {
      // RFC 7489 6.6.3: an invalid p= with a valid rua= is treated as p=none
      r.p = Policy::none;
      r.p_from_default = true;
    } else {
      r.problems.push_back(problem(0, text.size(), "invalid p= and no valid rua=: receivers ignore the record", "p", true));
    }
  }
  bool fatal = false;
  for (const auto& pr : r.problems) fatal = fatal || pr.fatal;
  r.usable = r.is_dmarc && !fatal && r.p.has_value();
  return r;
}

std::vector<std::string> tree_walk_names(std::string_view domain) {
  std::vector<std::string> names;
  const std::string d = normalize(domain);
  if (d.empty()) return names;
  std::vector<std::string_view> labels = util::split(d, '.');
  names.push_back(d);
  std::size_t first = labels.size() >= 5 ? labels.size() - 4 : 1;  // index of the first label kept
  for (; first < labels.size(); ++first) {
    std::string name;
    for (std::size_t k = first; k < labels.size(); ++k) {
      if (!name.empty()) name += '.';
      name += labels[k];
    }
    if (!name.empty()) names.push_back(std::move(name));
  }
  return names;
}

Discovery discover(std::string_view domain_in, const std::vector<std::string>& names,
                   const std::vector<dns::Answer>& answers, const dns::Answer* exists) {
  Discovery d;
  d.domain = normalize(domain_in);
  d.org_domain_psl = util::registered_domain(d.domain);
  for (std::size_t i = 0; i < names.size() && i < answers.size(); ++i) {
    WalkStep s;
    s.domain = names[i];
    const dns::Answer& a = answers[i];
    if (!a.is_fact()) {
      s.kind = WalkStep::Kind::dns_error;
      s.detail = std::string(dns::to_string(a.outcome));
      if (!a.detail.empty()) s.detail += ": " + a.detail;
    } else {
      for (const auto& rec : a.records)
        if (is_dmarc_record(rec.text)) s.texts.push_back(rec.text);
      if (s.texts.empty()) s.kind = WalkStep::Kind::none;
      else if (s.texts.size() > 1) s.kind = WalkStep::Kind::multiple;  // RFC 9989: all discarded
      else {
        s.record = parse_record(s.texts.front());
        s.kind = s.record->usable ? WalkStep::Kind::record : WalkStep::Kind::invalid;
      }
      if (i == 0 && a.outcome != dns::Outcome::nxdomain) d.domain_exists = true;
    }
    d.steps.push_back(std::move(s));
  }
  if (exists != nullptr) {
    if (exists->outcome == dns::Outcome::nxdomain) d.domain_exists = false;
    else if (exists->is_fact()) d.domain_exists = true;
  }
  // Policy discovery: the first usable record on the walk.
  for (std::size_t i = 0; i < d.steps.size(); ++i) {
    const auto& s = d.steps[i];
    if (s.kind == WalkStep::Kind::dns_error) d.complete = false;
    if (s.kind == WalkStep::Kind::record) {
      d.applicable = i;
      d.own_record = (i == 0);
      break;
    }
  }
  // Organizational domain (RFC 9989 tree walk): psd=n -> that domain; psd=y -> one label below it;
  // else the usable record with the fewest labels; else the domain itself.
  d.org_domain = d.domain;
  std::optional<std::size_t> fewest;
  for (std::size_t i = 0; i < d.steps.size(); ++i) {
    const auto& s = d.steps[i];
    if (s.kind != WalkStep::Kind::record) continue;
    if (s.record->psd == Psd::no) { d.org_domain = s.domain; fewest.reset(); break; }
    if (s.record->psd == Psd::yes) {
      if (s.domain == d.domain) { d.org_domain = d.domain; }
      else {
        const std::string suffix = "." + s.domain;
        std::string_view rest = std::string_view(d.domain).substr(0, d.domain.size() - suffix.size());
        const auto dot = rest.rfind('.');
        d.org_domain = std::string(dot == std::string_view::npos ? rest : rest.substr(dot + 1)) + suffix;
      }
      fewest.reset();
      break;
    }
    fewest = i;
  }
  if (fewest) d.org_domain = d.steps[*fewest].domain;
  if (const Record* r = d.record()) {
    if (d.own_record) d.domain_policy = r->policy();
    else d.domain_policy = d.domain_exists == false ? r->nonexistent_policy() : r->subdomain_policy();
    d.subdomain_policy = r->subdomain_policy();
    d.nonexistent_policy = r->nonexistent_policy();
  }
  return d;
}

namespace {

std::string describe(const Record& r) {
  std::string s = "p=" + std::string(to_string(r.policy()));
  if (r.sp) s += " sp=" + std::string(to_string(*r.sp));
  if (r.np) s += " np=" + std::string(to_string(*r.np));
  return s;
}

}  // namespace

std::vector<Finding> record_findings(const Record& r, std::string_view domain) {
  std::vector<Finding> out;
  const std::string evidence = util::sanitize(r.text, 600);
  auto add = [&](std::string id, Severity sev) -> Finding& {
    out.push_back(domain_owner_finding(std::move(id), sev, domain));
    out.back().evidence = evidence;
    return out.back();
  };
  std::size_t shown = 0;
  for (const auto& p : r.problems) {
    if (p.tag == "p" && !p.fatal && r.p_from_default && p.message.rfind("no p=", 0) == 0) continue;  // dmarc.p-missing
    if (shown++ >= 6) break;
    add(p.fatal ? "dmarc.unusable" : "dmarc.syntax", p.fatal ? Severity::critical : Severity::warning)
        .arg("problem", p.message)
        .arg("position", util::format_uint(p.position + 1));
  }
  if (!r.usable) return out;
  bool has_p = false;
  for (const auto& t : r.tags) has_p = has_p || util::iequals(t.name, "p");
  if (!has_p) add("dmarc.p-missing", Severity::warning);
  if (r.policy() == Policy::none) add("dmarc.p-none", Severity::info).arg("policy", describe(r));
  else {
    if (r.sp && *r.sp < r.policy()) add("dmarc.sp-weaker", Severity::info).arg("policy", describe(r));
    if (r.np && *r.np < r.subdomain_policy()) add("dmarc.np-weaker", Severity::info).arg("policy", describe(r));
  }
  if (r.pct && *r.pct > 0 && *r.pct < 100 && r.policy() != Policy::none)
    add("dmarc.pct-partial", Severity::warning).arg("pct", util::format_uint(*r.pct)).arg("policy", describe(r));
  if (r.testing) add("dmarc.testing", Severity::warning).arg("policy", describe(r));
  for (const auto& h : r.historic_tags) add("dmarc.historic-tag", Severity::info).arg("tag", h);
  for (const auto& u : r.unknown_tags) add("dmarc.unknown-tag", Severity::info).arg("tag", u);
  bool rua_ok = false;
  for (const auto& u : r.rua) rua_ok = rua_ok || u.valid;
  if (!rua_ok) add("dmarc.no-rua", Severity::info);
  if (r.adkim == AlignMode::strict || r.aspf == AlignMode::strict)
    add("dmarc.strict-alignment", Severity::info)
        .arg("adkim", std::string(to_string(r.adkim)))
        .arg("aspf", std::string(to_string(r.aspf)));
  return out;
}

io::Task<DmarcReport> check_dmarc(dns::Resolver& resolver, std::string domain) {
  DmarcReport rep;
  rep.domain = normalize(domain);
  const std::vector<std::string> names = tree_walk_names(rep.domain);
  // Every tree-walk name and the domain's own existence at once; evaluated in order afterwards.
  std::vector<io::Task<dns::Answer>> tasks;
  tasks.reserve(names.size());
  for (const auto& n : names) tasks.push_back(resolver.lookup(dns::Query{"_dmarc." + n, dns::RrType::txt}));
  io::Task<dns::Answer> exists_task = resolver.lookup(dns::Query{rep.domain, dns::RrType::mx});
  std::vector<dns::Answer> answers;
  answers.reserve(tasks.size());
  for (auto& t : tasks) {
    dns::Answer a = co_await t;
    answers.push_back(std::move(a));
  }
  dns::Answer exists = co_await exists_task;
  rep.discovery = discover(rep.domain, names, answers, &exists);
  const Discovery& d = rep.discovery;

  // DNS failures that leave the answer unknown.
  for (const auto& s : d.steps) {
    if (s.kind != WalkStep::Kind::dns_error) continue;
    if (d.applicable && &s > d.applicable_step()) break;  // after the record: does not matter
    Finding f = domain_owner_finding("dmarc.dns-error", Severity::warning, rep.domain);
    f.arg("name", "_dmarc." + s.domain).arg("error", util::sanitize(s.detail, 200));
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
    break;
  }
  if (!d.steps.empty()) {
    const WalkStep& own = d.steps.front();
    if (own.kind == WalkStep::Kind::multiple) {
      Finding f = domain_owner_finding("dmarc.multiple", Severity::critical, rep.domain);
      f.arg("count", util::format_uint(own.texts.size()));
      for (const auto& t : own.texts) f.evidence += (f.evidence.empty() ? "" : "\n") + util::sanitize(t, 600);
      rep.findings.push_back(std::move(f));
    } else if (own.kind == WalkStep::Kind::invalid) {
      auto fs = record_findings(*own.record, rep.domain);
      for (auto& f : fs) rep.findings.push_back(std::move(f));
    }
  }
  const Record* rec = d.record();
  if (rec == nullptr) {
    if (d.complete) {
      Finding f = domain_owner_finding("dmarc.missing", Severity::warning, rep.domain);
      f.arg("org_domain", d.org_domain);
      rep.findings.push_back(std::move(f));
    }
  } else {
    const WalkStep& step = *d.applicable_step();
    if (!d.own_record) {
      Finding f = domain_owner_finding("dmarc.inherited", Severity::info, rep.domain);
      f.arg("record_domain", step.domain)
          .arg("policy", std::string(to_string(d.domain_policy.value_or(Policy::none))));
      f.evidence = util::sanitize(rec->text, 600);
      rep.findings.push_back(std::move(f));
    }
    auto fs = record_findings(*rec, step.domain);
    for (auto& f : fs) {
      if (step.domain != rep.domain) f.arg("record_domain", step.domain);
      rep.findings.push_back(std::move(f));
    }
    // External report destinations (RFC 7489 7.1, RFC 9989): <record domain>._report._dmarc.<host>.
    const std::string own_org = org_of(step.domain);
    std::vector<std::string> queried;
    std::vector<io::Task<dns::Answer>> auth_tasks;
    // (a plain loop: no capturing lambda inside a coroutine, GCC 12)
    for (int which = 0; which < 2; ++which) {
      const std::vector<ReportUri>& uris = which == 0 ? rec->rua : rec->ruf;
      for (const auto& u : uris) {
        if (!u.valid) continue;
        ReportAuthorization ra;
        ra.tag = which == 0 ? "rua" : "ruf";
        ra.uri = util::sanitize(u.uri, 200);
        ra.destination = u.host;
        ra.external = org_of(u.host) != own_org;
        if (ra.external) {
          ra.query = step.domain + "._report._dmarc." + u.host;
          ra.state = ReportAuthorization::State::unknown;
          if (!dns::is_valid_query_name(ra.query)) {
            ra.detail = "the authorisation name is not a valid DNS name (too long?)";
          } else {
            bool seen = false;
            for (const auto& q : queried) seen = seen || q == ra.query;
            if (!seen && queried.size() < 16) {
              queried.push_back(ra.query);
              auth_tasks.push_back(resolver.lookup(dns::Query{ra.query, dns::RrType::txt}));
            }
          }
        }
        rep.destinations.push_back(std::move(ra));
      }
    }
    std::vector<dns::Answer> auth_answers;
    auth_answers.reserve(auth_tasks.size());
    for (auto& t : auth_tasks) {
      dns::Answer a = co_await t;
      auth_answers.push_back(std::move(a));
    }
    for (auto& ra : rep.destinations) {
      if (!ra.external) continue;
      for (std::size_t i = 0; i < queried.size(); ++i) {
        if (queried[i] != ra.query) continue;
        const dns::Answer& a = auth_answers[i];
        if (!a.is_fact()) {
          ra.state = ReportAuthorization::State::unknown;
          ra.detail = std::string(dns::to_string(a.outcome));
        } else {
          bool ok = false;
          for (const auto& r : a.records) ok = ok || is_dmarc_record(r.text);
          ra.state = ok ? ReportAuthorization::State::authorized : ReportAuthorization::State::unauthorized;
          ra.detail = ok ? "v=DMARC1 record found"
                         : (a.outcome == dns::Outcome::answer ? "TXT records there, none begins with v=DMARC1"
                                                              : std::string(dns::to_string(a.outcome)));
        }
      }
      if (ra.state == ReportAuthorization::State::unauthorized) {
        Finding f = domain_owner_finding("dmarc.rua-unauthorized", Severity::warning, rep.domain);
        f.arg("tag", ra.tag).arg("uri", ra.uri).arg("destination", ra.destination).arg("query", ra.query)
            .arg("record_domain", step.domain);
        f.evidence = ra.detail;
        rep.findings.push_back(std::move(f));
      } else if (ra.state == ReportAuthorization::State::unknown) {
        Finding f = domain_owner_finding("dmarc.rua-unknown", Severity::info, rep.domain);
        f.arg("tag", ra.tag).arg("uri", ra.uri).arg("query", ra.query).arg("error", ra.detail);
        f.who_can_fix = Fixer::nobody;
        rep.findings.push_back(std::move(f));
      }
    }
  }
  if (!d.org_domain_psl.empty() && d.org_domain != d.org_domain_psl && d.complete) {
    Finding f = domain_owner_finding("dmarc.org-domain-differs", Severity::info, rep.domain);
    f.arg("org_domain", d.org_domain).arg("org_domain_psl", d.org_domain_psl);
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
  }
  co_return rep;
}

// --- alignment ---------------------------------------------------------------------------------

Alignment check_alignment(std::string_view from_domain, std::string_view dkim_domain, std::string_view spf_domain) {
  Alignment a;
  a.from_domain = normalize(from_domain);
  a.dkim_domain = normalize(dkim_domain);
  a.spf_domain = normalize(spf_domain);
  a.from_org = a.from_domain.empty() ? std::string() : org_of(a.from_domain);
  a.dkim_org = a.dkim_domain.empty() ? std::string() : org_of(a.dkim_domain);
  a.spf_org = a.spf_domain.empty() ? std::string() : org_of(a.spf_domain);
  if (a.from_domain.empty()) return a;
  a.dkim_strict = !a.dkim_domain.empty() && a.dkim_domain == a.from_domain;
  a.dkim_relaxed = !a.dkim_domain.empty() && a.dkim_org == a.from_org;
  a.spf_strict = !a.spf_domain.empty() && a.spf_domain == a.from_domain;
  a.spf_relaxed = !a.spf_domain.empty() && a.spf_org == a.from_org;
  return a;
}

bool aligned_under(const Alignment& a, AlignMode adkim, AlignMode aspf) {
  const bool dkim = adkim == AlignMode::strict ? a.dkim_strict : a.dkim_relaxed;
  const bool spf = aspf == AlignMode::strict ? a.spf_strict : a.spf_relaxed;
  return dkim || spf;
}

std::vector<Finding> alignment_findings(const Alignment& a, const Record* record) {
  std::vector<Finding> out;
  const AlignMode adkim = record ? record->adkim : AlignMode::relaxed;
  const AlignMode aspf = record ? record->aspf : AlignMode::relaxed;
  const bool dkim_ok = adkim == AlignMode::strict ? a.dkim_strict : a.dkim_relaxed;
  const bool spf_ok = aspf == AlignMode::strict ? a.spf_strict : a.spf_relaxed;
  auto add = [&](std::string id, Severity sev) -> Finding& {
    out.push_back(domain_owner_finding(std::move(id), sev, a.from_domain));
    Finding& f = out.back();
    f.arg("from", a.from_domain)
        .arg("dkim_domain", a.dkim_domain.empty() ? std::string("-") : a.dkim_domain)
        .arg("spf_domain", a.spf_domain.empty() ? std::string("-") : a.spf_domain)
        .arg("adkim", std::string(to_string(adkim)))
        .arg("aspf", std::string(to_string(aspf)));
    return f;
  };
  if (!dkim_ok && !spf_ok) add("dmarc.not-aligned", Severity::critical);
  else if (!dkim_ok) add("dmarc.dkim-not-aligned", Severity::warning);
  if (a.dkim_relaxed && !a.dkim_strict) add("dmarc.dkim-not-strict", Severity::warning);
  if (dkim_ok && !spf_ok && !a.spf_domain.empty()) add("dmarc.spf-not-aligned", Severity::info);
  return out;
}

}  // namespace mailrep::auth::dmarc
