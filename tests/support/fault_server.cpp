// FaultServer: see fault_server.hpp for the contract.
//
// One thread runs one poll() loop over: a wake-up eventfd (stop), the UDP socket, the TCP listening
// socket and the accepted TCP connections. Delayed answers sit in a timer queue (a multimap keyed by
// deadline) that sets the poll timeout. Every query is parsed with ldns; every reply is built as an
// ldns_pkt and turned into wire format, except "garbage", which is built by hand on purpose.
#include <stdbool.h>  // before any ldns header: ldns/common.h otherwise defines bool/true/false as macros

#include "fault_server.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ldns/ldns.h>

namespace mailrep::test {

namespace {

// --- RAII for ldns objects and file descriptors ---

struct LdnsFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
  void operator()(ldns_rr* r) const { ldns_rr_free(r); }
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using PktPtr = std::unique_ptr<ldns_pkt, LdnsFree>;
using RrPtr = std::unique_ptr<ldns_rr, LdnsFree>;
using RdfPtr = std::unique_ptr<ldns_rdf, LdnsFree>;

struct MallocFree {
  void operator()(std::uint8_t* p) const { std::free(p); }
};

class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      m_fd = std::exchange(o.m_fd, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  [[nodiscard]] int get() const { return m_fd; }
  [[nodiscard]] bool valid() const { return m_fd >= 0; }
  void reset() {
    if (m_fd >= 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }

private:
  int m_fd = -1;
};

// --- Names: a list of raw labels, lower-cased (ASCII only) for matching ---

using Name = std::vector<std::string>;

constexpr std::size_t k_max_name_wire = 255;
constexpr std::size_t k_max_label = 63;
constexpr int k_max_cname_steps = 16;
constexpr std::size_t k_udp_plain_limit = 512;
constexpr std::uint16_t k_edns_size = 1232;
constexpr std::size_t k_max_connections = 64;
constexpr std::size_t k_max_tcp_buffer = 2 + 65535;
constexpr std::uint16_t k_type_any = 255;

char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = ascii_lower(c);
  }
  return out;
}

std::size_t wire_length(const Name& n) {
  std::size_t len = 1;
  for (const auto& l : n) {
    len += 1 + l.size();
  }
  return len;
}

/// Literal labels split at '.'; one trailing dot is ignored; "" and "." are the root.
std::optional<Name> name_from_text(std::string_view text) {
  if (!text.empty() && text.back() == '.') {
    text.remove_suffix(1);
  }
  Name n;
  if (text.empty()) {
    return n;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const std::string_view label = text.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > k_max_label) {
      return std::nullopt;
    }
    n.emplace_back(label);
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  if (wire_length(n) > k_max_name_wire) {
    return std::nullopt;
  }
  return n;
}

/// From an uncompressed wire-format dname rdf (as ldns hands them out). nullopt if malformed.
std::optional<Name> name_from_rdf(const ldns_rdf* rdf, bool lower) {
  if (rdf == nullptr || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) {
    return std::nullopt;
  }
  const std::uint8_t* data = ldns_rdf_data(rdf);
  const std::size_t size = ldns_rdf_size(rdf);
  Name n;
  std::size_t pos = 0;
  while (pos < size) {
    const std::size_t len = data[pos];
    if (len == 0) {
      return n;
    }
    if (len > k_max_label || pos + 1 + len > size) {
      return std::nullopt;
    }
    std::string label(reinterpret_cast<const char*>(data + pos + 1), len);
    n.push_back(lower ? ascii_lower(label) : std::move(label));
    pos += 1 + len;
  }
  return std::nullopt;  // no terminating root label
}

Name lowered(const Name& n) {
  Name out;
  out.reserve(n.size());
  for (const auto& l : n) {
    out.push_back(ascii_lower(l));
  }
  return out;
}

std::vector<std::uint8_t> name_to_wire(const Name& n) {
  std::vector<std::uint8_t> out;
  out.reserve(wire_length(n));
  for (const auto& l : n) {
    out.push_back(static_cast<std::uint8_t>(l.size()));
    out.insert(out.end(), l.begin(), l.end());
  }
  out.push_back(0);
  return out;
}

RdfPtr make_dname(const Name& n) {
  const auto wire = name_to_wire(n);
  return RdfPtr(ldns_dname_new_frm_data(static_cast<std::uint16_t>(wire.size()), wire.data()));
}

/// For the query log: labels joined by '.', bytes outside printable ASCII (and '.', '\\') as \DDD.
std::string name_to_log(const Name& n) {
  if (n.empty()) {
    return ".";
  }
  std::string out;
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (i > 0) {
      out += '.';
    }
    for (const char c : n[i]) {
      const auto u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == '.' || c == '\\') {
        std::array<char, 8> buf{};
        std::snprintf(buf.data(), buf.size(), "\\%03u", static_cast<unsigned>(u));
        out += buf.data();
      } else {
        out += c;
      }
    }
  }
  return out;
}

