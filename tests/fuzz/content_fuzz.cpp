// libFuzzer target: the content checks' HTML scanner, URL parser, bare-URL finder and the whole
// pure analysis (MIME walk, headers, attachments), with their caps as invariants.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/content/content.hpp"
#include "mailrep/content/html.hpp"
#include "mailrep/content/url.hpp"
#include "mailrep/data/shorteners.hpp"

namespace {
const mailrep::data::Shorteners& shorteners() {
  static const mailrep::data::Shorteners s = [] {
    auto r = mailrep::data::load_shorteners(std::string(MAILREP_SOURCE_DIR) + "/lists/shorteners.toml");
    if (!r) __builtin_trap();
    return std::move(*r);
  }();
  return s;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mailrep::content;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const HtmlScan scan = scan_html(text, 64);
  if (scan.links.size() > 64 || scan.links.size() > scan.links_seen) __builtin_trap();
  if (scan.images.size() > max_images || scan.text.size() > max_text_bytes) __builtin_trap();
  for (const auto& l : scan.links) {
    if (l.text.size() > max_link_text) __builtin_trap();
    const Url u = parse_url(l.href);
    if (u.text.size() > max_url_bytes || u.host.size() > 255) __builtin_trap();
    if (u.kind == HostKind::name && (u.host.empty() || u.host.size() > 253)) __builtin_trap();
  }
  const Url whole = parse_url(text.substr(0, 2 * max_url_bytes));
  if (whole.text.size() > max_url_bytes) __builtin_trap();
  (void)domain_in_text(text.substr(0, 400));

  std::vector<std::string> urls;
  std::size_t seen = 0;
  find_text_urls(text, urls, seen, 16);
  if (urls.size() > 16 || urls.size() > seen) __builtin_trap();

  const Analysis a = analyse(text, shorteners());
  if (a.links.size() > max_links || a.parts.size() > max_entities) __builtin_trap();
  for (const auto& f : a.findings)
    if (f.id.empty()) __builtin_trap();
  (void)list_zip(text);
  return 0;
}
