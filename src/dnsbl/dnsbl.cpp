#include "mailrep/dnsbl/dnsbl.hpp"

#include <random>

#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::dnsbl {

std::string_view to_string(State s) {
  switch (s) {
    case State::listed: return "listed";
    case State::not_listed: return "not-listed";
    case State::unknown: return "unknown";
  }
  return "unknown";
}

std::string_view to_string(Health h) {
  switch (h) {
    case Health::healthy: return "healthy";
    case Health::dead: return "dead";
    case Health::lists_everything: return "lists-everything";
    case Health::refused: return "refused";
    case Health::timeout: return "timeout";
    case Health::misbehaving: return "misbehaving";
  }
  return "misbehaving";
}

namespace {
int rank(data::Severity s) {
  switch (s) {
    case data::Severity::critical: return 3;
    case data::Severity::warning: return 2;
    case data::Severity::info: return 1;
    case data::Severity::good: return 0;
  }
  return 0;
}
}  // namespace

std::vector<std::string> ListResult::answers() const {
  std::vector<std::string> out;
  for (const auto& h : hits)
    if (std::find(out.begin(), out.end(), h.answer) == out.end()) out.push_back(h.answer);
  return out;
}

std::vector<std::string> ListResult::meanings() const {
  std::vector<std::string> out;
  for (const auto& h : hits) out.push_back(util::sanitize(h.meaning, 300));
  return out;
}

data::Severity ListResult::severity() const {
  data::Severity worst = data::Severity::good;
  bool any = false;
  for (const auto& h : hits) {
    if (!any || rank(h.severity) > rank(worst)) worst = h.severity;
    any = true;
  }
  return worst;
}

std::optional<std::string> ip_query_name(const data::Blocklist& list, const util::IpAddress& ip, bool display) {
  if (list.is_domain()) return std::nullopt;
  util::IpAddress addr = ip;
  if (auto v4 = ip.unmapped_v4()) addr = *v4;
  if (addr.is_v4() && !list.ipv4) return std::nullopt;
  if (addr.is_v6() && !list.ipv6) return std::nullopt;
  return addr.reverse_labels() + "." + (display ? list.display_zone : list.zone);
}

std::optional<std::string> domain_query_name(const data::Blocklist& list, const std::string& domain, bool display) {
  if (!list.is_domain()) return std::nullopt;
  std::string name = util::lower(domain);
  while (!name.empty() && name.back() == '.') name.pop_back();
  if (list.query_form == data::QueryForm::registered) {
    std::string reg = util::registered_domain(name);
    if (!reg.empty()) name = reg;
  }
  if (name.empty()) return std::nullopt;
  std::string q = name + "." + (display ? list.display_zone : list.zone);
  if (q.size() > 253) return std::nullopt;
  return q;
}

ListResult interpret(const data::Blocklist& list, const dns::Answer& answer) {
  ListResult r;
  r.list = &list;
  r.outcome = answer.outcome;
  switch (answer.outcome) {
    case dns::Outcome::nxdomain:
    case dns::Outcome::nodata:
      r.state = State::not_listed;  // the only two facts that mean "not listed"
      return r;
    case dns::Outcome::answer: break;
    default:
      r.state = State::unknown;
      r.error = std::string(dns::to_string(answer.outcome)) + (answer.detail.empty() ? "" : ": " + answer.detail);
      return r;
  }
  std::vector<std::string> problems;
  bool refused = false;
  for (const auto& rec : answer.records) {
    auto c = data::classify(list, rec.address);
    switch (c.state) {
      case data::Classification::State::listed:
        r.hits.push_back(Hit{rec.address.to_string(), c.meaning, c.severity});
        // A bitmask answer carries one meaning per set bit (127.0.0.6 = 0x02 + 0x04): every
        // matching mask rule is a hit, not only the first one.
        if (c.rule != nullptr && c.rule->match.kind == data::AnswerMatch::Kind::mask)
          for (const data::AnswerRule* more : data::matching_rules(list, rec.address))
            if (more != c.rule && more->match.kind == data::AnswerMatch::Kind::mask)
              r.hits.push_back(Hit{rec.address.to_string(), more->meaning, more->severity});
        break;
      case data::Classification::State::error:
        refused = true;
        problems.push_back(rec.address.to_string() + " = " + c.meaning);
        break;
      case data::Classification::State::undocumented:
        problems.push_back(rec.address.to_string() + " is not a documented answer of this list");
        break;
      case data::Classification::State::not_127:
        problems.push_back(rec.address.to_string() + " is outside 127.0.0.0/8 (a redirecting or broken resolver?)");
        break;
    }
  }
  // A documented error code means the list did not answer our question at all.
  if (refused || r.hits.empty()) {
    r.state = State::unknown;
    r.error_code = refused;
    r.hits.clear();
    r.error = util::join(problems, "; ");
    if (r.error.empty()) r.error = "empty answer";
    return r;
  }
  r.state = State::listed;
  if (!problems.empty()) r.error = util::join(problems, "; ");
  return r;
}

