// check_host() (RFC 7208 4-6): in-order evaluation with exact limit counting, plus a
// breadth-first prefetch of the include/redirect tree so that wall time follows the tree's depth.
#include "mailrep/auth/spf/check_host.hpp"

#include <charconv>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mailrep/auth/spf/record.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::auth::spf {

std::string_view to_string(SpfResult r) {
  switch (r) {
    case SpfResult::none: return "none";
    case SpfResult::neutral: return "neutral";
    case SpfResult::pass: return "pass";
    case SpfResult::fail: return "fail";
    case SpfResult::softfail: return "softfail";
    case SpfResult::temperror: return "temperror";
    case SpfResult::permerror: return "permerror";
  }
  return "none";
}

CheckHostInput input_from_envelope(util::IpAddress ip, std::string_view mail_from, std::string_view helo) {
  CheckHostInput in;
  in.ip = ip;
  in.helo = std::string(helo);
  if (mail_from.empty()) {
    // RFC 7208 2.4: a null reverse-path: check the HELO identity with "postmaster@" HELO.
    in.domain = std::string(helo);
    in.sender = "postmaster@" + std::string(helo);
    return in;
  }
  in.sender = std::string(mail_from);
  const auto at = mail_from.rfind('@');
  in.domain = std::string(at == std::string_view::npos ? mail_from : mail_from.substr(at + 1));
  return in;
}

namespace {

constexpr int k_max_lookups = 10;     // RFC 7208 4.6.4
constexpr int k_max_void = 2;         // RFC 7208 4.6.4
constexpr std::size_t k_max_names = 10;  // RFC 7208 4.6.4: MX and PTR names per lookup
constexpr int k_max_depth = 20;       // belt and braces; the lookup limit ends recursion first
constexpr int k_prefetch_depth = 10;
constexpr int k_prefetch_nodes = 40;
constexpr int k_prefetch_targets = 80;
constexpr std::size_t k_max_explanation = 1024;

// --- helpers --------------------------------------------------------------------------------

std::string txt_text(const dns::Record& r) {
  if (!r.text.empty() || r.strings.empty()) return r.text;
  std::string out;
  for (const auto& s : r.strings) out += s;
  return out;
}

enum class Selection { record, none, multiple, error };
struct Selected {
  Selection kind = Selection::none;
  std::string text;
  std::string detail;
};

// RFC 7208 4.4/4.5: one TXT lookup; exactly one "v=spf1" record.
Selected select_record(const dns::Answer& ans) {
  Selected s;
  if (ans.outcome == dns::Outcome::nxdomain || ans.outcome == dns::Outcome::nodata) {
    s.kind = Selection::none;
    s.detail = ans.outcome == dns::Outcome::nxdomain ? "the domain does not exist" : "no TXT records";
    return s;
  }
  if (!ans.is_fact()) {
    s.kind = Selection::error;
    s.detail = "TXT lookup failed: " + std::string(dns::to_string(ans.outcome));
    if (!ans.detail.empty()) s.detail += " (" + util::sanitize(ans.detail, 200) + ")";
    return s;
  }
  int count = 0;
  for (const auto& r : ans.records) {
    if (r.type != dns::RrType::txt) continue;
    std::string t = txt_text(r);
    if (!is_spf_record(t)) continue;
    if (++count == 1) s.text = std::move(t);
  }
  if (count == 0) {
    s.kind = Selection::none;
    s.detail = "no \"v=spf1\" TXT record";
  } else if (count > 1) {
    s.kind = Selection::multiple;
    s.detail = "more than one \"v=spf1\" record";
  } else {
    s.kind = Selection::record;
  }
  return s;
}

// RFC 7208 4.3: a usable <domain>: no domain literal, valid labels, more than one label.
bool valid_initial_domain(std::string_view d) {
  if (d.empty() || d.front() == '[') return false;
  for (char c : d) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
  }
  auto name = to_query_name(d);
  return name && name->find('.') != std::string::npos;
}

bool is_same_or_subdomain(std::string_view name, std::string_view domain) {
  if (util::iequals(name, domain)) return true;
  return name.size() > domain.size() && util::iends_with(name, domain) && name[name.size() - domain.size() - 1] == '.';
}

std::string outcome_detail(const dns::Answer& a) {
  std::string s = std::string(dns::to_string(a.query.type)) + " lookup for " + util::sanitize(a.query.name, 260) +
                  ": " + std::string(dns::to_string(a.outcome));
  if (!a.detail.empty()) s += " (" + util::sanitize(a.detail, 200) + ")";
  return s;
}

