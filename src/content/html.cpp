/// \file The linear HTML scanner (see html.hpp): one pass, bounded, no recursion.
#include "mailrep/content/html.hpp"

#include <cstdint>

#include "mailrep/content/url.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::content {
namespace {

constexpr std::size_t k_max_attrs = 32;
constexpr std::size_t k_max_name = 32;

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// Case-insensitive search for an ASCII needle (lower case) from `from`.
std::size_t find_ci(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i) {
    if (util::to_lower(hay[i]) != needle[0]) continue;
    std::size_t k = 1;
    while (k < needle.size() && util::to_lower(hay[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

/// Appends text with runs of white space collapsed to one space, up to `cap` bytes.
void append_collapsed(std::string& out, std::string_view s, std::size_t cap) {
  for (char c : s) {
    if (out.size() >= cap) return;
    if (util::is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
}

struct Attr {
  std::string name;
  std::string value;
};

struct Tag {
  std::string name;  ///< lower case, without '/'
  bool closing = false;
  std::vector<Attr> attrs;
  [[nodiscard]] const std::string* get(std::string_view n) const {
    for (const auto& a : attrs)
      if (a.name == n) return &a.value;
    return nullptr;
  }
};

/// Reads a tag starting at html[i] == '<'. Returns the index after '>' (or the end).
std::size_t read_tag(std::string_view html, std::size_t i, Tag& tag) {
  const std::size_t n = html.size();
  std::size_t p = i + 1;
  if (p < n && html[p] == '/') {
    tag.closing = true;
    ++p;
  }
  while (p < n && (util::is_alnum(html[p]) || html[p] == '-' || html[p] == ':')) {
    if (tag.name.size() < k_max_name) tag.name += util::to_lower(html[p]);
    ++p;
  }
  while (p < n) {
    while (p < n && (util::is_space(html[p]) || html[p] == '/')) ++p;
    if (p >= n) break;
    if (html[p] == '>') return p + 1;
    std::string name;
    while (p < n && !util::is_space(html[p]) && html[p] != '=' && html[p] != '>' && html[p] != '/') {
      if (name.size() < k_max_name) name += util::to_lower(html[p]);
      ++p;
    }
    if (name.empty() && p < n && html[p] == '=') ++p;  // a stray '=': skip it
    while (p < n && util::is_space(html[p])) ++p;
    std::string_view value;
    if (p < n && html[p] == '=') {
      ++p;
      while (p < n && util::is_space(html[p])) ++p;
      if (p < n && (html[p] == '"' || html[p] == '\'')) {
        const char q = html[p++];
        const std::size_t close = html.find(q, p);
        const std::size_t stop = close == std::string_view::npos ? n : close;
        value = html.substr(p, stop - p);
        p = close == std::string_view::npos ? n : close + 1;
      } else {
        const std::size_t start = p;
        while (p < n && !util::is_space(html[p]) && html[p] != '>') ++p;
        value = html.substr(start, p - start);
      }
    }
    if (!name.empty() && tag.attrs.size() < k_max_attrs)
      tag.attrs.push_back(Attr{std::move(name), decode_entities(value.substr(0, max_url_bytes))});
  }
  return n;
}

bool is_block(std::string_view name) {
  static constexpr std::string_view blocks[] = {"br", "p", "div", "td", "th", "tr", "li", "ul", "ol", "table", "h1",
                                                "h2", "h3", "h4", "h5", "h6", "hr", "center", "blockquote", "section"};
  for (auto b : blocks)
    if (name == b) return true;
  return false;
}

bool tiny(const std::string* v) {
  if (!v) return false;
  std::string_view s = util::trim(*v);
  if (util::iends_with(s, "px")) s.remove_suffix(2);
  return s == "0" || s == "1";
}

bool hidden_style(const std::string* style) {
  if (!style) return false;
  std::string compact;
  for (char c : *style)
    if (!util::is_space(c)) compact += util::to_lower(c);
  return compact.find("display:none") != std::string::npos || compact.find("visibility:hidden") != std::string::npos ||
         compact.find("width:1px") != std::string::npos || compact.find("width:0") != std::string::npos ||
         compact.find("height:1px") != std::string::npos || compact.find("height:0") != std::string::npos;
}

}  // namespace

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t amp = s.find('&', i);
    if (amp == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    out.append(s.substr(i, amp - i));
    i = amp;
    const std::size_t semi = s.find(';', amp);
    if (semi == std::string_view::npos || semi - amp > 12) {
      out += '&';
      ++i;
      continue;
    }
    std::string_view ent = s.substr(amp + 1, semi - amp - 1);
    bool done = true;
    if (!ent.empty() && ent[0] == '#') {
      std::uint32_t cp = 0;
      bool ok = ent.size() > 1;
      if (ok && (ent[1] == 'x' || ent[1] == 'X')) {
        ok = ent.size() > 2;
        for (char c : ent.substr(2)) {
          int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
          if (v < 0) ok = false;
          else cp = cp * 16 + static_cast<std::uint32_t>(v);
        }
      } else {
        for (char c : ent.substr(1)) {
          if (!util::is_digit(c)) ok = false;
          else cp = cp * 10 + static_cast<std::uint32_t>(c - '0');
        }
      }
      if (ok) append_utf8(out, cp);
      else done = false;
    } else if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent == "nbsp") out += ' ';
    else if (ent == "auml") out += "\xC3\xA4";
    else if (ent == "ouml") out += "\xC3\xB6";
    else if (ent == "uuml") out += "\xC3\xBC";
    else if (ent == "Auml") out += "\xC3\x84";
    else if (ent == "Ouml") out += "\xC3\x96";
    else if (ent == "Uuml") out += "\xC3\x9C";
    else if (ent == "szlig") out += "\xC3\x9F";
    else if (ent == "euro") out += "\xE2\x82\xAC";
    else done = false;
    if (done) {
      i = semi + 1;
    } else {
      out += '&';
      ++i;
    }
  }
  return out;
}

HtmlScan scan_html(std::string_view html, std::size_t link_budget) {
  HtmlScan scan;
  if (html.size() > max_html_bytes) {
    scan.truncated = true;
    html = html.substr(0, max_html_bytes);
  }
  const std::size_t n = html.size();
  std::size_t i = 0;
  bool in_anchor = false;
  std::size_t anchor = 0;  // index into scan.links of the open <a>
  auto add_text = [&](std::string_view raw) {
    const std::string t = decode_entities(raw);
    append_collapsed(scan.text, t, max_text_bytes);
    if (in_anchor && anchor < scan.links.size()) append_collapsed(scan.links[anchor].text, t, max_link_text);
  };
  while (i < n) {
    if (html[i] != '<') {
      std::size_t lt = html.find('<', i);
      if (lt == std::string_view::npos) lt = n;
      add_text(html.substr(i, lt - i));
      i = lt;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      const std::size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? n : end + 3;
      continue;
    }
    if (i + 1 < n && (html[i + 1] == '!' || html[i + 1] == '?')) {
      const std::size_t end = html.find('>', i);
      i = end == std::string_view::npos ? n : end + 1;
      continue;
    }
    const bool tag_start = i + 1 < n && (util::is_alpha(html[i + 1]) || (html[i + 1] == '/' && i + 2 < n && util::is_alpha(html[i + 2])));
    if (!tag_start) {
      add_text(html.substr(i, 1));
      ++i;
      continue;
    }
    Tag tag;
    i = read_tag(html, i, tag);
    const std::string& name = tag.name;
    if (is_block(name)) append_collapsed(scan.text, " ", max_text_bytes);
    if (tag.closing) {
      if (name == "a") in_anchor = false;
      continue;
    }
    if (name == "script" || name == "style" || name == "title" || name == "textarea") {
      if (name == "script") ++scan.scripts;
      const std::string close = "</" + name;
      const std::size_t end = find_ci(html, close, i);
      if (end == std::string_view::npos) {
        i = n;
      } else {
        const std::size_t gt = html.find('>', end);
        i = gt == std::string_view::npos ? n : gt + 1;
      }
      continue;
    }
    if (name == "a" || name == "area") {
      const std::string* href = tag.get("href");
      if (href) {
        ++scan.links_seen;
        if (scan.links.size() < link_budget) {
          scan.links.push_back(HtmlLink{std::string(util::trim(*href)), {}});
          if (name == "a") {
            in_anchor = true;
            anchor = scan.links.size() - 1;
          }
        } else if (name == "a") {
          in_anchor = false;
        }
      }
    } else if (name == "img") {
      ++scan.images_seen;
      const std::string* src = tag.get("src");
      HtmlImage img;
      if (src) img.src = std::string(util::trim(*src));
      img.remote = util::istarts_with(img.src, "http://") || util::istarts_with(img.src, "https://") ||
                   util::istarts_with(img.src, "//");
      if (util::istarts_with(img.src, "data:")) ++scan.base64_images;
      img.pixel = (tiny(tag.get("width")) && tiny(tag.get("height"))) || hidden_style(tag.get("style")) ||
                  tag.get("hidden") != nullptr;
      if (scan.images.size() < max_images) scan.images.push_back(std::move(img));
      // The alt text is what a reader sees when images are blocked.
      if (const std::string* alt = tag.get("alt")) {
        append_collapsed(scan.text, " ", max_text_bytes);
        if (in_anchor && anchor < scan.links.size()) append_collapsed(scan.links[anchor].text, *alt, max_link_text);
      }
    } else if (name == "form") {
      ++scan.forms;
    } else if (name == "iframe" || name == "frame") {
      ++scan.iframes;
    } else if (name == "object" || name == "embed" || name == "applet") {
      ++scan.embeds;
    }
  }
  // Trim the collapsed text.
  while (!scan.text.empty() && scan.text.back() == ' ') scan.text.pop_back();
  if (!scan.text.empty() && scan.text.front() == ' ') scan.text.erase(0, 1);
  for (auto& l : scan.links) {
    while (!l.text.empty() && l.text.back() == ' ') l.text.pop_back();
    if (!l.text.empty() && l.text.front() == ' ') l.text.erase(0, 1);
  }
  return scan;
}

bool looks_like_html(std::string_view text) {
  const std::string_view head = text.substr(0, 8192);
  for (std::string_view marker : {"<html", "<body", "<!doctype html", "<div", "<table", "<p>", "<p ", "<a ", "<br", "<img "})
    if (find_ci(head, marker, 0) != std::string_view::npos) return true;
  return false;
}

void find_text_urls(std::string_view text, std::vector<std::string>& out, std::size_t& seen, std::size_t budget) {
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    const char c = util::to_lower(text[i]);
    std::size_t len = 0;
    if (c == 'h' && (util::istarts_with(text.substr(i, 8), "https://") || util::istarts_with(text.substr(i, 7), "http://"))) {
      len = 1;
    } else if (c == 'w' && util::istarts_with(text.substr(i, 4), "www.") && (i == 0 || (!util::is_alnum(text[i - 1]) && text[i - 1] != '/' && text[i - 1] != '.'))) {
      len = 1;
    }
    if (len == 0) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < n && !util::is_space(text[end]) && text[end] != '<' && text[end] != '>' && text[end] != '"' && text[end] != '\'')
      ++end;
    std::string_view url = text.substr(i, end - i);
    while (!url.empty() && (url.back() == '.' || url.back() == ',' || url.back() == ';' || url.back() == ':' ||
                            url.back() == '!' || url.back() == '?' || url.back() == ')'))
      url.remove_suffix(1);
    if (url.size() > 8) {
      ++seen;
      if (out.size() < budget) out.emplace_back(url.substr(0, max_url_bytes));
    }
    i = end;
  }
}

}  // namespace mailrep::content