namespace {

io::Task<ListResult> finish(dns::Resolver& resolver, const data::Blocklist& list, std::string subject,
                            std::string query, std::string display) {
  auto a_task = resolver.lookup(dns::Query{query, dns::RrType::a});
  dns::Answer a = co_await a_task;
  ListResult r = interpret(list, a);
  r.subject = std::move(subject);
  r.query_name = std::move(display);
  if (r.state == State::listed) {
    auto txt_task = resolver.lookup(dns::Query{query, dns::RrType::txt});
    dns::Answer txt = co_await txt_task;
    if (txt.outcome == dns::Outcome::answer) {
      std::vector<std::string> parts;
      for (const auto& rec : txt.records) parts.push_back(util::sanitize(rec.text, 400));
      r.txt = util::join(parts, " / ");
    }
  }
  co_return r;
}

}  // namespace

io::Task<ListResult> check_ip(dns::Resolver& resolver, const data::Blocklist& list, util::IpAddress ip) {
  auto q = ip_query_name(list, ip);
  if (!q) {
    ListResult r;
    r.list = &list;
    r.subject = ip.to_string();
    r.state = State::unknown;
    r.error = "list does not take this address family";
    co_return r;
  }
  // No temporaries in a co_await expression: GCC 12 may destroy them twice.
  std::string display = *ip_query_name(list, ip, true);
  auto task = finish(resolver, list, ip.to_string(), *q, display);
  ListResult r = co_await task;
  co_return r;
}

io::Task<ListResult> check_domain(dns::Resolver& resolver, const data::Blocklist& list, std::string domain) {
  auto q = domain_query_name(list, domain);
  if (!q) {
    ListResult r;
    r.list = &list;
    r.subject = domain;
    r.state = State::unknown;
    r.error = "not a domain this list can be asked about";
    co_return r;
  }
  std::string display = *domain_query_name(list, domain, true);
  auto task = finish(resolver, list, domain, *q, display);
  ListResult r = co_await task;
  co_return r;
}

namespace {

std::string random_label() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char k_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s = "mailrep-probe-";
  for (int i = 0; i < 12; ++i) s += k_chars[rng() % 36];
  return s;
}

std::string probe_name(const data::Blocklist& list, const std::string& point) {
  if (list.is_domain()) return point + "." + list.zone;
  auto ip = util::IpAddress::parse(point);
  if (!ip) return point + "." + list.zone;
  return ip->reverse_labels() + "." + list.zone;
}

}  // namespace

