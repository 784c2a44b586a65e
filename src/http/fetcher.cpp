#include "mailrep/http/fetcher.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "mailrep/util/ip.hpp"
#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

#ifndef MAILREP_VERSION
#define MAILREP_VERSION "0"
#endif

namespace mailrep::http {

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::ok: return "ok";
    case Outcome::http_error: return "http-error";
    case Outcome::timeout: return "timeout";
    case Outcome::tls_error: return "tls-error";
    case Outcome::too_large: return "too-large";
    case Outcome::redirect_refused: return "redirect-refused";
    case Outcome::connect_failed: return "connect-failed";
    case Outcome::dns_failed: return "dns-failed";
    case Outcome::bad_url: return "bad-url";
    case Outcome::error: return "error";
  }
  return "error";
}

std::string media_type(std::string_view content_type) {
  std::string_view t = content_type;
  if (auto semi = t.find(';'); semi != std::string_view::npos) t = t.substr(0, semi);
  return util::lower(util::trim(t));
}

namespace {

constexpr std::size_t k_max_url = 4096;
constexpr std::size_t k_max_ca_file = 4 * 1024 * 1024;

std::string strip_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string h = util::lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlPtr = std::unique_ptr<CURLU, UrlFree>;
struct EasyFree {
  void operator()(CURL* e) const { curl_easy_cleanup(e); }
};
using EasyPtr = std::unique_ptr<CURL, EasyFree>;
struct SlistFree {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistFree>;

std::optional<std::string> url_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, flags) != CURLUE_OK || raw == nullptr) return std::nullopt;
  std::string s(raw);
  curl_free(raw);
  return s;
}

/// An absolute http(s) URL, taken apart. `host` is lower case without brackets.
struct ParsedUrl {
  std::string url;     ///< normalised by curl
  std::string scheme;  ///< "https" or "http"
  std::string host;
  std::uint16_t port = 0;
  bool ip_literal = false;
};

/// Parse `url`, relative to `base` when given (a Location header). Empty result + why on failure.
std::optional<ParsedUrl> parse_url(const std::string& url, const std::string& base, std::string& why) {
  if (url.size() > k_max_url) {
    why = "URL longer than " + std::to_string(k_max_url) + " characters";
    return std::nullopt;
  }
  UrlPtr u(curl_url());
  if (!u) {
    why = "out of memory";
    return std::nullopt;
  }
  if (!base.empty() && curl_url_set(u.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) {
    why = "bad base URL";
    return std::nullopt;
  }
  if (auto rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK) {
    why = std::string("malformed URL: ") + curl_url_strerror(rc);
    return std::nullopt;
  }
  ParsedUrl p;
  p.scheme = util::lower(url_part(u.get(), CURLUPART_SCHEME).value_or(""));
  if (p.scheme != "https" && p.scheme != "http") {
    why = "scheme '" + util::sanitize(p.scheme, 40) + "' is not http(s)";
    return std::nullopt;
  }
  if (url_part(u.get(), CURLUPART_USER) || url_part(u.get(), CURLUPART_PASSWORD)) {
    why = "URL with user credentials";
    return std::nullopt;
  }
  p.host = strip_host(url_part(u.get(), CURLUPART_HOST).value_or(""));
  if (p.host.empty()) {
    why = "URL without a host";
    return std::nullopt;
  }
  auto zone = url_part(u.get(), CURLUPART_ZONEID);
  if (zone) {
    why = "URL with an IPv6 zone id";
    return std::nullopt;
  }
  p.ip_literal = util::IpAddress::parse(p.host).has_value();
  if (!p.ip_literal && !dns::is_valid_query_name(p.host)) {
    why = "bad host name '" + util::sanitize(p.host, 300) + "'";
    return std::nullopt;
  }
  auto port = util::parse_uint(url_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT).value_or(""), 65535);
  if (!port || *port == 0) {
    why = "bad port";
    return std::nullopt;
  }
  p.port = static_cast<std::uint16_t>(*port);
  // Drop a fragment: it is never sent and must not end up in reports as part of the target.
  curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);
  p.url = url_part(u.get(), CURLUPART_URL).value_or(url);
  return p;
}

