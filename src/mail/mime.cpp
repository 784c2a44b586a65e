#include "mailrep/mail/mime.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

#include "mailrep/util/text.hpp"

namespace mailrep::mail {
namespace {

// Windows-1252 0x80..0x9F as Unicode code points (0 = undefined: read as the C1 control).
constexpr std::array<std::uint16_t, 32> k_cp1252 = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::uint32_t cp1252(unsigned char b) {
  if (b >= 0x80 && b < 0xA0) {
    const std::uint16_t v = k_cp1252[b - 0x80];
    return v != 0 ? v : b;
  }
  return b;
}

std::uint32_t latin9_cp(unsigned char b) {
  switch (b) {
    case 0xA4: return 0x20AC;
    case 0xA6: return 0x0160;
    case 0xA8: return 0x0161;
    case 0xB4: return 0x017D;
    case 0xB8: return 0x017E;
    case 0xBC: return 0x0152;
    case 0xBD: return 0x0153;
    case 0xBE: return 0x0178;
    default: return b;
  }
}

/// Length of the valid UTF-8 sequence at s[i], 0 when invalid.
std::size_t utf8_seq(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

std::string normalise_charset(std::string_view cs) {
  std::string c = util::lower(util::trim(cs));
  // "utf-8*lang" (RFC 2231 language suffix) and quotes.
  if (auto star = c.find('*'); star != std::string::npos) c.erase(star);
  std::string out;
  for (char ch : c)
    if (ch != '"' && ch != '\'') out += ch;
  return out;
}

}  // namespace

const std::string* HeaderBlock::get(std::string_view name) const {
  for (const Header& h : headers)
    if (util::iequals(h.name, name)) return &h.value;
  return nullptr;
}

std::vector<const std::string*> HeaderBlock::all(std::string_view name) const {
  std::vector<const std::string*> out;
  for (const Header& h : headers)
    if (util::iequals(h.name, name)) out.push_back(&h.value);
  return out;
}

bool is_header_line(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 76) return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

Entity split_entity(std::string_view text) {
  Entity e;
  std::size_t pos = 0;
  auto next_line = [&text](std::size_t from, std::size_t& end_of_line) {
    std::size_t nl = text.find('\n', from);
    end_of_line = nl == std::string_view::npos ? text.size() : nl;
    return text.substr(from, end_of_line - from);
  };
  std::size_t eol = 0;
  std::string_view first = next_line(pos, eol);
  if (first.substr(0, 5) == "From " && !is_header_line(first)) {
    pos = eol < text.size() ? eol + 1 : text.size();
    first = next_line(pos, eol);
  }
  if (!is_header_line(first)) {
    e.body = text;
    return e;
  }
  while (pos < text.size()) {
    std::string_view line = next_line(pos, eol);
    const std::size_t after = eol < text.size() ? eol + 1 : text.size();
    if (line.empty() || util::trim(line).empty()) {
      pos = after;
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      if (!e.headers.headers.empty()) {
        std::string& v = e.headers.headers.back().value;
        std::string_view cont = util::trim(line);
        if (v.size() + cont.size() + 1 <= max_header_bytes) {
          if (!v.empty()) v += ' ';
          v += cont;
        }
      }
      pos = after;
      continue;
    }
    if (!is_header_line(line)) break;  // no blank line before the body: the body starts here
    const std::size_t colon = line.find(':');
    if (e.headers.headers.size() < max_headers) {
      Header h;
      h.name = std::string(line.substr(0, colon));
      std::string_view v = util::trim(line.substr(colon + 1));
      h.value = std::string(v.substr(0, max_header_bytes));
      e.headers.headers.push_back(std::move(h));
    }
    pos = after;
  }
  e.body = text.substr(std::min(pos, text.size()));
  return e;
}

std::string_view ContentType::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

ContentType parse_content_type(const std::string* header_value) {
  ContentType ct;
  if (header_value == nullptr) {
    ct.type = "text/plain";
    return ct;
  }
  std::string_view v = *header_value;
  // type/subtype up to ';'
  std::size_t semi = v.find(';');
  ct.type = util::lower(util::trim(v.substr(0, semi)));
  if (auto sp = ct.type.find_first_of(" \t("); sp != std::string::npos) ct.type.erase(sp);
  if (ct.type.find('/') == std::string::npos) ct.type = "text/plain";
  std::size_t i = semi == std::string_view::npos ? v.size() : semi + 1;
  while (i < v.size() && ct.params.size() < 32) {
    while (i < v.size() && (util::is_space(v[i]) || v[i] == ';')) ++i;
    std::size_t eq = v.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name = util::lower(util::trim(v.substr(i, eq - i)));
    i = eq + 1;
    while (i < v.size() && util::is_space(v[i])) ++i;
    std::string value;
    if (i < v.size() && v[i] == '"') {
      ++i;
      while (i < v.size() && v[i] != '"') {
        if (v[i] == '\\' && i + 1 < v.size()) ++i;
        value += v[i++];
      }
      if (i < v.size()) ++i;
    } else {
      while (i < v.size() && v[i] != ';' && !util::is_space(v[i])) value += v[i++];
    }
    ct.params.emplace_back(std::move(name), std::move(value));
  }
  return ct;
}

std::string decode_qp(std::string_view in, bool underscore_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '_' && underscore_is_space) {
      out += ' ';
    } else if (c == '=') {
      // soft line break: "=" then optional whitespace then LF
      std::size_t j = i + 1;
      while (j < in.size() && (in[j] == ' ' || in[j] == '\t' || in[j] == '\r')) ++j;
      if (j < in.size() && in[j] == '\n') {
        i = j;
        continue;
      }
      if (j >= in.size()) {
        i = j;
        continue;
      }
      const int hi = i + 1 < in.size() ? util::hex_digit_value(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? util::hex_digit_value(in[i + 2]) : -1;
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
      out += '=';
    } else {
      out += c;
    }
  }
  return out;
}

std::string decode_base64(std::string_view in, bool* broken) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  std::uint32_t acc = 0;
  int bits = 0;
  bool damaged = false;
  bool padding = false;
  for (char c : in) {
    if (c == '=') {
      padding = true;
      continue;
    }
    const int v = b64_value(c);
    if (v < 0) {
      if (!util::is_space(c)) damaged = true;
      continue;
    }
    if (padding) damaged = true;  // data after padding: concatenated or broken; keep decoding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  if (bits >= 6) damaged = true;
  if (broken != nullptr && damaged) *broken = true;
  return out;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_seq(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  const std::string cs = normalise_charset(charset);
  const bool latin1 = cs == "iso-8859-1" || cs == "iso8859-1" || cs == "latin1" || cs == "latin-1" || cs == "l1" ||
                      cs == "iso_8859-1" || cs == "iso-ir-100";
  const bool latin9 = cs == "iso-8859-15" || cs == "iso8859-15" || cs == "latin9" || cs == "latin-9" ||
                      cs == "iso_8859-15";
  const bool win = cs == "windows-1252" || cs == "cp1252" || cs == "x-cp1252";
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  if (latin1 || latin9 || win) {
    for (char ch : bytes) {
      const auto b = static_cast<unsigned char>(ch);
      append_utf8(out, latin9 ? latin9_cp(b) : win ? cp1252(b) : b);
    }
    return out;
  }
  // UTF-8, ASCII and unknown: keep valid UTF-8 sequences, read stray bytes as windows-1252.
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = utf8_seq(bytes, i);
    if (n == 0) {
      append_utf8(out, cp1252(static_cast<unsigned char>(bytes[i])));
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string decode_rfc2047(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  bool last_was_word = false;
  std::size_t pending_ws_start = std::string::npos;
  std::size_t words = 0;
  while (i < value.size()) {
    if (value.substr(i, 2) == "=?" && words < 200) {
      // =?charset?enc?text?=
      // An encoded word is at most 75 characters (RFC 2047 2); look no further than 1000.
      const std::string_view window = value.substr(0, std::min(value.size(), i + 1000));
      const std::size_t q1 = window.find('?', i + 2);
      const std::size_t q2 = q1 == std::string_view::npos ? q1 : window.find('?', q1 + 1);
      const std::size_t end = q2 == std::string_view::npos ? q2 : window.find("?=", q2 + 1);
      if (end != std::string_view::npos && q2 == q1 + 2) {
        const std::string_view cs = value.substr(i + 2, q1 - i - 2);
        const char enc = util::to_upper(value[q1 + 1]);
        const std::string_view text = value.substr(q2 + 1, end - q2 - 1);
        if (enc == 'B' || enc == 'Q') {
          const std::string raw = enc == 'B' ? decode_base64(text) : decode_qp(text, true);
          if (last_was_word && pending_ws_start != std::string::npos) out.erase(pending_ws_start);
          out += to_utf8(raw, cs);
          ++words;
          i = end + 2;
          last_was_word = true;
          pending_ws_start = std::string::npos;
          continue;
        }
      }
    }
    const char c = value[i];
    if (util::is_space(c)) {
      if (pending_ws_start == std::string::npos) pending_ws_start = out.size();
    } else {
      last_was_word = false;
      pending_ws_start = std::string::npos;
    }
    out += c;
    ++i;
  }
  if (!is_valid_utf8(out)) return to_utf8(out, "windows-1252");
  return out;
}

std::string decode_body(std::string_view body, std::string_view transfer_encoding, bool* broken) {
  const std::string te = util::lower(util::trim(transfer_encoding));
  if (te == "base64") return decode_base64(body, broken);
  if (te == "quoted-printable") return decode_qp(body);
  return std::string(body);
}

}  // namespace mailrep::mail
