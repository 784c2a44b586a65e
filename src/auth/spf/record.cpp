// SPF record parsing (RFC 7208 4.5, 4.6.1, 5, 6, 12 ABNF). Pure: text in, Record out.
#include "mailrep/auth/spf/record.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include "mailrep/util/text.hpp"

namespace mailrep::auth::spf {

char qualifier_char(Qualifier q) {
  switch (q) {
    case Qualifier::pass: return '+';
    case Qualifier::fail: return '-';
    case Qualifier::softfail: return '~';
    case Qualifier::neutral: return '?';
  }
  return '+';
}

std::string_view to_string(Mechanism m) {
  switch (m) {
    case Mechanism::all: return "all";
    case Mechanism::include: return "include";
    case Mechanism::a: return "a";
    case Mechanism::mx: return "mx";
    case Mechanism::ptr: return "ptr";
    case Mechanism::ip4: return "ip4";
    case Mechanism::ip6: return "ip6";
    case Mechanism::exists: return "exists";
  }
  return "all";
}

bool is_spf_record(std::string_view txt) {
  return util::istarts_with(txt, "v=spf1") && (txt.size() == 6 || txt[6] == ' ');
}

namespace {

constexpr std::array<std::pair<std::string_view, Mechanism>, 8> k_mechanisms{{
    {"all", Mechanism::all},
    {"include", Mechanism::include},
    {"a", Mechanism::a},
    {"mx", Mechanism::mx},
    {"ptr", Mechanism::ptr},
    {"ip4", Mechanism::ip4},
    {"ip6", Mechanism::ip6},
    {"exists", Mechanism::exists},
}};

class TermParser {
public:
  TermParser(Record& rec, std::string_view term, std::size_t pos) : m_rec(rec), m_term(term), m_pos(pos) {}

  void run();

private:
  void error(std::size_t offset, std::size_t len, std::string message) {
    ParseError e;
    e.position = m_pos + offset;
    e.length = len;
    e.message = std::move(message);
    e.term = util::sanitize(m_term, 200);
    m_rec.errors.push_back(std::move(e));
  }
  void error_from(std::size_t offset, const ParseError& inner, std::string_view what) {
    error(offset + inner.position, inner.length, std::string(what) + ": " + inner.message);
  }
  void parse_modifier(std::string_view name, std::size_t name_start);
  void parse_mechanism(Term t, std::string_view name, std::size_t name_end);
  bool parse_domain_spec_part(Term& t, std::string_view rest, std::size_t rest_offset, bool required);
  bool parse_dual_cidr(Term& t, std::string_view& rest, std::size_t rest_offset);
  bool parse_ip(Term& t, std::string_view rest, std::size_t rest_offset, bool v6);

