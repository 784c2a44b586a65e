// SMTP client transport and the probe conversation on the io::Loop (see client.hpp).
#include "mailrep/smtp/client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "mailrep/util/text.hpp"

namespace mailrep::smtp {

std::string_view to_string(Stage s) {
  switch (s) {
    case Stage::connect: return "connect";
    case Stage::greeting: return "greeting";
    case Stage::ehlo: return "ehlo";
    case Stage::starttls: return "starttls";
    case Stage::mail: return "mail";
    case Stage::rcpt: return "rcpt";
  }
  return "connect";
}

std::string_view to_string(Failure f) {
  switch (f) {
    case Failure::none: return "none";
    case Failure::refused: return "refused";
    case Failure::timeout: return "timeout";
    case Failure::unreachable: return "unreachable";
    case Failure::source: return "source";
    case Failure::closed: return "closed";
    case Failure::protocol: return "protocol";
    case Failure::tls: return "tls";
    case Failure::dns: return "dns";
    case Failure::io: return "io";
  }
  return "io";
}

std::string Reply::text() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += '\n';
    out += l;
  }
  return out;
}

ReplyLine parse_reply_line(std::string_view line) {
  ReplyLine r;
  if (line.size() < 3 || !util::is_digit(line[0]) || !util::is_digit(line[1]) || !util::is_digit(line[2])) return r;
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  // RFC 5321 4.2: the first digit is 2..5, the second 0..5.
  if (line[0] < '2' || line[0] > '5' || line[1] > '5') return r;
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return r;
  r.ok = true;
  r.code = code;
  r.last = line.size() == 3 || line[3] == ' ';
  r.text = line.size() > 4 ? line.substr(4) : std::string_view{};
  return r;
}

std::string enhanced_status(std::string_view text) {
  // class "." subject "." detail: class 2/4/5, subject 1-3 digits, detail 1-3 digits (RFC 3463).
  std::size_t i = 0;
  if (text.empty() || (text[0] != '2' && text[0] != '4' && text[0] != '5')) return {};
  i = 1;
  for (int part = 0; part < 2; ++part) {
    if (i >= text.size() || text[i] != '.') return {};
    ++i;
    std::size_t start = i;
    while (i < text.size() && util::is_digit(text[i]) && i - start < 3) ++i;
    if (i == start) return {};
  }
  if (i < text.size() && !util::is_space(text[i])) return {};
  return std::string(text.substr(0, i));
}

std::vector<std::string> ehlo_keywords(const Reply& ehlo) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    auto p = parse_reply_line(ehlo.lines[i]);
    if (!p.ok) continue;
    auto words = util::split_ws(p.text);
    if (words.empty()) continue;
    std::string k;
    for (char ch : words.front()) k += util::to_upper(ch);
    out.push_back(util::sanitize(k, 64));
  }
  return out;
}

namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};

/// Locale-independent texts for the errors a connect or socket call gives.
std::string errno_text(int e) {
  switch (e) {
    case ECONNREFUSED: return "connection refused";
    case ETIMEDOUT: return "connection timed out";
    case ENETUNREACH: return "network unreachable";
    case EHOSTUNREACH: return "no route to host";
    case EACCES:
    case EPERM: return "not permitted (a local firewall?)";
    case EADDRNOTAVAIL: return "address not available on this host";
    case EADDRINUSE: return "address already in use";
    case EAFNOSUPPORT: return "address family not supported on this host";
    case ECONNRESET: return "connection reset by the server";
    case EPIPE: return "connection closed by the server";
    case ENETDOWN: return "network is down";
    case EINVAL: return "invalid argument";
    default: break;
  }
  const char* d = strerrordesc_np(e);
  return d ? std::string(d) : "error " + std::to_string(e);
}

Failure errno_failure(int e) {
  switch (e) {
    case ECONNREFUSED: return Failure::refused;
    case ETIMEDOUT: return Failure::timeout;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EACCES:
    case EPERM:
    case ENETDOWN:
    case EAFNOSUPPORT:
    case EADDRNOTAVAIL: return Failure::unreachable;
    case ECONNRESET:
    case EPIPE: return Failure::closed;
    default: return Failure::io;
  }
}