/// True when `suffix` is `n` or one of its ancestors.
bool is_suffix(const Name& suffix, const Name& n) {
  if (suffix.size() > n.size()) {
    return false;
  }
  return std::equal(suffix.rbegin(), suffix.rend(), n.rbegin());
}

// --- Building records ---

bool push_rdf(ldns_rr* rr, RdfPtr rdf) {
  if (!rdf) {
    return false;
  }
  if (!ldns_rr_push_rdf(rr, rdf.get())) {
    return false;
  }
  (void)rdf.release();  // the rr owns it now
  return true;
}

RdfPtr make_int16(std::uint16_t v) {
  return RdfPtr(ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16, v));
}

RdfPtr make_int8(std::uint8_t v) {
  return RdfPtr(ldns_native2rdf_int8(LDNS_RDF_TYPE_INT8, v));
}

/// One character-string: a length byte and at most 255 bytes.
RdfPtr make_char_string(std::string_view s) {
  std::vector<std::uint8_t> data;
  data.reserve(s.size() + 1);
  data.push_back(static_cast<std::uint8_t>(s.size()));
  data.insert(data.end(), s.begin(), s.end());
  return RdfPtr(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, data.size(), data.data()));
}

std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view s) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<std::uint8_t> out;
  int high = -1;
  for (const char c : s) {
    if (c == ' ') {
      continue;
    }
    const int v = nibble(c);
    if (v < 0) {
      return std::nullopt;
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(high * 16 + v));
      high = -1;
    }
  }
  if (high >= 0 || out.empty()) {
    return std::nullopt;
  }
  return out;
}

struct StoredRecord {
  Name owner;  ///< lower-cased
  std::uint16_t type = 0;
  Name target;  ///< CNAME target, lower-cased
  RrPtr rr;
};

std::optional<StoredRecord> build_record(const dns::Record& r, std::string& error) {
  const auto owner = name_from_text(r.owner);
  if (!owner) {
    error = "bad owner name";
    return std::nullopt;
  }
  const auto type = static_cast<std::uint16_t>(r.type);
  StoredRecord out;
  out.owner = lowered(*owner);
  out.type = type;

  if (r.type == dns::RrType::soa) {
    // The one type built from text: its rdata holds no odd bytes worth protecting.
    ldns_rr* raw = nullptr;
    const std::string line = ". " + std::to_string(r.ttl) + " IN SOA " + r.text;
    if (ldns_rr_new_frm_str(&raw, line.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK || raw == nullptr) {
      error = "bad SOA rdata";
      return std::nullopt;
    }
    out.rr.reset(raw);
    ldns_rdf_deep_free(ldns_rr_owner(raw));
    ldns_rr_set_owner(raw, make_dname(*owner).release());
    return out;
  }

  out.rr.reset(ldns_rr_new());
  if (!out.rr) {
    error = "out of memory";
    return std::nullopt;
  }
  ldns_rr* rr = out.rr.get();
  ldns_rr_set_owner(rr, make_dname(*owner).release());
  ldns_rr_set_type(rr, static_cast<ldns_rr_type>(type));
  ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
  ldns_rr_set_ttl(rr, r.ttl);

  auto target_rdf = [&](Name* keep) -> RdfPtr {
    const auto t = name_from_text(r.text);
    if (!t) {
      return nullptr;
    }
    if (keep != nullptr) {
      *keep = lowered(*t);
    }
    return make_dname(*t);
  };

  bool ok = true;
  switch (r.type) {
    case dns::RrType::a:
      if (!r.address.is_v4()) {
        error = "A record without an IPv4 address";
        return std::nullopt;
      }
      ok = push_rdf(rr, RdfPtr(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, 4, r.address.bytes().data())));
      break;
    case dns::RrType::aaaa:
      if (!r.address.is_v6()) {
        error = "AAAA record without an IPv6 address";
        return std::nullopt;
      }
      ok = push_rdf(rr, RdfPtr(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, 16, r.address.bytes().data())));
      break;
    case dns::RrType::mx:
      ok = push_rdf(rr, make_int16(r.priority)) && push_rdf(rr, target_rdf(nullptr));
      break;
    case dns::RrType::txt:
    case dns::RrType::spf: {
      std::vector<std::string> strings = r.strings;
      if (strings.empty()) {
        strings.push_back(r.text);
      }
      for (const auto& s : strings) {
        std::string_view rest = s;
        do {  // an empty string stays one empty character-string
          const std::string_view chunk = rest.substr(0, 255);
          rest.remove_prefix(chunk.size());
          ok = ok && push_rdf(rr, make_char_string(chunk));
        } while (!rest.empty());
      }
      break;
    }
    case dns::RrType::cname:
      ok = push_rdf(rr, target_rdf(&out.target));
      break;
    case dns::RrType::ptr:
    case dns::RrType::ns:
      ok = push_rdf(rr, target_rdf(nullptr));
      break;
    case dns::RrType::srv:
      ok = push_rdf(rr, make_int16(r.priority)) && push_rdf(rr, make_int16(r.weight)) &&
           push_rdf(rr, make_int16(r.port)) && push_rdf(rr, target_rdf(nullptr));
      break;
    case dns::RrType::tlsa: {
      const auto data = parse_hex(r.text);
      if (!data || r.priority > 255 || r.weight > 255 || r.port > 255) {
        error = "bad TLSA data";
        return std::nullopt;
      }
      ok = push_rdf(rr, make_int8(static_cast<std::uint8_t>(r.priority))) &&
           push_rdf(rr, make_int8(static_cast<std::uint8_t>(r.weight))) &&
           push_rdf(rr, make_int8(static_cast<std::uint8_t>(r.port))) &&
           push_rdf(rr, RdfPtr(ldns_rdf_new_frm_data(LDNS_RDF_TYPE_HEX, data->size(), data->data())));
      break;
    }
    case dns::RrType::soa:
      break;  // handled above
  }
  if (!ok) {
    error = "bad rdata (target name or sizes)";
    return std::nullopt;
  }
  return out;
}