io::Task<HealthResult> probe(dns::Resolver& resolver, const data::Blocklist& list, bool quick) {
  HealthResult h;
  h.list = &list;
  std::vector<std::string> listed_points = list.test_points.listed;
  std::vector<std::string> unlisted_points = list.test_points.unlisted;
  bool defaults = listed_points.empty() && unlisted_points.empty();
  if (defaults) {
    if (list.is_domain()) {
      listed_points = {"test"};
      unlisted_points = {"invalid"};
    } else {
      listed_points = {"127.0.0.2"};
      unlisted_points = {"127.0.0.1"};
    }
  }
  std::vector<std::string> names_listed, names_unlisted;
  for (const auto& p : listed_points) names_listed.push_back(probe_name(list, p));
  for (const auto& p : unlisted_points) names_unlisted.push_back(probe_name(list, p));
  if (!quick) names_unlisted.push_back(random_label() + "." + list.zone);

  std::vector<io::Task<dns::Answer>> l, u;
  for (const auto& n : names_listed) l.push_back(resolver.lookup(dns::Query{n, dns::RrType::a}));
  for (const auto& n : names_unlisted) u.push_back(resolver.lookup(dns::Query{n, dns::RrType::a}));
  std::vector<ListResult> lr, ur;
  for (auto& t : l) {
    dns::Answer a = co_await t;
    lr.push_back(interpret(list, a));
  }
  for (auto& t : u) {
    dns::Answer a = co_await t;
    ur.push_back(interpret(list, a));
  }
  std::vector<ListResult*> all;
  for (auto& r : lr) all.push_back(&r);
  for (auto& r : ur) all.push_back(&r);

  // Failures first: a list we cannot talk to is not "healthy" nor "dead".
  int timeouts = 0, refusals = 0, servfails = 0;
  for (auto* r : all) {
    if (r->outcome == dns::Outcome::timeout) ++timeouts;
    if (r->outcome == dns::Outcome::refused) ++refusals;
    if (r->outcome == dns::Outcome::servfail) ++servfails;
  }
  for (auto* r : all)
    if (r->error_code) {
      h.health = Health::refused;
      h.detail = "the list answers with an error code: " + r->error;
      h.resolver_blocked = true;
      co_return h;
    }
  if (timeouts == static_cast<int>(all.size())) {
    h.health = Health::timeout;
    h.detail = "no answer to any test query";
    co_return h;
  }
  if (refusals > 0) {
    h.health = Health::refused;
    h.detail = "the resolver or the list's servers REFUSED the query";
    co_return h;
  }
  if (servfails == static_cast<int>(all.size())) {
    h.health = Health::dead;
    h.detail = "SERVFAIL for every test query (lame or dead delegation)";
    co_return h;
  }
  if (timeouts > 0 || servfails > 0) {
    h.health = Health::misbehaving;
    h.detail = "some test queries failed (timeout or SERVFAIL)";
    co_return h;
  }
  // A never-listed point with a documented listing code: the zone lists everything. Any other
  // answer there (outside 127/8, an undocumented code) is not a listing: the list misbehaves.
  bool unlisted_listed = false;
  std::string unlisted_why;
  for (std::size_t i = 0; i < ur.size(); ++i) {
    if (ur[i].state == State::listed) unlisted_listed = true;
    else if (ur[i].outcome == dns::Outcome::answer && unlisted_why.empty()) unlisted_why = names_unlisted[i] + ": " + ur[i].error;
  }
  bool listed_ok = true;
  std::string why;
  for (std::size_t i = 0; i < lr.size(); ++i) {
    if (lr[i].state != State::listed) {
      listed_ok = false;
      why = names_listed[i] + ": " + (lr[i].state == State::not_listed ? "not listed" : lr[i].error);
    }
  }
  if (unlisted_listed) {
    bool random_listed = !quick && ur.back().state == State::listed;
    h.health = Health::lists_everything;
    h.detail = random_listed ? "a random name is listed: the zone answers everything (dead zone or wildcard)"
                             : "the RFC 5782 never-listed test point is listed";
    co_return h;
  }
  if (!listed_ok) {
    bool all_nx = true;
    for (const auto& r : lr) all_nx = all_nx && r.outcome == dns::Outcome::nxdomain;
    h.health = all_nx ? Health::dead : Health::misbehaving;
    h.detail = all_nx ? "the RFC 5782 listed test point is not listed: zone empty or gone (" + why + ")"
                      : "unexpected test-point answer: " + why;
    co_return h;
  }
  if (!unlisted_why.empty()) {
    h.health = Health::misbehaving;
    h.detail = "unexpected answer for a never-listed test point: " + unlisted_why;
    co_return h;
  }
  h.health = Health::healthy;
  h.detail = "test points answer as RFC 5782 says";
  co_return h;
}

}  // namespace mailrep::dnsbl