socklen_t make_sockaddr(const util::IpAddress& a, std::uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (a.is_v4()) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    std::memcpy(&sin.sin_addr, a.bytes().data(), 4);
    std::memcpy(&ss, &sin, sizeof sin);
    return sizeof sin;
  }
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  std::memcpy(&sin6.sin6_addr, a.bytes().data(), 16);
  std::memcpy(&ss, &sin6, sizeof sin6);
  return sizeof sin6;
}

std::string sockaddr_text(const sockaddr_storage& ss) {
  if (ss.ss_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, &ss, sizeof sin);
    std::array<std::uint8_t, 4> b{};
    std::memcpy(b.data(), &sin.sin_addr, 4);
    return util::IpAddress::v4(static_cast<std::uint32_t>(b[0]) << 24 | static_cast<std::uint32_t>(b[1]) << 16 |
                               static_cast<std::uint32_t>(b[2]) << 8 | b[3])
        .to_string();
  }
  if (ss.ss_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, &ss, sizeof sin6);
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), &sin6.sin6_addr, 16);
    auto a = util::IpAddress::v6(b);
    if (auto v4 = a.unmapped_v4()) return v4->to_string();
    return a.to_string();
  }
  return {};
}

/// The OpenSSL error queue as one line (and cleared).
std::string ssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
    if (out.size() > 400) break;
  }
  ERR_clear_error();
  return util::sanitize(out, 500);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n <= 0 || data == nullptr) return {};
  return util::sanitize(std::string_view(data, static_cast<std::size_t>(n)), 500);
}

std::string name_text(const X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio || !name) return {};
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  return bio_text(bio.get());
}

enum class Io { done, want_read, want_write, eof, error };

}  // namespace

struct Connection::Impl {
  io::Loop& loop;
  std::chrono::milliseconds timeout;
  int fd = -1;
  bool watching = false;
  io::Loop::TimerId timer = 0;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx;
  std::unique_ptr<SSL, SslFree> ssl;
  std::string inbuf;
  TlsInfo tls;
  std::string local;
  std::vector<TranscriptLine> transcript;
  std::vector<std::string> notes;

  Impl(io::Loop& l, std::chrono::milliseconds t) : loop(l), timeout(t) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() { shut(); }

  void stop_waiting() {
    if (timer) loop.cancel_timer(timer);
    timer = 0;
    if (watching) loop.unwatch(fd);
    watching = false;
  }