// --- Packets ---

std::optional<std::vector<std::uint8_t>> to_wire(const ldns_pkt* pkt) {
  std::uint8_t* raw = nullptr;
  std::size_t size = 0;
  if (ldns_pkt2wire(&raw, pkt, &size) != LDNS_STATUS_OK || raw == nullptr) {
    std::free(raw);
    return std::nullopt;
  }
  const std::unique_ptr<std::uint8_t, MallocFree> owned(raw);
  return std::vector<std::uint8_t>(owned.get(), owned.get() + size);
}

/// A reply skeleton: ID, opcode, RD and CD copied, QR and AA set, the question copied.
PktPtr make_response(const ldns_pkt* query, const ldns_rr* question, std::uint8_t rcode) {
  PktPtr resp(ldns_pkt_new());
  if (!resp) {
    return resp;
  }
  ldns_pkt_set_id(resp.get(), ldns_pkt_id(query));
  ldns_pkt_set_qr(resp.get(), true);
  ldns_pkt_set_aa(resp.get(), true);
  ldns_pkt_set_opcode(resp.get(), ldns_pkt_get_opcode(query));
  ldns_pkt_set_rd(resp.get(), ldns_pkt_rd(query));
  ldns_pkt_set_cd(resp.get(), ldns_pkt_cd(query));
  ldns_pkt_set_rcode(resp.get(), rcode);
  if (question != nullptr) {
    ldns_rr* q = ldns_rr_clone(question);
    if (q == nullptr || !ldns_pkt_push_rr(resp.get(), LDNS_SECTION_QUESTION, q)) {
      ldns_rr_free(q);
      return nullptr;
    }
  }
  if (ldns_pkt_edns(query)) {
    ldns_pkt_set_edns_udp_size(resp.get(), k_edns_size);
  }
  return resp;
}

bool push_clone(ldns_pkt* pkt, ldns_pkt_section section, const ldns_rr* rr) {
  ldns_rr* c = ldns_rr_clone(rr);
  if (c == nullptr || !ldns_pkt_push_rr(pkt, section, c)) {
    ldns_rr_free(c);
    return false;
  }
  return true;
}