// --- evaluation state -----------------------------------------------------------------------

struct PtrCache {
  bool done = false;
  bool is_void = false;                 ///< the PTR lookup itself gave no names
  std::vector<std::string> validated;   ///< validated names, in PTR order
};

struct State {
  util::IpAddress ip;  ///< unmapped
  MacroValues base;    ///< everything but d and p
  int lookups = 0;
  int voids = 0;
  PtrCache ptr;
};

/// One evaluated check_host() (or a partial result of one).
struct Eval {
  SpfResult result = SpfResult::neutral;
  std::string problem;
  std::string detail;
  std::string exp_spec;    ///< the exp= of the record that decided a fail ("" = none)
  std::string exp_domain;  ///< its <domain>
  std::string mechanism;   ///< deciding term text, "default" when none matched
  std::vector<std::string> path;
  std::string domain;      ///< domain of the record that held `mechanism`
};

Eval error_eval(SpfResult r, std::string problem, std::string detail) {
  Eval e;
  e.result = r;
  e.problem = std::move(problem);
  e.detail = std::move(detail);
  return e;
}

enum class MatchState { no, yes, error };
struct Match {
  MatchState state = MatchState::no;
  Eval eval;  ///< for error: the terminal result; for an include match: the included evaluation
};

Match match_error(SpfResult r, std::string problem, std::string detail) {
  Match m;
  m.state = MatchState::error;
  m.eval = error_eval(r, std::move(problem), std::move(detail));
  return m;
}

io::Task<Eval> evaluate(dns::Resolver& resolver, std::shared_ptr<State> st, std::string domain, int depth);

// RFC 7208 5.5 / 7.3 (p): PTR names of the client that resolve back to it (first 10 names).
io::Task<bool> ensure_ptr(dns::Resolver& resolver, std::shared_ptr<State> st) {
  if (st->ptr.done) co_return true;
  st->ptr.done = true;
  auto ptr_task = resolver.lookup(dns::Query{st->ip.ptr_name(), dns::RrType::ptr});
  dns::Answer ptr = co_await ptr_task;
  if (!ptr.has_records()) {
    st->ptr.is_void = ptr.is_fact();
    co_return true;
  }
  std::vector<std::string> names;
  for (const auto& r : ptr.records) {
    if (r.type != dns::RrType::ptr || r.text.empty()) continue;
    names.push_back(r.text);
    if (names.size() >= k_max_names) break;  // RFC 7208 4.6.4: ignore names after the first 10
  }
  const auto type = st->ip.is_v4() ? dns::RrType::a : dns::RrType::aaaa;
  std::vector<io::Task<dns::Answer>> tasks;
  tasks.reserve(names.size());
  for (const auto& n : names) tasks.push_back(resolver.lookup(dns::Query{n, type}));
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    io::Task<dns::Answer> task = std::move(tasks[i]);
    dns::Answer a = co_await task;
    // RFC 7208 5.5: a DNS error on an address lookup skips that name
    if (!a.has_records()) continue;
    for (const auto& r : a.records) {
      if (r.type == type && r.address == st->ip) {
        st->ptr.validated.push_back(names[i]);
        break;
      }
    }
  }
  co_return true;
}

// RFC 7208 7.3 p: prefer <domain> itself, then a subdomain of it, then any validated name.
std::optional<std::string> pick_validated(const PtrCache& c, std::string_view domain) {
  for (const auto& n : c.validated)
    if (util::iequals(n, domain)) return n;
  for (const auto& n : c.validated)
    if (is_same_or_subdomain(n, domain)) return n;
  if (!c.validated.empty()) return c.validated.front();
  return std::nullopt;
}

/// Expand a domain-spec (empty = the current domain) to a name to query; nullopt when the
/// result is no usable name (RFC 7208 4.8: treated as non-existent).
io::Task<std::optional<std::string>> expand_target(dns::Resolver& resolver, std::shared_ptr<State> st,
                                                   std::string spec, std::string domain) {
  if (spec.empty()) co_return to_query_name(domain);
  MacroValues v = st->base;
  v.domain = domain;
  if (uses_macro(spec, 'p')) {
    auto t = ensure_ptr(resolver, st);
    (void)co_await t;
    v.validated_name = pick_validated(st->ptr, domain);
  }
  auto expanded = expand_macros(spec, v, MacroSyntax::domain_spec);
  if (!expanded) co_return std::nullopt;
  co_return to_query_name(*expanded);
}

