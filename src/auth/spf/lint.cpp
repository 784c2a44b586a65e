// SPF lint and inventory: fetch the include/redirect tree breadth-first (each level's lookups in
// flight together), then walk it in RFC order to count lookups, find problems and flatten networks.
#include "mailrep/auth/spf/lint.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mailrep/util/text.hpp"

namespace mailrep::auth::spf {

namespace {

constexpr int k_max_lookups = 10;
constexpr int k_max_void = 2;
constexpr int k_max_depth = 10;
constexpr std::size_t k_max_records = 40;   // distinct records fetched
constexpr std::size_t k_max_tree_nodes = 200;  // nodes shown (a diamond repeats subtrees)
constexpr std::size_t k_max_names = 10;

std::string num(long long v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, p);
}

std::string key_of(std::string_view name, dns::RrType type) {
  return util::lower(name) + "|" + num(static_cast<long long>(type));
}

struct Fetched {
  std::string domain;
  enum class Kind { record, none, nxdomain, multiple, error } kind = Kind::none;
  std::string text;
  std::string detail;
  std::vector<std::string> all_spf;  ///< every v=spf1 text (for multiple-records evidence)
  std::optional<Record> rec;
};

Fetched classify(std::string domain, const dns::Answer& ans) {
  Fetched f;
  f.domain = std::move(domain);
  if (ans.outcome == dns::Outcome::nxdomain) {
    f.kind = Fetched::Kind::nxdomain;
    f.detail = "the domain does not exist";
    return f;
  }
  if (ans.outcome == dns::Outcome::nodata) {
    f.kind = Fetched::Kind::none;
    f.detail = "no TXT records";
    return f;
  }
  if (!ans.is_fact()) {
    f.kind = Fetched::Kind::error;
    f.detail = std::string(dns::to_string(ans.outcome));
    if (!ans.detail.empty()) f.detail += " (" + util::sanitize(ans.detail, 200) + ")";
    return f;
  }
  for (const auto& r : ans.records) {
    if (r.type != dns::RrType::txt) continue;
    std::string t = r.text;
    if (t.empty())
      for (const auto& s : r.strings) t += s;
    if (is_spf_record(t)) f.all_spf.push_back(std::move(t));
  }
  if (f.all_spf.empty()) {
    f.kind = Fetched::Kind::none;
    f.detail = "no \"v=spf1\" TXT record";
  } else if (f.all_spf.size() > 1) {
    f.kind = Fetched::Kind::multiple;
    f.detail = "more than one \"v=spf1\" record";
  } else {
    f.kind = Fetched::Kind::record;
    f.text = f.all_spf.front();
    f.rec = parse_record(f.text);
  }
  return f;
}

/// Targets lint can expand without a client: no macros, or only %{d} and %{o}.
std::optional<std::string> lint_target(const std::string& spec, const std::string& domain, const std::string& root) {
  if (spec.empty()) return to_query_name(domain);
  auto tokens = parse_macro_string(spec, MacroSyntax::domain_spec);
  if (!tokens) return std::nullopt;
  for (const auto& t : *tokens)
    if (t.kind == MacroToken::Kind::macro && t.letter != 'd' && t.letter != 'o') return std::nullopt;
  MacroValues v;
  v.domain = domain;
  v.sender_domain = root;
  v.sender = "postmaster@" + root;
  v.local_part = "postmaster";
  auto e = expand_tokens(*tokens, v);
  if (!e) return std::nullopt;
  return to_query_name(*e);
}

Finding make_finding(std::string id, Severity sev, std::string subject) {
  Finding f;
  f.args.emplace_back("root", subject);
  f.id = std::move(id);
  f.severity = sev;
  f.who_can_fix = Fixer::domain_owner;
  f.subject = std::move(subject);
  return f;
}

/// The second phase: walk the fetched data in evaluation order.
class Walker {
public:
  Walker(SpfReport& report, const std::map<std::string, Fetched>& fetched,
         const std::map<std::string, dns::Answer>& answers, std::string root)
      : m_report(report), m_fetched(fetched), m_answers(answers), m_root(std::move(root)) {}

