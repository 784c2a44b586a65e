#pragma once
/// \file FaultServer: a scriptable authoritative DNS server on loopback for tests (built on ldns).
///
/// Binds 127.0.0.1 on a kernel-chosen port, UDP and TCP on the same port, and serves from its own
/// thread (one poll() loop with a timer queue; nothing blocks). It answers from the records it was
/// given like an authoritative server that holds all data, unless a FaultRule matches first.
///
/// Answers from records (AA set, ID and question copied):
///  - owner (case-insensitive) and type match   -> NOERROR with those records
///  - owner has a CNAME, another type was asked -> the CNAME, then the chain is followed within the
///    data (at most 16 steps; a loop just stops), adding the target's records
///  - owner exists with other types only, or is an empty non-terminal of some owner -> NOERROR/NODATA
///  - otherwise NXDOMAIN (RFC 6604: for a chain, the rcode of the last name)
///  - negative answers carry the SOA of the closest enclosing SOA record given, if any
///  - over UDP an answer larger than 512 bytes (or the query's EDNS size) is sent with TC=1 and no
///    records, so clients retry over TCP
///
/// Record owners are taken literally: labels are split at '.', every other byte is kept as it is
/// (odd bytes work; there are no escapes). Records of these types are served: A, AAAA (address),
/// MX (priority, text), TXT/SPF (strings; each is split into 255-byte character-strings; when empty,
/// text is used), PTR/CNAME/NS (text), SRV (priority, weight, port, text), TLSA (priority = usage,
/// weight = selector, port = matching type, text = hex), SOA (text = presentation form of the rdata,
/// e.g. "ns.demo.test. hostmaster.demo.test. 1 3600 600 86400 300"). Others are ignored with a
/// message on stderr.
///
/// Thread safety: every public member may be called from any thread while the server runs.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mailrep/dns/resolver.hpp"

namespace mailrep::test {

enum class FaultAction {
  answer,             ///< answer from the records (useful with `times` to shadow later rules)
  rcode,              ///< reply with `rcode` and no records
  drop,               ///< never answer (a timeout for the client)
  truncate,           ///< UDP: TC=1 and an empty answer; TCP: answer from the records
  garbage,            ///< the right ID, header and question, then ~40 bytes that do not parse as RRs
  wrong_id,           ///< the answer from the records with another ID (and then nothing)
  oversized_txt,      ///< a TXT answer of more than 4000 bytes: UDP gets TC=1, TCP gets it all
  delay_then_answer,  ///< wait `delay` (without blocking other queries), then answer from the records
};

struct FaultRule {
  std::string name;                   ///< query name to match, lower case, no trailing dot; "*" = any
  std::optional<dns::RrType> type;    ///< nullopt = any type
  FaultAction action = FaultAction::answer;
  int rcode = 0;                      ///< for FaultAction::rcode (2 SERVFAIL, 5 REFUSED, 3 NXDOMAIN, 1 FORMERR...)
  std::chrono::milliseconds delay{0};  ///< for delay_then_answer
  int times = -1;  ///< apply this many times, then fall through to later rules/records (-1 = always)
};

class FaultServer {
public:
  /// Binds 127.0.0.1:0 UDP+TCP (same port) and starts the thread. nullptr (with a message on
  /// stderr) when the sockets cannot be set up.
  [[nodiscard]] static std::unique_ptr<FaultServer> start();
  /// The same on a given port (0 = kernel-chosen); for mailrep-faultd --port.
  [[nodiscard]] static std::unique_ptr<FaultServer> start(std::uint16_t port);
  /// Stops and joins the thread, closes every socket.
  ~FaultServer();
  FaultServer(const FaultServer&) = delete;
  FaultServer& operator=(const FaultServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] std::string address() const;  ///< "127.0.0.1:PORT"

  /// Authoritative data: owner, type and the fields documented in resolver.hpp (see above).
  void add_record(dns::Record r);
  /// Rules are checked in the order added, before the records.
  void add_rule(FaultRule r);
  /// Drops records, rules and the log.
  void clear();
  /// "name TYPE proto" per query received, in order: name lower case without trailing dot
  /// (bytes outside printable ASCII as \DDD), TYPE as "A", "TXT", ... or "TYPEnnn", proto udp|tcp.
  [[nodiscard]] std::vector<std::string> query_log() const;
  [[nodiscard]] std::size_t query_count() const;

  struct Impl;

private:
  explicit FaultServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// "A", "TXT", ..., "TYPE123"; the names used in query_log() and in mailrep-faultd scripts.
[[nodiscard]] std::string type_name(std::uint16_t type);
/// The inverse for the types a Record can hold (case-insensitive); nullopt otherwise.
[[nodiscard]] std::optional<dns::RrType> parse_type_name(const std::string& name);

}  // namespace mailrep::test
