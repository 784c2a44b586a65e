#pragma once
/// \file An SMTP client conversation on the io::Loop, for probing receivers (never for sending).
///
/// Connection is the transport: a non-blocking TCP socket (optionally bound to a source address),
/// reading whole replies (multi-line, capped), writing command lines, and STARTTLS with OpenSSL
/// driven by the loop (certificate and protocol are recorded, never enforced). Every wait (connect,
/// each reply, each write, the TLS handshake) is bounded by the connection's timeout; a reply that
/// trickles in slowly is bounded as a whole. Everything the server sends is sanitised before it is
/// stored.
///
/// run_session() is the probe conversation: greeting, EHLO (HELO when EHLO is not understood),
/// STARTTLS when offered, then — only when a recipient is given — MAIL FROM and RCPT TO, and QUIT.
/// It never sends DATA. It stops at the first reply that is not positive and reports where.
///
/// OpenSSL is used only in src/smtp. Contract for coroutines: the Connection must outlive every
/// Task it returned; one operation at a time.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/io/loop.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/ip.hpp"

namespace mailrep::smtp {

/// Longest reply line accepted (RFC 5321 4.5.3.1.5 says 512; servers exceed it a little).
inline constexpr std::size_t max_line_bytes = 2048;
/// Most lines in one reply (EHLO lists a few dozen at most).
inline constexpr std::size_t max_reply_lines = 100;
/// Most bytes in one reply, all lines together.
inline constexpr std::size_t max_reply_bytes = 16384;

/// Where in the conversation something happened.
enum class Stage { connect, greeting, ehlo, starttls, mail, rcpt };
[[nodiscard]] std::string_view to_string(Stage s);

/// Why a step could not be completed (as opposed to a reply that said no).
enum class Failure {
  none,
  refused,      ///< TCP connection refused (RST)
  timeout,      ///< no (complete) answer within the timeout
  unreachable,  ///< no route / network unreachable / not permitted locally
  source,       ///< the source address cannot be used (not on this host, wrong family)
  closed,       ///< the server closed or reset the connection
  protocol,     ///< the server sent something that is not an SMTP reply, or too much
  tls,          ///< the TLS handshake failed
  dns,          ///< the MX or its address could not be resolved (set by the prober)
  io,           ///< any other socket error
};
[[nodiscard]] std::string_view to_string(Failure f);

/// One reply: its code, its lines as sent (sanitised, without CRLF), and the enhanced status code.
struct Reply {
  int code = 0;
  std::vector<std::string> lines;  ///< "554-..." / "554 ...", sanitised
  std::string enhanced;            ///< "5.7.1" when the reply text starts with one, else empty
  [[nodiscard]] std::string text() const;  ///< the lines joined with '\n'
  [[nodiscard]] int klass() const { return code / 100; }
  [[nodiscard]] bool positive() const { return code >= 200 && code < 400; }
};

/// One reply line taken apart ("250-PIPELINING" -> 250, more, "PIPELINING").
struct ReplyLine {
  bool ok = false;      ///< three digits, then ' ', '-' or the end of the line
  int code = 0;
  bool last = false;    ///< ' ' or end of line (not '-')
  std::string_view text;
};
[[nodiscard]] ReplyLine parse_reply_line(std::string_view line);
/// "5.7.1" / "4.7.0" at the start of `text` (RFC 3463: class.subject.detail), else empty.
[[nodiscard]] std::string enhanced_status(std::string_view text);
/// EHLO keywords (upper case) from the lines after the first of a 250 reply.
[[nodiscard]] std::vector<std::string> ehlo_keywords(const Reply& ehlo);

/// What the TLS handshake showed. Reported, never enforced.
struct TlsInfo {
  bool offered = false;      ///< STARTTLS in the EHLO reply
  bool attempted = false;    ///< STARTTLS was sent
  bool established = false;  ///< the handshake completed
  std::string version;       ///< "TLSv1.3"
  std::string cipher;
  std::string subject;       ///< peer certificate subject (RFC 2253), sanitised
  std::string issuer;
  std::string not_after;     ///< "Jan  1 00:00:00 2030 GMT"
  std::vector<std::string> names;  ///< subjectAltName DNS names (first 20)
  bool verified = false;     ///< the chain verified against the system store (+ ca_file)
  std::string verify_error;  ///< why not, when not verified
  bool name_matches = false; ///< the certificate is valid for the MX host name
  std::string error;         ///< STARTTLS refused or the handshake failed: why
};

struct IoStatus {
  Failure failure = Failure::none;
  std::string detail;  ///< sanitised
  [[nodiscard]] bool ok() const { return failure == Failure::none; }
};

struct ReplyResult {
  IoStatus status;
  Reply reply;  ///< complete when status.ok(); else the lines read so far
};

/// A line of the conversation as seen on the wire ("C: EHLO x", "S: 250 ok"), sanitised.
struct TranscriptLine {
  bool from_client = false;
  std::string line;
};

/// The transport. Not copyable; closes the socket (and frees TLS state) on destruction.
class Connection {
public:
  Connection(io::Loop& loop, std::chrono::milliseconds timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Non-blocking connect to address:port, bound to `source` first when given.
  io::Task<IoStatus> connect(util::IpAddress address, std::uint16_t port, std::optional<util::IpAddress> source);
  /// Read one complete reply (all lines up to the one without '-').
  io::Task<ReplyResult> read_reply();
  /// Send one command line (CRLF added). Lines holding CR, LF or NUL are refused.
  io::Task<IoStatus> send_line(std::string line);
  /// TLS handshake on the connected socket (after a 220 to STARTTLS). `server_name` goes into SNI
  /// (when it is a host name) and is checked against the certificate; `ca_file` adds trusted CAs.
  io::Task<IoStatus> start_tls(std::string server_name, std::string ca_file);

  [[nodiscard]] const TlsInfo& tls() const;
  TlsInfo& tls();
  /// This end's address after connect ("192.0.2.10"), empty before.
  [[nodiscard]] std::string local_address() const;
  [[nodiscard]] const std::vector<TranscriptLine>& transcript() const;
  /// Notes on odd server behaviour (data after STARTTLS discarded ...).
  [[nodiscard]] const std::vector<std::string>& notes() const;
  void close();

  struct Impl;

private:
  std::unique_ptr<Impl> m_impl;
};

struct SessionOptions {
  util::IpAddress address;
  std::uint16_t port = 25;
  std::optional<util::IpAddress> source;
  std::string server_name;  ///< the MX host name (SNI, certificate check); may be empty
  std::string helo;         ///< EHLO name; empty = the address literal of the local address
  bool starttls = true;     ///< use STARTTLS when offered
  std::string mail_from;    ///< reverse path for MAIL FROM (empty = <>); used only with `rcpt`
  std::string rcpt;         ///< empty = stop after EHLO (no MAIL FROM / RCPT TO)
  std::chrono::milliseconds timeout{10000};  ///< bounds every wait
  std::string ca_file;      ///< extra trusted CA (tests)
};

struct Exchange {
  Stage stage = Stage::greeting;
  std::string command;  ///< empty for the greeting
  Reply reply;
};

struct SessionResult {
  std::string local_address;
  std::string helo;  ///< the EHLO/HELO name used
  Stage stage = Stage::connect;  ///< where it stopped (or the last stage with a positive reply)
  Failure failure = Failure::none;
  std::string detail;            ///< for failures
  std::optional<Reply> reply;    ///< the reply at `stage` (the refusal, or the last positive one)
  std::optional<Reply> greeting;
  bool completed = false;        ///< every step got a positive reply
  std::vector<Exchange> exchanges;
  std::vector<std::string> extensions;  ///< EHLO keywords (after STARTTLS when TLS was used)
  TlsInfo tls;
  std::vector<TranscriptLine> transcript;
  std::vector<std::string> notes;
};

/// The probe conversation (see the file comment). Never sends DATA.
io::Task<SessionResult> run_session(io::Loop& loop, SessionOptions options);

}  // namespace mailrep::smtp
