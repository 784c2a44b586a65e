// Tests of the FaultServer itself, queried with ldns (ldns_send) and a raw UDP socket.
#include <stdbool.h>  // before any ldns header (ldns/common.h would define bool/true/false)

#include "fault_server.hpp"

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <ldns/ldns.h>

namespace mailrep::test {
namespace {

struct LdnsFree {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
  void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
using PktPtr = std::unique_ptr<ldns_pkt, LdnsFree>;
using ResolverPtr = std::unique_ptr<ldns_resolver, LdnsFree>;
using RdfPtr = std::unique_ptr<ldns_rdf, LdnsFree>;

enum class Transport { udp, udp_with_tcp_fallback, tcp };

ResolverPtr make_resolver(std::uint16_t port, Transport transport) {
  ResolverPtr res(ldns_resolver_new());
  REQUIRE(res);
  RdfPtr ns(ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, "127.0.0.1"));
  REQUIRE(ns);
  REQUIRE(ldns_resolver_push_nameserver(res.get(), ns.get()) == LDNS_STATUS_OK);  // copies it
  ldns_resolver_set_port(res.get(), port);
  ldns_resolver_set_recursive(res.get(), false);
  ldns_resolver_set_retry(res.get(), 1);
  ldns_resolver_set_timeout(res.get(), timeval{1, 0});
  ldns_resolver_set_usevc(res.get(), transport == Transport::tcp);
  ldns_resolver_set_fallback(res.get(), false);  // the fallback is done by ask(), as c-ares does it
  return res;
}

PktPtr make_query(const std::string& name, ldns_rr_type type) {
  ldns_rdf* qname = ldns_dname_new_frm_str(name.c_str());
  REQUIRE(qname != nullptr);
  PktPtr q(ldns_pkt_query_new(qname, type, LDNS_RR_CLASS_IN, 0));  // takes qname
  REQUIRE(q);
  ldns_pkt_set_random_id(q.get());
  return q;
}

/// One query with ldns_send; nullptr when no answer came. With udp_with_tcp_fallback, a TC=1 answer
/// is followed by the same query over TCP (what c-ares does).
PktPtr ask(const FaultServer& server, const std::string& name, ldns_rr_type type, Transport transport = Transport::udp) {
  if (transport == Transport::udp_with_tcp_fallback) {
    PktPtr first = ask(server, name, type, Transport::udp);
    if (!first || !ldns_pkt_tc(first.get())) {
      return first;
    }
    return ask(server, name, type, Transport::tcp);
  }
  const ResolverPtr res = make_resolver(server.port(), transport);
  const PktPtr q = make_query(name, type);
  ldns_pkt* answer = nullptr;
  const ldns_status st = ldns_send(&answer, res.get(), q.get());
  PktPtr owned(answer);
  if (st != LDNS_STATUS_OK) {
    return nullptr;
  }
  return owned;
}

/// One query over a raw UDP socket; the reply bytes, or nullopt after `wait`.
std::optional<std::vector<std::uint8_t>> ask_raw(const FaultServer& server, const std::string& name, ldns_rr_type type,
                                                 std::uint16_t id, std::chrono::milliseconds wait) {
  const PktPtr q = make_query(name, type);
  ldns_pkt_set_id(q.get(), id);
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  REQUIRE(ldns_pkt2wire(&wire, q.get(), &size) == LDNS_STATUS_OK);
  const std::vector<std::uint8_t> bytes(wire, wire + size);
  std::free(wire);

  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(server.port());
  std::optional<std::vector<std::uint8_t>> out;
  if (::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) ==
      static_cast<ssize_t>(bytes.size())) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) == 1) {
      std::array<std::uint8_t, 65536> buf{};
      const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n >= 0) {
        out.emplace(buf.begin(), buf.begin() + n);
      }
    }
  }
  ::close(fd);
  return out;
}

