// Probing receivers: targets, MX resolution, the conversations, verdicts and findings.
#include "mailrep/smtp/probe.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <utility>

#include "mailrep/smtp/messages.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::smtp {

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::accepted: return "accepted";
    case Verdict::blocked: return "blocked";
    case Verdict::temporary: return "temporary";
    case Verdict::unknown: return "unknown";
  }
  return "unknown";
}

namespace {

constexpr std::string_view k_default_domains[] = {"t-online.de", "gmx.net", "web.de", "outlook.com", "gmail.com",
                                                  "yahoo.com"};
constexpr std::size_t k_max_targets = 100;

bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (util::iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

bool is_greylisting_text(std::string_view text) {
  for (std::string_view w : {"greylist", "graylist", "grey list", "gray list", "grey-list", "gray-list"})
    if (contains_ci(text, w)) return true;
  return false;
}

std::string strip_brackets(std::string_view s) {
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (util::istarts_with(s, "ipv6:")) s.remove_prefix(5);
  return std::string(s);
}

/// The most telling single line of a reply for a finding title/detail.
std::string reply_excerpt(const Reply& r) {
  std::string out;
  for (const auto& l : r.lines) {
    if (!out.empty()) out += ' ';
    out += l;
    if (out.size() > 400) break;
  }
  if (out.size() > 400) out = out.substr(0, 400) + "...";
  return out;
}

}  // namespace

std::span<const std::string_view> default_probe_domains() { return k_default_domains; }

Result<std::vector<ProbeTarget>> parse_targets(const data::ReceiverCatalogue& cat, const std::vector<std::string>& args) {
  std::vector<ProbeTarget> out;
  auto add = [&out](ProbeTarget t) {
    for (const auto& o : out)
      if (o.domain == t.domain && o.address == t.address) return;
    out.push_back(std::move(t));
  };
  if (args.empty()) {
    for (std::string_view d : k_default_domains)
      add(ProbeTarget{std::string(d), std::string(d), std::nullopt, data::receiver_for_domain(cat, d)});
    return out;
  }
  for (const auto& raw : args) {
    std::string_view a = util::trim(raw);
    if (a.empty()) return fail(ErrorCode::invalid_input, "probe: empty target");
    if (auto ip = util::IpAddress::parse(strip_brackets(a))) {
      add(ProbeTarget{std::string(a), "", *ip, nullptr});
      continue;
    }
    if (const data::Receiver* r = cat.find(util::lower(a))) {
      std::size_t before = out.size();
      for (std::string_view d : k_default_domains)
        if (data::receiver_for_domain(cat, d) == r) add(ProbeTarget{std::string(d), std::string(d), std::nullopt, r});
      if (out.size() == before) {
        if (r->domains.empty())
          return fail(ErrorCode::invalid_input, "probe: receiver '" + r->id +
                                                    "' has no mailbox domain to probe; give a domain or MX host");
        add(ProbeTarget{r->domains.front(), r->domains.front(), std::nullopt, r});
      }
      continue;
    }
    auto n = dns::normalize_domain(a);
    if (!n.ok)
      return fail(ErrorCode::invalid_input, "probe: '" + util::sanitize(a, 100) +
                                                "' is not a receiver id, domain, host or address: " + n.reason);
    add(ProbeTarget{std::string(a), n.name, std::nullopt, data::receiver_for_domain(cat, n.name)});
  }
  if (out.size() > k_max_targets)
    return fail(ErrorCode::invalid_input, "probe: at most " + std::to_string(k_max_targets) + " targets per run");
  return out;
}

std::string check_helo(std::string_view helo) {
  if (helo.empty()) return "--helo: empty";
  if (helo.front() == '[') {
    if (helo.back() != ']' || !util::IpAddress::parse(strip_brackets(helo)))
      return "--helo: '" + util::sanitize(helo, 100) + "' is not a valid address literal ([192.0.2.1], [IPv6:2001:db8::1])";
    return {};
  }
  for (char c : helo)
    if (!(util::is_alnum(c) || c == '-' || c == '.'))
      return "--helo: '" + util::sanitize(helo, 100) + "' is not a host name";
  auto n = dns::normalize_domain(helo);
  if (!n.ok) return "--helo: '" + util::sanitize(helo, 100) + "': " + n.reason;
  return {};
}

std::string check_mailbox(std::string_view address, bool empty_ok) {
  if (address.empty()) return empty_ok ? std::string() : "empty address";
  if (address.size() > 254) return "address longer than 254 characters";
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>')
      return "'" + util::sanitize(address, 100) + "' holds spaces, control characters or angle brackets";
  }
  auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
    return "'" + util::sanitize(address, 100) + "' is not an address (local@domain)";
  return {};
}

