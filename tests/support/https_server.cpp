// HTTPS/HTTP on loopback for tests: a throw-away PKI made with OpenSSL, and a tiny server.
#include "https_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace mailrep::test {
namespace {

// ---- OpenSSL ownership --------------------------------------------------------------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct CtxFree {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
struct SslFree {
  void operator()(SSL* p) const { SSL_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

void print_ssl_errors(const char* what) {
  std::fprintf(stderr, "https_server: %s failed\n", what);
  ERR_print_errors_fp(stderr);
}

PkeyPtr make_key() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) print_ssl_errors("EC key generation");
  return key;
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

std::string san_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ",";
    in6_addr a6{};
    in_addr a4{};
    bool ip = inet_pton(AF_INET, n.c_str(), &a4) == 1 || inet_pton(AF_INET6, n.c_str(), &a6) == 1;
    out += (ip ? "IP:" : "DNS:") + n;
  }
  return out;
}

/// A certificate for `key`; self-signed when `issuer` is null. `names` empty = a CA.
X509Ptr make_cert(EVP_PKEY* key, const std::string& cn, const std::vector<std::string>& names, X509* issuer,
                  EVP_PKEY* issuer_key, long serial) {
  X509Ptr cert(X509_new());
  if (!cert) return nullptr;
  X509* c = cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), serial);
  X509_gmtime_adj(X509_getm_notBefore(c), -3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 2L * 24 * 3600);
  X509_set_pubkey(c, key);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mailrep tests"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : c;
  X509_set_issuer_name(c, X509_get_subject_name(signer));
  bool ok = add_ext(c, signer, NID_subject_key_identifier, "hash");
  ok = ok && add_ext(c, signer, NID_authority_key_identifier, "keyid:always");
  if (names.empty()) {
    ok = ok && add_ext(c, signer, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && add_ext(c, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    ok = ok && add_ext(c, signer, NID_basic_constraints, "critical,CA:FALSE");
    ok = ok && add_ext(c, signer, NID_key_usage, "critical,digitalSignature");
    ok = ok && add_ext(c, signer, NID_ext_key_usage, "serverAuth");
    ok = ok && add_ext(c, signer, NID_subject_alt_name, san_list(names));
  }
  if (!ok) {
    print_ssl_errors("certificate extensions");
    return nullptr;
  }
  if (X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256()) <= 0) {
    print_ssl_errors("certificate signing");
    return nullptr;
  }
  return cert;
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

std::string cert_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return {};
  return bio_string(bio.get());
}

std::string key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
  return bio_string(bio.get());
}

// ---- sockets --------------------------------------------------------------------------------

