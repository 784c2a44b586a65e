#pragma once
/// \file Task<T>: an eagerly started coroutine whose result can be awaited once.
///
/// A Task starts running when it is created and runs until its first suspension, so
/// independent work starts together simply by creating the tasks first and awaiting them
/// afterwards:
///
///     auto a = resolver.lookup(q1);      // both queries are in flight now
///     auto b = resolver.lookup(q2);
///     Answer x = co_await a;
///     Answer y = co_await b;
///
/// Destroying a Task that has not finished detaches it: the coroutine keeps running and frees
/// itself at the end. Coroutine rules (g++ 12): parameters by value, no capturing lambda
/// coroutines, one co_await per statement.
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

namespace mailrep::io {

template <class T>
class Task;

namespace detail {

struct PromiseBase {
  std::coroutine_handle<> continuation;  ///< who awaits us (resumed at the end)
  bool detached = false;                 ///< the Task object is gone; free ourselves at the end
  bool finished = false;

  std::suspend_never initial_suspend() noexcept { return {}; }
  struct FinalAwaiter {
    bool await_ready() noexcept { return false; }
    template <class P>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<P> h) noexcept {
      auto& p = h.promise();
      p.finished = true;
      if (p.detached) {
        h.destroy();
        return std::noop_coroutine();
      }
      if (p.continuation) return p.continuation;
      return std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  FinalAwaiter final_suspend() noexcept { return {}; }
  // Exceptions must not cross module boundaries; one escaping a coroutine is a bug.
  void unhandled_exception() noexcept { std::terminate(); }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
public:
  struct promise_type : detail::PromiseBase {
    std::optional<T> value;
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    template <class U>
    void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
  };

  Task() = default;
  Task(Task&& o) noexcept : m_h(std::exchange(o.m_h, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) { release(); m_h = std::exchange(o.m_h, {}); }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { release(); }

  [[nodiscard]] bool done() const { return !m_h || m_h.promise().finished; }
  [[nodiscard]] bool valid() const { return static_cast<bool>(m_h); }

  bool await_ready() const noexcept { return m_h.promise().finished; }
  void await_suspend(std::coroutine_handle<> awaiting) noexcept { m_h.promise().continuation = awaiting; }
  T await_resume() { return std::move(*m_h.promise().value); }

  /// For the top level (after the loop ran the task to completion).
  T take() { return std::move(*m_h.promise().value); }

private:
  explicit Task(std::coroutine_handle<promise_type> h) : m_h(h) {}
  void release() {
    if (!m_h) return;
    if (m_h.promise().finished) m_h.destroy();
    else m_h.promise().detached = true;
    m_h = {};
  }
  std::coroutine_handle<promise_type> m_h;
};

template <>
class [[nodiscard]] Task<void> {
public:
  struct promise_type : detail::PromiseBase {
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    void return_void() {}
  };
  Task() = default;
  Task(Task&& o) noexcept : m_h(std::exchange(o.m_h, {})) {}
  Task& operator=(Task&& o) noexcept {
    if (this != &o) { release(); m_h = std::exchange(o.m_h, {}); }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { release(); }
  [[nodiscard]] bool done() const { return !m_h || m_h.promise().finished; }
  bool await_ready() const noexcept { return m_h.promise().finished; }
  void await_suspend(std::coroutine_handle<> awaiting) noexcept { m_h.promise().continuation = awaiting; }
  void await_resume() {}

private:
  explicit Task(std::coroutine_handle<promise_type> h) : m_h(h) {}
  void release() {
    if (!m_h) return;
    if (m_h.promise().finished) m_h.destroy();
    else m_h.promise().detached = true;
    m_h = {};
  }
  std::coroutine_handle<promise_type> m_h;
};

}  // namespace mailrep::io
