// SMTP TLS Reporting (RFC 8460 3): the _smtp._tls TXT record.
#include "mailrep/auth/tlsrpt/tlsrpt.hpp"

#include <array>
#include <charconv>
#include <utility>

#include "mailrep/util/text.hpp"

namespace mailrep::auth::tlsrpt {

namespace {

bool valid_host(std::string_view d) {
  if (d.empty() || d.size() > 253) return false;
  for (auto label : util::split(d, '.')) {
    if (label.empty() || label.size() > 63) return false;
    for (char c : label)
      if (!util::is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool valid_ext_name(std::string_view n) {
  if (n.empty() || n.size() > 32 || !util::is_alnum(n.front())) return false;
  for (char c : n)
    if (!util::is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

ReportUri parse_uri(std::string_view raw, std::size_t position) {
  ReportUri u;
  u.uri = std::string(raw);
  u.position = position;
  if (util::istarts_with(raw, "mailto:")) {
    std::string_view addr = raw.substr(7);
    if (const auto q = addr.find('?'); q != std::string_view::npos) addr = addr.substr(0, q);
    const auto at = addr.rfind('@');
    if (at != std::string_view::npos && at > 0 && valid_host(addr.substr(at + 1))) {
      u.scheme = "mailto";
      u.valid = true;
    }
  } else if (util::istarts_with(raw, "https://")) {
    std::string_view rest = raw.substr(8);
    const auto end = rest.find_first_of("/?#:");
    if (valid_host(end == std::string_view::npos ? rest : rest.substr(0, end))) {
      u.scheme = "https";
      u.valid = true;
    }
  }
  return u;
}

}  // namespace

bool is_tlsrpt_record(std::string_view txt) { return dkim::begins_with_version(txt, "v=TLSRPTv1"); }

TlsRptRecord parse_record(std::string_view text) {
  TlsRptRecord r;
  r.text = std::string(text);
  if (!is_tlsrpt_record(text)) {
    r.problems.push_back(Problem{0, text.size(), "the record does not begin with v=TLSRPTv1", "v", true});
    return r;
  }
  r.is_tlsrpt = true;
  dkim::TagList tl = dkim::split_tag_list(text);
  r.problems = std::move(tl.problems);
  r.tags = std::move(tl.tags);
  bool has_rua = false;
  for (std::size_t i = 0; i < r.tags.size(); ++i) {
    const auto& t = r.tags[i];
    if (t.name == "v") {
      if (i != 0) r.problems.push_back(Problem{t.position, t.length, "v=TLSRPTv1 must be the first tag", "v", true});
    } else if (t.name == "rua") {
      has_rua = true;
      std::size_t start = 0;
      const std::string_view v = t.value;
      while (start <= v.size()) {
        auto comma = v.find(',', start);
        if (comma == std::string_view::npos) comma = v.size();
        const std::string_view piece = v.substr(start, comma - start);
        std::size_t lead = 0;
        while (lead < piece.size() && util::is_space(piece[lead])) ++lead;
        const std::string_view uri = util::trim(piece);
        if (uri.empty()) {
          r.problems.push_back(Problem{t.value_position + start, 1, "empty URI in rua=", "rua", false});
        } else if (r.rua.size() < 16) {
          ReportUri u = parse_uri(uri, t.value_position + start + lead);
          if (!u.valid)
            r.problems.push_back(Problem{u.position, uri.size(),
                                         "'" + util::sanitize(uri, 80) + "' is not a mailto: or https: URI", "rua",
                                         false});
          r.rua.push_back(std::move(u));
        }
        if (comma >= v.size()) break;
        start = comma + 1;
      }
    } else if (!valid_ext_name(t.name)) {
      r.problems.push_back(Problem{t.position, t.length, "'" + util::sanitize(t.name, 40) + "' is not a valid tag name",
                                   util::sanitize(t.name, 40), true});
    }
  }
  if (!has_rua) r.problems.push_back(Problem{0, text.size(), "no rua= tag (where reports go)", "rua", true});
  bool fatal = false;
  for (const auto& p : r.problems) fatal = fatal || p.fatal;
  bool any_valid = false;
  for (const auto& u : r.rua) any_valid = any_valid || u.valid;
  r.usable = !fatal && any_valid;
  return r;
}

io::Task<TlsRptReport> check_tls_rpt(dns::Resolver& resolver, std::string domain) {
  TlsRptReport rep;
  rep.domain = util::lower(util::trim(domain));
  while (!rep.domain.empty() && rep.domain.back() == '.') rep.domain.pop_back();
  const std::string name = "_smtp._tls." + rep.domain;
  io::Task<dns::Answer> task = resolver.lookup(dns::Query{name, dns::RrType::txt});
  dns::Answer a = co_await task;
  if (!a.is_fact()) {
    Finding f = domain_owner_finding("tlsrpt.dns-error", Severity::warning, rep.domain);
    f.arg("name", name).arg("error", std::string(dns::to_string(a.outcome)));
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  for (const auto& r : a.records)
    if (is_tlsrpt_record(r.text)) rep.record_texts.push_back(r.text);
  if (rep.record_texts.empty()) {
    rep.findings.push_back(domain_owner_finding("tlsrpt.missing", Severity::info, rep.domain));
    co_return rep;
  }
  if (rep.record_texts.size() > 1) {
    Finding f = domain_owner_finding("tlsrpt.multiple", Severity::warning, rep.domain);
    f.arg("count", util::format_uint(rep.record_texts.size()));
    for (const auto& t : rep.record_texts) f.evidence += (f.evidence.empty() ? "" : "\n") + util::sanitize(t, 300);
    rep.findings.push_back(std::move(f));
    co_return rep;
  }
  rep.record = parse_record(rep.record_texts.front());
  std::size_t n = 0;
  for (const auto& p : rep.record->problems) {
    if (n++ >= 4) break;
    const bool uri = p.tag == "rua" && !p.fatal;
    Finding f = domain_owner_finding(uri ? "tlsrpt.bad-uri" : "tlsrpt.syntax", p.fatal ? Severity::warning : Severity::info, rep.domain);
    f.arg("problem", p.message);
    f.evidence = util::sanitize(rep.record->text, 300);
    rep.findings.push_back(std::move(f));
  }
  co_return rep;
}

}  // namespace mailrep::auth::tlsrpt