class UniqueFd {
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : m_fd(std::exchange(o.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      m_fd = std::exchange(o.m_fd, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }
  [[nodiscard]] int get() const { return m_fd; }
  void reset() {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = -1;
  }

private:
  int m_fd = -1;
};

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

// ---- TestPki ---------------------------------------------------------------------------------

std::vector<std::string> TestPki::default_names() {
  return {"mta-sts.example.test", "example.test", "www.example.test", "provider.test", "www.provider.test",
          "shop.provider.test", "other.test", "www.other.test", "localhost", "127.0.0.1"};
}

std::unique_ptr<TestPki> TestPki::create(std::vector<std::string> names) {
  std::unique_ptr<TestPki> pki(new TestPki());
  std::string templ = (std::filesystem::temp_directory_path() / "mailrep-pki-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    std::fprintf(stderr, "https_server: mkdtemp: %s\n", std::strerror(errno));
    return nullptr;
  }
  pki->m_dir = templ;

  PkeyPtr ca_key = make_key();
  PkeyPtr server_key = make_key();
  PkeyPtr wrong_key = make_key();
  PkeyPtr self_key = make_key();
  if (!ca_key || !server_key || !wrong_key || !self_key) return nullptr;
  X509Ptr ca = make_cert(ca_key.get(), "mailrep test CA", {}, nullptr, nullptr, 1);
  if (!ca) return nullptr;
  X509Ptr server = make_cert(server_key.get(), names.empty() ? "server" : names.front(), names, ca.get(),
                             ca_key.get(), 2);
  X509Ptr wrong = make_cert(wrong_key.get(), "wrong-name.invalid", {"wrong-name.invalid"}, ca.get(), ca_key.get(), 3);
  X509Ptr self = make_cert(self_key.get(), names.empty() ? "server" : names.front(), names, nullptr, nullptr, 4);
  if (!server || !wrong || !self) return nullptr;

  pki->m_ca_pem = cert_pem(ca.get());
  pki->server = KeyPair{cert_pem(server.get()), key_pem(server_key.get())};
  pki->wrong_name = KeyPair{cert_pem(wrong.get()), key_pem(wrong_key.get())};
  pki->self_signed = KeyPair{cert_pem(self.get()), key_pem(self_key.get())};
  pki->m_ca_file = pki->m_dir + "/ca.pem";
  std::ofstream out(pki->m_ca_file, std::ios::binary);
  out << pki->m_ca_pem;
  out.close();
  if (!out || pki->m_ca_pem.empty()) {
    std::fprintf(stderr, "https_server: cannot write %s\n", pki->m_ca_file.c_str());
    return nullptr;
  }
  return pki;
}

TestPki::~TestPki() {
  if (!m_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(m_dir, ec);
  }
}

// ---- HttpServer ------------------------------------------------------------------------------

struct HttpServer::Impl {
  Mode mode = Mode::http;
  CtxPtr ctx;
  UniqueFd listener;
  UniqueFd wake;
  std::uint16_t port = 0;
  std::thread acceptor;

  mutable std::mutex mutex;  // guards everything below
  std::condition_variable stop_cv;
  bool stopping = false;
  std::map<std::string, HttpRoute> routes;
  std::vector<SeenRequest> seen;
  std::set<int> live;  // connection sockets still open
  std::vector<std::thread> workers;

  void accept_loop() {
    for (;;) {
      pollfd pfds[2] = {{listener.get(), POLLIN, 0}, {wake.get(), POLLIN, 0}};
      int n = ::poll(pfds, 2, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (pfds[1].revents) return;
      if (!(pfds[0].revents & POLLIN)) continue;
      int fd = ::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      std::lock_guard<std::mutex> lock(mutex);
      if (stopping) {
        ::close(fd);
        return;
      }
      live.insert(fd);
      workers.emplace_back([this, fd] { serve(fd); });
    }
  }

  void close_conn(int fd) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      live.erase(fd);
    }
    ::close(fd);
  }

  // Blocking I/O on one connection, TLS or not.
  struct Conn {
    int fd;
    SSL* ssl;
    long read(char* buf, std::size_t n) const {
      if (ssl) {
        int r = SSL_read(ssl, buf, static_cast<int>(n));
        return r > 0 ? r : -1;
      }
      ssize_t r = ::recv(fd, buf, n, 0);
      return r > 0 ? static_cast<long>(r) : -1;
    }
    bool write_all(const std::string& data) const {
      std::size_t off = 0;
      while (off < data.size()) {
        long w;
        if (ssl) {
          int r = SSL_write(ssl, data.data() + off, static_cast<int>(std::min<std::size_t>(data.size() - off, 16384)));
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
  };

  void serve(int fd) {
    SslPtr ssl;
    if (mode != Mode::http) {
      ssl.reset(SSL_new(ctx.get()));
      if (!ssl || SSL_set_fd(ssl.get(), fd) != 1 || SSL_accept(ssl.get()) != 1) {
        ERR_clear_error();  // e.g. the client refused our certificate: expected in some tests
        ssl.reset();
        close_conn(fd);
        return;
      }
    }
    Conn conn{fd, ssl.get()};
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
      long n = conn.read(buf, sizeof buf);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t end = head.find("\r\n\r\n");
    if (end != std::string::npos) {
      // A body (POST): as much as Content-Length says, at most 1 MiB.
      std::string body = head.substr(end + 4);
      std::size_t want = 0;
      std::string lower_head = lower(head.substr(0, end));
      if (auto cl = lower_head.find("\r\ncontent-length:"); cl != std::string::npos)
        want = std::min<std::size_t>(std::strtoul(lower_head.c_str() + cl + 17, nullptr, 10), 1 << 20);
      while (body.size() < want) {
        long n = conn.read(buf, sizeof buf);
        if (n <= 0) break;
        body.append(buf, static_cast<std::size_t>(n));
      }
      respond(conn, head.substr(0, end), body.substr(0, want));
    }
    if (ssl) {
      SSL_shutdown(ssl.get());
      ERR_clear_error();
    }
    ssl.reset();
    ::shutdown(fd, SHUT_WR);
    close_conn(fd);
  }

  void respond(const Conn& conn, const std::string& head, std::string body) {
    SeenRequest req;
    req.body = std::move(body);
    std::size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    std::size_t sp1 = first.find(' ');
    std::size_t sp2 = first.find(' ', sp1 == std::string::npos ? sp1 : sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos) return;
    req.method = first.substr(0, sp1);
    req.path = first.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      pos = e + 2;
      std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = lower(trim(line.substr(0, colon)));
      std::string value = trim(line.substr(colon + 1));
      if (name == "host") req.host = value;
      if (name == "user-agent") req.user_agent = value;
      if (name == "content-type") req.content_type = value;
    }
    req.received = std::chrono::steady_clock::now();
    HttpRoute route;
    {
      std::unique_lock<std::mutex> lock(mutex);
      seen.push_back(req);
      auto it = routes.find(req.path);
      if (it != routes.end()) {
        route = it->second;
      } else {
        route.status = 404;
        route.body = "not found\n";
      }
      if (route.delay_ms > 0) {
        stop_cv.wait_for(lock, std::chrono::milliseconds(route.delay_ms), [this] { return stopping; });
        if (stopping) return;
      }
    }
    std::string out = "HTTP/1.1 " + std::to_string(route.status) + " " + reason(route.status) + "\r\n";
    if (!route.content_type.empty()) out += "Content-Type: " + route.content_type + "\r\n";
    if (route.content_length) out += "Content-Length: " + std::to_string(route.body.size()) + "\r\n";
    for (const auto& [name, value] : route.headers) out += name + ": " + value + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (req.method != "HEAD") out += route.body;
    conn.write_all(out);
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    stop_cv.notify_all();
    if (acceptor.joinable()) {
      std::uint64_t one = 1;
      if (::write(wake.get(), &one, sizeof one) < 0)
        std::fprintf(stderr, "https_server: cannot wake the acceptor: %s\n", std::strerror(errno));
      acceptor.join();
    }
    std::vector<std::thread> all;
    {
      std::lock_guard<std::mutex> lock(mutex);
      for (int fd : live) ::shutdown(fd, SHUT_RDWR);  // unblocks reads and writes
      all.swap(workers);
    }
    for (auto& t : all) t.join();
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() { m_impl->stop(); }

std::unique_ptr<HttpServer> HttpServer::start(Mode mode, const TestPki* pki) {
  // A client that hangs up while we write (a size cap, a timeout) must not kill the test run:
  // OpenSSL writes with write(2), which raises SIGPIPE on a closed connection.
  std::signal(SIGPIPE, SIG_IGN);
  auto impl = std::make_unique<Impl>();
  impl->mode = mode;
  if (mode != Mode::http) {
    if (!pki) {
      std::fprintf(stderr, "https_server: TLS mode without a TestPki\n");
      return nullptr;
    }
    const TestPki::KeyPair& kp = mode == Mode::https           ? pki->server
                                 : mode == Mode::https_wrong_name ? pki->wrong_name
                                                                  : pki->self_signed;
    impl->ctx.reset(SSL_CTX_new(TLS_server_method()));
    if (!impl->ctx) {
      print_ssl_errors("SSL_CTX_new");
      return nullptr;
    }
    BioPtr cbio(BIO_new_mem_buf(kp.cert_pem.data(), static_cast<int>(kp.cert_pem.size())));
    BioPtr kbio(BIO_new_mem_buf(kp.key_pem.data(), static_cast<int>(kp.key_pem.size())));
    X509Ptr cert(cbio ? PEM_read_bio_X509(cbio.get(), nullptr, nullptr, nullptr) : nullptr);
    PkeyPtr key(kbio ? PEM_read_bio_PrivateKey(kbio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert || !key || SSL_CTX_use_certificate(impl->ctx.get(), cert.get()) != 1 ||
        SSL_CTX_use_PrivateKey(impl->ctx.get(), key.get()) != 1) {
      print_ssl_errors("loading the server certificate");
      return nullptr;
    }
  }
  impl->listener = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  impl->wake = UniqueFd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (impl->listener.get() < 0 || impl->wake.get() < 0) {
    std::fprintf(stderr, "https_server: socket/eventfd: %s\n", std::strerror(errno));
    return nullptr;
  }
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (::bind(impl->listener.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(impl->listener.get(), 64) != 0 ||
      ::getsockname(impl->listener.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    std::fprintf(stderr, "https_server: bind/listen: %s\n", std::strerror(errno));
    return nullptr;
  }
  impl->port = ntohs(sa.sin_port);
  Impl* raw = impl.get();
  impl->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const { return m_impl->port; }

void HttpServer::route(std::string path, HttpRoute response) {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  m_impl->routes[std::move(path)] = std::move(response);
}

std::vector<SeenRequest> HttpServer::requests() const {
  std::lock_guard<std::mutex> lock(m_impl->mutex);
  return m_impl->seen;
}

std::uint16_t closed_tcp_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  if (fd.get() < 0 || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
    return 0;
  return ntohs(sa.sin_port);  // closed when fd goes out of scope; nothing listens there
}

}  // namespace mailrep::test
