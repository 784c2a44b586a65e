#include "mailrep/dns/ares_resolver.hpp"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <list>
#include <unordered_map>

#include "mailrep/util/text.hpp"
#include "wire.hpp"

namespace mailrep::dns {

std::string ServerAddress::to_string() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

Result<ServerAddress> parse_server(std::string_view text) {
  ServerAddress s;
  std::string_view host = util::trim(text);
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return fail(ErrorCode::invalid_input, "resolver address: missing ']'");
    std::string_view rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail(ErrorCode::invalid_input, "resolver address: expected ':' after ']'");
      port = rest.substr(1);
    }
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    auto colon = host.find(':');
    port = host.substr(colon + 1);
    host = host.substr(0, colon);
  }
  auto ip = util::IpAddress::parse(host);
  if (!ip)
    return fail(ErrorCode::invalid_input,
                "resolver '" + util::sanitize(text) + "' is not an IP address (use HOST[:PORT] with a literal address)");
  s.host = ip->to_string();
  if (!port.empty()) {
    auto p = util::parse_uint(port, 65535);
    if (!p || *p == 0) return fail(ErrorCode::invalid_input, "resolver '" + util::sanitize(text) + "': bad port");
    s.port = static_cast<std::uint16_t>(*p);
  }
  return s;
}

Result<std::vector<ServerAddress>> servers_from_resolv_conf(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::io, "cannot read " + path);
  std::vector<ServerAddress> out;
  std::string line;
  while (std::getline(in, line)) {
    auto words = util::split_ws(line);
    if (words.size() >= 2 && words[0] == "nameserver") {
      std::string_view addr = words[1];
      if (auto pct = addr.find('%'); pct != std::string_view::npos) addr = addr.substr(0, pct);
      if (auto ip = util::IpAddress::parse(addr)) out.push_back(ServerAddress{ip->to_string(), 53});
    }
  }
  if (out.empty()) return fail(ErrorCode::io, "no nameserver in " + path);
  return out;
}

bool is_public_resolver(const ServerAddress& s) {
  static const char* const k_public[] = {
      "8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112", "208.67.222.222", "208.67.220.220",
      "94.140.14.14", "94.140.15.15", "76.76.2.0", "76.76.10.0", "185.228.168.9", "185.228.169.9", "64.6.64.6",
      "64.6.65.6", "4.2.2.1", "4.2.2.2", "2001:4860:4860::8888", "2001:4860:4860::8844", "2606:4700:4700::1111",
      "2606:4700:4700::1001", "2620:fe::fe", "2620:fe::9", "2620:119:35::35", "2620:119:53::53"};
  for (const char* p : k_public)
    if (s.host == p) return true;
  return false;
}

namespace {

struct ChannelFree {
  void operator()(ares_channel ch) const { ares_destroy(ch); }
};
using ChannelPtr = std::unique_ptr<std::remove_pointer_t<ares_channel>, ChannelFree>;

struct Waiter {
  std::coroutine_handle<> handle;
  Answer* out = nullptr;
};

std::string make_key(const std::string& name, RrType type) {
  return name + "|" + std::to_string(static_cast<unsigned>(type));
}

}  // namespace

struct AresResolver::Impl {
  struct Channel {
    Impl* owner = nullptr;
    ChannelPtr channel;
    ServerAddress server;
    std::string label;  // server.to_string(), made once: every answer names its server
  };
  struct Flight {
    Query query;
    std::vector<Waiter> waiters;
    int attempts_sent = 0;
    int outstanding = 0;            // attempts whose callback has not come yet
    std::uint64_t generation = 0;   // tells this flight from an earlier one of the same key
    io::Loop::TimerId hedge = 0;    // the adaptive retransmission timer (cancelled when the flight ends)
    Answer last;                    // the outcome of the latest failed attempt
    Impl* owner = nullptr;
    const std::string* key = nullptr;  // the flights map's own key (stable while the flight lives)
  };
  struct Attempt {  // the c-ares callback argument
    Impl* impl;
    std::string key;
    std::size_t channel;
    std::uint64_t generation;
    io::Clock::time_point sent_at;
  };

  io::Loop& loop;
  ResolverOptions options;
  std::vector<std::unique_ptr<Channel>> channels;
  std::unordered_map<std::string, Flight> flights;
  std::deque<std::string> pending;  // keys waiting for a slot in the window
  std::size_t in_flight = 0;
  std::unordered_map<std::string, Answer> cache;
  std::deque<std::string> cache_order;
  ResolverStats stats;
  io::Loop::TimerId timer = 0;
  bool destroying = false;

