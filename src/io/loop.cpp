#include "mailrep/io/loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace mailrep::io {

Loop::Loop() : m_epfd(epoll_create1(EPOLL_CLOEXEC)) {}

Loop::~Loop() {
  if (m_epfd >= 0) ::close(m_epfd);
}

void Loop::watch(int fd, bool want_write, FdCallback cb) {
  epoll_event ev{};
  ev.events = EPOLLIN | (want_write ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  bool known = m_fds.count(fd) != 0;
  m_fds[fd] = std::move(cb);
  if (epoll_ctl(m_epfd, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev) != 0 && errno == ENOENT)
    epoll_ctl(m_epfd, EPOLL_CTL_ADD, fd, &ev);
}

void Loop::unwatch(int fd) {
  if (m_fds.erase(fd)) epoll_ctl(m_epfd, EPOLL_CTL_DEL, fd, nullptr);
}

Loop::TimerId Loop::add_timer(Clock::time_point when, TimerCallback cb) {
  TimerId id = m_next_timer++;
  auto it = m_timers.emplace(when, std::make_pair(id, std::move(cb)));
  m_timer_index.emplace(id, it);
  return id;
}

void Loop::cancel_timer(TimerId id) {
  auto it = m_timer_index.find(id);
  if (it == m_timer_index.end()) return;
  m_timers.erase(it->second);
  m_timer_index.erase(it);
}

void Loop::post(std::coroutine_handle<> h) { m_ready.push_back(h); }

void Loop::SleepAwaiter::await_suspend(std::coroutine_handle<> h) {
  Loop* l = &loop;
  loop.add_timer(Clock::now() + d, [l, h] { l->post(h); });
}

void Loop::run_ready() {
  while (!m_ready.empty()) {
    auto h = m_ready.front();
    m_ready.pop_front();
    h.resume();
  }
}

bool Loop::run_once(Clock::duration max_wait) {
  run_ready();
  if (m_fds.empty() && m_timers.empty()) return false;
  auto now = Clock::now();
  auto wait = max_wait;
  if (!m_timers.empty()) {
    auto until = m_timers.begin()->first - now;
    if (until < wait) wait = until;
  }
  if (wait < Clock::duration::zero()) wait = Clock::duration::zero();
  // Round up so we do not spin on sub-millisecond remainders.
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
  epoll_event events[256];
  int n = epoll_wait(m_epfd, events, 256, static_cast<int>(ms));
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    auto it = m_fds.find(fd);
    if (it == m_fds.end()) continue;
    bool readable = (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0;
    bool writable = (events[i].events & EPOLLOUT) != 0;
    FdCallback cb = it->second;  // the callback may unwatch fd
    cb(readable, writable);
  }
  now = Clock::now();
  while (!m_timers.empty() && m_timers.begin()->first <= now) {
    auto it = m_timers.begin();
    auto cb = std::move(it->second.second);
    m_timer_index.erase(it->second.first);
    m_timers.erase(it);
    cb();
  }
  run_ready();
  return true;
}

void Loop::run_until(const std::function<bool()>& done) {
  run_ready();
  while (!done()) {
    if (!run_once()) {
      run_ready();
      if (m_fds.empty() && m_timers.empty() && m_ready.empty()) break;
    }
  }
}

}  // namespace mailrep::io