std::string local_fqdn() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return {};
  std::string host = util::lower(buf);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.find('.') != std::string::npos) return check_helo(host).empty() ? host : std::string();
  if (host.empty()) return {};
  // /etc/hosts often carries the full name next to the short one ("127.0.1.1 mx.example.de mx").
  std::ifstream in("/etc/hosts");
  std::string line;
  std::size_t lines = 0;
  while (std::getline(in, line) && ++lines < 10000) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    auto words = util::split_ws(line);
    if (words.size() < 2) continue;
    bool mentions = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      std::string w = util::lower(words[i]);
      if (w == host) mentions = true;
    }
    if (!mentions) continue;
    for (std::size_t i = 1; i < words.size(); ++i) {
      std::string w = util::lower(words[i]);
      if (util::istarts_with(w, host + ".") && check_helo(w).empty()) return w;
    }
  }
  return {};
}

std::string address_in_reply(std::string_view text) {
  auto is_ip_char = [](char c) { return util::is_digit(c) || c == '.' || c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_ip_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && is_ip_char(text[j])) ++j;
    std::string_view tok = text.substr(i, j - i);
    i = j;
    while (!tok.empty() && (tok.back() == '.' || (tok.back() == ':' && !(tok.size() >= 2 && tok[tok.size() - 2] == ':'))))
      tok.remove_suffix(1);
    std::size_t dots = static_cast<std::size_t>(std::count(tok.begin(), tok.end(), '.'));
    std::size_t colons = static_cast<std::size_t>(std::count(tok.begin(), tok.end(), ':'));
    if (!((dots == 3 && colons == 0) || colons >= 2)) continue;
    if (auto ip = util::IpAddress::parse(tok)) return ip->to_string();
  }
  return {};
}

void judge(const data::ReceiverCatalogue& cat, const data::Receiver* hint, const SessionResult& s,
           const std::optional<util::IpAddress>& source, MxProbe& p) {
  p.reached = s.greeting.has_value();
  p.verdict = Verdict::unknown;
  if (s.completed) {
    p.verdict = Verdict::accepted;
    return;
  }
  if (s.failure != Failure::none || !s.reply) return;
  const Reply& r = *s.reply;
  std::string text = r.text();
  p.match = data::classify_reply(cat, hint, text);
  const data::ReplyCode* code = p.match ? p.match->code : nullptr;
  bool temporary = r.klass() == 4 || (code && code->temporary.value_or(false));
  if (temporary) {
    p.verdict = Verdict::temporary;
    p.greylisted = (code && code->category == data::ReplyCategory::greylisted) || is_greylisting_text(text);
  } else if (r.klass() == 5) {
    bool recipient = false;
    if (s.stage == Stage::rcpt) {
      if (code)
        recipient = code->category == data::ReplyCategory::userunknown || code->category == data::ReplyCategory::mailboxfull;
      else
        recipient = util::istarts_with(r.enhanced, "5.1.") || util::istarts_with(r.enhanced, "5.2.");
    }
    p.verdict = recipient ? Verdict::accepted : Verdict::blocked;
    p.recipient_refused = recipient;
  }
  // Which address does the receiver talk about?
  std::string ip = p.match ? std::string(p.match->capture("ip")) : std::string();
  if (auto parsed = util::IpAddress::parse(ip)) ip = parsed->to_string();
  else ip = address_in_reply(text);
  p.reply_ip = ip;
  if (!ip.empty()) {
    bool mine = ip == s.local_address || (source && source->to_string() == ip);
    p.names_this_host = mine;
  }
}

namespace {

struct Host {
  std::string name;  ///< empty for an address target
  int preference = -1;
  std::vector<util::IpAddress> v4, v6;
  std::string error;  ///< DNS trouble: why there is no address
};

struct Plan {
  const ProbeTarget* target = nullptr;
  std::vector<Host> hosts;
  bool null_mx = false;
  std::string error;  ///< the MX lookup failed
};

/// The TCP connection itself failed (what a local port-25 block looks like).
bool is_connect_failure(const MxProbe& p) {
  return p.stage == Stage::connect &&
         (p.failure == Failure::refused || p.failure == Failure::timeout || p.failure == Failure::unreachable);
}

std::string outcome_text(const dns::Answer& a) {
  std::string s(dns::to_string(a.outcome));
  if (!a.detail.empty() && !dns::is_fact(a.outcome)) s += " (" + a.detail + ")";
  return s;
}

}  // namespace

