// SPF macro-strings: tokenising, validation and expansion (RFC 7208 7).
#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/auth/spf/record.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::auth::spf {

namespace {

constexpr std::string_view k_delimiters = ".-+,/_=";

std::string hex_byte(unsigned char c) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out = "\\x";
  out += k_hex[c >> 4];
  out += k_hex[c & 0xF];
  return out;
}

ParseError make_error(std::size_t pos, std::size_t len, std::string message) {
  ParseError e;
  e.position = pos;
  e.length = len;
  e.message = std::move(message);
  return e;
}

bool letter_allowed(char lower, MacroSyntax syntax) {
  switch (lower) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
      return true;
    case 'c': case 'r': case 't':
      // RFC 7208 7.1: c, r and t are allowed only in "exp" text. Unknown modifiers are never
      // expanded, so their macro letters are only checked for being macro letters at all.
      return syntax != MacroSyntax::domain_spec;
    default:
      return false;
  }
}

bool is_macro_letter(char lower) {
  return letter_allowed(lower, MacroSyntax::explanation);
}

struct ParsedMacro {
  std::vector<MacroToken> tokens;
  bool ends_with_expand = false;     ///< the last construct was a macro-expand (incl. %% %_ %-)
  std::size_t last_expand_end = 0;   ///< byte offset just after the last macro-expand
};

void append_literal(std::vector<MacroToken>& tokens, std::string_view text) {
  if (!tokens.empty() && tokens.back().kind == MacroToken::Kind::literal) {
    tokens.back().literal.append(text);
    return;
  }
  MacroToken t;
  t.kind = MacroToken::Kind::literal;
  t.literal = std::string(text);
  tokens.push_back(std::move(t));
}

tl::expected<ParsedMacro, ParseError> parse_impl(std::string_view text, MacroSyntax syntax) {
  ParsedMacro out;
  const std::size_t n = text.size();
  std::size_t i = 0;
  std::size_t literal_start = 0;
  auto flush = [&](std::size_t end) {
    if (end > literal_start) append_literal(out.tokens, text.substr(literal_start, end - literal_start));
  };
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '%') {
      flush(i);
      if (i + 1 >= n) return tl::unexpected(make_error(i, 1, "'%' at the end of a macro-string (write %% for a percent sign)"));
      const char next = text[i + 1];
      if (next == '%' || next == '_' || next == '-') {
        append_literal(out.tokens, next == '%' ? "%" : next == '_' ? " " : "%20");
        i += 2;
      } else if (next == '{') {
        std::size_t j = i + 2;
        if (j >= n) return tl::unexpected(make_error(i, n - i, "unterminated macro (missing '}')"));
        const char letter = util::to_lower(text[j]);
        if (!is_macro_letter(letter))
          return tl::unexpected(make_error(j, 1, "unknown macro letter '" + util::sanitize(text.substr(j, 1), 8) + "'"));
        if (!letter_allowed(letter, syntax))
          return tl::unexpected(make_error(i, std::min<std::size_t>(4, n - i),
                                           std::string("macro %{") + letter + "} is allowed only in explanation text"));
        MacroToken t;
        t.kind = MacroToken::Kind::macro;
        t.letter = letter;
        t.url_escape = util::is_alpha(text[j]) && text[j] != letter;
        ++j;
        bool had_digits = false;
        std::uint64_t value = 0;
        while (j < n && util::is_digit(text[j])) {
          had_digits = true;
          value = std::min<std::uint64_t>(value * 10 + static_cast<std::uint64_t>(text[j] - '0'), 1000000);
          ++j;
        }
        if (had_digits && value == 0)
          return tl::unexpected(make_error(i, j - i, "a macro's digit transformer must not be zero"));
        t.digits = static_cast<std::uint32_t>(value);
        if (j < n && (text[j] == 'r' || text[j] == 'R')) {
          t.reverse = true;
          ++j;
        }
        while (j < n && k_delimiters.find(text[j]) != std::string_view::npos) {
          if (t.delimiters.find(text[j]) == std::string::npos) t.delimiters += text[j];
          ++j;
        }
        if (j >= n) return tl::unexpected(make_error(i, n - i, "unterminated macro (missing '}')"));
        if (text[j] != '}')
          return tl::unexpected(make_error(j, 1, "unexpected '" + util::sanitize(text.substr(j, 1), 8) + "' in macro (expected '}')"));
        out.tokens.push_back(std::move(t));
        i = j + 1;
      } else {
        return tl::unexpected(
            make_error(i, 2, "'%' must be followed by '{', '%', '_' or '-' (write %% for a percent sign)"));
      }
      out.ends_with_expand = true;
      out.last_expand_end = i;
      literal_start = i;
      continue;
    }
    // macro-literal = %x21-24 / %x26-7E; explanation text also allows SP (RFC 7208 6.2, 7.1)
    const bool ok = (c >= 0x21 && c <= 0x7E) || (c == ' ' && syntax == MacroSyntax::explanation);
    if (!ok) {
      std::string what = c == ' ' ? std::string("space") : hex_byte(c);
      return tl::unexpected(make_error(i, 1, "invalid character " + what + " in macro-string"));
    }
    out.ends_with_expand = false;
    ++i;
  }
  flush(n);
  return out;
}

// RFC 7208 7.1: toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool valid_toplabel(std::string_view l) {
  if (l.empty()) return false;
  bool has_alpha = false, has_dash = false;
  for (char c : l) {
    if (c == '-') has_dash = true;
    else if (util::is_alpha(c)) has_alpha = true;
    else if (!util::is_digit(c)) return false;
  }
  if (!has_dash) return has_alpha;
  return util::is_alnum(l.front()) && util::is_alnum(l.back());
}

