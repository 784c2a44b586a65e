// libFuzzer target: the bounce reader (MIME walk, RFC 3464 fields, text shapes, headers), the
// diagnosis against the shipped receiver catalogue, and the provider report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mailrep/data/receivers.hpp"
#include "mailrep/mail/bounce.hpp"
#include "mailrep/mail/mime.hpp"

namespace {
const mailrep::data::ReceiverCatalogue& catalogue() {
  static const mailrep::data::ReceiverCatalogue cat = [] {
    auto c = mailrep::data::load_receivers(std::string(MAILREP_SOURCE_DIR) + "/lists/receivers.toml");
    if (!c) __builtin_trap();
    return std::move(*c);
  }();
  return cat;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = mailrep::mail::parse_bounce(text);
  if (parsed) {
    const auto d = mailrep::mail::diagnose(*parsed, catalogue());
    mailrep::mail::LiveCheck live;
    const std::string report = mailrep::mail::provider_report(*parsed, d, live, size % 2 == 0);
    if (report.empty()) __builtin_trap();
    for (char c : parsed->reply)
      if (static_cast<unsigned char>(c) < 0x20) __builtin_trap();  // replies are sanitised
  } else if (parsed.error().message.empty() || parsed.error().message.find('\n') != std::string::npos) {
    __builtin_trap();  // errors are one line
  }
  // The decoders on their own.
  (void)mailrep::mail::decode_rfc2047(text.substr(0, 4096));
  bool broken = false;
  (void)mailrep::mail::decode_base64(text.substr(0, 4096), &broken);
  (void)mailrep::mail::decode_qp(text.substr(0, 4096));
  (void)mailrep::mail::to_utf8(text.substr(0, 4096), size % 3 == 0 ? "iso-8859-15" : "windows-1252");
  return 0;
}
