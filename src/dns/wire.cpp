// Wire parsing with ldns. <stdbool.h> must come before any ldns header: ldns/common.h otherwise
// defines bool/true/false as macros and breaks the C++ standard library.
#include <stdbool.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <memory>
#include <string>

#include "mailrep/util/text.hpp"
#include "wire.hpp"

namespace mailrep::dns::detail {
namespace {

struct PktFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct CharFree {
  void operator()(char* p) const { free(p); }
};

constexpr std::size_t k_max_records = 4096;

// A domain name from its wire labels, bytes as they are (no presentation escapes), lower case,
// without the trailing dot: the same form as our query names. A '.' inside a label becomes "\.".
std::string name_of(const ldns_rdf* rdf) {
  if (!rdf || ldns_rdf_get_type(rdf) != LDNS_RDF_TYPE_DNAME) return {};
  const std::uint8_t* d = ldns_rdf_data(rdf);
  std::size_t size = ldns_rdf_size(rdf), i = 0;
  std::string out;
  while (i < size) {
    std::size_t len = d[i++];
    if (len == 0 || len > 63 || i + len > size) break;
    if (!out.empty()) out += '.';
    for (std::size_t k = 0; k < len; ++k) {
      char c = util::to_lower(static_cast<char>(d[i + k]));
      if (c == '.') out += '\\';
      out += c;
    }
    i += len;
  }
  return out.empty() ? std::string(".") : out;
}

std::string normal(std::string_view name) {
  std::string out = util::lower(name);
  while (out.size() > 1 && out.back() == '.') out.pop_back();
  return out;
}

// Fill `rec` from `rr`; false if the rdata is not what the type promises.
bool fill(Record& rec, const ldns_rr* rr) {
  auto rdf = [&](std::size_t i) -> const ldns_rdf* { return ldns_rr_rd_count(rr) > i ? ldns_rr_rdf(rr, i) : nullptr; };
  switch (rec.type) {
    case RrType::a: {
      const ldns_rdf* r = rdf(0);
      if (!r || ldns_rdf_size(r) != 4) return false;
      std::array<std::uint8_t, 16> b{};
      const std::uint8_t* d = ldns_rdf_data(r);
      rec.address = util::IpAddress::v4((std::uint32_t{d[0]} << 24) | (std::uint32_t{d[1]} << 16) |
                                        (std::uint32_t{d[2]} << 8) | std::uint32_t{d[3]});
      (void)b;
      rec.text = rec.address.to_string();
      return true;
    }
    case RrType::aaaa: {
      const ldns_rdf* r = rdf(0);
      if (!r || ldns_rdf_size(r) != 16) return false;
      std::array<std::uint8_t, 16> b{};
      std::copy_n(ldns_rdf_data(r), 16, b.begin());
      rec.address = util::IpAddress::v6(b);
      rec.text = rec.address.to_string();
      return true;
    }
    case RrType::mx: {
      const ldns_rdf* p = rdf(0);
      const ldns_rdf* n = rdf(1);
      if (!p || !n || ldns_rdf_size(p) != 2) return false;
      rec.priority = ldns_rdf2native_int16(p);
      rec.text = name_of(n);
      return true;
    }
    case RrType::txt:
    case RrType::spf: {
      for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        const ldns_rdf* r = ldns_rr_rdf(rr, i);
        std::size_t sz = ldns_rdf_size(r);
        const std::uint8_t* d = ldns_rdf_data(r);
        if (sz < 1 || d[0] + 1u != sz) return false;
        rec.strings.emplace_back(reinterpret_cast<const char*>(d + 1), sz - 1);
        rec.text += rec.strings.back();
      }
      return true;
    }
    case RrType::ptr:
    case RrType::cname:
    case RrType::ns: {
      const ldns_rdf* r = rdf(0);
      if (!r) return false;
      rec.text = name_of(r);
      return true;
    }
    case RrType::srv: {
      const ldns_rdf* p = rdf(0);
      const ldns_rdf* w = rdf(1);
      const ldns_rdf* po = rdf(2);
      const ldns_rdf* t = rdf(3);
      if (!p || !w || !po || !t || ldns_rdf_size(p) != 2 || ldns_rdf_size(w) != 2 || ldns_rdf_size(po) != 2) return false;
      rec.priority = ldns_rdf2native_int16(p);
      rec.weight = ldns_rdf2native_int16(w);
      rec.port = ldns_rdf2native_int16(po);
      rec.text = name_of(t);
      return true;
    }
    case RrType::tlsa: {
      if (ldns_rr_rd_count(rr) < 4) return false;
      for (std::size_t i = 0; i < 3; ++i)
        if (ldns_rdf_size(ldns_rr_rdf(rr, i)) != 1) return false;
      rec.priority = *ldns_rdf_data(ldns_rr_rdf(rr, 0));
      rec.weight = *ldns_rdf_data(ldns_rr_rdf(rr, 1));
      rec.port = *ldns_rdf_data(ldns_rr_rdf(rr, 2));
      static constexpr char k_hex[] = "0123456789abcdef";
      const ldns_rdf* r = ldns_rr_rdf(rr, 3);
      const std::uint8_t* d = ldns_rdf_data(r);
      for (std::size_t i = 0; i < ldns_rdf_size(r); ++i) {
        rec.text += k_hex[d[i] >> 4];
        rec.text += k_hex[d[i] & 0xF];
      }
      return true;
    }
    case RrType::soa: {
      std::unique_ptr<char, CharFree> s(ldns_rr2str(rr));
      rec.text = s ? util::sanitize(util::trim(s.get())) : std::string();
      return true;
    }
  }
  return false;
}

Answer failed(Answer a, Outcome o, std::string why) {
  a.outcome = o;
  a.records.clear();
  a.detail = std::move(why);
  return a;
}

}  // namespace

