#include "table_resolver.hpp"

#include <utility>

#include "mailrep/util/ip.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::test {

std::string normalize_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return util::lower(name);
}

void TableResolver::add(dns::Record r) {
  r.owner = normalize_name(r.owner);
  if (r.type == dns::RrType::cname || r.type == dns::RrType::ptr || r.type == dns::RrType::mx ||
      r.type == dns::RrType::ns)
    r.text = normalize_name(r.text);
  if ((r.type == dns::RrType::txt || r.type == dns::RrType::spf) && !r.strings.empty() && r.text.empty())
    for (const auto& s : r.strings) r.text += s;
  if (r.ttl == 0) r.ttl = 300;
  auto owner = r.owner;
  m_records[owner].push_back(std::move(r));
}

void TableResolver::add_a(std::string_view name, std::string_view address) {
  dns::Record r;
  r.owner = std::string(name);
  auto ip = util::IpAddress::parse(address);
  if (!ip) return;
  r.type = ip->is_v4() ? dns::RrType::a : dns::RrType::aaaa;
  r.address = *ip;
  r.text = ip->to_string();
  add(std::move(r));
}

void TableResolver::add_txt(std::string_view name, std::string_view text) {
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < text.size(); i += 255) strings.emplace_back(text.substr(i, 255));
  if (strings.empty()) strings.emplace_back();
  add_txt_strings(name, std::move(strings));
}

void TableResolver::add_txt_strings(std::string_view name, std::vector<std::string> strings) {
  dns::Record r;
  r.owner = std::string(name);
  r.type = dns::RrType::txt;
  for (const auto& s : strings) r.text += s;
  r.strings = std::move(strings);
  add(std::move(r));
}

void TableResolver::add_mx(std::string_view name, std::uint16_t priority, std::string_view host) {
  dns::Record r;
  r.owner = std::string(name);
  r.type = dns::RrType::mx;
  r.priority = priority;
  r.text = std::string(host);
  add(std::move(r));
}

void TableResolver::add_ptr(std::string_view name, std::string_view target) {
  dns::Record r;
  r.owner = std::string(name);
  r.type = dns::RrType::ptr;
  r.text = std::string(target);
  add(std::move(r));
}

void TableResolver::add_cname(std::string_view name, std::string_view target) {
  dns::Record r;
  r.owner = std::string(name);
  r.type = dns::RrType::cname;
  r.text = std::string(target);
  add(std::move(r));
}

void TableResolver::set_outcome(std::string_view name, std::optional<dns::RrType> type, dns::Outcome outcome) {
  m_faults.push_back(Fault{normalize_name(name), type, outcome});
}

void TableResolver::clear() {
  m_records.clear();
  m_faults.clear();
  m_log.clear();
}

const TableResolver::Fault* TableResolver::fault_for(const std::string& name, dns::RrType type) const {
  for (const auto& f : m_faults)
    if (f.name == name && (!f.type || *f.type == type)) return &f;
  return nullptr;
}

bool TableResolver::exists(const std::string& name) const {
  if (m_records.count(name)) return true;
  // an empty non-terminal: some owner below it
  const std::string suffix = "." + name;
  for (const auto& [owner, records] : m_records)
    if (owner.size() > suffix.size() && owner.compare(owner.size() - suffix.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}

dns::Answer TableResolver::answer(const dns::Query& query) const {
  dns::Answer a;
  a.query = query;
  a.server = "table";
  std::string name = normalize_name(query.name);
  std::vector<std::string> visited;
  for (int step = 0; step <= 16; ++step) {
    if (const Fault* f = fault_for(name, query.type)) {
      a.outcome = f->outcome;
      a.detail = "scripted " + std::string(dns::to_string(f->outcome));
      return a;
    }
    auto it = m_records.find(name);
    if (it != m_records.end()) {
      const dns::Record* cname = nullptr;
      for (const auto& r : it->second) {
        if (r.type == query.type) a.records.push_back(r);
        else if (r.type == dns::RrType::cname && cname == nullptr) cname = &r;
      }
      if (!a.records.empty()) {
        a.outcome = dns::Outcome::answer;
        a.ttl = 300;
        return a;
      }
      if (cname != nullptr && query.type != dns::RrType::cname) {
        visited.push_back(name);
        a.cnames.push_back(cname->text);
        name = cname->text;
        bool loop = false;
        for (const auto& v : visited)
          if (v == name) loop = true;
        if (loop) break;
        continue;
      }
    }
    a.outcome = exists(name) ? dns::Outcome::nodata : dns::Outcome::nxdomain;
    return a;
  }
  a.outcome = dns::Outcome::nodata;  // a CNAME loop (or a chain too long): like the FaultServer
  return a;
}

io::Task<dns::Answer> TableResolver::lookup(dns::Query query) {
  m_log.push_back(query);
  co_return answer(query);
}

std::size_t TableResolver::count(std::string_view name, dns::RrType type) const {
  std::size_t n = 0;
  const std::string want = normalize_name(name);
  for (const auto& q : m_log)
    if (q.type == type && normalize_name(q.name) == want) ++n;
  return n;
}

std::size_t TableResolver::count(dns::RrType type) const {
  std::size_t n = 0;
  for (const auto& q : m_log)
    if (q.type == type) ++n;
  return n;
}

io::Task<dns::Answer> SteppedResolver::lookup(dns::Query query) {
  ++m_lookups;
  const std::string key = normalize_name(query.name) + "/" + std::string(dns::to_string(query.type));
  if (m_answered.count(key) == 0) {
    Wait w{this};
    co_await w;
    m_answered.insert(key);
  }
  co_return m_table.answer(query);
}

void SteppedResolver::round() {
  ++m_rounds;
  auto batch = std::move(m_pending);
  m_pending.clear();
  for (auto h : batch) h.resume();
}

}  // namespace mailrep::test