  Record& m_rec;
  std::string_view m_term;
  std::size_t m_pos;
};

// ip4-cidr-length = "/" ("0" / %x31-39 0*1DIGIT); ip6-cidr-length = "/" ("0" / %x31-39 0*2DIGIT)
std::optional<unsigned> parse_cidr_digits(std::string_view digits, unsigned max) {
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;  // RFC 7208 5.6: no leading zeros
  unsigned v = 0;
  for (char c : digits) {
    if (!util::is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

// ip4-network = qnum "." qnum "." qnum "." qnum; qnum is 0-255 without leading zeros.
bool is_strict_ipv4(std::string_view s) {
  int parts = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t start = i;
    unsigned v = 0;
    while (i < s.size() && util::is_digit(s[i]) && i - start < 4) {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      ++i;
    }
    const std::size_t len = i - start;
    if (len == 0 || len > 3 || v > 255 || (len > 1 && s[start] == '0')) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
  return parts == 4;
}

std::size_t trailing_digits(std::string_view s) {
  std::size_t k = 0;
  while (k < s.size() && util::is_digit(s[s.size() - 1 - k])) ++k;
  return k;
}

void TermParser::run() {
  // RFC 7208 4.6.1 / 12: every byte of a term is visible ASCII; terms are separated by SP only.
  for (std::size_t i = 0; i < m_term.size(); ++i) {
    const auto c = static_cast<unsigned char>(m_term[i]);
    if (c < 0x21 || c > 0x7E) {
      static constexpr char k_hex[] = "0123456789ABCDEF";
      std::string what = "\\x";
      what += k_hex[c >> 4];
      what += k_hex[c & 0xF];
      error(i, 1, "invalid character " + what + (c >= 0x80 ? " (SPF records are 7-bit ASCII)" : " (terms are separated by spaces only)"));
      return;
    }
  }
  Term t;
  std::size_t i = 0;
  switch (m_term[0]) {
    case '+': t.qualifier = Qualifier::pass; t.explicit_qualifier = true; break;
    case '-': t.qualifier = Qualifier::fail; t.explicit_qualifier = true; break;
    case '~': t.qualifier = Qualifier::softfail; t.explicit_qualifier = true; break;
    case '?': t.qualifier = Qualifier::neutral; t.explicit_qualifier = true; break;
    default: break;
  }
  if (t.explicit_qualifier) i = 1;
  // name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
  const std::size_t name_start = i;
  if (i < m_term.size() && util::is_alpha(m_term[i])) {
    ++i;
    while (i < m_term.size() && (util::is_alnum(m_term[i]) || m_term[i] == '-' || m_term[i] == '_' || m_term[i] == '.')) ++i;
  }
  const std::string_view name = m_term.substr(name_start, i - name_start);
  if (i < m_term.size() && m_term[i] == '=') {
    if (t.explicit_qualifier) {
      error(0, 1, "a modifier takes no qualifier");
      return;
    }
    if (name.empty()) {
      error(0, i + 1, "modifier without a name");
      return;
    }
    parse_modifier(name, name_start);
    return;
  }
  if (name.empty()) {
    const auto eq = m_term.find('=');
    if (eq != std::string_view::npos && m_term.find_first_of(":/") > eq)
      error(name_start, eq - name_start, "a modifier name must start with a letter");
    else if (name_start >= m_term.size())
      error(0, m_term.size(), "qualifier without a mechanism");
    else
      error(name_start, m_term.size() - name_start, "unknown mechanism");
    return;
  }
  parse_mechanism(std::move(t), name, i);
}

void TermParser::parse_modifier(std::string_view name, std::size_t name_start) {
  Modifier m;
  m.name = util::lower(name);
  const std::size_t value_offset = name_start + name.size() + 1;
  m.value = std::string(m_term.substr(value_offset));
  m.position = m_pos;
  m.length = m_term.size();
  m.text = std::string(m_term);
  if (m.name == "redirect" || m.name == "exp") {
    // RFC 7208 6: redirect= and exp= each at most once; their value is a domain-spec
    // (an empty one is a syntax error; RFC 7208 erratum for exp=).
    auto& slot = m.name == "redirect" ? m_rec.redirect : m_rec.exp;
    if (slot) {
      error(0, m_term.size(), "duplicate " + m.name + "= modifier (allowed once)");
      return;
    }
    if (m.value.empty()) {
      error(0, m_term.size(), m.name + "= needs a domain");
      return;
    }
    if (auto e = check_domain_spec(m.value)) {
      error_from(value_offset, *e, m.name + "=");
      return;
    }
    slot = m_rec.modifiers.size();
  } else {
    // unknown-modifier = name "=" macro-string (RFC 7208 6, A): kept, but must be valid macro syntax
    auto tokens = parse_macro_string(m.value, MacroSyntax::modifier);
    if (!tokens) {
      error_from(value_offset, tokens.error(), "modifier " + m.name + "=");
      return;
    }
  }
  m_rec.modifiers.push_back(std::move(m));
}

bool TermParser::parse_domain_spec_part(Term& t, std::string_view rest, std::size_t rest_offset, bool required) {
  // rest is "" or ":" domain-spec
  if (rest.empty()) {
    if (required) {
      error(0, m_term.size(), std::string(to_string(t.kind)) + " needs ':' and a domain");
      return false;
    }
    return true;
  }
  if (rest[0] != ':') {
    error(rest_offset, rest.size(), "unexpected '" + util::sanitize(rest, 80) + "' after " + std::string(to_string(t.kind)));
    return false;
  }
  const std::string_view spec = rest.substr(1);
  if (spec.empty()) {
    error(0, m_term.size(), "empty domain after '" + std::string(to_string(t.kind)) + ":'");
    return false;
  }
  if (auto e = check_domain_spec(spec)) {
    error_from(rest_offset + 1, *e, "domain-spec");
    return false;
  }
  t.domain_spec = std::string(spec);
  return true;
}

bool TermParser::parse_dual_cidr(Term& t, std::string_view& rest, std::size_t rest_offset) {
  // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], taken from the end so that a
  // domain-spec may itself contain '/'.
  std::size_t k = trailing_digits(rest);
  if (k > 0 && rest.size() >= k + 2 && rest[rest.size() - k - 1] == '/' && rest[rest.size() - k - 2] == '/') {
    const std::string_view digits = rest.substr(rest.size() - k);
    auto v = parse_cidr_digits(digits, 128);
    if (!v) {
      error(rest_offset + rest.size() - k - 2, k + 2, "invalid IPv6 prefix length //" + std::string(digits) + " (0-128, no leading zeros)");
      return false;
    }
    t.cidr6 = *v;
    rest.remove_suffix(k + 2);
  }
  k = trailing_digits(rest);
  if (k > 0 && rest.size() >= k + 1 && rest[rest.size() - k - 1] == '/') {
    const std::string_view digits = rest.substr(rest.size() - k);
    auto v = parse_cidr_digits(digits, 32);
    if (!v) {
      error(rest_offset + rest.size() - k - 1, k + 1, "invalid IPv4 prefix length /" + std::string(digits) + " (0-32, no leading zeros)");
      return false;
    }
    t.cidr4 = *v;
    rest.remove_suffix(k + 1);
  }
  return true;
}

bool TermParser::parse_ip(Term& t, std::string_view rest, std::size_t rest_offset, bool v6) {
  const char* label = v6 ? "ip6" : "ip4";
  if (rest.empty() || rest[0] != ':') {
    error(0, m_term.size(), std::string(label) + " needs ':' and a network");
    return false;
  }
  std::string_view net = rest.substr(1);
  const auto slash = net.find('/');
  std::string_view addr = net.substr(0, slash);
  std::optional<unsigned> prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = net.substr(slash + 1);
    prefix = parse_cidr_digits(digits, v6 ? 128 : 32);
    if (!prefix) {
      error(rest_offset + 1 + slash, net.size() - slash,
            std::string("invalid prefix length '/") + util::sanitize(digits, 40) + (v6 ? "' (0-128" : "' (0-32") + ", no leading zeros)");
      return false;
    }
  }
  bool ok = false;
  if (v6) {
    auto ip = addr.find(':') != std::string_view::npos ? util::IpAddress::parse(addr) : std::nullopt;
    ok = ip && ip->is_v6();
  } else {
    ok = is_strict_ipv4(addr);
  }
  if (!ok) {
    error(rest_offset + 1, addr.size(), std::string("invalid ") + (v6 ? "IPv6" : "IPv4") + " address '" + util::sanitize(addr, 80) + "'");
    return false;
  }
  std::string cidr_text(addr);
  cidr_text += '/';
  const unsigned p = prefix.value_or(v6 ? 128u : 32u);
  char buf[4];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, p);
  (void)ec;
  cidr_text.append(buf, end);
  t.network = util::Cidr::parse(cidr_text);
  if (!t.network) {
    error(rest_offset + 1, net.size(), "invalid network");
    return false;
  }
  if (v6) t.cidr6 = p;
  else t.cidr4 = p;
  return true;
}

void TermParser::parse_mechanism(Term t, std::string_view name, std::size_t name_end) {
  bool known = false;
  for (const auto& [n, kind] : k_mechanisms) {
    if (util::iequals(n, name)) {
      t.kind = kind;
      known = true;
      break;
    }
  }
  const std::size_t name_start = t.explicit_qualifier ? 1 : 0;
  if (!known) {
    std::string msg = "unknown mechanism '" + util::sanitize(name, 80) + "'";
    if (util::iequals(name, "redirect") || util::iequals(name, "exp")) msg += " (modifiers are written " + util::lower(name) + "=)";
    error(name_start, name.size(), std::move(msg));
    return;
  }
  t.position = m_pos;
  t.length = m_term.size();
  t.text = std::string(m_term);
  std::string_view rest = m_term.substr(name_end);
  bool ok = true;
  switch (t.kind) {
    case Mechanism::all:
      if (!rest.empty()) {
        error(name_end, rest.size(), "'all' takes no arguments");
        ok = false;
      }
      break;
    case Mechanism::include:
    case Mechanism::exists:
      ok = parse_domain_spec_part(t, rest, name_end, true);
      break;
    case Mechanism::ptr:
      ok = parse_domain_spec_part(t, rest, name_end, false);
      break;
    case Mechanism::a:
    case Mechanism::mx:
      ok = parse_dual_cidr(t, rest, name_end) && parse_domain_spec_part(t, rest, name_end, false);
      break;
    case Mechanism::ip4:
      ok = parse_ip(t, rest, name_end, false);
      break;
    case Mechanism::ip6:
      ok = parse_ip(t, rest, name_end, true);
      break;
  }
  if (ok) m_rec.terms.push_back(std::move(t));
}

}  // namespace

Record parse_record(std::string_view text) {
  Record rec;
  rec.text = std::string(text);
  if (!is_spf_record(text)) {
    ParseError e;
    e.position = 0;
    e.length = std::min<std::size_t>(text.size(), 6);
    e.message = "not an SPF record (it must start with \"v=spf1\" followed by a space or the end)";
    rec.errors.push_back(std::move(e));
    return rec;
  }
  std::size_t pos = 6;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    TermParser(rec, text.substr(pos, end - pos), pos).run();
    pos = end;
  }
  return rec;
}

}  // namespace mailrep::auth::spf
