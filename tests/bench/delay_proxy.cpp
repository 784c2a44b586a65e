// mailrep-delayproxy: a UDP relay on loopback that holds every packet for a fixed delay in each
// direction, to benchmark against a real round-trip time without tc netem.
//
//   mailrep-delayproxy --upstream 127.0.0.1:PORT --delay-ms 10 [--loss PERCENT --seed N] --port-file F
//
// Packets from a client go to the upstream from a socket of their own per client address, so
// replies find their way back. Prints counters on SIGTERM/SIGINT to stderr.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
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
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
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

}  // namespace

int main(int argc, char** argv) {
  std::string upstream = "127.0.0.1:53", port_file;
  long delay_ms = 10;
  double loss = 0;
  unsigned seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--upstream") upstream = v;
    else if (k == "--delay-ms") delay_ms = std::stol(v);
    else if (k == "--loss") loss = std::stod(v);
    else if (k == "--seed") seed = static_cast<unsigned>(std::stoul(v));
    else if (k == "--port-file") port_file = v;
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
  int listen_fd = udp_socket(0);
  sockaddr_in me{};
  socklen_t len = sizeof me;
  getsockname(listen_fd, reinterpret_cast<sockaddr*>(&me), &len);
  std::map<std::pair<std::uint32_t, std::uint16_t>, Client> clients;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> coin(0, 100);
  std::uint64_t forwarded = 0, returned = 0, dropped = 0;
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
  std::cerr << "delayproxy: forwarded " << forwarded << " returned " << returned << " dropped " << dropped << "\n";
  return 0;
}