  void shut() {
    stop_waiting();
    if (ssl && tls.established) {
      ERR_clear_error();
      SSL_shutdown(ssl.get());  // one non-blocking attempt: close_notify, no waiting
      ERR_clear_error();
    }
    ssl.reset();
    ctx.reset();
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  void log(bool from_client, std::string_view line) {
    if (transcript.size() >= 300) return;
    transcript.push_back(TranscriptLine{from_client, util::sanitize(line, 600)});
  }

  Io read_some(char* buf, std::size_t n, std::size_t& got, std::string& err) {
    got = 0;
    if (ssl) {
      ERR_clear_error();
      errno = 0;
      int rc = SSL_read(ssl.get(), buf, static_cast<int>(n));
      if (rc > 0) {
        got = static_cast<std::size_t>(rc);
        return Io::done;
      }
      int e = SSL_get_error(ssl.get(), rc);
      if (e == SSL_ERROR_WANT_READ) return Io::want_read;
      if (e == SSL_ERROR_WANT_WRITE) return Io::want_write;
      if (e == SSL_ERROR_ZERO_RETURN) return Io::eof;
      if (e == SSL_ERROR_SYSCALL && errno != 0 && errno != ECONNRESET) {
        err = errno_text(errno);
        return Io::error;
      }
      std::string why = ssl_errors();
      if (e == SSL_ERROR_SYSCALL || why.find("unexpected eof") != std::string::npos) return Io::eof;
      err = "TLS error: " + why;
      return Io::error;
    }
    ssize_t rc = ::recv(fd, buf, n, 0);
    if (rc > 0) {
      got = static_cast<std::size_t>(rc);
      return Io::done;
    }
    if (rc == 0) return Io::eof;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Io::want_read;
    if (errno == ECONNRESET) return Io::eof;
    err = errno_text(errno);
    return Io::error;
  }

  Io write_some(const char* data, std::size_t n, std::size_t& wrote, std::string& err) {
    wrote = 0;
    if (ssl) {
      ERR_clear_error();
      int rc = SSL_write(ssl.get(), data, static_cast<int>(n));
      if (rc > 0) {
        wrote = static_cast<std::size_t>(rc);
        return Io::done;
      }
      int e = SSL_get_error(ssl.get(), rc);
      if (e == SSL_ERROR_WANT_READ) return Io::want_read;
      if (e == SSL_ERROR_WANT_WRITE) return Io::want_write;
      if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL) {
        ERR_clear_error();
        return Io::eof;
      }
      err = "TLS error: " + ssl_errors();
      return Io::error;
    }
    ssize_t rc = ::send(fd, data, n, MSG_NOSIGNAL);
    if (rc >= 0) {
      wrote = static_cast<std::size_t>(rc);
      return Io::done;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return Io::want_write;
    if (errno == EPIPE || errno == ECONNRESET) return Io::eof;
    err = errno_text(errno);
    return Io::error;
  }
};

namespace {

/// Suspends until the connection's fd is ready (readable, or writable when asked) or `deadline`.
/// await_resume(): false on timeout.
struct WaitFd {
  WaitFd(Connection::Impl* conn, bool write, io::Clock::time_point until) : c(conn), want_write(write), deadline(until) {}
  Connection::Impl* c;
  bool want_write;
  io::Clock::time_point deadline;
  bool timed_out = false;
  std::coroutine_handle<> handle;

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle = h;
    WaitFd* self = this;
    Connection::Impl* conn = c;
    conn->timer = conn->loop.add_timer(deadline, [self, conn] {
      conn->timer = 0;
      if (conn->watching) conn->loop.unwatch(conn->fd);
      conn->watching = false;
      self->timed_out = true;
      conn->loop.post(self->handle);
    });
    conn->watching = true;
    conn->loop.watch(conn->fd, want_write, [self, conn](bool, bool) {
      conn->loop.unwatch(conn->fd);
      conn->watching = false;
      if (conn->timer) conn->loop.cancel_timer(conn->timer);
      conn->timer = 0;
      conn->loop.post(self->handle);
    });
  }
  bool await_resume() const noexcept { return !timed_out; }
};

std::string ms_text(std::chrono::milliseconds t) { return std::to_string(t.count()) + " ms"; }

}  // namespace

Connection::Connection(io::Loop& loop, std::chrono::milliseconds timeout)
    : m_impl(std::make_unique<Impl>(loop, timeout)) {}
Connection::~Connection() = default;

const TlsInfo& Connection::tls() const { return m_impl->tls; }
TlsInfo& Connection::tls() { return m_impl->tls; }
std::string Connection::local_address() const { return m_impl->local; }
const std::vector<TranscriptLine>& Connection::transcript() const { return m_impl->transcript; }
const std::vector<std::string>& Connection::notes() const { return m_impl->notes; }
void Connection::close() { m_impl->shut(); }

io::Task<IoStatus> Connection::connect(util::IpAddress address, std::uint16_t port,
                                       std::optional<util::IpAddress> source) {
  Impl* c = m_impl.get();
  IoStatus st;
  if (c->fd >= 0) {
    st = IoStatus{Failure::io, "already connected"};
    co_return st;
  }
  if (source && source->family() != address.family()) {
    st = IoStatus{Failure::source, "source address " + source->to_string() + " is " +
                                       (source->is_v4() ? "IPv4" : "IPv6") + ", the server's address " +
                                       address.to_string() + " is not"};
    co_return st;
  }
  int family = address.is_v4() ? AF_INET : AF_INET6;
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    st = IoStatus{errno_failure(e), "socket: " + errno_text(e)};
    co_return st;
  }
  c->fd = fd;
  if (source) {
    sockaddr_storage src{};
    socklen_t len = make_sockaddr(*source, 0, src);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&src), len) != 0) {
      int e = errno;
      c->shut();
      st = IoStatus{Failure::source, "cannot use source address " + source->to_string() + ": " + errno_text(e)};
      co_return st;
    }
  }
  sockaddr_storage dst{};
  socklen_t len = make_sockaddr(address, port, dst);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&dst), len) != 0) {
    int e = errno;
    if (e != EINPROGRESS) {
      c->shut();
      st = IoStatus{errno_failure(e), errno_text(e)};
      co_return st;
    }
    WaitFd wait{c, true, io::Clock::now() + c->timeout};
    bool ready = co_await wait;
    if (!ready) {
      c->shut();
      st = IoStatus{Failure::timeout, "no answer to the TCP connection attempt within " + ms_text(c->timeout)};
      co_return st;
    }
    int err = 0;
    socklen_t elen = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
    if (err != 0) {
      c->shut();
      st = IoStatus{errno_failure(err), errno_text(err)};
      co_return st;
    }
  }
  sockaddr_storage self{};
  socklen_t slen = sizeof self;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&self), &slen) == 0) c->local = sockaddr_text(self);
  co_return st;
}