std::size_t count(const ldns_pkt* p, ldns_pkt_section section) {
  switch (section) {
    case LDNS_SECTION_ANSWER: return ldns_pkt_ancount(p);
    case LDNS_SECTION_AUTHORITY: return ldns_pkt_nscount(p);
    case LDNS_SECTION_ADDITIONAL: return ldns_pkt_arcount(p);
    default: return ldns_pkt_qdcount(p);
  }
}

std::string rdf_text(const ldns_rdf* rdf) {
  char* s = ldns_rdf2str(rdf);
  REQUIRE(s != nullptr);
  std::string out(s);
  std::free(s);
  return out;
}

dns::Record record(dns::RrType type, std::string owner, std::string text = {}) {
  dns::Record r;
  r.type = type;
  r.owner = std::move(owner);
  r.ttl = 300;
  r.text = std::move(text);
  if (type == dns::RrType::a || type == dns::RrType::aaaa) {
    const auto ip = util::IpAddress::parse(r.text);
    REQUIRE(ip.has_value());
    r.address = *ip;
  }
  return r;
}

dns::Record txt(std::string owner, std::vector<std::string> strings) {
  dns::Record r = record(dns::RrType::txt, std::move(owner));
  r.strings = std::move(strings);
  return r;
}

std::unique_ptr<FaultServer> demo_server() {
  auto s = FaultServer::start();
  REQUIRE(s);
  s->add_record(record(dns::RrType::soa, "demo.test", "ns.demo.test. hostmaster.demo.test. 1 3600 600 86400 300"));
  s->add_record(record(dns::RrType::a, "mx.demo.test", "192.0.2.10"));
  s->add_record(record(dns::RrType::a, "mx.demo.test", "192.0.2.11"));
  s->add_record(record(dns::RrType::aaaa, "mx.demo.test", "2001:db8::10"));
  s->add_record(record(dns::RrType::cname, "www.demo.test", "alias.demo.test"));
  s->add_record(record(dns::RrType::cname, "alias.demo.test", "mx.demo.test"));
  s->add_record(record(dns::RrType::cname, "loop1.demo.test", "loop2.demo.test"));
  s->add_record(record(dns::RrType::cname, "loop2.demo.test", "loop1.demo.test"));
  s->add_record(record(dns::RrType::a, "a.b.deep.demo.test", "192.0.2.20"));
  s->add_record(txt("demo.test", {"v=spf1 ", "ip4:192.0.2.0/24 -all"}));
  return s;
}

}  // namespace

TEST_SUITE("support::fault_server") {

TEST_CASE("binds a kernel-chosen port on 127.0.0.1") {
  const auto s = FaultServer::start();
  REQUIRE(s);
  CHECK(s->port() != 0);
  CHECK(s->address() == "127.0.0.1:" + std::to_string(s->port()));
}

TEST_CASE("A answer: authoritative, ID and question copied, all records of the type") {
  const auto s = demo_server();
  const PktPtr p = ask(*s, "MX.Demo.Test", LDNS_RR_TYPE_A);
  REQUIRE(p);
  CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
  CHECK(ldns_pkt_aa(p.get()));
  CHECK(ldns_pkt_qr(p.get()));
  REQUIRE(count(p.get(), LDNS_SECTION_QUESTION) == 1);
  REQUIRE(count(p.get(), LDNS_SECTION_ANSWER) == 2);
  const ldns_rr* rr = ldns_rr_list_rr(ldns_pkt_answer(p.get()), 0);
  CHECK(ldns_rr_get_type(rr) == LDNS_RR_TYPE_A);
  CHECK(ldns_rr_ttl(rr) == 300);
  CHECK(rdf_text(ldns_rr_rdf(rr, 0)) == "192.0.2.10");
  CHECK(s->query_log() == std::vector<std::string>{"mx.demo.test A udp"});
  CHECK(s->query_count() == 1);
}

TEST_CASE("NXDOMAIN with the enclosing SOA in authority") {
  const auto s = demo_server();
  const PktPtr p = ask(*s, "nothere.demo.test", LDNS_RR_TYPE_A);
  REQUIRE(p);
  CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
  CHECK(ldns_pkt_aa(p.get()));
  CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 0);
  REQUIRE(count(p.get(), LDNS_SECTION_AUTHORITY) == 1);
  CHECK(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(p.get()), 0)) == LDNS_RR_TYPE_SOA);
}