/// FORMERR for a query ldns could not take apart: the 12-byte header only, ID kept.
std::vector<std::uint8_t> formerr_header(const std::uint8_t* data) {
  std::vector<std::uint8_t> out(12, 0);
  out[0] = data[0];
  out[1] = data[1];
  out[2] = 0x80 | (data[2] & 0x79);  // QR, opcode and RD copied
  out[3] = LDNS_RCODE_FORMERR;
  return out;
}

struct Peer {
  sockaddr_in udp{};   ///< for UDP replies
  std::uint64_t conn = 0;  ///< for TCP replies (0 = UDP)
};

struct Pending {
  std::vector<std::uint8_t> bytes;
  Peer peer;
};

struct Connection {
  UniqueFd fd;
  std::vector<std::uint8_t> in;
  std::vector<std::uint8_t> out;
};

struct Rule {
  FaultRule rule;
  std::optional<Name> name;  ///< nullopt with rule.name == "*": any
  bool any_name = false;
};

}  // namespace

std::string type_name(std::uint16_t type) {
  switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 52: return "TLSA";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
    default: return "TYPE" + std::to_string(type);
  }
}

std::optional<dns::RrType> parse_type_name(const std::string& name) {
  static constexpr std::array k_types{dns::RrType::a,   dns::RrType::ns,  dns::RrType::cname, dns::RrType::soa,
                                      dns::RrType::ptr, dns::RrType::mx,  dns::RrType::txt,   dns::RrType::aaaa,
                                      dns::RrType::srv, dns::RrType::tlsa, dns::RrType::spf};
  std::string upper = name;
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  for (const auto t : k_types) {
    if (type_name(static_cast<std::uint16_t>(t)) == upper) {
      return t;
    }
  }
  return std::nullopt;
}

struct FaultServer::Impl {
  UniqueFd m_udp;
  UniqueFd m_tcp;
  UniqueFd m_wake;
  std::uint16_t m_port = 0;
  std::thread m_thread;

  mutable std::mutex m_mutex;  // guards the three below
  std::vector<StoredRecord> m_records;
  std::vector<Rule> m_rules;
  std::vector<std::string> m_log;

  // Owned by the server thread only.
  std::map<std::uint64_t, Connection> m_conns;
  std::uint64_t m_next_conn = 1;
  std::multimap<std::chrono::steady_clock::time_point, Pending> m_timers;

  void run();
  void read_udp();
  void accept_tcp();
  bool read_tcp(std::uint64_t id, Connection& c);  // false: close it
  bool write_tcp(Connection& c);                   // false: close it
  void process(const std::uint8_t* data, std::size_t len, const Peer& peer);
  void send_now(const std::vector<std::uint8_t>& bytes, const Peer& peer);

  struct Reply {
    std::vector<std::uint8_t> bytes;
    std::chrono::milliseconds delay{0};
  };
  std::optional<Reply> handle(const std::uint8_t* data, std::size_t len, bool tcp);
  PktPtr answer_from_records(const ldns_pkt* query, const ldns_rr* question, const Name& qname, std::uint16_t qtype) const;
  std::optional<std::vector<std::uint8_t>> finish(const ldns_pkt* query, const ldns_rr* question, const ldns_pkt* resp,
                                                  bool tcp) const;
};

// --- Answering ---

PktPtr FaultServer::Impl::answer_from_records(const ldns_pkt* query, const ldns_rr* question, const Name& qname,
                                              std::uint16_t qtype) const {
  PktPtr resp = make_response(query, question, LDNS_RCODE_NOERROR);
  if (!resp) {
    return resp;
  }
  Name current = qname;
  std::vector<Name> visited{current};
  for (int step = 0; step <= k_max_cname_steps; ++step) {
    bool owner_exists = false;
    bool found = false;
    const StoredRecord* cname = nullptr;
    for (const auto& rec : m_records) {
      if (rec.owner != current) {
        continue;
      }
      owner_exists = true;
      if (rec.type == qtype || qtype == k_type_any) {
        found = push_clone(resp.get(), LDNS_SECTION_ANSWER, rec.rr.get()) || found;
      } else if (rec.type == static_cast<std::uint16_t>(dns::RrType::cname) && cname == nullptr) {
        cname = &rec;
      }
    }
    if (found) {
      break;
    }
    if (cname != nullptr && qtype != static_cast<std::uint16_t>(dns::RrType::cname)) {
      (void)push_clone(resp.get(), LDNS_SECTION_ANSWER, cname->rr.get());
      if (std::find(visited.begin(), visited.end(), cname->target) != visited.end()) {
        break;  // a loop: the chain just stops
      }
      current = cname->target;
      visited.push_back(current);
      continue;
    }
    // Negative: NODATA when the name exists (also as an empty non-terminal), else NXDOMAIN.
    const bool is_ent = std::any_of(m_records.begin(), m_records.end(), [&](const StoredRecord& r) {
      return r.owner.size() > current.size() && is_suffix(current, r.owner);
    });
    if (!owner_exists && !is_ent) {
      ldns_pkt_set_rcode(resp.get(), LDNS_RCODE_NXDOMAIN);
    }
    const StoredRecord* soa = nullptr;
    for (const auto& rec : m_records) {
      if (rec.type == static_cast<std::uint16_t>(dns::RrType::soa) && is_suffix(rec.owner, current) &&
          (soa == nullptr || rec.owner.size() > soa->owner.size())) {
        soa = &rec;
      }
    }
    if (soa != nullptr) {
      (void)push_clone(resp.get(), LDNS_SECTION_AUTHORITY, soa->rr.get());
    }
    break;
  }
  return resp;
}

