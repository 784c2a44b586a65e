// mailrep-delayproxy: a UDP relay on loopback that holds every packet for a fixed delay in each
// direction, to benchmark against a real round-trip time without tc netem.
//
//   mailrep-delayproxy --upstream 127.0.0.1:PORT --delay-ms 10 [--loss PERCENT --seed N]
//                      [--listen-port N] [--log FILE] --port-file F
//
// Packets from a client go to the upstream from a socket of their own per client address, so
// replies find their way back. --listen-port binds a fixed port (default 0: any free port; 53 inside
// a network namespace serves tools that only use the system resolver). Prints counters on
// SIGTERM/SIGINT to stderr: packets forwarded/returned/dropped and how many distinct DNS questions
// (QNAME, QTYPE, QCLASS, case-insensitive) were forwarded; forwarded - distinct = resends of a
// question already asked (retransmissions, when the client never repeats a query on purpose).
// --log FILE writes, on exit, one line per forwarded query: milliseconds since the first one, QTYPE
// number and QNAME (scripts/bench groups them into dependent round trips).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <unordered_set>
#include <random>
#include <string>
#include <vector>

#include "mailrep/io/loop.hpp"

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Client {
  sockaddr_in addr{};
  int upstream_fd = -1;
};

int udp_socket(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int buf = 8 << 20;
  // SO_RCVBUF is capped by net.core.rmem_max; as root the FORCE variants are not (the relay must not
  // be the one dropping a burst).
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf) != 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf) != 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = htons(port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    std::perror("bind");
    std::exit(1);
  }
  return fd;
}

/// The question section of a DNS query (lower-cased), or "" when the packet is not one.
std::string question_key(const char* p, ssize_t n) {
  if (n < 12) return {};
  std::string key;
  ssize_t i = 12;
  while (i < n) {
    auto len = static_cast<unsigned char>(p[i]);
    if (len == 0 || len > 63 || i + 1 + len > n) break;
    key.push_back(static_cast<char>(len));
    for (ssize_t k = 1; k <= len; ++k) {
      char c = p[i + k];
      key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    i += 1 + len;
  }
  if (i + 5 > n) return {};
  key.append(p + i, 5);  // root label, QTYPE, QCLASS
  return key;
}

}  // namespace

int main(int argc, char** argv) {
  std::string upstream = "127.0.0.1:53", port_file;
  long delay_ms = 10;
  double loss = 0;
  unsigned seed = 1;
  int listen_port = 0;
  std::string log_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--upstream") upstream = v;
    else if (k == "--delay-ms") delay_ms = std::stol(v);
    else if (k == "--loss") loss = std::stod(v);
    else if (k == "--seed") seed = static_cast<unsigned>(std::stoul(v));
    else if (k == "--port-file") port_file = v;
    else if (k == "--listen-port") listen_port = std::stoi(v);
    else if (k == "--log") log_file = v;
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  auto colon = upstream.rfind(':');
  sockaddr_in up{};
  up.sin_family = AF_INET;
  inet_pton(AF_INET, upstream.substr(0, colon).c_str(), &up.sin_addr);
  up.sin_port = htons(static_cast<std::uint16_t>(std::stoi(upstream.substr(colon + 1))));

  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  mailrep::io::Loop loop;
  int listen_fd = udp_socket(static_cast<std::uint16_t>(listen_port));
  sockaddr_in me{};
  socklen_t len = sizeof me;
  getsockname(listen_fd, reinterpret_cast<sockaddr*>(&me), &len);
  std::map<std::pair<std::uint32_t, std::uint16_t>, Client> clients;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> coin(0, 100);
  std::uint64_t forwarded = 0, returned = 0, dropped = 0;
  std::unordered_set<std::string> questions;
  struct Logged {
    mailrep::io::Clock::time_point at;
    std::string question;
  };
  std::vector<Logged> log;
  auto delay = std::chrono::milliseconds(delay_ms);

  auto send_later = [&](int fd, std::vector<char> data, sockaddr_in to) {
    loop.add_timer(mailrep::io::Clock::now() + delay, [fd, data = std::move(data), to] {
      ::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    });
  };
  std::function<void(Client&)> watch_upstream = [&](Client& c) {
    loop.watch(c.upstream_fd, false, [&, cp = &c](bool r, bool) {
      if (!r) return;
      for (;;) {
        char buf[65536];
        ssize_t n = ::recv(cp->upstream_fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        if (loss > 0 && coin(rng) < loss) {
          ++dropped;
          continue;
        }
        ++returned;
        send_later(listen_fd, std::vector<char>(buf, buf + n), cp->addr);
      }
    });
  };
  loop.watch(listen_fd, false, [&](bool r, bool) {
    if (!r) return;
    for (;;) {
      char buf[65536];
      sockaddr_in from{};
      socklen_t fl = sizeof from;
      ssize_t n = ::recvfrom(listen_fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n <= 0) break;
      auto key = std::make_pair(from.sin_addr.s_addr, from.sin_port);
      auto it = clients.find(key);
      if (it == clients.end()) {
        Client c;
        c.addr = from;
        c.upstream_fd = udp_socket(0);
        it = clients.emplace(key, c).first;
        watch_upstream(it->second);
      }
      if (loss > 0 && coin(rng) < loss) {
        ++dropped;
        continue;
      }
      ++forwarded;
      std::string q = question_key(buf, n);
      if (!log_file.empty()) log.push_back(Logged{mailrep::io::Clock::now(), q});
      questions.insert(std::move(q));
      send_later(it->second.upstream_fd, std::vector<char>(buf, buf + n), up);
    }
  });
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << ntohs(me.sin_port) << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  } else {
    std::cout << ntohs(me.sin_port) << std::endl;
  }
  while (!g_stop) loop.run_once(std::chrono::milliseconds(100));
  if (!log_file.empty()) {
    std::ofstream out(log_file);
    for (const auto& l : log) {
      const std::string& q = l.question;
      std::string name;
      std::size_t i = 0;
      while (i < q.size() && q.size() - i > 5) {
        auto label = static_cast<unsigned char>(q[i]);
        name += q.substr(i + 1, label) + ".";
        i += 1 + label;
      }
      unsigned type = q.size() >= 5 ? (static_cast<unsigned char>(q[q.size() - 4]) << 8 | static_cast<unsigned char>(q[q.size() - 3])) : 0;
      out << std::chrono::duration<double, std::milli>(l.at - log.front().at).count() << " " << type << " "
          << (name.empty() ? "." : name) << "\n";
    }
  }
  std::cerr << "delayproxy: forwarded " << forwarded << " returned " << returned << " dropped " << dropped
            << " distinct " << questions.size() << "\n";
  return 0;
}