TEST_CASE("NODATA: other types only, and empty non-terminals") {
  const auto s = demo_server();
  SUBCASE("owner with other types") {
    const PktPtr p = ask(*s, "mx.demo.test", LDNS_RR_TYPE_MX);
    REQUIRE(p);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
    CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 0);
    CHECK(count(p.get(), LDNS_SECTION_AUTHORITY) == 1);
  }
  SUBCASE("empty non-terminal") {
    const PktPtr p = ask(*s, "b.deep.demo.test", LDNS_RR_TYPE_A);
    REQUIRE(p);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
    CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 0);
  }
}

TEST_CASE("CNAME chains are followed - loops stop") {
  const auto s = demo_server();
  SUBCASE("two steps to the A records") {
    const PktPtr p = ask(*s, "www.demo.test", LDNS_RR_TYPE_A);
    REQUIRE(p);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
    REQUIRE(count(p.get(), LDNS_SECTION_ANSWER) == 4);
    const ldns_rr_list* an = ldns_pkt_answer(p.get());
    CHECK(ldns_rr_get_type(ldns_rr_list_rr(an, 0)) == LDNS_RR_TYPE_CNAME);
    CHECK(rdf_text(ldns_rr_rdf(ldns_rr_list_rr(an, 0), 0)) == "alias.demo.test.");
    CHECK(ldns_rr_get_type(ldns_rr_list_rr(an, 1)) == LDNS_RR_TYPE_CNAME);
    CHECK(ldns_rr_get_type(ldns_rr_list_rr(an, 2)) == LDNS_RR_TYPE_A);
  }
  SUBCASE("asking for the CNAME itself does not follow it") {
    const PktPtr p = ask(*s, "www.demo.test", LDNS_RR_TYPE_CNAME);
    REQUIRE(p);
    CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 1);
  }
  SUBCASE("a loop") {
    const PktPtr p = ask(*s, "loop1.demo.test", LDNS_RR_TYPE_A);
    REQUIRE(p);
    CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
    CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 2);
  }
}

TEST_CASE("TXT: several strings, long strings split at 255 bytes") {
  const auto s = demo_server();
  s->add_record(txt("long.demo.test", {std::string(300, 'a')}));
  const PktPtr p = ask(*s, "demo.test", LDNS_RR_TYPE_TXT);
  REQUIRE(p);
  REQUIRE(count(p.get(), LDNS_SECTION_ANSWER) == 1);
  const ldns_rr* rr = ldns_rr_list_rr(ldns_pkt_answer(p.get()), 0);
  REQUIRE(ldns_rr_rd_count(rr) == 2);
  CHECK(rdf_text(ldns_rr_rdf(rr, 0)) == "\"v=spf1 \"");
  const PktPtr l = ask(*s, "long.demo.test", LDNS_RR_TYPE_TXT);
  REQUIRE(l);
  REQUIRE(count(l.get(), LDNS_SECTION_ANSWER) == 1);
  const ldns_rr* lrr = ldns_rr_list_rr(ldns_pkt_answer(l.get()), 0);
  REQUIRE(ldns_rr_rd_count(lrr) == 2);
  CHECK(ldns_rdf_size(ldns_rr_rdf(lrr, 0)) == 256);
  CHECK(ldns_rdf_size(ldns_rr_rdf(lrr, 1)) == 46);
}