/// To wire; over UDP, an answer larger than the client can take becomes TC=1 with no records.
std::optional<std::vector<std::uint8_t>> FaultServer::Impl::finish(const ldns_pkt* query, const ldns_rr* question,
                                                                   const ldns_pkt* resp, bool tcp) const {
  auto wire = to_wire(resp);
  if (!wire) {
    return std::nullopt;
  }
  std::size_t limit = k_udp_plain_limit;
  if (ldns_pkt_edns(query)) {
    limit = std::clamp<std::size_t>(ldns_pkt_edns_udp_size(query), k_udp_plain_limit, k_edns_size);
  }
  if (tcp || wire->size() <= limit) {
    return wire;
  }
  PktPtr tc = make_response(query, question, ldns_pkt_get_rcode(resp));
  if (!tc) {
    return std::nullopt;
  }
  ldns_pkt_set_tc(tc.get(), true);
  return to_wire(tc.get());
}

std::optional<FaultServer::Impl::Reply> FaultServer::Impl::handle(const std::uint8_t* data, std::size_t len, bool tcp) {
  if (len < 12) {
    return std::nullopt;
  }
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, len) != LDNS_STATUS_OK || raw == nullptr) {
    ldns_pkt_free(raw);
    return Reply{formerr_header(data), {}};
  }
  const PktPtr query(raw);
  if (ldns_pkt_qr(query.get())) {
    return std::nullopt;  // a response, not a query
  }
  const ldns_rr_list* questions = ldns_pkt_question(query.get());
  if (questions == nullptr || ldns_rr_list_rr_count(questions) != 1) {
    return Reply{formerr_header(data), {}};
  }
  const ldns_rr* question = ldns_rr_list_rr(questions, 0);
  const auto qname = name_from_rdf(ldns_rr_owner(question), true);
  if (!qname) {
    return Reply{formerr_header(data), {}};
  }
  const auto qtype = static_cast<std::uint16_t>(ldns_rr_get_type(question));

  const std::lock_guard lock(m_mutex);
  m_log.push_back(name_to_log(*qname) + " " + type_name(qtype) + (tcp ? " tcp" : " udp"));

  FaultRule applied;  // default: answer
  for (auto& r : m_rules) {
    if (r.rule.times == 0) {
      continue;
    }
    if (!r.any_name && (!r.name || *r.name != *qname)) {
      continue;
    }
    if (r.rule.type && static_cast<std::uint16_t>(*r.rule.type) != qtype) {
      continue;
    }
    if (r.rule.times > 0) {
      --r.rule.times;
    }
    applied = r.rule;
    break;
  }

  switch (applied.action) {
    case FaultAction::drop:
      return std::nullopt;
    case FaultAction::rcode: {
      const PktPtr resp = make_response(query.get(), question, static_cast<std::uint8_t>(applied.rcode & 0x0f));
      if (!resp) {
        return std::nullopt;
      }
      auto wire = to_wire(resp.get());
      return wire ? std::optional<Reply>(Reply{std::move(*wire), {}}) : std::nullopt;
    }
    case FaultAction::truncate:
      if (!tcp) {
        PktPtr resp = make_response(query.get(), question, LDNS_RCODE_NOERROR);
        if (!resp) {
          return std::nullopt;
        }
        ldns_pkt_set_tc(resp.get(), true);
        auto wire = to_wire(resp.get());
        return wire ? std::optional<Reply>(Reply{std::move(*wire), {}}) : std::nullopt;
      }
      break;  // over TCP: answer from the records
    case FaultAction::garbage: {
      // Header and question are right (so c-ares 1.18, which compares the question, takes it as the
      // response), then ANCOUNT=2 and ~40 bytes starting with a compression pointer far past the end.
      const ldns_rdf* owner = ldns_rr_owner(question);
      std::vector<std::uint8_t> out{data[0], data[1], 0x84, 0x00, 0, 1, 0, 2, 0, 0, 0, 0};
      out.insert(out.end(), ldns_rdf_data(owner), ldns_rdf_data(owner) + ldns_rdf_size(owner));
      out.push_back(static_cast<std::uint8_t>(qtype >> 8));
      out.push_back(static_cast<std::uint8_t>(qtype & 0xff));
      out.push_back(0);
      out.push_back(1);
      out.push_back(0xff);
      out.push_back(0xff);
      std::uint32_t x = (static_cast<std::uint32_t>(data[0]) << 8 | data[1]) * 2654435761U + 1;
      for (int i = 0; i < 38; ++i) {
        x = x * 1103515245U + 12345U;
        out.push_back(static_cast<std::uint8_t>(x >> 16));
      }
      return Reply{std::move(out), {}};
    }
    case FaultAction::oversized_txt: {
      PktPtr resp = make_response(query.get(), question, LDNS_RCODE_NOERROR);
      if (!resp) {
        return std::nullopt;
      }
      if (!tcp) {
        ldns_pkt_set_tc(resp.get(), true);
      } else {
        RrPtr rr(ldns_rr_new());
        if (!rr) {
          return std::nullopt;
        }
        ldns_rr_set_owner(rr.get(), ldns_rdf_clone(ldns_rr_owner(question)));
        ldns_rr_set_type(rr.get(), LDNS_RR_TYPE_TXT);
        ldns_rr_set_class(rr.get(), LDNS_RR_CLASS_IN);
        ldns_rr_set_ttl(rr.get(), 300);
        for (int i = 0; i < 20; ++i) {  // 20 x (1 + 250) bytes of rdata
          std::string s = "oversized-" + std::to_string(i) + "-";
          s.resize(250, 'x');
          if (!push_rdf(rr.get(), make_char_string(s))) {
            return std::nullopt;
          }
        }
        if (!ldns_pkt_push_rr(resp.get(), LDNS_SECTION_ANSWER, rr.get())) {
          return std::nullopt;
        }
        (void)rr.release();
      }
      auto wire = to_wire(resp.get());
      return wire ? std::optional<Reply>(Reply{std::move(*wire), {}}) : std::nullopt;
    }
    case FaultAction::wrong_id:
    case FaultAction::delay_then_answer:
    case FaultAction::answer:
      break;
  }

  PktPtr resp = answer_from_records(query.get(), question, *qname, qtype);
  if (!resp) {
    return std::nullopt;
  }
  if (applied.action == FaultAction::wrong_id) {
    ldns_pkt_set_id(resp.get(), static_cast<std::uint16_t>(ldns_pkt_id(query.get()) ^ 0x5a5a));
  }
  auto wire = finish(query.get(), question, resp.get(), tcp);
  if (!wire) {
    return std::nullopt;
  }
  Reply reply{std::move(*wire), {}};
  if (applied.action == FaultAction::delay_then_answer) {
    reply.delay = std::max(applied.delay, std::chrono::milliseconds{0});
  }
  return reply;
}