/// The same URL with http:// and the default port (the imprint fallback).
std::optional<std::string> as_http(const std::string& url) {
  UrlPtr u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
  if (curl_url_set(u.get(), CURLUPART_SCHEME, "http", 0) != CURLUE_OK) return std::nullopt;
  curl_url_set(u.get(), CURLUPART_PORT, nullptr, 0);
  return url_part(u.get(), CURLUPART_URL);
}

std::string bracket(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

Outcome classify(CURLcode c) {
  switch (c) {
    case CURLE_OK: return Outcome::ok;
    case CURLE_OPERATION_TIMEDOUT: return Outcome::timeout;
    case CURLE_COULDNT_CONNECT: return Outcome::connect_failed;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return Outcome::dns_failed;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED: return Outcome::tls_error;
    case CURLE_FILESIZE_EXCEEDED: return Outcome::too_large;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL: return Outcome::bad_url;
    default: return Outcome::error;
  }
}

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

Result<std::string> read_file(const std::string& path, std::size_t cap) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::io, "cannot read " + util::sanitize(path, 300));
  std::string s;
  char buf[16384];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    s.append(buf, static_cast<std::size_t>(in.gcount()));
    if (s.size() > cap) return fail(ErrorCode::limit, util::sanitize(path, 300) + " is too large");
  }
  return s;
}

/// One request on the wire, owned by the fetching coroutine's frame.
struct Transfer {
  EasyPtr easy;
  SlistPtr resolve;
  SlistPtr connect_to;
  std::string body;
  std::size_t max_bytes = 0;
  bool too_large = false;
  bool add_failed = false;
  CURLcode result = CURLE_OK;
  std::coroutine_handle<> waiter;
  char errbuf[CURL_ERROR_SIZE] = {};

  static std::size_t on_write(char* data, std::size_t size, std::size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::size_t len = size * n;
    std::size_t room = t->max_bytes - std::min(t->max_bytes, t->body.size());
    if (len > room) {
      t->body.append(data, room);
      t->too_large = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    t->body.append(data, len);
    return len;
  }
};

}  // namespace

bool same_site(std::string_view host_a, std::string_view host_b) {
  std::string a = strip_host(host_a);
  std::string b = strip_host(host_b);
  if (a.empty() || b.empty()) return false;
  if (a == b) return true;
  if (util::IpAddress::parse(a) || util::IpAddress::parse(b)) return false;
  std::string site = util::registered_domain(a);
  return !site.empty() && site == util::registered_domain(b);
}

struct Fetcher::Impl {
  io::Loop& loop;
  dns::Resolver& resolver;
  FetcherOptions options;
  std::string ca_blob;  ///< system bundle + the extra CA(s), when options.ca_file is set
  CURLM* multi = nullptr;
  io::Loop::TimerId timer = 0;
  std::set<int> fds;
  std::set<Transfer*> active;
  bool destroying = false;

  Impl(io::Loop& l, dns::Resolver& r, FetcherOptions o) : loop(l), resolver(r), options(std::move(o)) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  ~Impl() {
    destroying = true;
    if (timer) loop.cancel_timer(timer);
    timer = 0;
    // Transfers still running belong to coroutines that will never resume (the Fetcher must
    // outlive its tasks); detach their handles so curl_multi_cleanup does not touch them.
    for (Transfer* t : active) curl_multi_remove_handle(multi, t->easy.get());
    active.clear();
    if (multi) curl_multi_cleanup(multi);
    for (int fd : fds) loop.unwatch(fd);
  }

  // CURLMOPT_SOCKETFUNCTION: mirror curl's interest in the loop's epoll set.
  static int on_socket(CURL* /*easy*/, curl_socket_t s, int what, void* user, void* /*socketp*/) {
    auto* self = static_cast<Impl*>(user);
    int fd = static_cast<int>(s);
    if (what == CURL_POLL_REMOVE) {
      self->fds.erase(fd);
      self->loop.unwatch(fd);
      return 0;
    }
    if (self->destroying) return 0;
    self->fds.insert(fd);
    bool want_write = (what & CURL_POLL_OUT) != 0;
    self->loop.watch(fd, want_write, [self, fd](bool readable, bool writable) {
      int flags = (readable ? CURL_CSELECT_IN : 0) | (writable ? CURL_CSELECT_OUT : 0);
      self->act(fd, flags);
    });
    return 0;
  }