io::Task<ReplyResult> Connection::read_reply() {
  Impl* c = m_impl.get();
  ReplyResult out;
  if (c->fd < 0) {
    out.status = IoStatus{Failure::closed, "not connected"};
    co_return out;
  }
  const auto deadline = io::Clock::now() + c->timeout;
  std::size_t total = 0;
  for (;;) {
    std::size_t nl = 0;
    while ((nl = c->inbuf.find('\n')) != std::string::npos) {
      std::string_view raw(c->inbuf.data(), nl);
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      if (raw.size() > max_line_bytes) {
        out.status = IoStatus{Failure::protocol, "reply line longer than " + std::to_string(max_line_bytes) + " bytes"};
        co_return out;
      }
      std::string line(raw);
      c->inbuf.erase(0, nl + 1);
      c->log(false, line);
      total += line.size();
      ReplyLine p = parse_reply_line(line);
      if (!p.ok) {
        out.status = IoStatus{Failure::protocol, "not an SMTP reply: " + util::sanitize(line, 200)};
        co_return out;
      }
      if (out.reply.lines.empty()) out.reply.code = p.code;
      out.reply.lines.push_back(util::sanitize(line, max_line_bytes));
      if (p.last) {
        std::string_view first = parse_reply_line(out.reply.lines.front()).text;
        out.reply.enhanced = enhanced_status(first);
        if (out.reply.enhanced.empty()) out.reply.enhanced = enhanced_status(p.text);
        // The enhanced code's class must agree with the reply code (RFC 3463 2).
        if (!out.reply.enhanced.empty() && out.reply.enhanced[0] - '0' != out.reply.code / 100)
          out.reply.enhanced.clear();
        co_return out;
      }
      if (out.reply.lines.size() >= max_reply_lines || total > max_reply_bytes) {
        out.status = IoStatus{Failure::protocol, "reply longer than " + std::to_string(out.reply.lines.size()) +
                                                     " lines / " + std::to_string(max_reply_bytes) + " bytes"};
        co_return out;
      }
    }
    if (c->inbuf.size() > max_line_bytes) {
      out.status = IoStatus{Failure::protocol, "reply line longer than " + std::to_string(max_line_bytes) + " bytes"};
      co_return out;
    }
    char buf[4096];
    std::size_t got = 0;
    std::string err;
    Io r = c->read_some(buf, sizeof buf, got, err);
    if (r == Io::done) {
      c->inbuf.append(buf, got);
      continue;
    }
    if (r == Io::eof) {
      out.status = IoStatus{Failure::closed, out.reply.lines.empty() ? "the server closed the connection"
                                                                      : "the server closed the connection mid-reply"};
      co_return out;
    }
    if (r == Io::error) {
      out.status = IoStatus{Failure::io, err};
      co_return out;
    }
    WaitFd wait{c, r == Io::want_write, deadline};
    bool ready = co_await wait;
    if (!ready) {
      out.status = IoStatus{Failure::timeout, (out.reply.lines.empty() ? "no reply within " : "reply incomplete after ") +
                                                  ms_text(c->timeout)};
      co_return out;
    }
  }
}