// --- The loop ---

void FaultServer::Impl::send_now(const std::vector<std::uint8_t>& bytes, const Peer& peer) {
  if (peer.conn == 0) {
    (void)::sendto(m_udp.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&peer.udp),
                   sizeof peer.udp);
    return;
  }
  const auto it = m_conns.find(peer.conn);
  if (it == m_conns.end() || bytes.size() > 65535) {
    return;  // the client went away meanwhile
  }
  auto& out = it->second.out;
  out.push_back(static_cast<std::uint8_t>(bytes.size() >> 8));
  out.push_back(static_cast<std::uint8_t>(bytes.size() & 0xff));
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void FaultServer::Impl::process(const std::uint8_t* data, std::size_t len, const Peer& peer) {
  auto reply = handle(data, len, peer.conn != 0);
  if (!reply) {
    return;
  }
  if (reply->delay.count() > 0) {
    m_timers.emplace(std::chrono::steady_clock::now() + reply->delay, Pending{std::move(reply->bytes), peer});
  } else {
    send_now(reply->bytes, peer);
  }
}

void FaultServer::Impl::read_udp() {
  std::array<std::uint8_t, 65536> buf{};
  for (int i = 0; i < 64; ++i) {
    Peer peer;
    socklen_t plen = sizeof peer.udp;
    const ssize_t n =
        ::recvfrom(m_udp.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&peer.udp), &plen);
    if (n < 0) {
      return;  // EAGAIN or an error: nothing more now
    }
    process(buf.data(), static_cast<std::size_t>(n), peer);
  }
}

