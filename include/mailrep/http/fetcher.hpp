#pragma once
/// \file Fetcher: HTTP(S) GETs (and webhook POSTs) with libcurl multi on the io::Loop, next to the DNS lookups.
///
/// Contract:
///  - Host names are resolved through mailrep's own dns::Resolver (A and AAAA together); curl
///    gets the addresses via CURLOPT_RESOLVE and never resolves anything itself, so tests and
///    the demo can point names at 127.0.0.1. No proxy from the environment is ever used.
///  - Certificates are always verified (peer and host name). `FetcherOptions::ca_file` adds a
///    CA that is trusted in addition to the system store.
///  - curl never follows redirects; fetch() does, when asked, at most `max_redirects` hops and,
///    with `same_site_only`, only within the registered domain (Public Suffix List) of the
///    first URL. A redirect not followed ends in `redirect_refused`, with `location` set.
///  - Each body is capped at `max_bytes` (too_large, keeping the first max_bytes in `body`),
///    and the whole fetch (every hop) at `timeout`. The DNS phase is bounded by the resolver's
///    own timeout and retries; a fetch whose lookups used up the time cap ends in `timeout`.
///  - fetch() never throws and never blocks; every failure is a distinct Outcome with `detail`.
///  - The Fetcher must outlive every Task it returned. One Fetcher per loop.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/loop.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::http {

enum class Outcome {
  ok,                ///< a 2xx response (body complete)
  http_error,        ///< a response other than 2xx (and not a redirect that was followed/refused)
  timeout,           ///< the time cap was reached (DNS, connect, TLS or transfer)
  tls_error,         ///< TLS handshake failed or the certificate was not trusted / not for this name
  too_large,         ///< the body exceeded max_bytes (body holds the first max_bytes)
  redirect_refused,  ///< a 3xx not followed: redirects off, cross-site, bad scheme, or too many hops
  connect_failed,    ///< TCP connection refused or unreachable
  dns_failed,        ///< the host name has no address (or the lookup failed)
  bad_url,           ///< not an absolute http(s) URL we may fetch
  error,             ///< anything else (connection reset, garbage response, ...)
};
[[nodiscard]] std::string_view to_string(Outcome o);

struct Request {
  std::string url;                         ///< absolute https:// (or http:// with allow_http) URL
  bool follow_redirects = false;           ///< RFC 8461 3.3: MTA-STS policy fetches must not follow
  bool same_site_only = true;              ///< follow only within the first URL's registered domain
  bool allow_http = false;                 ///< permit http:// (imprint fallback); policies are https only
  std::size_t max_bytes = 64 * 1024;       ///< RFC 8461 3.3 suggests a 64 KiB cap for policies
  std::chrono::milliseconds timeout{10000};  ///< for the whole fetch, every hop included
  int max_redirects = 5;
  /// POST instead of GET when set (webhooks: `--notify`): this body with this Content-Type.
  /// A POST never follows redirects.
  bool post = false;
  std::string body;
  std::string content_type = "application/json";
};

struct Response {
  Outcome outcome = Outcome::error;
  long status = 0;                      ///< HTTP status of the last response (0 when none)
  std::string content_type;             ///< as sent (raw; see media_type())
  std::string body;                     ///< untrusted bytes; sanitise before printing
  std::string final_url;                ///< the URL of the last request made
  std::string location;                 ///< the redirect target that was refused (redirect_refused)
  std::string address;                  ///< the IP address connected to (last hop)
  std::vector<std::string> redirects;   ///< URLs left by a followed redirect, in order
  std::string detail;                   ///< why, for failures (sanitised)
  std::string https_failure;            ///< fetch_website(): why https failed before the http fallback
  [[nodiscard]] bool is_ok() const { return outcome == Outcome::ok; }
};

struct FetcherOptions {
  /// PEM file with extra trusted CA(s) (`--ca-file`), trusted in addition to the system store:
  /// libcurl gets the system CA bundle plus this file as CURLOPT_CAINFO_BLOB (which replaces its
  /// default CA file) and keeps its default CA directory. Empty = system store only.
  std::string ca_file;
  std::string user_agent;  ///< empty = "mailrep/VERSION"
  /// Connect to another port than the URL's (tests and demo: {443, 8443}, {80, 8080}). Applies to
  /// every hop; the Host header and the TLS name stay those of the URL.
  std::map<std::uint16_t, std::uint16_t> port_map;
  /// The system CA bundle that `ca_file` is added to; empty = libcurl's built-in default. For tests.
  std::string system_ca_file;
};

class Fetcher {
public:
  /// Fails when libcurl cannot be initialised or `ca_file` cannot be read / holds no certificate.
  [[nodiscard]] static Result<std::unique_ptr<Fetcher>> create(io::Loop& loop, dns::Resolver& resolver,
                                                               FetcherOptions options = {});
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  /// GET `request.url`. Independent fetches (and DNS lookups) run concurrently on the loop.
  io::Task<Response> fetch(Request request);
  /// A website (imprint check): GET https://HOST/PATH; when that fails at the connection level
  /// (connect_failed, tls_error, timeout, error) try http://HOST/PATH. `request.url` must be
  /// https://; redirects between http and https of the same site are allowed. The answer is the
  /// last attempt; `https_failure` tells why https was given up. Each attempt has the full timeout.
  io::Task<Response> fetch_website(Request request);

  struct Impl;
private:
  explicit Fetcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

/// "Text/Plain; charset=utf-8" -> "text/plain" (lower case, parameters and spaces dropped).
/// RFC 8461 3.2: a policy must be served as text/plain.
[[nodiscard]] std::string media_type(std::string_view content_type);

/// True when both hosts share a registered domain (PSL), or are equal (IP literals, suffixes).
[[nodiscard]] bool same_site(std::string_view host_a, std::string_view host_b);

}  // namespace mailrep::http
