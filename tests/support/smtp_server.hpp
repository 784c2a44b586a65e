#pragma once
/// \file SmtpServer: a scriptable fake SMTP server on 127.0.0.1 (kernel-chosen port), for the
/// probe tests.
///
/// One thread accepts (poll() over the socket and a wake-up eventfd); every connection gets its
/// own thread with blocking I/O (TLS via OpenSSL after STARTTLS, with TestPki::server). The script
/// says what to answer: the greeting (any code, multi-line with '\n' between lines), the EHLO
/// reply (STARTTLS added when offered), the STARTTLS / MAIL / RCPT replies. A non-2xx greeting is
/// followed by 221 to QUIT and 503 to anything else. `silent` accepts and never says anything (for
/// timeouts). Every command line received is logged (all connections, in order) so tests can
/// assert what a client sent — e.g. that it never sent DATA. The destructor stops and joins all.
///
/// Thread safety: every member may be called from any thread while the server runs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mailrep::test {

class TestPki;

struct SmtpScript {
  std::string greeting = "220 mx.probe.test ESMTP mailrep test server";  ///< lines separated by '\n'
  int greeting_delay_ms = 0;    ///< wait before the greeting (interrupted by stop)
  bool silent = false;          ///< accept, read, never answer
  bool close_after_greeting = false;  ///< hang up right after the greeting
  std::string raw_greeting;     ///< sent verbatim instead of the greeting (garbage, huge lines)
  std::string ehlo = "250-mx.probe.test\n250-PIPELINING\n250-SIZE 10240000\n250 8BITMIME";
  bool offer_starttls = false;  ///< add STARTTLS to the EHLO reply (before TLS)
  std::string starttls_reply = "220 2.0.0 Ready to start TLS";
  bool starttls_garbage = false;  ///< after 220 to STARTTLS, send plain text instead of a handshake
  std::string mail_reply = "250 2.1.0 Ok";
  std::string rcpt_reply = "250 2.1.5 Ok";
  std::string data_reply = "354 End data with <CR><LF>.<CR><LF>";
  bool silent_after_ehlo = false;  ///< never answer anything after the first EHLO reply
};

class SmtpServer {
public:
  /// `pki` is needed only for STARTTLS (its server certificate). nullptr on failure (stderr says why).
  [[nodiscard]] static std::unique_ptr<SmtpServer> start(SmtpScript script, const TestPki* pki = nullptr);
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  /// Replace the script for connections accepted from now on.
  void set_script(SmtpScript script);
  /// Every command line received (without CRLF), all connections, in order.
  [[nodiscard]] std::vector<std::string> commands() const;
  [[nodiscard]] std::size_t connections() const;
  /// Completed TLS handshakes.
  [[nodiscard]] std::size_t tls_sessions() const;

  struct Impl;

private:
  explicit SmtpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace mailrep::test