void FaultServer::Impl::accept_tcp() {
  for (int i = 0; i < 16; ++i) {
    UniqueFd fd(::accept4(m_tcp.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) {
      return;
    }
    if (m_conns.size() >= k_max_connections) {
      continue;  // closed by UniqueFd
    }
    m_conns.emplace(m_next_conn++, Connection{std::move(fd), {}, {}});
  }
}

bool FaultServer::Impl::read_tcp(std::uint64_t id, Connection& c) {
  std::array<std::uint8_t, 16384> buf{};
  const ssize_t n = ::recv(c.fd.get(), buf.data(), buf.size(), 0);
  if (n == 0) {
    return false;
  }
  if (n < 0) {
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
  c.in.insert(c.in.end(), buf.begin(), buf.begin() + n);
  if (c.in.size() > 4 * k_max_tcp_buffer) {
    return false;
  }
  while (c.in.size() >= 2) {
    const std::size_t len = static_cast<std::size_t>(c.in[0]) << 8 | c.in[1];
    if (c.in.size() < 2 + len) {
      break;
    }
    const std::vector<std::uint8_t> msg(c.in.begin() + 2, c.in.begin() + 2 + static_cast<std::ptrdiff_t>(len));
    c.in.erase(c.in.begin(), c.in.begin() + 2 + static_cast<std::ptrdiff_t>(len));
    Peer peer;
    peer.conn = id;
    process(msg.data(), msg.size(), peer);
  }
  return true;
}

bool FaultServer::Impl::write_tcp(Connection& c) {
  if (c.out.empty()) {
    return true;
  }
  const ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
  if (n < 0) {
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  }
  c.out.erase(c.out.begin(), c.out.begin() + n);
  return true;
}

void FaultServer::Impl::run() {
  std::vector<pollfd> fds;
  std::vector<std::uint64_t> ids;
  while (true) {
    fds.clear();
    ids.clear();
    fds.push_back({m_wake.get(), POLLIN, 0});
    fds.push_back({m_udp.get(), POLLIN, 0});
    fds.push_back({m_tcp.get(), POLLIN, 0});
    for (const auto& [id, c] : m_conns) {
      fds.push_back({c.fd.get(), static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
      ids.push_back(id);
    }
    int timeout = -1;
    if (!m_timers.empty()) {
      const auto wait = m_timers.begin()->first - std::chrono::steady_clock::now();
      const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
      timeout = static_cast<int>(std::clamp<decltype(ms)>(ms, 0, 60000));
    }
    const int rc = ::poll(fds.data(), fds.size(), timeout);
    if (rc < 0 && errno != EINTR) {
      std::fprintf(stderr, "fault_server: poll: %s\n", std::strerror(errno));
      return;
    }
    if (rc > 0) {
      if (fds[0].revents != 0) {
        return;  // stop
      }
      if ((fds[1].revents & POLLIN) != 0) {
        read_udp();
      }
      if ((fds[2].revents & POLLIN) != 0) {
        accept_tcp();
      }
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto it = m_conns.find(ids[i]);
        if (it == m_conns.end()) {
          continue;
        }
        const short ev = fds[3 + i].revents;
        bool keep = true;
        if ((ev & (POLLIN | POLLHUP | POLLERR)) != 0) {
          keep = read_tcp(ids[i], it->second);
        }
        if (keep && (ev & POLLOUT) != 0) {
          keep = write_tcp(it->second);
        }
        if (!keep) {
          m_conns.erase(it);
        }
      }
    }
    const auto now = std::chrono::steady_clock::now();
    while (!m_timers.empty() && m_timers.begin()->first <= now) {
      auto node = m_timers.extract(m_timers.begin());
      send_now(node.mapped().bytes, node.mapped().peer);
    }
    // Replies queued for TCP get a first write attempt right away.
    for (auto it = m_conns.begin(); it != m_conns.end();) {
      if (!write_tcp(it->second)) {
        it = m_conns.erase(it);
      } else {
        ++it;
      }
    }
  }
}

// --- FaultServer ---

FaultServer::FaultServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

FaultServer::~FaultServer() {
  if (m_impl->m_thread.joinable()) {
    const std::uint64_t one = 1;
    if (::write(m_impl->m_wake.get(), &one, sizeof one) != static_cast<ssize_t>(sizeof one)) {
      std::fprintf(stderr, "fault_server: cannot wake the server thread: %s\n", std::strerror(errno));
    }
    m_impl->m_thread.join();
  }
}

std::unique_ptr<FaultServer> FaultServer::start() {
  return start(0);
}

std::unique_ptr<FaultServer> FaultServer::start(std::uint16_t port) {
  auto impl = std::make_unique<Impl>();
  impl->m_wake = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!impl->m_wake.valid()) {
    std::fprintf(stderr, "fault_server: eventfd: %s\n", std::strerror(errno));
    return nullptr;
  }
  // UDP first, then TCP on the same port; if that one is taken (port 0 only), try again.
  for (int attempt = 0; attempt < (port == 0 ? 32 : 1) && !impl->m_tcp.valid(); ++attempt) {
    UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!udp.valid()) {
      std::fprintf(stderr, "fault_server: socket: %s\n", std::strerror(errno));
      return nullptr;
    }
    // A server built for bursts: a window of queries arriving while this (maybe sanitised, maybe
    // descheduled) thread is busy must wait in the socket, not be dropped. FORCE works as root and
    // goes past rmem_max; otherwise the kernel caps the plain request.
    const int rcvbuf = 4 << 20;
    if (::setsockopt(udp.get(), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
      (void)::setsockopt(udp.get(), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    socklen_t alen = sizeof addr;
    if (::bind(udp.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(udp.get(), reinterpret_cast<sockaddr*>(&addr), &alen) != 0) {
      std::fprintf(stderr, "fault_server: bind udp: %s\n", std::strerror(errno));
      return nullptr;
    }
    UniqueFd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!tcp.valid()) {
      std::fprintf(stderr, "fault_server: socket: %s\n", std::strerror(errno));
      return nullptr;
    }
    const int yes = 1;
    (void)::setsockopt(tcp.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(tcp.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 || ::listen(tcp.get(), 64) != 0) {
      continue;  // port taken for TCP: another one
    }
    impl->m_port = ntohs(addr.sin_port);
    impl->m_udp = std::move(udp);
    impl->m_tcp = std::move(tcp);
  }
  if (!impl->m_tcp.valid()) {
    std::fprintf(stderr, "fault_server: no port free for both UDP and TCP\n");
    return nullptr;
  }
  Impl* raw = impl.get();
  impl->m_thread = std::thread([raw] { raw->run(); });
  return std::unique_ptr<FaultServer>(new FaultServer(std::move(impl)));
}

std::uint16_t FaultServer::port() const {
  return m_impl->m_port;
}

std::string FaultServer::address() const {
  return "127.0.0.1:" + std::to_string(m_impl->m_port);
}

void FaultServer::add_record(dns::Record r) {
  std::string error;
  auto rec = build_record(r, error);
  if (!rec) {
    std::fprintf(stderr, "fault_server: record %s %s ignored: %s\n", r.owner.c_str(),
                 type_name(static_cast<std::uint16_t>(r.type)).c_str(), error.c_str());
    return;
  }
  const std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_records.push_back(std::move(*rec));
}

void FaultServer::add_rule(FaultRule r) {
  Rule rule;
  rule.any_name = r.name == "*";
  if (!rule.any_name) {
    rule.name = name_from_text(r.name);
    if (rule.name) {
      rule.name = lowered(*rule.name);
    } else {
      std::fprintf(stderr, "fault_server: rule name '%s' is not a name; the rule never matches\n", r.name.c_str());
    }
  }
  rule.rule = std::move(r);
  const std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_rules.push_back(std::move(rule));
}

void FaultServer::clear() {
  const std::lock_guard lock(m_impl->m_mutex);
  m_impl->m_records.clear();
  m_impl->m_rules.clear();
  m_impl->m_log.clear();
}

std::vector<std::string> FaultServer::query_log() const {
  const std::lock_guard lock(m_impl->m_mutex);
  return m_impl->m_log;
}

std::size_t FaultServer::query_count() const {
  const std::lock_guard lock(m_impl->m_mutex);
  return m_impl->m_log.size();
}

}  // namespace mailrep::test
