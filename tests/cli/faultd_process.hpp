#pragma once
/// \file mailrep-faultd (tests/support/faultd_main.cpp) as a child process of a CLI test: a DNS
/// server on loopback that answers what a script says, e.g. "rule * * drop" for one that never
/// answers. The binary is looked up beside the running test binary (build/mailrep-faultd).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace mailrep::test {

class FaultdProcess {
public:
  /// Starts mailrep-faultd with `script` (mailrep-faultd's script format) and waits until it
  /// writes its port file. On failure port() is 0 and error() says why.
  explicit FaultdProcess(const std::string& script) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path binary = fs::read_symlink("/proc/self/exe", ec).parent_path() / "mailrep-faultd";
    if (ec || !fs::exists(binary, ec)) {
      m_error = "no mailrep-faultd beside the test binary (" + binary.string() + "): build target mailrep-faultd";
      return;
    }
    std::string dir_template = (fs::temp_directory_path(ec) / "mailrep-faultd-XXXXXX").string();
    if (mkdtemp(dir_template.data()) == nullptr) {
      m_error = "mkdtemp failed";
      return;
    }
    m_dir = dir_template;
    const std::string script_path = (m_dir / "script").string();
    const std::string port_path = (m_dir / "port").string();
    const std::string log_path = (m_dir / "stderr").string();
    {
      std::ofstream out(script_path);
      out << script << "\n";
    }
    m_pid = fork();
    if (m_pid < 0) {
      m_error = "fork failed";
      return;
    }
    if (m_pid == 0) {
      std::FILE* log = std::freopen(log_path.c_str(), "w", stderr);
      (void)log;
      std::string bin = binary.string(), opt = "--port-file", port_file = port_path, script_file = script_path;
      char* argv[] = {bin.data(), opt.data(), port_file.data(), script_file.data(), nullptr};
      execv(bin.c_str(), argv);
      _exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_path);
      unsigned port = 0;
      if (in >> port && port > 0 && port < 65536) {
        m_port = static_cast<std::uint16_t>(port);
        return;
      }
      int status = 0;
      if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        std::ifstream log(log_path);
        std::string line;
        std::getline(log, line);
        m_error = "mailrep-faultd exited: " + line;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    m_error = "mailrep-faultd did not write its port file within 10 s";
  }

  ~FaultdProcess() {
    if (m_pid > 0) {
      kill(m_pid, SIGTERM);
      int status = 0;
      waitpid(m_pid, &status, 0);
    }
    if (!m_dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(m_dir, ec);
    }
  }
  FaultdProcess(const FaultdProcess&) = delete;
  FaultdProcess& operator=(const FaultdProcess&) = delete;

  [[nodiscard]] std::uint16_t port() const { return m_port; }
  [[nodiscard]] std::string address() const { return "127.0.0.1:" + std::to_string(m_port); }
  [[nodiscard]] const std::string& error() const { return m_error; }

private:
  pid_t m_pid = -1;
  std::uint16_t m_port = 0;
  std::filesystem::path m_dir;
  std::string m_error;
};

}  // namespace mailrep::test