io::Task<Match> match_term(dns::Resolver& resolver, std::shared_ptr<State> st, Term term, std::string domain,
                           int depth) {
  Match m;
  switch (term.kind) {
    case Mechanism::all:
      m.state = MatchState::yes;
      co_return m;
    case Mechanism::ip4:
    case Mechanism::ip6:
      // RFC 7208 5.6: ip4 matches IPv4 clients only (IPv4-mapped IPv6 clients count as IPv4).
      if (term.network && term.network->network.family() == st->ip.family() && term.network->contains(st->ip))
        m.state = MatchState::yes;
      co_return m;
    default:
      break;
  }

  auto target_task = expand_target(resolver, st, term.domain_spec, domain);
  std::optional<std::string> target = co_await target_task;

  if (term.kind == Mechanism::include) {
    if (!target)
      co_return match_error(SpfResult::permerror, "include-none", term.text + ": the target is no valid domain name");
    auto sub_task = evaluate(resolver, st, *target, depth + 1);
    Eval sub = co_await sub_task;
    switch (sub.result) {
      case SpfResult::pass:
        m.state = MatchState::yes;
        m.eval = std::move(sub);
        co_return m;
      case SpfResult::fail:
      case SpfResult::softfail:
      case SpfResult::neutral:
        co_return m;
      case SpfResult::temperror:
      case SpfResult::permerror:
        m.state = MatchState::error;
        sub.detail = term.text + ": " + sub.detail;
        m.eval = std::move(sub);
        co_return m;
      case SpfResult::none:
        // RFC 7208 5.2: an include of a domain without SPF record is a permerror
        co_return match_error(SpfResult::permerror, "include-none", term.text + ": " + sub.detail);
    }
    co_return m;
  }

  if (term.kind == Mechanism::ptr) {
    auto t = ensure_ptr(resolver, st);
    (void)co_await t;
    if (st->ptr.is_void && ++st->voids > k_max_void)
      co_return match_error(SpfResult::permerror, "too-many-void-lookups",
                            "more than 2 lookups returned no records (RFC 7208 4.6.4), the last one at " + term.text);
    if (!target) co_return m;
    for (const auto& n : st->ptr.validated) {
      if (is_same_or_subdomain(n, *target)) {
        m.state = MatchState::yes;
        break;
      }
    }
    co_return m;
  }

  if (!target) co_return m;  // RFC 7208 4.8/5: an unusable target-name is a non-existent domain

  const bool is_mx = term.kind == Mechanism::mx;
  const dns::RrType addr_type = st->ip.is_v4() ? dns::RrType::a : dns::RrType::aaaa;
  const dns::RrType qtype = is_mx ? dns::RrType::mx : term.kind == Mechanism::exists ? dns::RrType::a : addr_type;
  auto lookup_task = resolver.lookup(dns::Query{*target, qtype});
  dns::Answer ans = co_await lookup_task;
  if (!ans.is_fact()) co_return match_error(SpfResult::temperror, "dns-error", term.text + ": " + outcome_detail(ans));
  bool any = false;
  for (const auto& r : ans.records)
    if (r.type == qtype) any = true;
  if (!any) {
    if (++st->voids > k_max_void)
      co_return match_error(SpfResult::permerror, "too-many-void-lookups",
                            "more than 2 lookups returned no records (RFC 7208 4.6.4), the last one at " + term.text);
    co_return m;
  }
  const unsigned prefix = st->ip.is_v4() ? term.prefix4() : term.prefix6();
  if (term.kind == Mechanism::exists) {
    m.state = MatchState::yes;
    co_return m;
  }
  if (term.kind == Mechanism::a) {
    for (const auto& r : ans.records)
      if (r.type == addr_type && st->ip.in_network(r.address, prefix)) m.state = MatchState::yes;
    co_return m;
  }
  // mx: RFC 7208 5.4 and 4.6.4: at most 10 MX names get address lookups, more is a permerror.
  std::vector<std::string> hosts;
  for (const auto& r : ans.records)
    if (r.type == dns::RrType::mx && !r.text.empty() && r.text != ".") hosts.push_back(r.text);
  if (hosts.size() > k_max_names)
    co_return match_error(SpfResult::permerror, "too-many-mx",
                          term.text + ": " + util::sanitize(*target, 260) + " has more than 10 MX names (RFC 7208 4.6.4)");
  std::vector<io::Task<dns::Answer>> tasks;
  tasks.reserve(hosts.size());
  for (const auto& h : hosts) tasks.push_back(resolver.lookup(dns::Query{h, addr_type}));
  for (auto& pending : tasks) {
    io::Task<dns::Answer> task = std::move(pending);
    dns::Answer a = co_await task;
    if (!a.is_fact()) co_return match_error(SpfResult::temperror, "dns-error", term.text + ": " + outcome_detail(a));
    for (const auto& r : a.records) {
      if (r.type == addr_type && st->ip.in_network(r.address, prefix)) {
        m.state = MatchState::yes;
        co_return m;
      }
    }
  }
  co_return m;
}

