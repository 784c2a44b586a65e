#pragma once
/// \file TableResolver: a dns::Resolver that answers from a table, for unit tests.
///
/// Synchronous: lookup() returns a Task that is already finished, so code under test runs to
/// completion without an io::Loop (a Task from check_host() is done() right after the call).
/// Behaves like an authoritative server holding all the data:
///  - records of the asked type at the name -> answer
///  - a CNAME at the name (another type asked) -> followed (at most 16 steps; the chain is
///    reported in Answer::cnames; a loop ends in NODATA, like the FaultServer)
///  - the name has other types only, or is an empty non-terminal -> NODATA; else NXDOMAIN
///  - a fault set with set_outcome() wins over data (for that type, or every type)
/// Every lookup is logged, so tests can assert exactly which queries were sent.
#include <coroutine>
#include <cstddef>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"

namespace mailrep::test {

class TableResolver final : public dns::Resolver {
public:
  /// Owner and CNAME/PTR/MX targets are stored lower case without a trailing dot.
  void add(dns::Record r);
  void add_a(std::string_view name, std::string_view address);      ///< A or AAAA by the address form
  void add_txt(std::string_view name, std::string_view text);       ///< split into 255-byte strings
  void add_txt_strings(std::string_view name, std::vector<std::string> strings);
  void add_mx(std::string_view name, std::uint16_t priority, std::string_view host);
  void add_ptr(std::string_view name, std::string_view target);
  void add_cname(std::string_view name, std::string_view target);
  /// Answer `name` (for `type`, or any type when nullopt) with `outcome` and no records.
  void set_outcome(std::string_view name, std::optional<dns::RrType> type, dns::Outcome outcome);
  /// Forget data, faults and the log.
  void clear();

  io::Task<dns::Answer> lookup(dns::Query query) override;
  /// The answer lookup() would give, without logging.
  [[nodiscard]] dns::Answer answer(const dns::Query& query) const;

  [[nodiscard]] const std::vector<dns::Query>& log() const { return m_log; }
  void clear_log() { m_log.clear(); }
  /// Queries logged for (name, type); names compare case-insensitively.
  [[nodiscard]] std::size_t count(std::string_view name, dns::RrType type) const;
  [[nodiscard]] std::size_t count(dns::RrType type) const;

private:
  struct Fault {
    std::string name;
    std::optional<dns::RrType> type;
    dns::Outcome outcome;
  };
  [[nodiscard]] const Fault* fault_for(const std::string& name, dns::RrType type) const;
  [[nodiscard]] bool exists(const std::string& name) const;

  std::map<std::string, std::vector<dns::Record>> m_records;
  std::vector<Fault> m_faults;
  std::vector<dns::Query> m_log;
};

/// Answers from a TableResolver one "round trip" at a time, to test concurrency without a loop:
/// every lookup waits for the next round; an answer given once is cached (like AresResolver), and
/// identical lookups waiting in the same round share it (in-flight de-duplication). rounds() is
/// what the wall time would be in round trips. Drive it with run(), which also lets detached
/// lookups finish, so nothing leaks.
class SteppedResolver final : public dns::Resolver {
public:
  explicit SteppedResolver(TableResolver& table) : m_table(table) {}

  io::Task<dns::Answer> lookup(dns::Query query) override;

  /// Run rounds until `task` is done and no lookup is pending; return its value.
  template <class T>
  T run(io::Task<T> task) {
    while (!task.done() && !m_pending.empty()) round();
    while (!m_pending.empty()) round();
    return task.take();
  }
  [[nodiscard]] int rounds() const { return m_rounds; }
  [[nodiscard]] int lookups() const { return m_lookups; }
  [[nodiscard]] std::size_t max_in_flight() const { return m_max_in_flight; }

private:
  struct Wait {
    SteppedResolver* self;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      self->m_pending.push_back(h);
      if (self->m_pending.size() > self->m_max_in_flight) self->m_max_in_flight = self->m_pending.size();
    }
    void await_resume() const noexcept {}
  };
  void round();

  TableResolver& m_table;
  std::vector<std::coroutine_handle<>> m_pending;
  std::set<std::string> m_answered;
  int m_rounds = 0;
  int m_lookups = 0;
  std::size_t m_max_in_flight = 0;
};

/// Lower case, without one trailing dot.
[[nodiscard]] std::string normalize_name(std::string_view name);

}  // namespace mailrep::test