io::Task<IoStatus> Connection::send_line(std::string line) {
  Impl* c = m_impl.get();
  IoStatus st;
  if (line.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    st = IoStatus{Failure::protocol, "refusing to send a command line with CR, LF or NUL"};
    co_return st;
  }
  if (c->fd < 0) {
    st = IoStatus{Failure::closed, "not connected"};
    co_return st;
  }
  c->log(true, line);
  std::string data = line + "\r\n";
  std::size_t off = 0;
  const auto deadline = io::Clock::now() + c->timeout;
  while (off < data.size()) {
    std::size_t wrote = 0;
    std::string err;
    Io r = c->write_some(data.data() + off, data.size() - off, wrote, err);
    if (r == Io::done) {
      off += wrote;
      continue;
    }
    if (r == Io::eof) {
      st = IoStatus{Failure::closed, "the server closed the connection"};
      co_return st;
    }
    if (r == Io::error) {
      st = IoStatus{Failure::io, err};
      co_return st;
    }
    WaitFd wait{c, r == Io::want_write, deadline};
    bool ready = co_await wait;
    if (!ready) {
      st = IoStatus{Failure::timeout, "could not send within " + ms_text(c->timeout)};
      co_return st;
    }
  }
  co_return st;
}

io::Task<IoStatus> Connection::start_tls(std::string server_name, std::string ca_file) {
  Impl* c = m_impl.get();
  IoStatus st;
  c->tls.attempted = true;
  if (c->fd < 0) {
    st = IoStatus{Failure::closed, "not connected"};
    co_return st;
  }
  if (!c->inbuf.empty()) {
    // RFC 3207 5 / CVE-2011-0411: nothing read before the handshake may be used after it.
    c->notes.push_back("the server sent " + std::to_string(c->inbuf.size()) +
                       " byte(s) after its STARTTLS reply; discarded");
    c->inbuf.clear();
  }
  ERR_clear_error();
  c->ctx.reset(SSL_CTX_new(TLS_client_method()));
  if (!c->ctx) {
    st = IoStatus{Failure::tls, "SSL_CTX_new failed: " + ssl_errors()};
    c->tls.error = st.detail;
    co_return st;
  }
  SSL_CTX_set_default_verify_paths(c->ctx.get());
  if (!ca_file.empty() && SSL_CTX_load_verify_locations(c->ctx.get(), ca_file.c_str(), nullptr) != 1)
    c->notes.push_back("cannot load CA file " + util::sanitize(ca_file, 200) + ": " + ssl_errors());
  // Reported, not enforced: the handshake goes on whatever the certificate; the result is recorded.
  SSL_CTX_set_verify(c->ctx.get(), SSL_VERIFY_NONE, nullptr);
  c->ssl.reset(SSL_new(c->ctx.get()));
  if (!c->ssl || SSL_set_fd(c->ssl.get(), c->fd) != 1) {
    st = IoStatus{Failure::tls, "SSL_new failed: " + ssl_errors()};
    c->tls.error = st.detail;
    c->ssl.reset();
    co_return st;
  }
  bool ip_literal = util::IpAddress::parse(server_name).has_value();
  if (!server_name.empty() && !ip_literal) SSL_set_tlsext_host_name(c->ssl.get(), server_name.c_str());
  SSL_set_connect_state(c->ssl.get());
  const auto deadline = io::Clock::now() + c->timeout;
  for (;;) {
    ERR_clear_error();
    int rc = SSL_connect(c->ssl.get());
    if (rc == 1) break;
    int e = SSL_get_error(c->ssl.get(), rc);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      WaitFd wait{c, e == SSL_ERROR_WANT_WRITE, deadline};
      bool ready = co_await wait;
      if (!ready) {
        st = IoStatus{Failure::timeout, "TLS handshake not complete within " + ms_text(c->timeout)};
        c->tls.error = st.detail;
        co_return st;
      }
      continue;
    }
    std::string why = ssl_errors();
    if (why.empty()) why = e == SSL_ERROR_SYSCALL ? "the server closed the connection during the handshake"
                                                   : "handshake failed (SSL error " + std::to_string(e) + ")";
    st = IoStatus{Failure::tls, why};
    c->tls.error = why;
    c->ssl.reset();  // the session is unusable; no close_notify
    co_return st;
  }
  TlsInfo& t = c->tls;
  t.established = true;
  t.version = SSL_get_version(c->ssl.get());
  if (const SSL_CIPHER* ciph = SSL_get_current_cipher(c->ssl.get())) t.cipher = SSL_CIPHER_get_name(ciph);
  std::unique_ptr<X509, X509Free> cert(SSL_get1_peer_certificate(c->ssl.get()));
  if (cert) {
    t.subject = name_text(X509_get_subject_name(cert.get()));
    t.issuer = name_text(X509_get_issuer_name(cert.get()));
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (bio && ASN1_TIME_print(bio.get(), X509_get0_notAfter(cert.get())) == 1) t.not_after = bio_text(bio.get());
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
    if (sans) {
      int n = sk_GENERAL_NAME_num(sans);
      for (int i = 0; i < n && t.names.size() < 20; ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
        if (g->type != GEN_DNS) continue;
        const unsigned char* d = ASN1_STRING_get0_data(g->d.dNSName);
        int len = ASN1_STRING_length(g->d.dNSName);
        if (d && len > 0)
          t.names.push_back(util::sanitize(std::string_view(reinterpret_cast<const char*>(d), static_cast<std::size_t>(len)), 255));
      }
      GENERAL_NAMES_free(sans);
    }
    long vr = SSL_get_verify_result(c->ssl.get());
    t.verified = vr == X509_V_OK;
    if (!t.verified) t.verify_error = X509_verify_cert_error_string(vr);
    if (!server_name.empty()) {
      t.name_matches = ip_literal ? X509_check_ip_asc(cert.get(), server_name.c_str(), 0) == 1
                                  : X509_check_host(cert.get(), server_name.c_str(), server_name.size(), 0, nullptr) == 1;
    }
  } else {
    t.verify_error = "no server certificate";
  }
  ERR_clear_error();
  co_return st;
}

