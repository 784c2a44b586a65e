// A scriptable fake SMTP server on loopback for the probe tests (see smtp_server.hpp).
#include "smtp_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "https_server.hpp"

namespace mailrep::test {
namespace {

struct CtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) out.push_back(line);
    pos = nl + 1;
  }
  return out;
}

std::string wire(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\r\n";
  return out;
}

std::string upper_word(const std::string& line) {
  std::string w;
  for (char c : line) {
    if (c == ' ' || c == ':') break;
    w += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return w;
}

}  // namespace

struct SmtpServer::Impl {
  std::unique_ptr<SSL_CTX, CtxFree> ctx;
  int listener = -1;
  int wake = -1;
  std::uint16_t port = 0;
  std::thread acceptor;

  mutable std::mutex mutex;  // guards everything below
  bool stopping = false;
  SmtpScript script;
  std::vector<std::string> log;
  std::size_t connections = 0;
  std::size_t tls_sessions = 0;
  std::set<int> live;
  std::vector<std::thread> workers;

  ~Impl() {
    if (listener >= 0) ::close(listener);
    if (wake >= 0) ::close(wake);
  }

  void accept_loop() {
    for (;;) {
      pollfd pfds[2] = {{listener, POLLIN, 0}, {wake, POLLIN, 0}};
      int n = ::poll(pfds, 2, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (pfds[1].revents) return;
      if (!(pfds[0].revents & POLLIN)) continue;
      int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{10, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) {
        ::close(fd);
        return;
      }
      ++connections;
      live.insert(fd);
      SmtpScript copy = script;
      workers.emplace_back([this, fd, copy] { serve(fd, copy); });
    }
  }

  struct Conn {
    Impl* server;
    int fd;
    std::unique_ptr<SSL, SslFree> ssl;
    std::string buf;

    bool send(const std::string& data) {
      std::size_t off = 0;
      while (off < data.size()) {
        long w;
        if (ssl) {
          int r = SSL_write(ssl.get(), data.data() + off, static_cast<int>(data.size() - off));
          w = r > 0 ? r : -1;
        } else {
          ssize_t r = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
          w = r > 0 ? static_cast<long>(r) : -1;
        }
        if (w < 0) return false;
        off += static_cast<std::size_t>(w);
      }
      return true;
    }
    bool reply(const std::string& text) { return send(wire(split_lines(text))); }

    /// Waits for input or the stop signal; false on stop, timeout or error.
    bool wait_readable(int ms) const {
      if (ssl && SSL_pending(ssl.get()) > 0) return true;
      pollfd pfds[2] = {{fd, POLLIN, 0}, {server->wake, POLLIN, 0}};
      int n = ::poll(pfds, 2, ms);
      if (n <= 0 || pfds[1].revents) return false;
      return true;
    }

    bool read_line(std::string& line) {
      for (;;) {
        std::size_t nl = buf.find('\n');
        if (nl != std::string::npos) {
          line = buf.substr(0, nl);
          if (!line.empty() && line.back() == '\r') line.pop_back();
          buf.erase(0, nl + 1);
          return true;
        }
        if (buf.size() > 65536) return false;
        if (!wait_readable(30000)) return false;
        char tmp[4096];
        long n;
        if (ssl) {
          int r = SSL_read(ssl.get(), tmp, sizeof tmp);
          n = r > 0 ? r : -1;
        } else {
          ssize_t r = ::recv(fd, tmp, sizeof tmp, 0);
          n = r > 0 ? static_cast<long>(r) : -1;
        }
        if (n <= 0) return false;
        buf.append(tmp, static_cast<std::size_t>(n));
      }
    }
  };

  void record(const std::string& line) {
    std::lock_guard<std::mutex> lock(mutex);
    log.push_back(line);
  }

  void serve(int fd, SmtpScript sc) {
    Conn c{this, fd, nullptr, {}};
    talk(c, sc);
    if (c.ssl) {
      SSL_shutdown(c.ssl.get());
      ERR_clear_error();
    }
    c.ssl.reset();
    ::shutdown(fd, SHUT_RDWR);
    {
      std::lock_guard<std::mutex> lock(mutex);
      live.erase(fd);
    }
    ::close(fd);
  }

  void talk(Conn& c, const SmtpScript& sc) {
    std::string line;
    if (sc.greeting_delay_ms > 0) {
      pollfd p{wake, POLLIN, 0};
      if (::poll(&p, 1, sc.greeting_delay_ms) != 0) return;
    }
    if (sc.silent) {
      while (c.read_line(line)) record(line);
      return;
    }
    if (!sc.raw_greeting.empty()) {
      c.send(sc.raw_greeting);
      while (c.read_line(line)) record(line);
      return;
    }
    if (!c.reply(sc.greeting)) return;
    if (sc.close_after_greeting) return;
    bool greeting_ok = !sc.greeting.empty() && sc.greeting[0] == '2';
    bool ehlo_done = false;
    while (c.read_line(line)) {
      record(line);
      std::string cmd = upper_word(line);
      if (cmd == "QUIT") {
        c.reply("221 2.0.0 Bye");
        return;
      }
      if (!greeting_ok) {
        c.reply("503 5.5.1 Error: refused at the greeting");
        continue;
      }
      if (sc.silent_after_ehlo && ehlo_done) continue;
      if (cmd == "EHLO") {
        std::vector<std::string> lines = split_lines(sc.ehlo);
        if (sc.offer_starttls && !c.ssl) lines.push_back("250 STARTTLS");
        for (std::size_t i = 0; i + 1 < lines.size(); ++i)
          if (lines[i].size() >= 4) lines[i][3] = '-';
        if (!lines.empty() && lines.back().size() >= 4) lines.back()[3] = ' ';
        c.send(wire(lines));
        ehlo_done = true;
      } else if (cmd == "HELO") {
        c.reply("250 mx.probe.test");
        ehlo_done = true;
      } else if (cmd == "STARTTLS") {
        c.reply(sc.starttls_reply);
        if (sc.starttls_reply.rfind("220", 0) != 0) continue;
        if (sc.starttls_garbage || !ctx) {
          c.send("this is not a TLS handshake\r\n");
          return;
        }
        c.buf.clear();
        c.ssl.reset(SSL_new(ctx.get()));
        if (!c.ssl || SSL_set_fd(c.ssl.get(), c.fd) != 1 || SSL_accept(c.ssl.get()) != 1) {
          ERR_clear_error();
          c.ssl.reset();
          return;
        }
        std::lock_guard<std::mutex> lock(mutex);
        ++tls_sessions;
      } else if (cmd == "MAIL") {
        c.reply(sc.mail_reply);
      } else if (cmd == "RCPT") {
        c.reply(sc.rcpt_reply);
      } else if (cmd == "DATA") {
        c.reply(sc.data_reply);
      } else if (cmd == "RSET" || cmd == "NOOP") {
        c.reply("250 2.0.0 Ok");
      } else {
        c.reply("502 5.5.2 Error: command not recognized");
      }
    }
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    if (acceptor.joinable()) {
      std::uint64_t one = 1;
      if (::write(wake, &one, sizeof one) < 0)
        std::fprintf(stderr, "smtp_server: cannot wake the acceptor: %s\n", std::strerror(errno));
      acceptor.join();
    }
    std::vector<std::thread> all;
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (int fd : live) ::shutdown(fd, SHUT_RDWR);
      all.swap(workers);
    }
    for (auto& t : all) t.join();
  }
};

