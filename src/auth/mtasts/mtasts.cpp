// MTA-STS (RFC 8461): TXT record, policy file, MX coverage.
#include "mailrep/auth/mtasts/mtasts.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "mailrep/util/text.hpp"

namespace mailrep::auth::mtasts {

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::enforce: return "enforce";
    case Mode::testing: return "testing";
    case Mode::none: return "none";
  }
  return "none";
}

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

std::string normalize(std::string_view d) {
  std::string s = util::lower(util::trim(d));
  while (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  for (auto label : util::split(d, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!util::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

// sts-ext-name / sts-policy-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
bool valid_ext_name(std::string_view n) {
  if (n.empty() || n.size() > 32 || !util::is_alnum(n.front())) return false;
  for (char c : n)
    if (!util::is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

}  // namespace

bool is_sts_record(std::string_view txt) { return dkim::begins_with_version(txt, "v=STSv1"); }

StsRecord parse_record(std::string_view text) {
  StsRecord r;
  r.text = std::string(text);
  if (!is_sts_record(text)) {
    r.problems.push_back(Problem{0, text.size(), "the record does not begin with v=STSv1", "v", true});
    return r;
  }
  r.is_sts = true;
  dkim::TagList tl = dkim::split_tag_list(text);
  r.problems = std::move(tl.problems);
  r.tags = std::move(tl.tags);
  bool has_id = false;
  for (std::size_t i = 0; i < r.tags.size(); ++i) {
    const auto& t = r.tags[i];
    if (t.name == "v") {
      if (i != 0) r.problems.push_back(Problem{t.position, t.length, "v=STSv1 must be the first tag", "v", true});
    } else if (t.name == "id") {
      has_id = true;
      bool ok = !t.value.empty() && t.value.size() <= 32;
      for (char c : t.value) ok = ok && util::is_alnum(c);
      if (!ok)
        r.problems.push_back(Problem{t.position, t.length,
                                     "id='" + util::sanitize(t.value, 60) + "' must be 1 to 32 letters and digits", "id",
                                     true});
      else r.id = t.value;
    } else if (!valid_ext_name(t.name)) {
      r.problems.push_back(Problem{t.position, t.length, "'" + util::sanitize(t.name, 40) + "' is not a valid tag name",
                                   util::sanitize(t.name, 40), true});
    }
  }
  if (!has_id) r.problems.push_back(Problem{0, text.size(), "no id= tag (senders need it to notice policy changes)", "id", true});
  bool fatal = false;
  for (const auto& p : r.problems) fatal = fatal || p.fatal;
  r.usable = !fatal;
  return r;
}

Policy parse_policy(std::string_view body) {
  Policy p;
  if (body.size() > k_max_policy_bytes) {
    p.problems.push_back(Problem{k_max_policy_bytes, body.size() - k_max_policy_bytes,
                                 "the policy is larger than 64 KiB", "", true});
    body = body.substr(0, k_max_policy_bytes);
  }
  bool seen_version = false, seen_mode = false, seen_max_age = false;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < body.size()) {
    ++line_no;
    std::size_t nl = body.find('\n', pos);
    const bool last = nl == std::string_view::npos;
    std::string_view line = body.substr(pos, (last ? body.size() : nl) - pos);
    const std::size_t line_pos = pos;
    pos = last ? body.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto bad = [&](std::size_t off, std::size_t len, std::string msg, std::string_view key, bool fatal) {
      p.problems.push_back(Problem{line_pos + off, len, "line " + util::format_uint(line_no) + ": " + std::move(msg),
                                   std::string(key), fatal});
    };
    if (line.empty()) {
      if (!last && pos < body.size()) bad(0, 1, "empty line", "", false);
      continue;
    }
    if (line.find('\r') != std::string_view::npos) {
      bad(line.find('\r'), 1, "a CR that is not part of a CRLF line end", "", true);
      continue;
    }
    // trailing white space is allowed (*WSP before the delimiter)
    while (!line.empty() && is_wsp(line.back())) line.remove_suffix(1);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      bad(0, line.size(), "'" + util::sanitize(line, 60) + "' is not 'key: value'", "", true);
      continue;
    }
    const std::string_view key = line.substr(0, colon);
    std::size_t vstart = colon + 1;
    while (vstart < line.size() && is_wsp(line[vstart])) ++vstart;
    const std::string_view value = line.substr(vstart);
    if (!valid_ext_name(key)) {
      bad(0, colon, "'" + util::sanitize(key, 40) + "' is not a valid field name", key, true);
      continue;
    }
    if (key == "version") {
      if (seen_version) { bad(0, line.size(), "version given more than once (the first is used)", key, false); continue; }
      seen_version = true;
      if (value != "STSv1") bad(vstart, value.size(), "version must be STSv1", key, true);
      else p.version = "STSv1";
    } else if (key == "mode") {
      if (seen_mode) { bad(0, line.size(), "mode given more than once (the first is used)", key, false); continue; }
      seen_mode = true;
      if (value == "enforce") p.mode = Mode::enforce;
      else if (value == "testing") p.mode = Mode::testing;
      else if (value == "none") p.mode = Mode::none;
      else bad(vstart, value.size(), "mode '" + util::sanitize(value, 40) + "' is not enforce, testing or none", key, true);
    } else if (key == "max_age") {
      if (seen_max_age) { bad(0, line.size(), "max_age given more than once (the first is used)", key, false); continue; }
      seen_max_age = true;
      auto n = value.size() <= 10 ? util::parse_uint(value) : std::nullopt;
      if (!n) bad(vstart, value.size(), "max_age must be 1 to 10 digits (seconds)", key, true);
      else if (*n > k_max_age_limit) bad(vstart, value.size(), "max_age is longer than 31557600 seconds (one year)", key, true);
      else p.max_age = *n;
    } else if (key == "mx") {
      const std::string pattern = util::lower(value);
      std::string_view host = pattern;
      if (host.substr(0, 2) == "*.") host.remove_prefix(2);
      if (!valid_domain(host) || host.find('*') != std::string_view::npos)
        bad(vstart, value.size(),
            "mx '" + util::sanitize(value, 80) + "' is not a host name or a '*.' wildcard of one", key, true);
      else if (p.mx.size() < 256)
        p.mx.push_back(pattern);
    } else {
      for (std::string_view known : {"version", "mode", "max_age", "mx"})
        if (util::iequals(key, known))
          bad(0, colon, "field names are case-sensitive: '" + util::sanitize(key, 40) + "' is not '" +
                            std::string(known) + "' and is ignored", key, false);
      if (p.extensions.size() < 32) p.extensions.emplace_back(util::sanitize(key, 40));
    }
  }
  if (!seen_version) p.problems.push_back(Problem{0, 0, "no version field", "version", true});
  if (!seen_mode) p.problems.push_back(Problem{0, 0, "no mode field", "mode", true});
  if (!seen_max_age) p.problems.push_back(Problem{0, 0, "no max_age field", "max_age", true});
  if (p.mode && *p.mode != Mode::none && p.mx.empty())
    p.problems.push_back(Problem{0, 0, "no mx field: with mode " + std::string(to_string(*p.mode)) +
                                           " no MX host can match", "mx", true});
  bool fatal = false;
  for (const auto& pr : p.problems) fatal = fatal || pr.fatal;
  p.usable = !fatal;
  return p;
}

bool mx_matches(std::string_view pattern, std::string_view host) {
  std::string pat = normalize(pattern);
  std::string h = normalize(host);
  if (pat.empty() || h.empty()) return false;
  if (pat.substr(0, 2) == "*.") {
    const std::string_view suffix = std::string_view(pat).substr(1);  // ".example.com"
    if (h.size() <= suffix.size()) return false;
    if (std::string_view(h).substr(h.size() - suffix.size()) != suffix) return false;
    const std::string_view first = std::string_view(h).substr(0, h.size() - suffix.size());
    return !first.empty() && first.find('.') == std::string_view::npos;
  }
  return pat == h;
}

std::optional<Mode> MtaStsReport::effective_mode() const {
  if (!record || !record->usable || !policy || !policy->usable) return std::nullopt;
  return policy->mode;
}

io::Task<MtaStsReport> check_mta_sts(dns::Resolver& resolver, std::string domain, PolicySource& source) {
  MtaStsReport rep;
  rep.domain = normalize(domain);
  io::Task<dns::Answer> txt_task = resolver.lookup(dns::Query{"_mta-sts." + rep.domain, dns::RrType::txt});
  io::Task<dns::Answer> mx_task = resolver.lookup(dns::Query{rep.domain, dns::RrType::mx});
  dns::Answer txt = co_await txt_task;
  if (txt.outcome == dns::Outcome::answer)
    for (const auto& r : txt.records)
      if (is_sts_record(r.text)) rep.record_texts.push_back(r.text);
  // RFC 8461 3.3: the policy is fetched only when the TXT record exists.
  io::Task<FetchedPolicy> fetch_task;
  if (rep.record_texts.size() == 1) {
    rep.fetched = true;
    fetch_task = source.fetch(rep.domain);
  }
  dns::Answer mx = co_await mx_task;
  FetchedPolicy fetched;
  if (rep.fetched) {
    fetched = co_await fetch_task;
    if (fetched.body.size() > k_max_policy_bytes + 1) fetched.body.resize(k_max_policy_bytes + 1);
    rep.response = fetched;
  }

  if (mx.is_fact()) {
    rep.mx_known = true;
    for (const auto& r : mx.records)
      if (!r.text.empty() && r.text != ".") rep.mx_hosts.push_back(normalize(r.text));
  }

  if (!txt.is_fact()) {
    Finding f = domain_owner_finding("mtasts.dns-error", Severity::warning, rep.domain);
    f.arg("name", "_mta-sts." + rep.domain).arg("error", std::string(dns::to_string(txt.outcome)));
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  if (rep.record_texts.empty()) {
    rep.findings.push_back(domain_owner_finding("mtasts.missing", Severity::info, rep.domain));
    co_return rep;
  }
  if (rep.record_texts.size() > 1) {
    Finding f = domain_owner_finding("mtasts.multiple", Severity::warning, rep.domain);
    f.arg("count", util::format_uint(rep.record_texts.size()));
    for (const auto& t : rep.record_texts) f.evidence += (f.evidence.empty() ? "" : "\n") + util::sanitize(t, 300);
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  rep.record = parse_record(rep.record_texts.front());
  {
    std::size_t n = 0;
    for (const auto& p : rep.record->problems) {
      if (n++ >= 3) break;
      Finding f = domain_owner_finding("mtasts.record-syntax", p.fatal ? Severity::warning : Severity::info, rep.domain);
      f.arg("problem", p.message);
      f.evidence = util::sanitize(rep.record->text, 300);
      rep.findings.push_back(std::move(f));
    }
  }
  const std::string url = "https://mta-sts." + rep.domain + "/.well-known/mta-sts.txt";
  if (!fetched.ok || fetched.status != 200) {
    Finding f = domain_owner_finding("mtasts.policy-unreachable", Severity::warning, rep.domain);
    f.arg("url", url).arg("error", fetched.ok ? "HTTP status " + util::format_uint(fetched.status < 0 ? 0 : static_cast<std::uint64_t>(fetched.status))
                                              : util::sanitize(fetched.error, 200));
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  {
    std::string_view ct = fetched.content_type;
    if (const auto semi = ct.find(';'); semi != std::string_view::npos) ct = ct.substr(0, semi);
    if (!util::iequals(util::trim(ct), "text/plain")) {
      Finding f = domain_owner_finding("mtasts.policy-content-type", Severity::warning, rep.domain);
      f.arg("url", url).arg("content_type", fetched.content_type.empty() ? std::string("(none)")
                                                                         : util::sanitize(fetched.content_type, 80));
      rep.findings.push_back(std::move(f));
    }
  }
  rep.policy = parse_policy(fetched.body);
  const Policy& pol = *rep.policy;
  {
    std::size_t n = 0;
    for (const auto& p : pol.problems) {
      if (n++ >= 5) break;
      Finding f = domain_owner_finding("mtasts.policy-syntax", p.fatal ? Severity::warning : Severity::info, rep.domain);
      f.arg("problem", p.message).arg("url", url);
      f.evidence = util::sanitize(fetched.body, 1000);
      rep.findings.push_back(std::move(f));
    }
  }
  if (!pol.usable || !pol.mode) co_return rep;
  if (*pol.mode == Mode::testing) rep.findings.push_back(domain_owner_finding("mtasts.testing", Severity::info, rep.domain));
  if (*pol.mode == Mode::none) rep.findings.push_back(domain_owner_finding("mtasts.mode-none", Severity::info, rep.domain));
  if (pol.max_age && *pol.max_age < 86400) {
    Finding f = domain_owner_finding("mtasts.max-age-short", Severity::info, rep.domain);
    f.arg("max_age", util::format_uint(*pol.max_age));
    rep.findings.push_back(std::move(f));
  }
  if (*pol.mode == Mode::none) co_return rep;
  if (!rep.mx_known) {
    Finding f = domain_owner_finding("mtasts.dns-error", Severity::warning, rep.domain);
    f.arg("name", rep.domain + " MX").arg("error", std::string(dns::to_string(mx.outcome)));
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  if (rep.mx_hosts.empty()) {
    rep.findings.push_back(domain_owner_finding("mtasts.no-mx", Severity::info, rep.domain));
    co_return rep;
  }
  for (const auto& h : rep.mx_hosts) {
    bool ok = false;
    for (const auto& pattern : pol.mx) ok = ok || mx_matches(pattern, h);
    if (!ok) rep.mx_unmatched.push_back(h);
  }
  if (!rep.mx_unmatched.empty()) {
    Finding f = domain_owner_finding("mtasts.mx-mismatch", *pol.mode == Mode::enforce ? Severity::critical : Severity::warning,
                     rep.domain);
    f.arg("hosts", util::join(rep.mx_unmatched, ", "))
        .arg("patterns", util::join(pol.mx, ", "))
        .arg("mode", std::string(to_string(*pol.mode)))
        .arg("url", url);
    f.evidence = util::sanitize(fetched.body, 1000);
    rep.findings.push_back(std::move(f));
  }
  co_return rep;
}

}  // namespace mailrep::auth::mtasts