io::Task<ProbeReport> probe(dns::Resolver& resolver, io::Loop& loop, const data::ReceiverCatalogue& cat,
                            std::vector<ProbeTarget> targets, ProbeOptions o) {
  const auto start = io::Clock::now();
  ProbeReport rep;
  std::vector<Plan> plans(targets.size());

  // 1. Every MX lookup at once.
  std::vector<io::Task<dns::Answer>> mx_tasks;
  std::vector<std::size_t> mx_index;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    plans[i].target = &targets[i];
    if (targets[i].address) {
      Host h;
      (targets[i].address->is_v4() ? h.v4 : h.v6).push_back(*targets[i].address);
      plans[i].hosts.push_back(std::move(h));
      continue;
    }
    mx_tasks.push_back(resolver.lookup(dns::Query{targets[i].domain, dns::RrType::mx}));
    mx_index.push_back(i);
  }
  for (std::size_t k = 0; k < mx_tasks.size(); ++k) {
    auto& task = mx_tasks[k];
    dns::Answer a = co_await task;
    Plan& plan = plans[mx_index[k]];
    const std::string& domain = plan.target->domain;
    if (a.outcome == dns::Outcome::answer) {
      std::vector<std::pair<int, std::string>> mx;
      for (const auto& r : a.records) {
        if (r.type != dns::RrType::mx) continue;
        std::string host = util::lower(r.text);
        while (!host.empty() && host.back() == '.') host.pop_back();
        mx.emplace_back(r.priority, host);
      }
      std::sort(mx.begin(), mx.end());
      mx.erase(std::unique(mx.begin(), mx.end()), mx.end());
      if (mx.size() == 1 && mx.front().second.empty()) {
        plan.null_mx = true;
        continue;
      }
      for (auto& [pref, host] : mx) {
        if (host.empty()) continue;
        if (plan.hosts.size() >= (o.all_mx ? std::max<std::size_t>(o.max_mx, 1) : 1)) break;
        Host h;
        h.name = host;
        h.preference = pref;
        plan.hosts.push_back(std::move(h));
      }
      if (plan.hosts.empty()) plan.error = "the MX records of " + domain + " name no host";
    } else if (a.outcome == dns::Outcome::nodata) {
      // RFC 5321 5.1: no MX -> the name itself is the mail host (how a HOST argument works, too).
      Host h;
      h.name = domain;
      plan.hosts.push_back(std::move(h));
    } else if (a.outcome == dns::Outcome::nxdomain) {
      plan.error = domain + " does not exist (NXDOMAIN)";
    } else {
      plan.error = "the MX lookup for " + domain + " failed: " + outcome_text(a);
    }
  }

  // 2. Every chosen host's addresses at once.
  struct AddrLookup {
    std::size_t plan, host;
    io::Task<dns::Answer> a, aaaa;
  };
  std::vector<AddrLookup> lookups;
  for (std::size_t i = 0; i < plans.size(); ++i)
    for (std::size_t h = 0; h < plans[i].hosts.size(); ++h)
      if (!plans[i].hosts[h].name.empty())
        lookups.push_back(AddrLookup{i, h, resolver.lookup(dns::Query{plans[i].hosts[h].name, dns::RrType::a}),
                                     resolver.lookup(dns::Query{plans[i].hosts[h].name, dns::RrType::aaaa})});
  for (auto& l : lookups) {
    auto& t4 = l.a;
    auto& t6 = l.aaaa;
    dns::Answer a4 = co_await t4;
    dns::Answer a6 = co_await t6;
    Host& host = plans[l.plan].hosts[l.host];
    for (const auto& r : a4.records)
      if (r.type == dns::RrType::a) host.v4.push_back(r.address);
    for (const auto& r : a6.records)
      if (r.type == dns::RrType::aaaa) host.v6.push_back(r.address);
    if (host.v4.empty() && host.v6.empty())
      host.error = "no address for " + host.name + " (A: " + outcome_text(a4) + ", AAAA: " + outcome_text(a6) + ")";
  }

  // 3. The conversations, one after the other, politely spaced.
  bool connected_before = false;
  for (const Plan& plan : plans) {
    const ProbeTarget& t = *plan.target;
    auto base = [&](MxProbe& p) {
      p.target = t.address ? t.address->to_string() : t.domain;
      p.receiver = t.receiver;
      p.port = o.port;
      p.helo = o.helo;
    };
    auto named = [&](MxProbe& p) { p.name = p.receiver ? p.receiver->name : t.input; };
    if (plan.null_mx || !plan.error.empty()) {
      MxProbe p;
      base(p);
      named(p);
      p.null_mx = plan.null_mx;
      p.failure = Failure::dns;
      p.detail = plan.null_mx ? "null MX (RFC 7505)" : plan.error;
      rep.probes.push_back(std::move(p));
      continue;
    }
    for (const Host& host : plan.hosts) {
      MxProbe p;
      base(p);
      p.mx = host.name;
      p.preference = host.preference;
      if (!host.name.empty())
        if (const data::Receiver* by_mx = data::receiver_for_mx(cat, host.name)) p.receiver = by_mx;
      named(p);
      if (!host.error.empty()) {
        p.failure = Failure::dns;
        p.detail = host.error;
        rep.probes.push_back(std::move(p));
        continue;
      }
      std::optional<util::IpAddress> address;
      if (o.source) {
        const auto& same = o.source->is_v4() ? host.v4 : host.v6;
        if (!same.empty()) address = same.front();
      } else {
        address = !host.v4.empty() ? host.v4.front() : host.v6.front();
      }
      if (!address) {
        p.failure = Failure::source;
        p.address = (!host.v4.empty() ? host.v4.front() : host.v6.front()).to_string();
        p.detail = std::string("no ") + (o.source->is_v4() ? "IPv4" : "IPv6") + " address for " +
                   (host.name.empty() ? p.address : host.name) + " to reach from --source " + o.source->to_string();
        rep.probes.push_back(std::move(p));
        continue;
      }
      p.address = address->to_string();
      if (connected_before && o.delay.count() > 0) {
        auto pause = loop.sleep(o.delay);
        co_await pause;
      }
      connected_before = true;
      SessionOptions so;
      so.address = *address;
      so.port = o.port;
      so.source = o.source;
      so.server_name = host.name.empty() ? p.address : host.name;
      so.helo = o.helo;
      so.starttls = o.starttls;
      so.mail_from = o.sender;
      so.rcpt = o.rcpt;
      so.timeout = o.timeout;
      so.ca_file = o.ca_file;
      auto session = run_session(loop, std::move(so));
      SessionResult s = co_await session;
      p.local_address = s.local_address;
      p.helo = s.helo.empty() ? o.helo : s.helo;
      p.stage = s.stage;
      p.failure = s.failure;
      p.detail = s.detail;
      p.reply = s.reply;
      p.greeting = s.greeting;
      p.tls = s.tls;
      p.extensions = s.extensions;
      p.notes = s.notes;
      for (const auto& l : s.transcript) p.transcript.push_back((l.from_client ? "C: " : "S: ") + l.line);
      judge(cat, p.receiver, s, o.source, p);
      if (p.reached) ++rep.reached;
      if (is_connect_failure(p)) ++rep.connect_failures;
      rep.probes.push_back(std::move(p));
    }
  }
  rep.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(io::Clock::now() - start);
  co_return rep;
}

