#pragma once
/// \file Loop: one thread, one epoll set, a timer heap and a ready queue of coroutines.
///
/// Callbacks from C libraries never resume coroutines directly: they call `post(handle)`, and
/// the loop resumes posted handles only between I/O dispatches, so nothing re-enters c-ares or curl.
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>

#include "mailrep/io/task.hpp"

namespace mailrep::io {

using Clock = std::chrono::steady_clock;

class Loop {
public:
  using FdCallback = std::function<void(bool readable, bool writable)>;
  using TimerCallback = std::function<void()>;
  using TimerId = std::uint64_t;

  Loop();
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  /// Watch fd for readability (always) and writability (if `want_write`). Replaces an earlier watch.
  void watch(int fd, bool want_write, FdCallback cb);
  void unwatch(int fd);

  TimerId add_timer(Clock::time_point when, TimerCallback cb);
  void cancel_timer(TimerId id);

  /// Resume `h` on the next turn of the loop.
  void post(std::coroutine_handle<> h);

  /// An awaitable that resumes after `d` (on this loop).
  struct SleepAwaiter {
    Loop& loop;
    Clock::duration d;
    bool await_ready() const noexcept { return d <= Clock::duration::zero(); }
    void await_suspend(std::coroutine_handle<> h);
    void await_resume() const noexcept {}
  };
  [[nodiscard]] SleepAwaiter sleep(Clock::duration d) { return SleepAwaiter{*this, d}; }

  /// One turn: wait for I/O or the next timer (at most `max_wait`), dispatch, run ready handles.
  /// Returns false when there is nothing left to wait for.
  bool run_once(Clock::duration max_wait = std::chrono::seconds(1));
  /// Run until `done()` is true or nothing is left to wait for.
  void run_until(const std::function<bool()>& done);

  template <class T>
  T run(Task<T> task) {
    run_until([&] { return task.done(); });
    return task.take();
  }

private:
  void run_ready();
  int m_epfd = -1;
  std::unordered_map<int, FdCallback> m_fds;
  std::multimap<Clock::time_point, std::pair<TimerId, TimerCallback>> m_timers;
  std::unordered_map<TimerId, std::multimap<Clock::time_point, std::pair<TimerId, TimerCallback>>::iterator> m_timer_index;
  TimerId m_next_timer = 1;
  std::deque<std::coroutine_handle<>> m_ready;
};

}  // namespace mailrep::io
