// libFuzzer target: DKIM key records and key decoding (base64 + OpenSSL DER parsing).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailrep/auth/dkim/dkim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto rec = mailrep::auth::dkim::parse_key_record(text);
  for (const auto& p : rec.problems)
    if (p.position > text.size()) __builtin_trap();
  if (rec.has_p) (void)mailrep::auth::dkim::decode_key(rec.key_type, rec.p);
  // the raw input as p= of each type
  (void)mailrep::auth::dkim::decode_key(mailrep::auth::dkim::KeyType::rsa, text);
  (void)mailrep::auth::dkim::decode_key(mailrep::auth::dkim::KeyType::ed25519, text);
  return 0;
}