  // CURLMOPT_TIMERFUNCTION: one loop timer, re-armed whenever curl asks.
  static int on_timer(CURLM* /*multi*/, long timeout_ms, void* user) {
    auto* self = static_cast<Impl*>(user);
    if (self->timer) self->loop.cancel_timer(self->timer);
    self->timer = 0;
    if (timeout_ms < 0 || self->destroying) return 0;
    auto when = io::Clock::now() + std::chrono::milliseconds(timeout_ms);
    self->timer = self->loop.add_timer(when, [self] {
      self->timer = 0;
      self->act(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  void act(int fd, int flags) {
    if (destroying) return;
    int running = 0;
    curl_multi_socket_action(multi, static_cast<curl_socket_t>(fd), flags, &running);
    drain();
  }

  /// Hand finished transfers back to their coroutines (through the loop's ready queue, never
  /// from inside curl).
  void drain() {
    int queued = 0;
    while (CURLMsg* m = curl_multi_info_read(multi, &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL* easy = m->easy_handle;
      CURLcode result = m->data.result;
      char* priv = nullptr;
      curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
      curl_multi_remove_handle(multi, easy);  // invalidates m
      auto* t = reinterpret_cast<Transfer*>(priv);
      if (t == nullptr || active.erase(t) == 0) continue;
      t->result = result;
      loop.post(t->waiter);
    }
  }

  struct TransferAwaiter {
    Impl* impl;
    Transfer* t;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) {
      t->waiter = h;
      if (curl_multi_add_handle(impl->multi, t->easy.get()) != CURLM_OK) {
        t->add_failed = true;
        return false;  // resume at once
      }
      impl->active.insert(t);
      return true;
    }
    void await_resume() const noexcept {}
  };

  /// One GET of `url` (no redirects). A followed-redirect candidate comes back in `location`.
  /// A POST body (webhooks); empty method = GET.
  struct Post {
    bool on = false;
    std::string body;
    std::string content_type;
  };

  io::Task<Response> one(ParsedUrl url, std::size_t max_bytes, bool allow_http, io::Clock::time_point deadline,
                         Post post) {
    Response out;
    out.final_url = url.url;
    std::vector<std::string> addresses;
    if (url.ip_literal) {
      addresses.push_back(url.host);
    } else {
      // RFC 8461 3.3 and the design: names go through our resolver, A and AAAA together.
      auto ask4 = resolver.lookup(dns::Query{url.host, dns::RrType::a});
      auto ask6 = resolver.lookup(dns::Query{url.host, dns::RrType::aaaa});
      dns::Answer a4 = co_await ask4;
      dns::Answer a6 = co_await ask6;
      for (const dns::Answer* a : {&a4, &a6})
        if (a->outcome == dns::Outcome::answer)
          for (const auto& r : a->records)
            if (r.type == a->query.type) addresses.push_back(r.address.to_string());
      if (addresses.empty()) {
        out.outcome = Outcome::dns_failed;
        out.detail = "no address for " + util::sanitize(url.host, 300) + " (A: " +
                     std::string(dns::to_string(a4.outcome)) + ", AAAA: " + std::string(dns::to_string(a6.outcome)) +
                     ")";
        if (!a4.detail.empty() && !dns::is_fact(a4.outcome)) out.detail += ": " + a4.detail;
        co_return out;
      }
    }
    out.address = addresses.front();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - io::Clock::now());
    if (left.count() <= 0) {
      out.outcome = Outcome::timeout;
      out.detail = "time cap reached before connecting";
      co_return out;
    }

    Transfer t;
    t.easy.reset(curl_easy_init());
    if (!t.easy) {
      out.outcome = Outcome::error;
      out.detail = "curl_easy_init failed";
      co_return out;
    }
    t.max_bytes = max_bytes;
    std::uint16_t connect_port = url.port;
    if (auto it = options.port_map.find(url.port); it != options.port_map.end()) connect_port = it->second;
    if (!url.ip_literal) {
      std::string entry = url.host + ":" + std::to_string(connect_port) + ":";
      for (std::size_t i = 0; i < addresses.size(); ++i) entry += (i ? "," : "") + bracket(addresses[i]);
      t.resolve.reset(curl_slist_append(nullptr, entry.c_str()));
    }
    if (connect_port != url.port) {
      std::string entry = bracket(url.host) + ":" + std::to_string(url.port) + "::" + std::to_string(connect_port);
      t.connect_to.reset(curl_slist_append(nullptr, entry.c_str()));
    }
    const char* protocols = allow_http ? "http,https" : "https";
    std::string agent = options.user_agent.empty() ? std::string("mailrep/" MAILREP_VERSION) : options.user_agent;
    CURL* e = t.easy.get();
    curl_easy_setopt(e, CURLOPT_URL, url.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(&t));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");  // never a proxy from the environment
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(left.count()));
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
    curl_easy_setopt(e, CURLOPT_USERAGENT, agent.c_str());
    SlistPtr headers;
    if (post.on) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, post.body.c_str());
      std::string ct = "Content-Type: " + post.content_type;
      curl_slist* list = curl_slist_append(nullptr, ct.c_str());
      // No "Expect: 100-continue" round trip for larger bodies.
      if (list)
        if (curl_slist* longer = curl_slist_append(list, "Expect:")) list = longer;
      headers.reset(list);
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    if (t.resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, t.resolve.get());
    if (t.connect_to) curl_easy_setopt(e, CURLOPT_CONNECT_TO, t.connect_to.get());
    if (!ca_blob.empty()) {
      curl_blob blob{ca_blob.data(), ca_blob.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
      // A given system bundle (tests) stands for the whole system store: no default CA directory.
      if (!options.system_ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAPATH, static_cast<char*>(nullptr));
    }

    TransferAwaiter wait{this, &t};
    co_await wait;

    if (t.add_failed) {
      out.outcome = Outcome::error;
      out.detail = "curl_multi_add_handle failed";
      co_return out;
    }
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    out.status = status;
    char* ctype = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype) == CURLE_OK && ctype) out.content_type = ctype;
    char* ip = nullptr;
    if (curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip && *ip) out.address = ip;
    out.body = std::move(t.body);
    if (t.too_large || t.result == CURLE_FILESIZE_EXCEEDED) {
      out.outcome = Outcome::too_large;
      out.detail = "body larger than " + std::to_string(max_bytes) + " bytes";
      co_return out;
    }
    if (t.result != CURLE_OK) {
      out.outcome = classify(t.result);
      out.detail = util::sanitize(t.errbuf[0] ? std::string_view(t.errbuf) : curl_easy_strerror(t.result), 500);
      co_return out;
    }
    if (status >= 200 && status < 300) {
      out.outcome = Outcome::ok;
      co_return out;
    }
    out.outcome = Outcome::http_error;
    out.detail = "HTTP status " + std::to_string(status);
    if (is_redirect(status)) {
      char* target = nullptr;
      if (curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &target) == CURLE_OK && target) out.location = target;
    }
    co_return out;
  }
};

