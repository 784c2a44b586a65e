#include "mailrep/discover/discover.hpp"

#include <algorithm>
#include <map>

#include "mailrep/util/text.hpp"

namespace mailrep::discover {

std::string_view to_string(Confidence c) {
  switch (c) {
    case Confidence::high: return "high";
    case Confidence::medium: return "medium";
    case Confidence::low: return "low";
  }
  return "low";
}

namespace {

struct Candidate {
  std::string host;
  std::string source;
  Confidence confidence;
};

class Collector {
public:
  void add(const util::IpAddress& ip, std::string source, Confidence c, const std::string& host = {}) {
    auto key = ip.to_string();
    auto it = m_index.find(key);
    if (it == m_index.end()) {
      m_index.emplace(key, m_items.size());
      m_items.push_back(Outbound{ip, {std::move(source)}, c, host});
      return;
    }
    Outbound& o = m_items[it->second];
    if (std::find(o.sources.begin(), o.sources.end(), source) == o.sources.end()) o.sources.push_back(std::move(source));
    if (static_cast<int>(c) < static_cast<int>(o.confidence)) o.confidence = c;
    if (o.host.empty()) o.host = host;
  }
  std::vector<Outbound> take(std::size_t cap, std::vector<std::string>& notes) {
    std::stable_sort(m_items.begin(), m_items.end(), [](const Outbound& a, const Outbound& b) {
      return static_cast<int>(a.confidence) < static_cast<int>(b.confidence);
    });
    if (m_items.size() > cap) {
      notes.push_back("found " + std::to_string(m_items.size()) + " candidate addresses; checked the " +
                      std::to_string(cap) + " most certain");
      m_items.resize(cap);
    }
    return std::move(m_items);
  }

private:
  std::vector<Outbound> m_items;
  std::map<std::string, std::size_t> m_index;
};

void collect_spf_domains(const auth::spf::TreeNode& node, std::vector<std::string>& out) {
  for (const auto& child : node.children) {
    out.push_back(child.domain);
    collect_spf_domains(child, out);
  }
}

// RFC 6186 submission SRV names and the usual submission host names, for discover() and prefetch().
const std::string k_srv_prefixes[] = {"_submission._tcp.", "_submissions._tcp."};
constexpr const char* k_submission_prefixes[] = {"smtp.", "mail."};

void add_provider(std::vector<ProviderHit>& hits, const data::Provider* p, std::string why) {
  for (const auto& h : hits)
    if (h.provider == p) return;
  hits.push_back(ProviderHit{p, std::move(why)});
}

}  // namespace

io::Task<void> prefetch(dns::Resolver& resolver, std::string domain) {
  std::vector<io::Task<dns::Answer>> lookups;
  for (const char* prefix : k_submission_prefixes)
    for (auto type : {dns::RrType::a, dns::RrType::aaaa}) lookups.push_back(resolver.lookup(dns::Query{prefix + domain, type}));
  auto srv1 = resolver.lookup(dns::Query{k_srv_prefixes[0] + domain, dns::RrType::srv});
  auto srv2 = resolver.lookup(dns::Query{k_srv_prefixes[1] + domain, dns::RrType::srv});
  dns::Answer s1 = co_await srv1;
  dns::Answer s2 = co_await srv2;
  for (const dns::Answer* a : {&s1, &s2})
    for (const auto& rec : a->records)
      if (!rec.text.empty() && rec.text != ".")
        for (auto type : {dns::RrType::a, dns::RrType::aaaa}) lookups.push_back(resolver.lookup(dns::Query{rec.text, type}));
  for (auto& t : lookups) (void)co_await t;
}

io::Task<Discovery> discover(dns::Resolver& resolver, Input input) {
  Discovery out;
  Collector found;
  std::vector<Candidate> names;  // host names to resolve

  // Provider knowledge: the domain itself, its SPF includes, its MX hosts.
  if (input.providers) {
    if (auto m = data::match_provider(*input.providers, input.domain))
      add_provider(out.providers, m->provider, "domain " + input.domain);
    if (input.spf) {
      std::vector<std::string> spf_domains;
      collect_spf_domains(input.spf->tree, spf_domains);
      for (const auto& d : spf_domains)
        if (auto m = data::match_provider(*input.providers, d)) add_provider(out.providers, m->provider, "SPF include " + d);
    }
    for (const auto& mx : input.mx)
      if (auto m = data::match_provider(*input.providers, mx.host)) add_provider(out.providers, m->provider, "MX " + mx.host);
    for (const auto& hit : out.providers) {
      for (const auto& h : hit.provider->outbound_hosts)
        names.push_back(Candidate{h, "outbound relay " + h + " of " + hit.provider->name, Confidence::high});
      for (const auto& h : hit.provider->submission_hosts)
        names.push_back(Candidate{h, "submission host " + h + " of " + hit.provider->name, Confidence::medium});
    }
  }
  // The user's addresses are the most certain of all.
  for (const auto& ip : input.extra) found.add(ip, "given with --ip", Confidence::high);

  // SPF: what the domain itself authorises.
  if (input.spf) {
    for (const auto& net : input.spf->networks) {
      std::uint64_t size = net.cidr.size();
      bool from_lookup = net.origin.find("→") != std::string::npos && (net.origin.find(" A") != std::string::npos ||
                                                                           net.origin.find(" AAAA") != std::string::npos);
      if (size == 1) {
        found.add(net.cidr.network, "SPF " + net.origin, from_lookup ? Confidence::medium : Confidence::high);
      } else if (size <= 16) {
        for (std::uint64_t k = 0; k < size; ++k)
          found.add(net.cidr.network.offset(k), "SPF range " + net.origin, Confidence::medium);
      } else {
        std::uint64_t take = std::min<std::uint64_t>(input.range_sample, size);
        for (std::uint64_t k = 1; k <= take; ++k)
          found.add(net.cidr.network.offset(k), "sample of SPF range " + net.origin, Confidence::low);
        out.notes.push_back("SPF range " + net.cidr.to_string() + " (" + net.origin + ") sampled: " + std::to_string(take) +
                            " of " + (size >= (1ull << 63) ? std::string("2^63+") : std::to_string(size)) + " addresses");
      }
    }
  }
  // MX hosts: they receive; small domains often send from them too.
  for (const auto& mx : input.mx)
    for (const auto& ip : mx.addresses) found.add(ip, "MX host " + mx.host, Confidence::low, mx.host);

  // RFC 6186 SRV records and the usual submission names. The names known now are resolved at once,
  // together with the SRV lookups; only the SRV targets wait for the SRV answers.
  for (const char* prefix : k_submission_prefixes)
    names.push_back(Candidate{prefix + input.domain, std::string("common submission name ") + prefix + input.domain, Confidence::low});
  std::vector<io::Task<dns::Answer>> a4, a6;
  auto resolve = [&](const Candidate& c) {
    a4.push_back(resolver.lookup(dns::Query{c.host, dns::RrType::a}));
    a6.push_back(resolver.lookup(dns::Query{c.host, dns::RrType::aaaa}));
  };
  for (const auto& c : names) resolve(c);
  auto srv1 = resolver.lookup(dns::Query{k_srv_prefixes[0] + input.domain, dns::RrType::srv});
  auto srv2 = resolver.lookup(dns::Query{k_srv_prefixes[1] + input.domain, dns::RrType::srv});
  dns::Answer s1 = co_await srv1;
  dns::Answer s2 = co_await srv2;
  for (const dns::Answer* a : {&s1, &s2})
    for (const auto& rec : a->records)
      if (!rec.text.empty() && rec.text != ".") {
        names.push_back(Candidate{rec.text, "SRV " + a->query.name + " → " + rec.text, Confidence::medium});
        resolve(names.back());
      }
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto& t4 = a4[i];
    auto& t6 = a6[i];
    dns::Answer r4 = co_await t4;
    dns::Answer r6 = co_await t6;
    bool any = false;
    for (const dns::Answer* a : {&r4, &r6})
      for (const auto& rec : a->records) {
        found.add(rec.address, names[i].source, names[i].confidence, names[i].host);
        any = true;
      }
    if (!any && names[i].confidence != Confidence::low && !(r4.is_fact() && r6.is_fact()))
      out.notes.push_back("could not resolve " + names[i].host + " (" + std::string(dns::to_string(r4.outcome)) + ")");
  }
  out.outbound = found.take(input.max_addresses, out.notes);
  co_return out;
}

}  // namespace mailrep::discover