  TreeNode walk(const std::string& domain, const std::string& via, const std::string& origin, bool authorising,
                bool root_chain, std::vector<std::string>& path);
  [[nodiscard]] int running() const { return m_running; }
  [[nodiscard]] int voids() const { return m_voids; }
  void add_network(const util::IpAddress& addr, unsigned prefix, std::string origin);
  std::vector<std::pair<std::string, int>> root_includes;  ///< root-level includes and their subtree cost
  std::string eleventh;  ///< the term that makes the 11th lookup (worst case)
  std::vector<std::string> void_terms;

private:
  const dns::Answer* answer(const std::string& name, dns::RrType type) const {
    auto it = m_answers.find(key_of(name, type));
    return it == m_answers.end() ? nullptr : &it->second;
  }
  void count(const std::string& term_text, const std::string& domain) {
    ++m_running;
    if (m_running == k_max_lookups + 1) eleventh = term_text + " (" + domain + ")";
  }
  void resolve_addresses(const std::string& host, const Term& term, const std::string& origin_prefix, bool add,
                         bool& any, bool& unknown);

  SpfReport& m_report;
  const std::map<std::string, Fetched>& m_fetched;
  const std::map<std::string, dns::Answer>& m_answers;
  std::string m_root;
  int m_running = 0;
  int m_voids = 0;
  std::size_t m_nodes = 0;
  std::set<std::string> m_reported;  ///< "id|domain|..." already reported
};

void Walker::add_network(const util::IpAddress& addr, unsigned prefix, std::string origin) {
  auto cidr = util::Cidr::parse(addr.to_string() + "/" + num(prefix));
  if (!cidr) return;
  for (const auto& n : m_report.networks)
    if (n.cidr == *cidr) return;
  m_report.networks.push_back(SpfNetwork{*cidr, std::move(origin)});
}

void Walker::resolve_addresses(const std::string& host, const Term& term, const std::string& origin_prefix, bool add,
                               bool& any, bool& unknown) {
  for (auto type : {dns::RrType::a, dns::RrType::aaaa}) {
    const dns::Answer* a = answer(host, type);
    if (a == nullptr || !a->is_fact()) {
      unknown = true;
      continue;
    }
    for (const auto& r : a->records) {
      if (r.type != type) continue;
      any = true;
      if (add)
        add_network(r.address, type == dns::RrType::a ? term.prefix4() : term.prefix6(),
                  origin_prefix + host + (type == dns::RrType::a ? " A" : " AAAA"));
    }
  }
}

TreeNode Walker::walk(const std::string& domain, const std::string& via, const std::string& origin, bool authorising,
                      bool root_chain, std::vector<std::string>& path) {
  TreeNode node;
  node.domain = domain;
  node.via = via;
  node.running_start = m_running;
  ++m_nodes;
  const std::string key = util::lower(domain);
  const bool is_root = via.empty();
  if (std::find(path.begin(), path.end(), key) != path.end()) {
    node.status = "loop";
    if (m_reported.insert("loop|" + key).second) {
      Finding f = make_finding("spf.loop", Severity::critical, m_root);
      f.arg("domain", domain).arg("via", via).arg("path", util::join(path, " → ") + " → " + key);
      f.evidence = via;
      m_report.findings.push_back(std::move(f));
    }
    // Evaluation never ends before the lookup limit: every receiver gets permerror.
    if (m_running <= k_max_lookups) {
      m_running = k_max_lookups + 1;
      if (eleventh.empty()) eleventh = via + " (loop)";
    }
    node.running_end = m_running;
    return node;
  }
  auto it = m_fetched.find(key);
  if (it == m_fetched.end() || m_nodes > k_max_tree_nodes || path.size() >= static_cast<std::size_t>(k_max_depth)) {
    node.status = path.size() >= static_cast<std::size_t>(k_max_depth) ? "depth-limit" : "not-fetched";
    m_report.complete = false;
    node.running_end = m_running;
    return node;
  }
  const Fetched& f = it->second;
  switch (f.kind) {
    case Fetched::Kind::none:
    case Fetched::Kind::nxdomain:
      node.status = "no-record";
      if (is_root) {
        Finding fd = make_finding("spf.no-record", Severity::warning, domain);
        fd.arg("domain", domain).arg("detail", f.detail);
        m_report.findings.push_back(std::move(fd));
      } else if (m_reported.insert("nospf|" + key).second) {
        Finding fd = make_finding("spf.include-no-spf", Severity::critical, m_root);
        fd.arg("domain", domain).arg("via", via).arg("detail", f.detail);
        fd.evidence = via;
        m_report.findings.push_back(std::move(fd));
      }
      node.running_end = m_running;
      return node;
    case Fetched::Kind::multiple:
      node.status = "multiple-records";
      if (m_reported.insert("multi|" + key).second) {
        Finding fd = make_finding("spf.multiple-records", Severity::critical, domain);
        fd.arg("domain", domain).arg("count", num(static_cast<long long>(f.all_spf.size())));
        fd.evidence = util::sanitize(util::join(f.all_spf, "\n"), 4096);
        m_report.findings.push_back(std::move(fd));
      }
      node.running_end = m_running;
      return node;
    case Fetched::Kind::error:
      node.status = "dns-error";
      m_report.complete = false;
      if (m_reported.insert("temp|" + key).second) {
        Finding fd = make_finding("spf.temperror", Severity::warning, domain);
        fd.arg("domain", domain).arg("detail", f.detail);
        m_report.findings.push_back(std::move(fd));
      }
      node.running_end = m_running;
      return node;
    case Fetched::Kind::record:
      break;
  }
  node.record = util::sanitize(f.text, 4096);
  const Record& rec = *f.rec;
  if (!rec.ok()) {
    node.status = "syntax";
    if (m_reported.insert("syntax|" + key).second) {
      for (const auto& e : rec.errors) {
        Finding fd = make_finding("spf.syntax", Severity::critical, domain);
        fd.arg("domain", domain)
            .arg("column", num(static_cast<long long>(e.position + 1)))
            .arg("message", e.message)
            .arg("term", e.term);
        fd.evidence = node.record;
        m_report.findings.push_back(std::move(fd));
      }
    }
    node.running_end = m_running;
    return node;
  }
  node.status = "ok";
  path.push_back(key);
  bool seen_all = false;
  const std::string prefix = origin.empty() ? std::string() : origin + " → ";
  for (const auto& term : rec.terms) {
    TermCost tc;
    tc.text = term.text;
    tc.evaluated = !seen_all;
    tc.cost = costs_lookup(term.kind) ? 1 : 0;
    const bool authorises = authorising && term.qualifier == Qualifier::pass;
    if (tc.evaluated && tc.cost) {
      count(term.text, domain);
      ++node.lookups_here;
    }
    std::optional<TreeNode> child;
    switch (term.kind) {
      case Mechanism::all:
        seen_all = true;
        if (tc.evaluated && term.qualifier == Qualifier::pass && authorising &&
            m_reported.insert("plusall|" + key).second) {
          Finding fd = make_finding("spf.plus-all", Severity::critical, m_root);
          fd.arg("domain", domain).arg("term", term.text);
          fd.evidence = node.record;
          m_report.findings.push_back(std::move(fd));
        }
        if (tc.evaluated && term.qualifier == Qualifier::neutral && root_chain) {
          Finding fd = make_finding("spf.neutral-all", Severity::warning, m_root);
          fd.arg("domain", domain).arg("term", term.text);
          fd.evidence = node.record;
          m_report.findings.push_back(std::move(fd));
        }
        break;
      case Mechanism::ip4:
      case Mechanism::ip6:
        if (tc.evaluated && authorises && term.network)
          m_report.networks.push_back(SpfNetwork{*term.network, prefix + term.text});
        break;
      case Mechanism::ptr:
        if (authorises && tc.evaluated) m_report.complete = false;  // authorises by reverse DNS
        if (m_reported.insert("ptr|" + key).second) {
          Finding fd = make_finding("spf.ptr-deprecated", Severity::warning, m_root);
          fd.arg("domain", domain).arg("term", term.text);
          fd.evidence = node.record;
          m_report.findings.push_back(std::move(fd));
        }
        break;
      case Mechanism::include: {
        if (!tc.evaluated) break;
        auto target = lint_target(term.domain_spec, domain, m_root);
        if (!target) {
          TreeNode n;
          n.domain = term.domain_spec;
          n.via = term.text;
          n.status = "not-fetched";
          n.running_start = n.running_end = m_running;
          child = std::move(n);
          if (authorises) m_report.complete = false;
          break;
        }
        const int before = m_running;
        child = walk(*target, term.text, prefix + term.text, authorises, false, path);
        if (is_root) root_includes.emplace_back(term.text, m_running - before + 1);
        break;
      }
      case Mechanism::a:
      case Mechanism::mx:
      case Mechanism::exists: {
        auto target = lint_target(term.domain_spec, domain, m_root);
        if (!target) {
          // needs client data (%{i}, %{s} ...): what it authorises cannot be listed
          if (authorises && tc.evaluated) m_report.complete = false;
          break;
        }
        bool any = false, unknown = false;
        if (term.kind == Mechanism::exists) {
          const dns::Answer* a = answer(*target, dns::RrType::a);
          if (a == nullptr || !a->is_fact()) unknown = true;
          else any = a->has_records();
        } else if (term.kind == Mechanism::a) {
          resolve_addresses(*target, term, prefix + term.text + " → ", authorises && tc.evaluated, any, unknown);
        } else {
          const dns::Answer* mx = answer(*target, dns::RrType::mx);
          if (mx == nullptr || !mx->is_fact()) {
            unknown = true;
          } else {
            std::size_t n = 0;
            for (const auto& r : mx->records) {
              if (r.type != dns::RrType::mx || r.text.empty() || r.text == ".") continue;
              any = true;
              if (++n > k_max_names) break;
              bool host_any = false;
              resolve_addresses(r.text, term, prefix + term.text + " → ", authorises && tc.evaluated, host_any, unknown);
            }
          }
        }
        if (unknown) m_report.complete = false;
        if (!any && !unknown && tc.evaluated) {
          ++m_voids;
          void_terms.push_back(term.text + " (" + domain + ")");
        }
        break;
      }
    }
    tc.running = m_running;
    node.terms.push_back(std::move(tc));
    if (child) node.children.push_back(std::move(*child));
  }
  for (const auto& m : rec.modifiers) {
    TermCost tc;
    tc.text = m.text;
    tc.is_modifier = true;
    const bool is_redirect = rec.redirect && &m == rec.redirect_modifier();
    tc.evaluated = !(is_redirect && seen_all);  // RFC 7208 6.1: redirect is ignored when "all" is present
    tc.cost = is_redirect ? 1 : 0;
    std::optional<TreeNode> child;
    if (is_redirect && tc.evaluated) {
      count(m.text, domain);
      ++node.lookups_here;
      auto target = lint_target(m.value, domain, m_root);
      if (target) {
        child = walk(*target, m.text, prefix + m.text, authorising, root_chain, path);
      } else {
        TreeNode n;
        n.domain = m.value;
        n.via = m.text;
        n.status = "not-fetched";
        n.running_start = n.running_end = m_running;
        child = std::move(n);
      }
    }
    tc.running = m_running;
    node.terms.push_back(std::move(tc));
    if (child) node.children.push_back(std::move(*child));
  }
  if (!seen_all && !rec.redirect && root_chain) {
    Finding fd = make_finding("spf.neutral-all", Severity::warning, m_root);
    fd.arg("domain", domain).arg("term", "(no all)");
    fd.evidence = node.record;
    m_report.findings.push_back(std::move(fd));
  }
  path.pop_back();
  node.running_end = m_running;
  return node;
}

std::vector<std::pair<std::string, dns::RrType>> target_queries(const Record& rec, const std::string& domain,
                                                                 const std::string& root) {
  std::vector<std::pair<std::string, dns::RrType>> out;
  for (const auto& term : rec.terms) {
    if (term.kind != Mechanism::a && term.kind != Mechanism::mx && term.kind != Mechanism::exists) continue;
    auto target = lint_target(term.domain_spec, domain, root);
    if (!target) continue;
    if (term.kind == Mechanism::mx) {
      out.emplace_back(*target, dns::RrType::mx);
    } else {
      out.emplace_back(*target, dns::RrType::a);
      if (term.kind == Mechanism::a) out.emplace_back(*target, dns::RrType::aaaa);
    }
  }
  return out;
}

/// The root-level includes whose removal (or flattening) brings the count down to the limit,
/// largest first: "include:a.test (5), include:b.test (3)" (all of them when even that is not
/// enough); "-" when there are none.
std::string includes_to_cut(std::vector<std::pair<std::string, int>> includes, int total) {
  std::stable_sort(includes.begin(), includes.end(),
                   [](const std::pair<std::string, int>& a, const std::pair<std::string, int>& b) { return a.second > b.second; });
  int remaining = total;
  std::vector<std::string> cut;
  for (const auto& include : includes) {
    if (remaining <= k_max_lookups) break;
    cut.push_back(include.first + " (" + num(include.second) + ")");
    remaining -= include.second;
  }
  if (cut.empty()) return "-";
  return util::join(cut, ", ");
}

}  // namespace