TEST_CASE("owner names with odd bytes") {
  const auto s = FaultServer::start();
  REQUIRE(s);
  s->add_record(txt("we\"ird sp\\ace.demo.test", {"odd"}));
  const PktPtr p = ask(*s, "we\\\"ird\\032sp\\\\ace.demo.test", LDNS_RR_TYPE_TXT);
  REQUIRE(p);
  CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NOERROR);
  CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 1);
  CHECK(s->query_log() == std::vector<std::string>{"we\"ird\\032sp\\092ace.demo.test TXT udp"});
}

TEST_CASE("rcode rule: SERVFAIL a given number of times, then the records") {
  const auto s = demo_server();
  s->add_rule({"mx.demo.test", dns::RrType::a, FaultAction::rcode, 2, {}, 1});
  s->add_rule({"*", dns::RrType::txt, FaultAction::rcode, 5, {}, -1});
  const PktPtr first = ask(*s, "mx.demo.test", LDNS_RR_TYPE_A);
  REQUIRE(first);
  CHECK(ldns_pkt_get_rcode(first.get()) == LDNS_RCODE_SERVFAIL);
  CHECK(count(first.get(), LDNS_SECTION_ANSWER) == 0);
  const PktPtr second = ask(*s, "mx.demo.test", LDNS_RR_TYPE_A);
  REQUIRE(second);
  CHECK(ldns_pkt_get_rcode(second.get()) == LDNS_RCODE_NOERROR);
  CHECK(count(second.get(), LDNS_SECTION_ANSWER) == 2);
  const PktPtr refused = ask(*s, "demo.test", LDNS_RR_TYPE_TXT);
  REQUIRE(refused);
  CHECK(ldns_pkt_get_rcode(refused.get()) == LDNS_RCODE_REFUSED);
}

TEST_CASE("truncate: TC over UDP, the answer over TCP") {
  const auto s = demo_server();
  s->add_rule({"mx.demo.test", std::nullopt, FaultAction::truncate, 0, {}, -1});
  SUBCASE("UDP only") {
    const PktPtr p = ask(*s, "mx.demo.test", LDNS_RR_TYPE_A);
    REQUIRE(p);
    CHECK(ldns_pkt_tc(p.get()));
    CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 0);
  }
  SUBCASE("TCP") {
    const PktPtr p = ask(*s, "mx.demo.test", LDNS_RR_TYPE_A, Transport::tcp);
    REQUIRE(p);
    CHECK_FALSE(ldns_pkt_tc(p.get()));
    CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 2);
    CHECK(s->query_log() == std::vector<std::string>{"mx.demo.test A tcp"});
  }
  SUBCASE("UDP, then the TCP fallback") {
    const PktPtr p = ask(*s, "mx.demo.test", LDNS_RR_TYPE_A, Transport::udp_with_tcp_fallback);
    REQUIRE(p);
    CHECK(count(p.get(), LDNS_SECTION_ANSWER) == 2);
    CHECK(s->query_log() == std::vector<std::string>{"mx.demo.test A udp", "mx.demo.test A tcp"});
  }
}

TEST_CASE("answers too large for UDP are truncated - oversized_txt") {
  const auto s = demo_server();
  s->add_record(txt("big.demo.test", {std::string(700, 'b')}));
  s->add_rule({"huge.demo.test", std::nullopt, FaultAction::oversized_txt, 0, {}, -1});
  const PktPtr big_udp = ask(*s, "big.demo.test", LDNS_RR_TYPE_TXT);
  REQUIRE(big_udp);
  CHECK(ldns_pkt_tc(big_udp.get()));
  const PktPtr big_tcp = ask(*s, "big.demo.test", LDNS_RR_TYPE_TXT, Transport::udp_with_tcp_fallback);
  REQUIRE(big_tcp);
  CHECK(count(big_tcp.get(), LDNS_SECTION_ANSWER) == 1);
  const PktPtr huge_udp = ask(*s, "huge.demo.test", LDNS_RR_TYPE_TXT);
  REQUIRE(huge_udp);
  CHECK(ldns_pkt_tc(huge_udp.get()));
  const PktPtr huge = ask(*s, "huge.demo.test", LDNS_RR_TYPE_TXT, Transport::tcp);
  REQUIRE(huge);
  REQUIRE(count(huge.get(), LDNS_SECTION_ANSWER) == 1);
  CHECK(ldns_rr_uncompressed_size(ldns_rr_list_rr(ldns_pkt_answer(huge.get()), 0)) > 4000);
}