Fetcher::Fetcher(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Fetcher::~Fetcher() = default;

Result<std::unique_ptr<Fetcher>> Fetcher::create(io::Loop& loop, dns::Resolver& resolver, FetcherOptions options) {
  static const CURLcode k_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (k_init != CURLE_OK) return fail(ErrorCode::internal, "libcurl initialisation failed");
  auto impl = std::make_unique<Impl>(loop, resolver, std::move(options));
  if (!impl->options.ca_file.empty()) {
    auto extra = read_file(impl->options.ca_file, k_max_ca_file);
    if (!extra) return tl::unexpected(extra.error());
    if (extra->find("-----BEGIN CERTIFICATE-----") == std::string::npos)
      return fail(ErrorCode::parse, util::sanitize(impl->options.ca_file, 300) + " holds no PEM certificate");
    // CURLOPT_CAINFO_BLOB replaces the default CA file, so it carries the system bundle too;
    // the default CA directory (CAPATH) stays in use. Together: the extra CA in addition.
    std::string system = impl->options.system_ca_file;
    if (system.empty()) {
      const curl_version_info_data* v = curl_version_info(CURLVERSION_NOW);
      if (v && v->cainfo) system = v->cainfo;
    }
    if (!system.empty())
      if (auto bundle = read_file(system, k_max_ca_file)) impl->ca_blob = std::move(*bundle) + "\n";
    impl->ca_blob += *extra;
  }
  impl->multi = curl_multi_init();
  if (!impl->multi) return fail(ErrorCode::internal, "curl_multi_init failed");
  curl_multi_setopt(impl->multi, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
  curl_multi_setopt(impl->multi, CURLMOPT_SOCKETDATA, impl.get());
  curl_multi_setopt(impl->multi, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
  curl_multi_setopt(impl->multi, CURLMOPT_TIMERDATA, impl.get());
  return std::unique_ptr<Fetcher>(new Fetcher(std::move(impl)));
}

io::Task<Response> Fetcher::fetch(Request request) {
  Impl* impl = m_impl.get();
  const auto deadline = io::Clock::now() + request.timeout;
  Response out;
  std::string why;
  auto first = parse_url(request.url, {}, why);
  if (!first) {
    out.outcome = Outcome::bad_url;
    out.final_url = util::sanitize(request.url, 300);
    out.detail = why;
    co_return out;
  }
  if (first->scheme != "https" && !request.allow_http) {
    out.outcome = Outcome::bad_url;
    out.final_url = first->url;
    out.detail = "only https:// may be fetched here";
    co_return out;
  }
  ParsedUrl current = *first;
  std::vector<std::string> followed;
  Impl::Post post{request.post, request.body, request.content_type};
  if (request.post) request.follow_redirects = false;
  for (int hop = 0;; ++hop) {
    auto task = impl->one(current, request.max_bytes, request.allow_http, deadline, post);
    Response r = co_await task;
    r.redirects = followed;
    if (r.location.empty()) co_return r;
    // A redirect: curl did not follow it; decide here.
    std::string target = r.location;
    std::string refusal;
    std::optional<ParsedUrl> next;
    if (!request.follow_redirects) {
      refusal = "redirects are not followed for this fetch";
    } else if (hop >= request.max_redirects) {
      refusal = "more than " + std::to_string(request.max_redirects) + " redirects";
    } else if (next = parse_url(target, current.url, why); !next) {
      refusal = "bad redirect target: " + why;
    } else if (next->scheme != "https" && !request.allow_http) {
      refusal = "redirect to a non-https URL";
    } else if (request.same_site_only && !same_site(first->host, next->host)) {
      std::string site = util::registered_domain(first->host);
      refusal = "redirect leaves the site " + util::sanitize(site.empty() ? first->host : site, 300);
    }
    if (!refusal.empty()) {
      r.outcome = Outcome::redirect_refused;
      r.location = util::sanitize(target, k_max_url);
      r.detail = "HTTP " + std::to_string(r.status) + " to " + util::sanitize(target, 300) + ": " + refusal;
      co_return r;
    }
    followed.push_back(current.url);
    current = std::move(*next);
  }
}

io::Task<Response> Fetcher::fetch_website(Request request) {
  std::string why;
  auto parsed = parse_url(request.url, {}, why);
  if (!parsed || parsed->scheme != "https") {
    Response bad;
    bad.outcome = Outcome::bad_url;
    bad.final_url = util::sanitize(request.url, 300);
    bad.detail = parsed ? "fetch_website() starts with an https:// URL" : why;
    co_return bad;
  }
  request.allow_http = true;
  Request https = request;
  auto first = fetch(std::move(https));
  Response secure = co_await first;
  bool transport_failure = secure.outcome == Outcome::connect_failed || secure.outcome == Outcome::tls_error ||
                           secure.outcome == Outcome::timeout || secure.outcome == Outcome::error;
  auto plain_url = as_http(parsed->url);
  if (!transport_failure || !plain_url) co_return secure;
  request.url = *plain_url;
  auto second = fetch(std::move(request));
  Response plain = co_await second;
  plain.https_failure = std::string(to_string(secure.outcome)) + ": " + secure.detail;
  co_return plain;
}

}  // namespace mailrep::http