SmtpServer::SmtpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SmtpServer::~SmtpServer() { m_impl->stop(); }

std::unique_ptr<SmtpServer> SmtpServer::start(SmtpScript script, const TestPki* pki) {
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  impl->script = std::move(script);
  if (pki) {
    impl->ctx.reset(SSL_CTX_new(TLS_server_method()));
    const TestPki::KeyPair& kp = pki->server;
    std::unique_ptr<BIO, BioFree> cbio(BIO_new_mem_buf(kp.cert_pem.data(), static_cast<int>(kp.cert_pem.size())));
    std::unique_ptr<BIO, BioFree> kbio(BIO_new_mem_buf(kp.key_pem.data(), static_cast<int>(kp.key_pem.size())));
    std::unique_ptr<X509, X509Free> cert(cbio ? PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr) : nullptr);
    std::unique_ptr<EVP_PKEY, PkeyFree> key(kbio ? PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!impl->ctx || !cert || !key || SSL_CTX_use_certificate(impl->ctx.get(), cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(impl->ctx.get(), key.get()) != 1) {
      std::fprintf(stderr, "smtp_server: cannot set up TLS\n");
      ERR_print_errors_fp(stderr);
      return nullptr;
    }
  }
  impl->listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  impl->wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl->listener < 0 || impl->wake < 0) {
    std::fprintf(stderr, "smtp_server: socket/eventfd: %s\n", std::strerror(errno));
    return nullptr;
  }
  int one = 1;
  ::setsockopt(impl->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (::bind(impl->listener, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(impl->listener, 64) != 0 ||
      ::getsockname(impl->listener, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    std::fprintf(stderr, "smtp_server: bind/listen: %s\n", std::strerror(errno));
    return nullptr;
  }
  impl->port = ntohs(sa.sin_port);
  Impl* raw = impl.get();
  impl->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<SmtpServer>(new SmtpServer(std::move(impl)));
}

std::uint16_t SmtpServer::port() const { return m_impl->port; }

void SmtpServer::set_script(SmtpScript script) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->script = std::move(script);
}

std::vector<std::string> SmtpServer::commands() const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->log;
}

std::size_t SmtpServer::connections() const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->connections;
}

std::size_t SmtpServer::tls_sessions() const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->tls_sessions;
}

}  // namespace mailrep::test