  // Per-zone rate limits: a token bucket per zone; queries wait in the zone's queue, outside the
  // window, until a token is there.
  struct ZoneLimit {
    double qps = 0, burst = 1, tokens = 1;
    io::Clock::time_point refilled{};
    std::deque<std::string> queue;
    io::Loop::TimerId timer = 0;
  };
  std::unordered_map<std::string, ZoneLimit> zone_limits;

  Impl(io::Loop& l, ResolverOptions o) : loop(l), options(std::move(o)) {}

  ~Impl() {
    destroying = true;
    if (timer) loop.cancel_timer(timer);
    for (auto& [zone, z] : zone_limits)
      if (z.timer) loop.cancel_timer(z.timer);
    for (auto& [key, f] : flights)
      if (f.hedge) loop.cancel_timer(f.hedge);
    channels.clear();  // ares_destroy calls callbacks with ARES_EDESTRUCTION
  }

  static void sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* ch = static_cast<Channel*>(data);
    Impl* self = ch->owner;
    if (!readable && !writable) {
      self->loop.unwatch(fd);
      return;
    }
    self->loop.watch(fd, writable != 0, [ch, fd](bool r, bool w) {
      ares_process_fd(ch->channel.get(), r ? fd : ARES_SOCKET_BAD, w ? fd : ARES_SOCKET_BAD);
      ch->owner->ensure_timer();
    });
  }

  Result<void> init() {
    for (const auto& server : options.servers) {
      auto ch = std::make_unique<Channel>();
      ch->owner = this;
      ch->server = server;
      ch->label = server.to_string();
      ares_options opts{};
      int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF | ARES_OPT_SOCK_SNDBUF;
      // NOCHECKRESP: hand us SERVFAIL/REFUSED instead of silently skipping the server (c-ares 1.18).
      // NOSEARCH/NOALIASES: query exactly the name given. Failover and retries are ours.
      opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_STAYOPEN;
      opts.timeout = static_cast<int>(options.timeout.count());
      opts.tries = 1;
      opts.sock_state_cb = &Impl::sock_state;
      opts.sock_state_cb_data = ch.get();
      // A big receive buffer: hundreds of answers may arrive between two turns of the loop
      // (GNU adns loses them and resends ~8 times without one). The kernel caps it at rmem_max.
      opts.socket_receive_buffer_size = 1 << 21;
      opts.socket_send_buffer_size = 1 << 21;  // a burst of a whole window must not hit EAGAIN
      ares_channel raw = nullptr;
      int rc = ares_init_options(&raw, &opts, mask);
      if (rc != ARES_SUCCESS) return fail(ErrorCode::dns, std::string("c-ares init failed: ") + ares_strerror(rc));
      ch->channel.reset(raw);
      ares_addr_port_node node{};
      node.next = nullptr;
      node.udp_port = server.port;
      node.tcp_port = server.port;
      if (server.host.find(':') != std::string::npos) {
        node.family = AF_INET6;
        inet_pton(AF_INET6, server.host.c_str(), &node.addr.addr6);
      } else {
        node.family = AF_INET;
        inet_pton(AF_INET, server.host.c_str(), &node.addr.addr4);
      }
      rc = ares_set_servers_ports(raw, &node);
      if (rc != ARES_SUCCESS) return fail(ErrorCode::dns, std::string("c-ares server setup failed: ") + ares_strerror(rc));
      channels.push_back(std::move(ch));
    }
    return {};
  }

  // c-ares' timeouts need ares_process_fd(BAD, BAD) when they are due. ares_timeout() walks every
  // open query (c-ares 1.18), so it is called only when the timer fires; in between, a new attempt
  // only makes sure some timer is armed: every attempt has the same timeout, so an armed timer is
  // never later than the earliest deadline.
  void ensure_timer() {
    if (destroying || timer) return;
    arm_at(io::Clock::now() + options.timeout + std::chrono::milliseconds(1));
  }

  void arm_at(io::Clock::time_point when) {
    timer = loop.add_timer(when, [this] {
      timer = 0;
      for (auto& ch : channels) ares_process_fd(ch->channel.get(), ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      rearm();
    });
  }

  void rearm() {
    if (destroying) return;
    if (timer) {
      loop.cancel_timer(timer);
      timer = 0;
    }
    timeval best{};
    bool any = false;
    for (auto& ch : channels) {
      timeval tv{};
      if (ares_timeout(ch->channel.get(), nullptr, &tv)) {
        if (!any || tv.tv_sec < best.tv_sec || (tv.tv_sec == best.tv_sec && tv.tv_usec < best.tv_usec)) best = tv;
        any = true;
      }
    }
    if (!any) return;
    arm_at(io::Clock::now() + std::chrono::seconds(best.tv_sec) + std::chrono::microseconds(best.tv_usec));
  }

  // Slow start: the window opens at k_initial_window and grows by one per response, so it doubles
  // every round trip up to --concurrency. A whole window sent at once overflows a server's socket
  // buffer (Debian's default rmem holds ~256 small datagrams; Knot then drops the rest) and every
  // lost packet costs a full timeout; answers clock the sending instead.
  static constexpr std::size_t k_initial_window = 128;
  std::size_t cwnd = k_initial_window;

  // A resolver that has answered nothing at all while k_trip_after queries failed for good is
  // unreachable (nothing listens, or every datagram is lost): the queries still waiting, in the
  // window's queue or a zone's rate queue, fail at once with the same reason instead of each
  // costing its own attempts (a paced list would otherwise hold an unreachable run for minutes).
  // The first response of any kind closes the breaker again.
  static constexpr std::uint64_t k_trip_after = 20;
  std::uint64_t failed_unanswered = 0;
  bool tripped = false;
  Answer trip_answer;

  void fail_unsent(const std::string& key) {
    auto node = flights.extract(key);
    if (node.empty()) return;
    Answer a = trip_answer;
    a.query = node.mapped().query;
    for (auto& w : node.mapped().waiters) {
      *w.out = a;
      loop.post(w.handle);
    }
  }

  void trip(const Answer& last) {
    tripped = true;
    trip_answer = last;
    trip_answer.detail = "not sent: the resolver answered none of " + std::to_string(failed_unanswered) +
                         " queries (last: " + last.detail + ")";
    while (!pending.empty()) {
      std::string key = std::move(pending.front());
      pending.pop_front();
      fail_unsent(key);
    }
    for (auto& [zone, z] : zone_limits) {
      if (z.timer) loop.cancel_timer(z.timer);
      z.timer = 0;
      while (!z.queue.empty()) {
        std::string key = std::move(z.queue.front());
        z.queue.pop_front();
        fail_unsent(key);
      }
    }
  }

  void start_pending() {
    if (tripped) {
      while (!pending.empty()) {
        std::string key = std::move(pending.front());
        pending.pop_front();
        fail_unsent(key);
      }
      return;
    }
    while (!pending.empty() && in_flight < std::min(options.concurrency, cwnd)) {
      std::string next = std::move(pending.front());
      pending.pop_front();
      ++in_flight;
      if (in_flight > stats.max_in_flight) stats.max_in_flight = in_flight;
      send(next);
    }
  }

  void submit(const std::string& key, const std::string& name) {
    if (tripped) {
      fail_unsent(key);
      return;
    }
    if (!zone_limits.empty()) {
      if (auto* z = zone_limit_of(name)) {
        refill(*z);
        if (z->tokens < 1 || !z->queue.empty()) ++stats.rate_delayed;
        z->queue.push_back(key);
        drain_zone(*z);
        return;
      }
    }
    pending.push_back(key);
    start_pending();
  }

  /// The limit of the closest enclosing zone of `name`, if any (at most one map look-up per label).
  ZoneLimit* zone_limit_of(std::string_view name) {
    for (;;) {
      if (auto it = zone_limits.find(std::string(name)); it != zone_limits.end()) return &it->second;
      auto dot = name.find('.');
      if (dot == std::string_view::npos) return nullptr;
      name.remove_prefix(dot + 1);
    }
  }

  void refill(ZoneLimit& z) {
    auto now = io::Clock::now();
    double elapsed = std::chrono::duration<double>(now - z.refilled).count();
    z.tokens = std::min(z.burst, z.tokens + elapsed * z.qps);
    z.refilled = now;
  }

  void drain_zone(ZoneLimit& z) {
    refill(z);
    while (!z.queue.empty() && z.tokens >= 1) {
      z.tokens -= 1;
      pending.push_back(std::move(z.queue.front()));
      z.queue.pop_front();
    }
    start_pending();
    if (z.queue.empty() || z.timer || destroying) return;
    auto wait = std::chrono::duration<double>((1 - z.tokens) / z.qps);
    z.timer = loop.add_timer(io::Clock::now() + std::chrono::duration_cast<io::Clock::duration>(wait) +
                                 std::chrono::microseconds(50),
                             [this, &z] {
                               z.timer = 0;
                               drain_zone(z);
                             });
  }

  // Adaptive retransmission (RFC 6298 style): an attempt without an answer after the RTO gets a
  // second attempt to the next server while the first stays open, so a lost datagram costs about
  // one RTO instead of the whole --timeout-ms. Bounded by 1 + retries attempts per query.
  static constexpr auto k_min_rto = std::chrono::milliseconds(300);
  double srtt_ms = -1, rttvar_ms = 0;
  std::uint64_t next_generation = 1;

  std::chrono::milliseconds rto() const {
    if (srtt_ms < 0) return options.timeout;
    auto v = std::chrono::milliseconds(static_cast<long>(srtt_ms + 4 * rttvar_ms));
    return std::clamp(v, std::min(k_min_rto, options.timeout), options.timeout);
  }

  void sample_rtt(io::Clock::time_point sent_at) {
    double ms = std::chrono::duration<double, std::milli>(io::Clock::now() - sent_at).count();
    if (srtt_ms < 0) {
      srtt_ms = ms;
      rttvar_ms = ms / 2;
    } else {
      rttvar_ms = 0.75 * rttvar_ms + 0.25 * std::abs(srtt_ms - ms);
      srtt_ms = 0.875 * srtt_ms + 0.125 * ms;
    }
  }

  void send(const std::string& key) {
    Flight& f = flights.at(key);
    std::size_t idx = static_cast<std::size_t>(f.attempts_sent) % channels.size();
    ++f.attempts_sent;
    ++f.outstanding;
    ++stats.sent;
    if (f.hedge) loop.cancel_timer(f.hedge);
    f.hedge = 0;
    if (f.attempts_sent < 1 + options.retries) {
      // The flight outlives its hedge timer (finish() and the next send() cancel it), so the
      // callback holds just the flight: no key copy, small enough for std::function's own storage.
      Flight* flight = &f;
      f.hedge = loop.add_timer(io::Clock::now() + rto(), [flight] {
        Impl* self = flight->owner;
        flight->hedge = 0;
        ++self->stats.retries;
        self->send(*flight->key);
        self->ensure_timer();
      });
    }
    auto* attempt = new Attempt{this, key, idx, f.generation, io::Clock::now()};
    // Last: c-ares may call on_answer synchronously (a bad name), which can end the flight.
    ares_query(channels[idx]->channel.get(), f.query.name.c_str(), 1 /* class IN */, static_cast<int>(f.query.type),
               &Impl::on_answer, attempt);
    ensure_timer();
  }

  static void on_answer(void* arg, int status, int /*timeouts*/, unsigned char* abuf, int alen) {
    std::unique_ptr<Attempt> attempt(static_cast<Attempt*>(arg));
    Impl* self = attempt->impl;
    if (status == ARES_EDESTRUCTION || self->destroying) return;
    auto it = self->flights.find(attempt->key);
    if (it == self->flights.end() || it->second.generation != attempt->generation) return;  // a late duplicate
    Flight& f = it->second;
    --f.outstanding;
    Answer a;
    if (abuf && alen > 0) {
      ++self->stats.responses;
      self->tripped = false;
      self->sample_rtt(attempt->sent_at);
      if (self->cwnd < self->options.concurrency) ++self->cwnd;
      a = detail::parse_response(f.query, abuf, static_cast<std::size_t>(alen));
    } else {
      a.query = f.query;
      switch (status) {
        case ARES_ETIMEOUT: a.outcome = Outcome::timeout; a.detail = "no answer (timeout)"; break;
        case ARES_ECONNREFUSED: a.outcome = Outcome::timeout; a.detail = "connection refused by the server"; break;
        case ARES_EBADRESP: a.outcome = Outcome::malformed; a.detail = "malformed response"; break;
        case ARES_EBADNAME: a.outcome = Outcome::error; a.detail = "invalid query name"; break;
        case ARES_ENOMEM: a.outcome = Outcome::error; a.detail = "out of memory"; break;
        default: a.outcome = Outcome::error; a.detail = ares_strerror(status); break;
      }
    }
    a.server = self->channels[attempt->channel]->label;
    // Retry what may succeed elsewhere or later; facts and malformed answers are final.
    bool retryable = a.outcome == Outcome::timeout || a.outcome == Outcome::servfail ||
                     (a.outcome == Outcome::refused && self->channels.size() > 1) ||
                     (a.outcome == Outcome::malformed && self->channels.size() > 1);
    if (retryable && f.attempts_sent < 1 + self->options.retries) {
      ++self->stats.retries;
      f.last = std::move(a);
      self->send(attempt->key);
      return;
    }
    if (retryable && f.outstanding > 0) {  // another attempt is still open: wait for it
      f.last = std::move(a);
      return;
    }
    self->finish(attempt->key, std::move(a));
  }

  void finish(const std::string& key, Answer a) {
    const bool trips = !tripped && stats.responses == 0 && a.outcome == Outcome::timeout && ++failed_unanswered >= k_trip_after;
    if (trips) trip(a);
    auto node = flights.extract(key);
    Flight& f = node.mapped();
    if (f.hedge) loop.cancel_timer(f.hedge);
    for (auto& w : f.waiters) {
      *w.out = a;
      loop.post(w.handle);
    }
    if (options.cache_entries > 0 && a.outcome != Outcome::error) {
      if (cache.size() >= options.cache_entries && !cache_order.empty()) {
        cache.erase(cache_order.front());
        cache_order.pop_front();
      }
      if (cache.emplace(key, std::move(a)).second) cache_order.push_back(key);
    }
    --in_flight;
    start_pending();
  }

  struct Awaiter {
    Impl* impl;
    std::string key;
    Query query;
    Answer result;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      auto [it, fresh] = impl->flights.try_emplace(key);
      it->second.waiters.push_back(Waiter{h, &result});
      if (fresh) {
        it->second.owner = impl;
        it->second.key = &it->first;
        it->second.query = query;
        it->second.generation = impl->next_generation++;
        impl->submit(key, query.name);
        impl->ensure_timer();
      } else {
        ++impl->stats.deduplicated;
      }
    }
    Answer await_resume() { return std::move(result); }
  };
};