io::Task<SpfReport> lint(dns::Resolver& resolver, std::string domain) {
  SpfReport report;
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  report.domain = domain;
  const std::string root = util::lower(domain);
  if (!to_query_name(domain)) {
    Finding f = make_finding("spf.no-record", Severity::warning, domain);
    f.arg("domain", util::sanitize(domain, 260)).arg("detail", "no usable domain name");
    report.findings.push_back(std::move(f));
    report.tree.domain = domain;
    report.tree.status = "no-record";
    co_return report;
  }

  // Phase 1: the record tree, level by level; every lookup of a level in flight together, and the
  // a/mx/exists targets of each record started as soon as it arrives.
  std::map<std::string, Fetched> fetched;
  std::map<std::string, dns::Answer> answers;
  std::vector<std::pair<std::string, io::Task<dns::Answer>>> target_tasks;
  std::set<std::string> requested;
  std::vector<std::string> level{root};
  std::set<std::string> queued{root};
  for (int depth = 0; depth <= k_max_depth && !level.empty(); ++depth) {
    std::vector<io::Task<dns::Answer>> tasks;
    tasks.reserve(level.size());
    for (const auto& name : level) tasks.push_back(resolver.lookup(dns::Query{name, dns::RrType::txt}));
    std::vector<std::string> next;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      io::Task<dns::Answer> task = std::move(tasks[i]);
      dns::Answer ans = co_await task;
      Fetched f = classify(level[i], ans);
      if (f.rec && f.rec->ok()) {
        const auto queries = target_queries(*f.rec, level[i], root);
        for (std::size_t q = 0; q < queries.size(); ++q) {
          std::string k = key_of(queries[q].first, queries[q].second);
          if (!requested.insert(k).second) continue;
          target_tasks.emplace_back(k, resolver.lookup(dns::Query{queries[q].first, queries[q].second}));
        }
        std::vector<std::string> specs;
        for (const auto& term : f.rec->terms)
          if (term.kind == Mechanism::include) specs.push_back(term.domain_spec);
        bool has_all = false;
        for (const auto& term : f.rec->terms)
          if (term.kind == Mechanism::all) has_all = true;
        // RFC 7208 6.1: redirect= is ignored when the record has "all"
        if (const auto* r = f.rec->redirect_modifier(); r != nullptr && !has_all) specs.push_back(r->value);
        for (const auto& spec : specs) {
          auto target = lint_target(spec, level[i], root);
          if (!target) continue;
          std::string k = util::lower(*target);
          if (queued.size() >= k_max_records || !queued.insert(k).second) continue;
          next.push_back(k);
        }
      }
      fetched.emplace(level[i], std::move(f));
    }
    level = std::move(next);
  }

  // Phase 2: the a/mx/exists answers; then the MX hosts' addresses, all together.
  std::vector<std::pair<std::string, io::Task<dns::Answer>>> host_tasks;
  for (std::size_t t = 0; t < target_tasks.size(); ++t) {
    io::Task<dns::Answer> task = std::move(target_tasks[t].second);
    dns::Answer ans = co_await task;
    if (ans.query.type == dns::RrType::mx && ans.has_records()) {
      std::size_t n = 0;
      for (const auto& r : ans.records) {
        if (r.type != dns::RrType::mx || r.text.empty() || r.text == ".") continue;
        if (++n > k_max_names) break;
        for (auto type : {dns::RrType::a, dns::RrType::aaaa}) {
          std::string hk = key_of(r.text, type);
          if (!requested.insert(hk).second) continue;
          host_tasks.emplace_back(hk, resolver.lookup(dns::Query{r.text, type}));
        }
      }
    }
    answers.emplace(target_tasks[t].first, std::move(ans));
  }
  for (std::size_t t = 0; t < host_tasks.size(); ++t) {
    io::Task<dns::Answer> task = std::move(host_tasks[t].second);
    dns::Answer ans = co_await task;
    answers.emplace(host_tasks[t].first, std::move(ans));
  }

  // Phase 3: walk in evaluation order.
  if (auto it = fetched.find(root); it != fetched.end() && it->second.kind == Fetched::Kind::record) {
    report.record = it->second.text;
    report.parsed = it->second.rec;
  }
  Walker walker(report, fetched, answers, domain);
  std::vector<std::string> path;
  report.tree = walker.walk(domain, "", "", true, true, path);
  report.lookups = walker.running();
  report.void_lookups = walker.voids();

  if (report.lookups > k_max_lookups) {
    Finding f = make_finding("spf.too-many-lookups", Severity::critical, domain);
    f.arg("domain", domain)
        .arg("count", num(report.lookups))
        .arg("limit", num(k_max_lookups))
        .arg("eleventh", walker.eleventh)
        .arg("cut", includes_to_cut(walker.root_includes, report.lookups));
    f.evidence = report.record;
    report.findings.push_back(std::move(f));
  }
  if (report.void_lookups > 0) {
    Finding f = make_finding("spf.void-lookups", report.void_lookups > k_max_void ? Severity::critical : Severity::warning,
                             domain);
    f.arg("domain", domain).arg("count", num(report.void_lookups)).arg("limit", num(k_max_void))
        .arg("terms", util::join(walker.void_terms, ", "));
    report.findings.push_back(std::move(f));
  }
  co_return report;
}