SpfResult result_of(Qualifier q) {
  switch (q) {
    case Qualifier::pass: return SpfResult::pass;
    case Qualifier::fail: return SpfResult::fail;
    case Qualifier::softfail: return SpfResult::softfail;
    case Qualifier::neutral: return SpfResult::neutral;
  }
  return SpfResult::neutral;
}

io::Task<Eval> evaluate(dns::Resolver& resolver, std::shared_ptr<State> st, std::string domain, int depth) {
  if (depth > k_max_depth)
    co_return error_eval(SpfResult::permerror, "too-many-lookups", "include/redirect nesting too deep");
  auto txt_task = resolver.lookup(dns::Query{domain, dns::RrType::txt});
  dns::Answer txt = co_await txt_task;
  Selected sel = select_record(txt);
  switch (sel.kind) {
    case Selection::none:
      co_return error_eval(SpfResult::none, "no-record", util::sanitize(domain, 260) + ": " + sel.detail);
    case Selection::multiple:
      co_return error_eval(SpfResult::permerror, "multiple-records", util::sanitize(domain, 260) + ": " + sel.detail);
    case Selection::error:
      co_return error_eval(SpfResult::temperror, "dns-error", util::sanitize(domain, 260) + ": " + sel.detail);
    case Selection::record:
      break;
  }
  Record rec = parse_record(sel.text);
  if (!rec.ok()) {
    const auto& e = rec.errors.front();
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, e.position + 1);
    (void)ec;
    co_return error_eval(SpfResult::permerror, "syntax",
                         util::sanitize(domain, 260) + ": syntax error at column " + std::string(buf, p) + ": " + e.message);
  }

  for (const auto& term : rec.terms) {
    if (costs_lookup(term.kind) && ++st->lookups > k_max_lookups)
      co_return error_eval(SpfResult::permerror, "too-many-lookups",
                           "more than 10 DNS-querying mechanisms (RFC 7208 4.6.4); the 11th is " + term.text + " in " +
                               util::sanitize(domain, 260));
    auto match_task = match_term(resolver, st, term, domain, depth);
    Match m = co_await match_task;
    if (m.state == MatchState::error) co_return std::move(m.eval);
    if (m.state == MatchState::no) continue;
    Eval e;
    e.result = result_of(term.qualifier);
    e.mechanism = term.text;
    e.domain = domain;
    e.path.push_back(term.text);
    for (auto& p : m.eval.path) e.path.push_back(std::move(p));
    if (e.result == SpfResult::fail) {
      if (const auto* exp = rec.exp_modifier()) {
        e.exp_spec = exp->value;
        e.exp_domain = domain;
      }
    }
    co_return e;
  }

  if (const auto* redirect = rec.redirect_modifier()) {
    // RFC 7208 6.1: redirect= counts as a lookup and replaces the result (exp= of this record
    // is not used: the redirected record's own exp= applies).
    if (++st->lookups > k_max_lookups)
      co_return error_eval(SpfResult::permerror, "too-many-lookups",
                           "more than 10 DNS-querying mechanisms (RFC 7208 4.6.4); the 11th is " + redirect->text +
                               " in " + util::sanitize(domain, 260));
    auto target_task = expand_target(resolver, st, redirect->value, domain);
    std::optional<std::string> target = co_await target_task;
    if (!target)
      co_return error_eval(SpfResult::permerror, "redirect-none", redirect->text + ": the target is no valid domain name");
    auto sub_task = evaluate(resolver, st, *target, depth + 1);
    Eval sub = co_await sub_task;
    if (sub.result == SpfResult::none) {
      // RFC 7208 6.1: no SPF record at the redirect target is a permerror
      co_return error_eval(SpfResult::permerror, "redirect-none", redirect->text + ": " + sub.detail);
    }
    co_return sub;
  }

  Eval e;  // RFC 7208 4.7: no match, no redirect: neutral
  e.result = SpfResult::neutral;
  e.mechanism = "default";
  e.domain = domain;
  co_return e;
}