AresResolver::AresResolver(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
AresResolver::~AresResolver() = default;

Result<std::unique_ptr<AresResolver>> AresResolver::create(io::Loop& loop, ResolverOptions options) {
  static const int k_init = ares_library_init(ARES_LIB_INIT_ALL);
  if (k_init != ARES_SUCCESS) return fail(ErrorCode::dns, "c-ares library init failed");
  if (options.servers.empty()) return fail(ErrorCode::invalid_input, "no DNS resolver configured");
  if (options.concurrency == 0) options.concurrency = 1;
  if (options.retries < 0) options.retries = 0;
  if (options.timeout.count() <= 0) options.timeout = std::chrono::milliseconds(1);
  auto impl = std::make_unique<Impl>(loop, std::move(options));
  if (auto ok = impl->init(); !ok) return tl::unexpected(ok.error());
  return std::unique_ptr<AresResolver>(new AresResolver(std::move(impl)));
}

void AresResolver::limit_zone(std::string_view zone, double qps, double burst) {
  std::string key = util::lower(zone);
  while (!key.empty() && key.back() == '.') key.pop_back();
  if (!(qps > 0)) return;
  auto& z = m_impl->zone_limits[key];
  z.qps = qps;
  z.burst = std::max(1.0, burst);
  if (z.refilled == io::Clock::time_point{}) {
    z.tokens = z.burst;
    z.refilled = io::Clock::now();
  }
  z.tokens = std::min(z.tokens, z.burst);
}

const ResolverStats& AresResolver::stats() const { return m_impl->stats; }
const ResolverOptions& AresResolver::options() const { return m_impl->options; }

io::Task<Answer> AresResolver::lookup(Query query) {
  Impl* impl = m_impl.get();
  ++impl->stats.lookups;
  std::string name = util::lower(query.name);
  while (name.size() > 1 && name.back() == '.') name.pop_back();
  query.name = name;
  if (!is_valid_query_name(name)) {
    Answer bad;
    bad.query = query;
    bad.outcome = Outcome::error;
    bad.detail = "invalid query name '" + util::sanitize(name, 300) + "'";
    co_return bad;
  }
  std::string key = make_key(name, query.type);
  if (auto it = impl->cache.find(key); it != impl->cache.end()) {
    ++impl->stats.deduplicated;
    co_return it->second;
  }
  // A named awaiter: GCC 12 mishandles the lifetime of aggregate temporaries in co_await.
  Impl::Awaiter awaiter{impl, std::move(key), std::move(query), {}};
  Answer a = co_await awaiter;
  co_return a;
}

}  // namespace mailrep::dns
