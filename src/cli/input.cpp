#include "input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "mailrep/util/text.hpp"

namespace mailrep::cli {
namespace {

Result<InputText> read_fd(int fd, const std::string& name, std::size_t max_bytes) {
  InputText in;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(ErrorCode::io, "cannot read " + name + (errno == EISDIR ? ": is a directory" : ""));
    }
    if (n == 0) break;
    in.data.append(buf, static_cast<std::size_t>(n));
    if (in.data.size() > max_bytes) {
      in.data.resize(max_bytes + 1);
      in.truncated = true;
      break;
    }
  }
  return in;
}

}  // namespace

Result<InputText> read_input(const std::vector<std::string>& args, std::string_view command, std::size_t max_bytes) {
  if (args.size() > 1)
    return fail(ErrorCode::invalid_input, std::string(command) + ": give one FILE, or '-' (or nothing) for standard input");
  if (args.empty() || args.front() == "-") return read_fd(STDIN_FILENO, "standard input", max_bytes);
  const std::string& path = args.front();
  const std::string shown = "'" + util::sanitize(path, 200) + "'";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    return fail(ErrorCode::io, "cannot open " + shown +
                                   (e == ENOENT   ? ": no such file"
                                    : e == EACCES ? ": permission denied"
                                                  : ": cannot be opened"));
  }
  auto r = read_fd(fd, shown, max_bytes);
  ::close(fd);
  return r;
}

}  // namespace mailrep::cli
