// libFuzzer target: MTA-STS policy bodies, TXT records and MX pattern matching.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailrep/auth/mtasts/mtasts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto policy = mailrep::auth::mtasts::parse_policy(text);
  for (const auto& p : policy.problems)
    if (p.position > text.size()) __builtin_trap();
  for (const auto& pattern : policy.mx) (void)mailrep::auth::mtasts::mx_matches(pattern, "mx1.example.com");
  (void)mailrep::auth::mtasts::parse_record(text);
  const auto nl = text.find('\n');
  if (nl != std::string_view::npos) (void)mailrep::auth::mtasts::mx_matches(text.substr(0, nl), text.substr(nl + 1));
  return 0;
}