// ---- the probe conversation ------------------------------------------------------------------

namespace {

io::Task<ReplyResult> command(Connection* conn, std::string line) {
  auto sending = conn->send_line(std::move(line));
  IoStatus s = co_await sending;
  if (!s.ok()) {
    ReplyResult rr;
    rr.status = s;
    co_return rr;
  }
  auto reading = conn->read_reply();
  ReplyResult rr = co_await reading;
  co_return rr;
}

/// QUIT, best effort: errors are ignored (the server may already have closed).
io::Task<bool> quit(Connection* conn) {
  auto q = command(conn, "QUIT");
  ReplyResult rr = co_await q;
  co_return rr.status.ok();
}

std::string address_literal(const std::string& local) {
  auto a = util::IpAddress::parse(local);
  if (!a) return "[127.0.0.1]";
  return a->is_v4() ? "[" + a->to_string() + "]" : "[IPv6:" + a->to_string() + "]";
}

void finish(SessionResult& r, const Connection& conn) {
  r.tls = conn.tls();
  r.transcript = conn.transcript();
  for (const auto& n : conn.notes()) r.notes.push_back(n);
}

void failed(SessionResult& r, Stage stage, const IoStatus& st) {
  r.stage = stage;
  r.failure = st.failure;
  r.detail = st.detail;
}

}  // namespace