// RFC 7208 6.2: the explanation for a fail. Any problem means "no explanation".
io::Task<std::string> explain(dns::Resolver& resolver, std::shared_ptr<State> st, std::string spec, std::string domain) {
  auto target_task = expand_target(resolver, st, spec, domain);
  std::optional<std::string> target = co_await target_task;
  if (!target) co_return std::string();
  auto txt_task = resolver.lookup(dns::Query{*target, dns::RrType::txt});
  dns::Answer txt = co_await txt_task;
  if (!txt.has_records()) co_return std::string();
  int count = 0;
  std::string text;
  for (const auto& r : txt.records) {
    if (r.type != dns::RrType::txt) continue;
    if (++count == 1) text = txt_text(r);
  }
  if (count != 1) co_return std::string();
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) co_return std::string();  // RFC 7208 6.2: US-ASCII only
  }
  MacroValues v = st->base;
  v.domain = domain;
  if (uses_macro(text, 'p')) {
    auto t = ensure_ptr(resolver, st);
    (void)co_await t;
    v.validated_name = pick_validated(st->ptr, domain);
  }
  auto expanded = expand_macros(text, v, MacroSyntax::explanation);
  if (!expanded) co_return std::string();
  co_return util::sanitize(*expanded, k_max_explanation);
}

// --- prefetch -------------------------------------------------------------------------------

struct Prefetch {
  util::IpAddress ip;
  MacroValues base;
  bool cancelled = false;
  int nodes = 0;
  int targets = 0;
  bool ptr_started = false;
  std::set<std::string> seen;  ///< lower-cased names whose TXT was requested
};

void fire(dns::Resolver& resolver, Prefetch& pf, std::string name, dns::RrType type) {
  if (pf.cancelled || pf.targets >= k_prefetch_targets) return;
  ++pf.targets;
  auto detached = resolver.lookup(dns::Query{std::move(name), type});
  (void)detached;  // destroyed unfinished = detached; the resolver keeps the answer for the evaluator
}

io::Task<void> prefetch_addresses(dns::Resolver& resolver, std::shared_ptr<Prefetch> pf, std::string name,
                                  dns::RrType type) {
  auto t = resolver.lookup(dns::Query{name, type});
  dns::Answer ans = co_await t;
  if (pf->cancelled) co_return;
  std::size_t n = 0;
  for (const auto& r : ans.records) {
    if (r.text.empty() || (r.type != dns::RrType::mx && r.type != dns::RrType::ptr)) continue;
    if (++n > k_max_names) break;
    fire(resolver, *pf, r.text, pf->ip.is_v4() ? dns::RrType::a : dns::RrType::aaaa);
  }
}

io::Task<void> prefetch_node(dns::Resolver& resolver, std::shared_ptr<Prefetch> pf, std::string domain, int depth);

std::optional<std::string> prefetch_target(const MacroValues& v, const std::string& spec) {
  if (spec.empty()) return to_query_name(v.domain);
  if (uses_macro(spec, 'p')) return std::nullopt;  // needs the PTR validation; left to the evaluator
  auto e = expand_macros(spec, v, MacroSyntax::domain_spec);
  if (!e) return std::nullopt;
  return to_query_name(*e);
}

void spawn_child(dns::Resolver& resolver, const std::shared_ptr<Prefetch>& pf, const MacroValues& v,
                 const std::string& spec, int depth) {
  if (depth > k_prefetch_depth || pf->nodes >= k_prefetch_nodes) return;
  auto target = prefetch_target(v, spec);
  if (!target || !pf->seen.insert(util::lower(*target)).second) return;
  ++pf->nodes;
  auto child = prefetch_node(resolver, pf, *target, depth);
  (void)child;  // detached
}