std::span<const MessageText> spf_messages() {
  static constexpr std::array<MessageText, 11> k_messages{{
      {"spf.no-record",
       "No SPF record", "{domain} publishes no SPF record ({detail}). Receivers get the result \"none\" and cannot tell "
       "forged mail from yours; many treat such mail with suspicion.",
       "Publish one TXT record \"v=spf1 ... -all\" at {domain} that lists the servers that send its mail.",
       "Kein SPF-Eintrag", "{domain} veröffentlicht keinen SPF-Eintrag ({detail}). Empfänger erhalten das Ergebnis "
       "\"none\" und können gefälschte Mails nicht von Ihren unterscheiden; viele behandeln solche Mails misstrauisch.",
       "Legen Sie bei {domain} genau einen TXT-Eintrag \"v=spf1 ... -all\" an, der die sendenden Server aufführt."},
      {"spf.multiple-records",
       "More than one SPF record", "{domain} publishes {count} \"v=spf1\" records. RFC 7208 makes that a permanent "
       "error: every receiver gets \"permerror\", as if there were no valid SPF at all.",
       "Merge the records into a single TXT record at {domain} and delete the others.",
       "Mehrere SPF-Einträge", "{domain} veröffentlicht {count} \"v=spf1\"-Einträge. Nach RFC 7208 ist das ein "
       "dauerhafter Fehler: Jeder Empfänger erhält \"permerror\", als gäbe es gar kein gültiges SPF.",
       "Führen Sie die Einträge zu einem einzigen TXT-Eintrag bei {domain} zusammen und löschen Sie die übrigen."},
      {"spf.syntax",
       "SPF syntax error", "The SPF record of {domain} has an error at column {column} ({term}): {message}. One error "
       "anywhere makes the whole record a permanent error (\"permerror\") for every receiver.",
       "Correct the term at column {column} of the record at {domain} (see RFC 7208 section 12 for the syntax).",
       "SPF-Syntaxfehler", "Der SPF-Eintrag von {domain} hat in Spalte {column} einen Fehler ({term}): {message}. Ein "
       "Fehler an beliebiger Stelle macht den ganzen Eintrag für jeden Empfänger zu einem dauerhaften Fehler "
       "(\"permerror\").",
       "Korrigieren Sie den Ausdruck in Spalte {column} des Eintrags bei {domain} (Syntax: RFC 7208, Abschnitt 12)."},
      {"spf.too-many-lookups",
       "Too many DNS lookups in SPF", "Evaluating the SPF record of {domain} needs {count} DNS lookups; RFC 7208 allows "
       "{limit}. The lookup that crosses the limit is {eleventh}. From there on receivers get \"permerror\", and mail "
       "from servers listed later fails SPF.",
       "Remove includes you no longer need, or replace them by the ip4:/ip6: networks they contain. Largest first, "
       "with the lookups each costs: {cut}.",
       "Zu viele DNS-Abfragen im SPF", "Die Auswertung des SPF-Eintrags von {domain} braucht {count} DNS-Abfragen; "
       "RFC 7208 erlaubt {limit}. Die Abfrage, die die Grenze überschreitet, ist {eleventh}. Ab dort erhalten Empfänger "
       "\"permerror\", und Mails von später aufgeführten Servern bestehen SPF nicht.",
       "Entfernen Sie nicht mehr benötigte includes oder ersetzen Sie sie durch die ip4:/ip6:-Netze, die sie enthalten. "
       "Die größten zuerst, mit den Abfragen, die jedes kostet: {cut}."},
      {"spf.void-lookups",
       "SPF lookups without result", "{count} mechanisms in the SPF tree of {domain} point at names without records "
       "({terms}). RFC 7208 allows {limit} such \"void lookups\"; beyond that the result is \"permerror\".",
       "Remove the a:, mx: or exists: terms that point at names which no longer exist, or fix those names.",
       "SPF-Abfragen ohne Ergebnis", "{count} Mechanismen im SPF-Baum von {domain} verweisen auf Namen ohne Einträge "
       "({terms}). RFC 7208 erlaubt {limit} solche \"void lookups\"; darüber hinaus lautet das Ergebnis \"permerror\".",
       "Entfernen Sie die a:-, mx:- oder exists:-Angaben, die auf nicht mehr vorhandene Namen zeigen, oder legen Sie "
       "diese Namen wieder an."},
      {"spf.loop",
       "SPF include loop", "The SPF tree of {root} includes itself: {path}. Evaluation can never finish, so every "
       "receiver ends at the lookup limit with \"permerror\".",
       "Remove the include or redirect ({via}) that leads back to a record already on the path.",
       "SPF-Schleife", "Der SPF-Baum von {root} bindet sich selbst ein: {path}. Die Auswertung kann nie enden, daher "
       "erhält jeder Empfänger an der Abfragegrenze \"permerror\".",
       "Entfernen Sie das include bzw. redirect ({via}), das zu einem Eintrag zurückführt, der schon auf dem Pfad liegt."},
      {"spf.ptr-deprecated",
       "SPF uses the ptr mechanism", "The record of {domain} uses \"{term}\". RFC 7208 says ptr SHOULD NOT be used: it is "
       "slow, unreliable and some receivers skip or penalise it.",
       "Replace \"{term}\" by ip4:/ip6: networks or a: names of the sending servers.",
       "SPF verwendet den ptr-Mechanismus", "Der Eintrag von {domain} verwendet \"{term}\". Laut RFC 7208 SOLL ptr nicht "
       "verwendet werden: Er ist langsam und unzuverlässig, und manche Empfänger ignorieren oder bestrafen ihn.",
       "Ersetzen Sie \"{term}\" durch ip4:/ip6:-Netze oder a:-Namen der sendenden Server."},
      {"spf.plus-all",
       "SPF allows every server", "The SPF tree of {root} contains \"{term}\" (in the record of {domain}): any server "
       "on the internet passes SPF for {root}. That is worse than no SPF, and receivers distrust it.",
       "End the record with \"-all\" (or \"~all\") after listing the real senders.",
       "SPF erlaubt jeden Server", "Der SPF-Baum von {root} enthält \"{term}\" (im Eintrag von {domain}): Jeder Server "
       "im Internet besteht SPF für {root}. Das ist schlechter als gar kein SPF, und Empfänger misstrauen dem.",
       "Beenden Sie den Eintrag mit \"-all\" (oder \"~all\"), nachdem Sie die echten Absender aufgeführt haben."},
      {"spf.neutral-all",
       "SPF makes no statement", "The SPF record of {domain} ends in \"{term}\": mail from servers not listed gets "
       "\"neutral\", so the record does not protect the domain against forgery.",
       "End the record with \"-all\" (or \"~all\" while you are still collecting senders).",
       "SPF trifft keine Aussage", "Der SPF-Eintrag von {domain} endet mit \"{term}\": Mails von nicht aufgeführten "
       "Servern erhalten \"neutral\", der Eintrag schützt die Domain also nicht vor Fälschung.",
       "Beenden Sie den Eintrag mit \"-all\" (oder \"~all\", solange Sie noch Absender sammeln)."},
      {"spf.include-no-spf",
       "SPF include without SPF record", "\"{via}\" points at {domain}, which has no SPF record ({detail}). RFC 7208 makes "
       "that a permanent error when receivers reach it: \"permerror\".",
       "Remove \"{via}\" or correct the name; ask the provider for its current include name.",
       "SPF-include ohne SPF-Eintrag", "\"{via}\" verweist auf {domain}, das keinen SPF-Eintrag hat ({detail}). Nach "
       "RFC 7208 ist das ein dauerhafter Fehler, sobald Empfänger dorthin gelangen: \"permerror\".",
       "Entfernen Sie \"{via}\" oder korrigieren Sie den Namen; fragen Sie den Anbieter nach dem aktuellen include-Namen."},
      {"spf.temperror",
       "SPF record could not be fetched", "The SPF record of {domain} could not be fetched: {detail}. Receivers that hit "
       "the same problem get \"temperror\" and may defer mail.",
       "Check the name servers of {domain}: they must answer TXT queries reliably.",
       "SPF-Eintrag nicht abrufbar", "Der SPF-Eintrag von {domain} konnte nicht abgerufen werden: {detail}. Empfänger mit "
       "demselben Problem erhalten \"temperror\" und stellen Mails eventuell später zu.",
       "Prüfen Sie die Nameserver von {domain}: Sie müssen TXT-Abfragen zuverlässig beantworten."},
  }};
  return k_messages;
}

}  // namespace mailrep::auth::spf
