#pragma once
/// \file A small, linear HTML scanner for mail bodies: visible text, links with their text, images,
/// active content (scripts, forms, iframes, objects). Not a DOM: one pass, no recursion, hard caps
/// on the bytes read, the links and images kept and the text collected. Also finds bare URLs in
/// plain text.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mailrep::content {

inline constexpr std::size_t max_html_bytes = 8u * 1024u * 1024u;  ///< scanned per HTML part
inline constexpr std::size_t max_links = 10000;                    ///< links kept per message
inline constexpr std::size_t max_images = 2000;                    ///< images kept per part
inline constexpr std::size_t max_text_bytes = 1024u * 1024u;       ///< visible text kept per part
inline constexpr std::size_t max_link_text = 300;                  ///< characters of a link's text kept

struct HtmlLink {
  std::string href;  ///< entity-decoded attribute value
  std::string text;  ///< the visible text inside the <a> (whitespace collapsed, capped)
};

struct HtmlImage {
  std::string src;
  bool remote = false;  ///< http(s) or protocol-relative source
  bool pixel = false;   ///< width/height 0 or 1, or hidden: a tracking pixel
};

struct HtmlScan {
  std::string text;                ///< visible text, whitespace collapsed to single spaces
  std::vector<HtmlLink> links;     ///< <a href>, <area href> (at most max_links)
  std::vector<HtmlImage> images;   ///< <img src> (at most max_images)
  std::size_t links_seen = 0;      ///< including those past the cap
  std::size_t images_seen = 0;
  std::size_t scripts = 0, forms = 0, iframes = 0, embeds = 0;
  std::size_t base64_images = 0;   ///< data: image sources
  bool truncated = false;          ///< the input was longer than max_html_bytes: the rest was not read
};

/// Scans `html` (UTF-8 or ASCII-compatible). Never fails; broken markup is read as far as it goes.
/// `link_budget` is how many more links may be kept (the message-wide cap).
[[nodiscard]] HtmlScan scan_html(std::string_view html, std::size_t link_budget = max_links);

/// Decodes character references (&amp; &#64; &#x40; and the common named ones).
[[nodiscard]] std::string decode_entities(std::string_view s);

/// True when the text looks like HTML (a template file without headers).
[[nodiscard]] bool looks_like_html(std::string_view text);

/// Bare URLs in plain text ("https://...", "http://...", "www...."); at most `budget` are added to
/// `out`; `seen` counts all.
void find_text_urls(std::string_view text, std::vector<std::string>& out, std::size_t& seen, std::size_t budget);

}  // namespace mailrep::content