/// Start the lookups of one fetched record: its include/redirect children's TXT (which recurse),
/// and the a/mx/exists/ptr targets that need no PTR validation.
void prefetch_record(dns::Resolver& resolver, const std::shared_ptr<Prefetch>& pf, const Record& rec,
                     const std::string& domain, int depth) {
  MacroValues v = pf->base;
  v.domain = domain;
  const dns::RrType addr_type = pf->ip.is_v4() ? dns::RrType::a : dns::RrType::aaaa;
  int costly = 0;
  for (const auto& term : rec.terms) {
    if (!costs_lookup(term.kind)) continue;
    if (++costly > k_max_lookups) break;  // the evaluator can never get further
    switch (term.kind) {
      case Mechanism::include:
        spawn_child(resolver, pf, v, term.domain_spec, depth + 1);
        break;
      case Mechanism::a:
      case Mechanism::exists:
        if (auto target = prefetch_target(v, term.domain_spec))
          fire(resolver, *pf, *target, term.kind == Mechanism::exists ? dns::RrType::a : addr_type);
        break;
      case Mechanism::mx:
        if (auto target = prefetch_target(v, term.domain_spec); target && pf->targets < k_prefetch_targets) {
          ++pf->targets;
          auto mx = prefetch_addresses(resolver, pf, *target, dns::RrType::mx);
          (void)mx;  // detached
        }
        break;
      case Mechanism::ptr:
        if (!pf->ptr_started) {
          pf->ptr_started = true;
          auto ptr = prefetch_addresses(resolver, pf, pf->ip.ptr_name(), dns::RrType::ptr);
          (void)ptr;  // detached
        }
        break;
      default:
        break;
    }
  }
  if (const auto* redirect = rec.redirect_modifier()) spawn_child(resolver, pf, v, redirect->value, depth + 1);
  if (depth == 0) {
    if (const auto* exp = rec.exp_modifier())
      if (auto target = prefetch_target(v, exp->value)) fire(resolver, *pf, *target, dns::RrType::txt);
  }
}

io::Task<void> prefetch_node(dns::Resolver& resolver, std::shared_ptr<Prefetch> pf, std::string domain, int depth) {
  auto t = resolver.lookup(dns::Query{domain, dns::RrType::txt});
  dns::Answer ans = co_await t;
  if (pf->cancelled) co_return;
  Selected sel = select_record(ans);
  if (sel.kind != Selection::record) co_return;
  Record rec = parse_record(sel.text);
  if (!rec.ok()) co_return;
  prefetch_record(resolver, pf, rec, domain, depth);
}

}  // namespace

io::Task<SpfOutcome> check_host(dns::Resolver& resolver, CheckHostInput input) {
  auto st = std::make_shared<State>();
  st->ip = input.ip.unmapped_v4().value_or(input.ip);  // RFC 7208 5: IPv4-mapped is IPv4

  // RFC 7208 4.3: a <sender> without local-part gets "postmaster".
  std::string sender = input.sender.empty() ? "postmaster@" + input.domain : input.sender;
  const auto at = sender.rfind('@');
  std::string local = at == std::string::npos ? std::string() : sender.substr(0, at);
  std::string sender_domain = at == std::string::npos ? sender : sender.substr(at + 1);
  if (local.empty()) {
    local = "postmaster";
    sender = "postmaster@" + sender_domain;
  }
  MacroValues& v = st->base;
  v.sender = sender;
  v.local_part = local;
  v.sender_domain = sender_domain;
  v.ip = st->ip;
  v.helo = input.helo;
  v.receiver = input.receiver_host;
  v.timestamp = input.now ? *input.now
                          : std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();

  SpfOutcome out;
  std::string domain = input.domain;
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  out.domain = domain;
  if (!valid_initial_domain(input.domain)) {
    // RFC 7208 4.3: a malformed or single-label <domain> gives "none" without any lookup.
    out.result = SpfResult::none;
    out.problem = "invalid-domain";
    out.detail = "'" + util::sanitize(input.domain, 260) + "' is no usable domain name";
    co_return out;
  }

  std::shared_ptr<Prefetch> pf;
  if (input.prefetch) {
    pf = std::make_shared<Prefetch>();
    pf->ip = st->ip;
    pf->base = st->base;
    pf->seen.insert(util::lower(domain));
    pf->nodes = 1;
    auto root = prefetch_node(resolver, pf, domain, 0);
    (void)root;  // detached: it only fires lookups; the evaluator below awaits the same ones
  }

  auto eval_task = evaluate(resolver, st, domain, 0);
  Eval e = co_await eval_task;
  if (pf) pf->cancelled = true;

  out.result = e.result;
  out.mechanism = e.mechanism;
  out.match_path = std::move(e.path);
  if (!e.domain.empty()) out.domain = e.domain;
  out.problem = e.problem;
  out.detail = e.detail;
  if (e.result == SpfResult::fail && !e.exp_spec.empty()) {
    // RFC 7208 4.6.4: the exp= lookup does not count against the limits.
    auto exp_task = explain(resolver, st, e.exp_spec, e.exp_domain);
    out.explanation = co_await exp_task;
  }
  out.lookups = st->lookups;
  out.void_lookups = st->voids;
  co_return out;
}

}  // namespace mailrep::auth::spf