TEST_CASE("garbage, wrong_id and drop") {
  const auto s = demo_server();
  s->add_rule({"garbage.demo.test", std::nullopt, FaultAction::garbage, 0, {}, -1});
  s->add_rule({"wrong.demo.test", std::nullopt, FaultAction::wrong_id, 0, {}, -1});
  s->add_rule({"drop.demo.test", std::nullopt, FaultAction::drop, 0, {}, -1});
  SUBCASE("garbage keeps the ID and does not parse") {
    const auto bytes = ask_raw(*s, "garbage.demo.test", LDNS_RR_TYPE_A, 0x1234, std::chrono::milliseconds{2000});
    REQUIRE(bytes.has_value());
    REQUIRE(bytes->size() >= 40);
    CHECK((*bytes)[0] == 0x12);
    CHECK((*bytes)[1] == 0x34);
    ldns_pkt* raw = nullptr;
    CHECK(ldns_wire2pkt(&raw, bytes->data(), bytes->size()) != LDNS_STATUS_OK);
    ldns_pkt_free(raw);
  }
  SUBCASE("wrong_id") {
    const auto bytes = ask_raw(*s, "wrong.demo.test", LDNS_RR_TYPE_A, 0x1234, std::chrono::milliseconds{2000});
    REQUIRE(bytes.has_value());
    REQUIRE(bytes->size() >= 12);
    CHECK(((*bytes)[0] != 0x12 || (*bytes)[1] != 0x34));
  }
  SUBCASE("drop") {
    const auto bytes = ask_raw(*s, "drop.demo.test", LDNS_RR_TYPE_A, 0x1234, std::chrono::milliseconds{300});
    CHECK_FALSE(bytes.has_value());
    CHECK(s->query_count() == 1);
  }
}

TEST_CASE("delay_then_answer does not hold up other queries") {
  const auto s = demo_server();
  s->add_rule({"mx.demo.test", dns::RrType::aaaa, FaultAction::delay_then_answer, 0, std::chrono::milliseconds{400}, 1});
  const auto start = std::chrono::steady_clock::now();
  PktPtr slow;
  std::thread t([&] { slow = ask(*s, "mx.demo.test", LDNS_RR_TYPE_AAAA); });
  while (s->query_count() == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds{2}) {
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  const PktPtr fast = ask(*s, "mx.demo.test", LDNS_RR_TYPE_A);
  const auto fast_done = std::chrono::steady_clock::now();
  t.join();
  const auto slow_done = std::chrono::steady_clock::now();
  REQUIRE(fast);
  REQUIRE(slow);
  CHECK(count(slow.get(), LDNS_SECTION_ANSWER) == 1);
  CHECK(fast_done - start < std::chrono::milliseconds{350});
  CHECK(slow_done - start >= std::chrono::milliseconds{400});
}

TEST_CASE("clear drops records, rules and the log") {
  const auto s = demo_server();
  s->add_rule({"*", std::nullopt, FaultAction::rcode, 2, {}, -1});
  (void)ask(*s, "mx.demo.test", LDNS_RR_TYPE_A);
  s->clear();
  CHECK(s->query_count() == 0);
  const PktPtr p = ask(*s, "mx.demo.test", LDNS_RR_TYPE_A);
  REQUIRE(p);
  CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
}

}  // TEST_SUITE

}  // namespace mailrep::test
