#pragma once
/// \file HttpServer and TestPki: HTTPS (and plain HTTP) on loopback for the http::Fetcher tests.
///
/// TestPki makes a throw-away PKI with OpenSSL at test time (EC P-256, valid from an hour ago for
/// two days): a CA, a server certificate from that CA for the given names (SAN), a certificate from
/// the same CA for the wrong name only, and a self-signed certificate for the right names (not from
/// the CA). The CA is written to a fresh temporary directory (removed by the destructor) so it can
/// be handed to FetcherOptions::ca_file.
///
/// HttpServer binds 127.0.0.1 on a kernel-chosen port. One thread accepts (poll() over the socket
/// and a wake-up eventfd); every connection gets its own short-lived thread with blocking I/O
/// (TLS via OpenSSL when the mode says so). One request per connection, answered with
/// "Connection: close". Routes map an exact request path (query included) to a canned response;
/// unknown paths get 404. A route's delay waits before anything is sent (interrupted by stop).
/// The destructor stops everything and joins every thread.
///
/// Thread safety: route(), requests() and port() may be called from any thread while it runs.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mailrep::test {

class TestPki {
public:
  /// The names the good certificates are for (SAN dNSName entries; IP literals become iPAddress).
  [[nodiscard]] static std::vector<std::string> default_names();
  /// nullptr (with a message on stderr) when OpenSSL or the temp directory fails.
  [[nodiscard]] static std::unique_ptr<TestPki> create(std::vector<std::string> names = default_names());
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  [[nodiscard]] const std::string& ca_file() const { return m_ca_file; }  ///< PEM, on disk
  [[nodiscard]] const std::string& ca_pem() const { return m_ca_pem; }

  struct KeyPair {
    std::string cert_pem;
    std::string key_pem;
  };
  KeyPair server;       ///< from the CA, for the names
  KeyPair wrong_name;   ///< from the CA, for "wrong-name.invalid" only
  KeyPair self_signed;  ///< self-signed, for the names

private:
  TestPki() = default;
  std::string m_dir;
  std::string m_ca_file;
  std::string m_ca_pem;
};

struct HttpRoute {
  int status = 200;
  std::string content_type = "text/plain";  ///< empty = no Content-Type header
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers (Location, ...)
  int delay_ms = 0;             ///< wait this long before sending anything
  bool content_length = true;   ///< false: no Content-Length, the body ends when the connection closes
};

struct SeenRequest {
  std::string method;
  std::string path;
  std::string host;        ///< the Host header
  std::string user_agent;
  std::string content_type;  ///< the Content-Type header (POST)
  std::string body;          ///< the request body (read by Content-Length, at most 1 MiB)
  std::chrono::steady_clock::time_point received;  ///< when the request head was read completely
};

class HttpServer {
public:
  enum class Mode {
    http,               ///< plain HTTP
    https,              ///< TLS with TestPki::server
    https_self_signed,  ///< TLS with TestPki::self_signed (untrusted issuer)
    https_wrong_name,   ///< TLS with TestPki::wrong_name (trusted issuer, wrong name)
  };
  /// `pki` may be null for Mode::http. nullptr (with a message on stderr) on failure.
  [[nodiscard]] static std::unique_ptr<HttpServer> start(Mode mode, const TestPki* pki);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  /// Add or replace the route for `path` (exact match, e.g. "/.well-known/mta-sts.txt").
  void route(std::string path, HttpRoute response);
  /// The requests that were read completely, in order of arrival.
  [[nodiscard]] std::vector<SeenRequest> requests() const;

  struct Impl;

private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// A TCP port on 127.0.0.1 where nothing listens (bound by the kernel, then closed): connecting
/// to it is refused.
[[nodiscard]] std::uint16_t closed_tcp_port();

}  // namespace mailrep::test