io::Task<SessionResult> run_session(io::Loop& loop, SessionOptions o) {
  SessionResult r;
  Connection conn(loop, o.timeout);
  Connection* c = &conn;
  auto connecting = conn.connect(o.address, o.port, o.source);
  IoStatus cs = co_await connecting;
  if (!cs.ok()) {
    failed(r, Stage::connect, cs);
    finish(r, conn);
    co_return r;
  }
  r.local_address = conn.local_address();
  r.helo = o.helo.empty() ? address_literal(r.local_address) : o.helo;

  // Greeting.
  auto greeting = conn.read_reply();
  ReplyResult gr = co_await greeting;
  if (!gr.status.ok()) {
    failed(r, Stage::greeting, gr.status);
    if (!gr.reply.lines.empty()) r.reply = gr.reply;
    finish(r, conn);
    co_return r;
  }
  r.greeting = gr.reply;
  r.exchanges.push_back(Exchange{Stage::greeting, "", gr.reply});
  r.stage = Stage::greeting;
  r.reply = gr.reply;
  if (gr.reply.klass() != 2) {
    auto q = quit(c);
    (void)co_await q;
    finish(r, conn);
    co_return r;
  }

  // EHLO (HELO when EHLO is not understood).
  auto ehlo = command(c, "EHLO " + r.helo);
  ReplyResult er = co_await ehlo;
  r.stage = Stage::ehlo;
  if (!er.status.ok()) {
    failed(r, Stage::ehlo, er.status);
    finish(r, conn);
    co_return r;
  }
  r.exchanges.push_back(Exchange{Stage::ehlo, "EHLO " + r.helo, er.reply});
  if (er.reply.code == 500 || er.reply.code == 502) {
    auto helo = command(c, "HELO " + r.helo);
    er = co_await helo;
    if (!er.status.ok()) {
      failed(r, Stage::ehlo, er.status);
      finish(r, conn);
      co_return r;
    }
    r.exchanges.push_back(Exchange{Stage::ehlo, "HELO " + r.helo, er.reply});
  } else if (er.reply.klass() == 2) {
    r.extensions = ehlo_keywords(er.reply);
  }
  r.reply = er.reply;
  if (er.reply.klass() != 2) {
    auto q = quit(c);
    (void)co_await q;
    finish(r, conn);
    co_return r;
  }

  // STARTTLS when offered.
  bool offered = false;
  for (const auto& k : r.extensions)
    if (k == "STARTTLS") offered = true;
  conn.tls().offered = offered;
  if (offered && o.starttls) {
    auto st = command(c, "STARTTLS");
    ReplyResult sr = co_await st;
    if (!sr.status.ok()) {
      failed(r, Stage::starttls, sr.status);
      conn.tls().attempted = true;
      conn.tls().error = sr.status.detail;
      finish(r, conn);
      co_return r;
    }
    r.exchanges.push_back(Exchange{Stage::starttls, "STARTTLS", sr.reply});
    if (sr.reply.code == 220) {
      auto hs = conn.start_tls(o.server_name, o.ca_file);
      IoStatus ts = co_await hs;
      if (!ts.ok()) {
        failed(r, Stage::starttls, ts);
        r.reply = sr.reply;
        finish(r, conn);
        co_return r;
      }
      auto again = command(c, "EHLO " + r.helo);
      ReplyResult ar = co_await again;
      if (!ar.status.ok()) {
        failed(r, Stage::ehlo, ar.status);
        finish(r, conn);
        co_return r;
      }
      r.exchanges.push_back(Exchange{Stage::ehlo, "EHLO " + r.helo, ar.reply});
      r.reply = ar.reply;
      r.stage = Stage::ehlo;
      if (ar.reply.klass() != 2) {
        auto q = quit(c);
        (void)co_await q;
        finish(r, conn);
        co_return r;
      }
      r.extensions = ehlo_keywords(ar.reply);
    } else {
      // RFC 3207 4: after a refused STARTTLS the session goes on in the clear.
      conn.tls().attempted = true;
      conn.tls().error = "STARTTLS refused: " + (sr.reply.lines.empty() ? std::string() : sr.reply.lines.front());
    }
  }

  // The envelope, only when a recipient is given. Never DATA.
  if (!o.rcpt.empty()) {
    std::string mail = "MAIL FROM:<" + o.mail_from + ">";
    auto m = command(c, mail);
    ReplyResult mr = co_await m;
    if (!mr.status.ok()) {
      failed(r, Stage::mail, mr.status);
      finish(r, conn);
      co_return r;
    }
    r.exchanges.push_back(Exchange{Stage::mail, mail, mr.reply});
    r.stage = Stage::mail;
    r.reply = mr.reply;
    if (mr.reply.klass() != 2) {
      auto q = quit(c);
      (void)co_await q;
      finish(r, conn);
      co_return r;
    }
    std::string rcpt = "RCPT TO:<" + o.rcpt + ">";
    auto t = command(c, rcpt);
    ReplyResult tr = co_await t;
    if (!tr.status.ok()) {
      failed(r, Stage::rcpt, tr.status);
      finish(r, conn);
      co_return r;
    }
    r.exchanges.push_back(Exchange{Stage::rcpt, rcpt, tr.reply});
    r.stage = Stage::rcpt;
    r.reply = tr.reply;
    if (tr.reply.klass() != 2) {
      auto q = quit(c);
      (void)co_await q;
      finish(r, conn);
      co_return r;
    }
  }
  r.completed = true;
  auto q = quit(c);
  (void)co_await q;
  finish(r, conn);
  co_return r;
}

}  // namespace mailrep::smtp
