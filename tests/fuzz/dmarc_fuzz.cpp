// libFuzzer target: the DMARC record parser, the tree-walk name builder and record findings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailrep/auth/dmarc/dmarc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto rec = mailrep::auth::dmarc::parse_record(text);
  for (const auto& p : rec.problems)
    if (p.position > text.size()) __builtin_trap();
  (void)mailrep::auth::dmarc::record_findings(rec, "example.com");
  (void)mailrep::auth::dmarc::tree_walk_names(text.substr(0, 300));
  return 0;
}