std::string url_escape(std::string_view s) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (util::is_alnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += ch;
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 0xF];
    }
  }
  return out;
}

// RFC 7208 7.3: split on the delimiters, optionally reverse, keep the right-most `digits` parts,
// join with ".".
std::string transform(std::string_view value, const MacroToken& t) {
  if (t.digits == 0 && !t.reverse && t.delimiters.empty()) return std::string(value);
  const std::string_view delims = t.delimiters.empty() ? std::string_view(".") : std::string_view(t.delimiters);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || delims.find(value[i]) != std::string_view::npos) {
      parts.push_back(value.substr(start, i - start));
      start = i + 1;
    }
  }
  if (t.reverse) std::reverse(parts.begin(), parts.end());
  std::size_t first = 0;
  if (t.digits != 0 && t.digits < parts.size()) first = parts.size() - t.digits;
  std::string out;
  for (std::size_t i = first; i < parts.size(); ++i) {
    if (i != first) out += '.';
    out.append(parts[i]);
  }
  return out;
}

std::string format_int(std::int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, p);
}

}  // namespace

tl::expected<std::vector<MacroToken>, ParseError> parse_macro_string(std::string_view text, MacroSyntax syntax) {
  auto parsed = parse_impl(text, syntax);
  if (!parsed) return tl::unexpected(parsed.error());
  return std::move(parsed->tokens);
}

std::optional<ParseError> check_domain_spec(std::string_view text) {
  if (text.empty()) return make_error(0, 0, "empty domain-spec");
  auto parsed = parse_impl(text, MacroSyntax::domain_spec);
  if (!parsed) return parsed.error();
  if (parsed->ends_with_expand) return std::nullopt;
  // domain-end = ( "." toplabel [ "." ] ) / macro-expand
  std::string_view tail = text.substr(parsed->last_expand_end);
  const std::size_t tail_pos = parsed->last_expand_end;
  if (!tail.empty() && tail.back() == '.') tail.remove_suffix(1);
  const auto dot = tail.rfind('.');
  if (dot == std::string_view::npos)
    return make_error(tail_pos, tail.size(), "domain-spec must end in '.' and a top-level label, or in a macro");
  const std::string_view label = tail.substr(dot + 1);
  if (!valid_toplabel(label)) {
    std::string why = label.empty() ? "empty top-level label"
                                    : "invalid top-level label '" + util::sanitize(label, 80) +
                                          "' (letters, digits and inner dashes; not all digits)";
    return make_error(tail_pos + dot + 1, label.size(), std::move(why));
  }
  return std::nullopt;
}

bool uses_macro(std::string_view text, char letter) {
  const char want = util::to_lower(letter);
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (text[i + 1] == '{') {
      if (want == 0 || util::to_lower(text[i + 2]) == want) return true;
      i += 2;
    } else {
      ++i;  // %% %_ %- (or an error): skip the second char
    }
  }
  return false;
}

std::string macro_ip(const util::IpAddress& ip) {
  if (ip.is_v4()) return ip.to_string();
  // RFC 7208 7.3: 32 dot-separated nibbles. Hex case is not significant to DNS; upper case is what
  // the openspf/pyspf suite expects in explanations (v-macro-ip6), the RFC's 7.4 example is lower.
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(63);
  for (std::size_t i = 0; i < 16; ++i) {
    const auto b = ip.bytes()[i];
    if (i) out += '.';
    out += k_hex[b >> 4];
    out += '.';
    out += k_hex[b & 0xF];
  }
  return out;
}

std::optional<std::string> expand_tokens(const std::vector<MacroToken>& tokens, const MacroValues& v) {
  std::string out;
  for (const auto& t : tokens) {
    if (t.kind == MacroToken::Kind::literal) {
      if (out.size() + t.literal.size() > k_max_expansion) return std::nullopt;
      out += t.literal;
      continue;
    }
    std::string value;
    switch (t.letter) {
      case 's': value = v.sender; break;
      case 'l': value = v.local_part; break;
      case 'o': value = v.sender_domain; break;
      case 'd': value = v.domain; break;
      case 'i': value = macro_ip(v.ip); break;
      case 'p': value = v.validated_name.value_or("unknown"); break;
      case 'v': value = v.ip.is_v4() ? "in-addr" : "ip6"; break;
      case 'h': value = v.helo; break;
      case 'c': value = v.ip.to_string(); break;
      case 'r': value = v.receiver; break;
      case 't': value = format_int(v.timestamp); break;
      default: break;
    }
    if (value.size() > k_max_expansion) return std::nullopt;
    value = transform(value, t);
    if (t.url_escape) value = url_escape(value);
    if (out.size() + value.size() > k_max_expansion) return std::nullopt;
    out += value;
  }
  return out;
}

tl::expected<std::string, ParseError> expand_macros(std::string_view text, const MacroValues& values,
                                                    MacroSyntax syntax) {
  auto parsed = parse_impl(text, syntax);
  if (!parsed) return tl::unexpected(parsed.error());
  auto out = expand_tokens(parsed->tokens, values);
  if (!out) return tl::unexpected(make_error(0, text.size(), "macro expansion too long"));
  return std::move(*out);
}

std::optional<std::string> to_query_name(std::string_view expanded) {
  std::string_view name = expanded;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  // RFC 7208 7.3: if the expanded name is longer than 253 characters, remove labels from the left.
  while (name.size() > 253) {
    const auto dot = name.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    name.remove_prefix(dot + 1);
  }
  if (name.empty()) return std::nullopt;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '.') {
      const std::size_t len = i - start;
      if (len == 0 || len > 63) return std::nullopt;
      start = i + 1;
    }
  }
  return std::string(name);
}

}  // namespace mailrep::auth::spf