Answer parse_response(const Query& query, const unsigned char* data, std::size_t len) {
  Answer a;
  a.query = query;
  if (!data || len < 12) return failed(std::move(a), Outcome::malformed, "short response");
  ldns_pkt* raw = nullptr;
  if (ldns_wire2pkt(&raw, data, len) != LDNS_STATUS_OK || !raw)
    return failed(std::move(a), Outcome::malformed, "response does not parse as DNS");
  std::unique_ptr<ldns_pkt, PktFree> pkt(raw);
  if (!ldns_pkt_qr(pkt.get())) return failed(std::move(a), Outcome::malformed, "response without QR flag");
  ldns_rr_list* question = ldns_pkt_question(pkt.get());
  if (!question || ldns_rr_list_rr_count(question) != 1)
    return failed(std::move(a), Outcome::malformed, "response without exactly one question");
  const ldns_rr* q = ldns_rr_list_rr(question, 0);
  std::string qname = normal(query.name);
  if (name_of(ldns_rr_owner(q)) != qname || ldns_rr_get_type(q) != static_cast<ldns_rr_type>(query.type))
    return failed(std::move(a), Outcome::malformed, "response to a different question");

  switch (ldns_pkt_get_rcode(pkt.get())) {
    case LDNS_RCODE_NOERROR: break;
    case LDNS_RCODE_NXDOMAIN: a.outcome = Outcome::nxdomain; break;
    case LDNS_RCODE_SERVFAIL: return failed(std::move(a), Outcome::servfail, "SERVFAIL");
    case LDNS_RCODE_REFUSED: return failed(std::move(a), Outcome::refused, "REFUSED");
    case LDNS_RCODE_FORMERR: return failed(std::move(a), Outcome::error, "FORMERR");
    case LDNS_RCODE_NOTIMPL: return failed(std::move(a), Outcome::error, "NOTIMP");
    default: return failed(std::move(a), Outcome::error, "unexpected rcode");
  }
  if (ldns_pkt_tc(pkt.get())) return failed(std::move(a), Outcome::malformed, "truncated response");

  ldns_rr_list* answer = ldns_pkt_answer(pkt.get());
  std::size_t count = answer ? ldns_rr_list_rr_count(answer) : 0;
  if (count > k_max_records) return failed(std::move(a), Outcome::malformed, "answer with too many records");

  // Follow the CNAME chain from the question name (bounded by the record count).
  std::string current = qname;
  std::uint32_t min_ttl = UINT32_MAX;
  for (std::size_t step = 0; step <= count; ++step) {
    bool advanced = false;
    for (std::size_t i = 0; i < count; ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(answer, i);
      if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
        return failed(std::move(a), Outcome::malformed, "record of a class other than IN");
      if (name_of(ldns_rr_owner(rr)) != current) continue;
      auto type = ldns_rr_get_type(rr);
      if (type == static_cast<ldns_rr_type>(query.type)) continue;
      if (type == LDNS_RR_TYPE_CNAME && query.type != RrType::cname) {
        const ldns_rdf* target = ldns_rr_rd_count(rr) ? ldns_rr_rdf(rr, 0) : nullptr;
        if (!target) return failed(std::move(a), Outcome::malformed, "CNAME without target");
        std::string next = name_of(target);
        for (const auto& seen : a.cnames)
          if (seen == next) return failed(std::move(a), Outcome::malformed, "CNAME loop");
        if (next == qname) return failed(std::move(a), Outcome::malformed, "CNAME loop");
        a.cnames.push_back(next);
        current = next;
        advanced = true;
        if (ldns_rr_ttl(rr) < min_ttl) min_ttl = ldns_rr_ttl(rr);
        break;
      }
    }
    if (!advanced) break;
  }
  for (std::size_t i = 0; i < count; ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(answer, i);
    if (ldns_rr_get_type(rr) != static_cast<ldns_rr_type>(query.type)) continue;
    if (name_of(ldns_rr_owner(rr)) != current) continue;
    Record rec;
    rec.type = query.type;
    rec.owner = current;
    rec.ttl = ldns_rr_ttl(rr);
    if (!fill(rec, rr)) return failed(std::move(a), Outcome::malformed, "record data does not match its type");
    if (rec.ttl < min_ttl) min_ttl = rec.ttl;
    a.records.push_back(std::move(rec));
  }
  if (a.outcome != Outcome::nxdomain) a.outcome = a.records.empty() ? Outcome::nodata : Outcome::answer;
  if (a.records.empty()) {
    // Negative TTL from the SOA minimum (RFC 2308), when the server sent one.
    ldns_rr_list* auth = ldns_pkt_authority(pkt.get());
    for (std::size_t i = 0; auth && i < ldns_rr_list_rr_count(auth); ++i) {
      const ldns_rr* rr = ldns_rr_list_rr(auth, i);
      if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 7) {
        const ldns_rdf* m = ldns_rr_rdf(rr, 6);
        if (ldns_rdf_size(m) == 4) min_ttl = std::min(ldns_rr_ttl(rr), ldns_rdf2native_int32(m));
      }
    }
  }
  a.ttl = min_ttl == UINT32_MAX ? 0 : min_ttl;
  return a;
}

}  // namespace mailrep::dns::detail