std::vector<Finding> probe_findings(const ProbeReport& report, const ProbeOptions& options) {
  std::vector<Finding> out;
  std::size_t attempted = 0;
  std::map<std::string, int> causes;
  std::string helo_literal;
  for (const MxProbe& p : report.probes) {
    std::string where = p.mx.empty() ? p.address : p.mx;
    if (p.failure != Failure::dns && p.failure != Failure::source) ++attempted;
    if (is_connect_failure(p)) ++causes[std::string(to_string(p.failure))];
    if (!p.helo.empty() && p.helo.front() == '[' && p.reached) helo_literal = p.helo;

    auto common = [&](Finding& f) {
      f.subject = where.empty() ? p.target : where;
      f.arg("name", p.name).arg("target", p.target).arg("mx", where).arg("address", p.address);
      f.arg("stage_en", std::string(stage_words(p.stage, false))).arg("stage_de", std::string(stage_words(p.stage, true)));
      if (p.reply) {
        f.arg("reply", reply_excerpt(*p.reply));
        f.evidence = p.reply->text();
      }
    };
    auto code_of = [&]() -> std::string {
      if (p.match && !p.match->receiver_code.empty() && p.match->receiver_code != "(?)") return p.match->receiver_code;
      if (!p.reply) return "?";
      return std::to_string(p.reply->code) + (p.reply->enhanced.empty() ? "" : " " + p.reply->enhanced);
    };
    auto ip_note = [&](Finding& f) {
      if (p.reply_ip.empty()) return;
      if (p.names_this_host.value_or(false)) {
        f.arg("ip_en", " The reply names this host's address " + p.reply_ip + ".");
        f.arg("ip_de", " Die Antwort nennt die Adresse dieses Servers, " + p.reply_ip + ".");
      } else {
        f.arg("ip_en", " The reply names " + p.reply_ip + ", not this end of the connection (" + p.local_address + ").");
        f.arg("ip_de", " Die Antwort nennt " + p.reply_ip + ", nicht dieses Ende der Verbindung (" + p.local_address + ").");
      }
    };

    switch (p.verdict) {
      case Verdict::blocked:
      case Verdict::temporary: {
        Finding f;
        bool blocked = p.verdict == Verdict::blocked;
        f.id = blocked ? "probe.blocked" : (p.greylisted ? "probe.greylisted" : "probe.temporary");
        f.severity = blocked ? Severity::critical : Severity::warning;
        f.who_can_fix = p.match && p.match->code ? p.match->code->who_can_fix : Fixer::provider;
        common(f);
        Bilingual m = meaning_text(p);
        Bilingual a = advice_text(p);
        f.arg("code", code_of()).arg("meaning_en", m.en).arg("meaning_de", m.de).arg("advice_en", a.en).arg("advice_de", a.de);
        ip_note(f);
        out.push_back(std::move(f));
        break;
      }
      case Verdict::unknown: {
        Finding f;
        f.id = "probe.unknown";
        f.severity = Severity::warning;
        f.who_can_fix = Fixer::sender_admin;
        common(f);
        f.subject = where.empty() ? p.target : where;
        Bilingual c = cause_text(p, options.timeout);
        Bilingual h = unknown_advice(p);
        f.arg("cause_en", c.en).arg("cause_de", c.de).arg("hint_en", h.en).arg("hint_de", h.de);
        if (f.evidence.empty()) f.evidence = p.detail;
        out.push_back(std::move(f));
        break;
      }
      case Verdict::accepted: {
        Finding f;
        common(f);
        if (p.recipient_refused) {
          f.id = "probe.recipient-refused";
          f.severity = Severity::warning;
          f.who_can_fix = Fixer::user;
          Bilingual m = meaning_text(p);
          f.arg("rcpt", options.rcpt).arg("meaning_en", m.en).arg("meaning_de", m.de);
        } else {
          f.id = "probe.accepted";
          f.severity = Severity::info;
          f.arg("steps", steps_text(p));
          f.evidence.clear();
        }
        out.push_back(std::move(f));
        break;
      }
    }
    if (!p.reply_ip.empty() && p.names_this_host == false && !p.local_address.empty()) {
      Finding f;
      f.id = "probe.other-ip";
      f.severity = Severity::info;
      f.who_can_fix = Fixer::sender_admin;
      f.subject = where;
      f.arg("mx", where).arg("reply_ip", p.reply_ip).arg("local", p.local_address);
      out.push_back(std::move(f));
    }
    bool ehlo_ok = p.verdict == Verdict::accepted || p.stage == Stage::mail || p.stage == Stage::rcpt ||
                   (p.stage == Stage::ehlo && p.reply && p.reply->klass() == 2) || p.stage == Stage::starttls;
    if (ehlo_ok && !p.tls.offered) {
      Finding f;
      f.id = "probe.no-starttls";
      f.severity = Severity::info;
      f.who_can_fix = Fixer::receiver;
      f.subject = where;
      f.arg("mx", where).arg("address", p.address);
      out.push_back(std::move(f));
    }
    if (p.tls.established && !(p.tls.verified && p.tls.name_matches)) {
      Finding f;
      f.id = "probe.tls-unverified";
      f.severity = Severity::info;
      f.who_can_fix = Fixer::receiver;
      f.subject = where;
      std::string err = !p.tls.verified ? p.tls.verify_error : "not valid for the name " + where;
      f.arg("mx", where).arg("address", p.address).arg("subject", p.tls.subject.empty() ? "-" : p.tls.subject);
      f.arg("issuer", p.tls.issuer.empty() ? "-" : p.tls.issuer).arg("error", err);
      out.push_back(std::move(f));
    }
  }
  if (report.reached == 0 && attempted > 0 && report.connect_failures == attempted) {
    Finding f;
    f.id = "probe.no-port-25";
    f.severity = Severity::warning;
    f.who_can_fix = Fixer::sender_admin;
    std::string list;
    for (const auto& [k, v] : causes) list += (list.empty() ? "" : ", ") + k + ": " + std::to_string(v);
    f.arg("port", std::to_string(options.port)).arg("count", std::to_string(attempted)).arg("causes", list);
    out.push_back(std::move(f));
  }
  if (!helo_literal.empty()) {
    Finding f;
    f.id = "probe.helo-literal";
    f.severity = Severity::info;
    f.who_can_fix = Fixer::sender_admin;
    f.arg("helo", helo_literal);
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace mailrep::smtp
