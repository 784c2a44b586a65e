// Reading rejection mail: MIME walk, RFC 3464 fields, the plain-text shapes of the common MTAs,
// bare SMTP replies and received messages' headers. See include/mailrep/mail/bounce.hpp.
#include "mailrep/mail/bounce.hpp"

#include <algorithm>
#include <array>

#include "mailrep/mail/mime.hpp"
#include "mailrep/util/ip.hpp"
#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::mail {
namespace {

constexpr std::size_t k_field_max = 300;      // host names, addresses, codes
constexpr std::size_t k_text_max = 2u << 20;  // decoded text kept over all parts
constexpr int k_max_embedded_depth = 3;       // forwarded bounces inside forwarded bounces

std::string clean(std::string_view s, std::size_t max = k_field_max) {
  return util::sanitize(data::normalise_reply(s), max);
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.empty() || needle.size() > hay.size()) return needle.empty();
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
    if (util::iequals(hay.substr(i, needle.size()), needle)) return true;
  return false;
}

std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from = 0) {
  if (needle.empty()) return from;
  for (std::size_t i = from; i + needle.size() <= hay.size(); ++i)
    if (util::iequals(hay.substr(i, needle.size()), needle)) return i;
  return std::string_view::npos;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    out.push_back(line);
    pos = nl + 1;
  }
  return out;
}

// ---- input hygiene ---------------------------------------------------------------------------

/// CRLF and lone CR to LF; lines longer than max_line_bytes cut.
std::string normalise_input(std::string_view in, bool& cut) {
  std::string out;
  out.reserve(in.size());
  std::size_t line_len = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\r') {
      if (i + 1 < in.size() && in[i + 1] == '\n') continue;
      c = '\n';
    }
    if (c == '\n') {
      line_len = 0;
      out += '\n';
      continue;
    }
    if (line_len >= max_line_bytes) {
      cut = true;
      continue;
    }
    ++line_len;
    out += c;
  }
  return out;
}

/// Why the input is binary, or empty when it looks like text.
std::string binary_reason(std::string_view in) {
  const std::string_view head = in.substr(0, 64 * 1024);
  std::size_t controls = 0, high = 0;
  for (char ch : head) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return "binary data (NUL bytes)";
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 0x7f) ++controls;
    if (c >= 0x80) ++high;
  }
  if (controls * 50 > head.size()) return "binary data (control characters)";
  if (high * 3 > head.size() && !is_valid_utf8(head.substr(0, head.size() - std::min<std::size_t>(head.size(), 3))))
    return "binary data (not text in any charset)";
  return {};
}

// ---- small scanners --------------------------------------------------------------------------

bool local_char(char c) {
  return util::is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || c == '\'' || c == '!' ||
         c == '#' || c == '$' || c == '&' || c == '*' || c == '/' || c == '?' || c == '^' || c == '`' || c == '{' ||
         c == '|' || c == '}' || c == '~';
}
bool domain_char(char c) { return util::is_alnum(c) || c == '.' || c == '-'; }

/// The first e-mail address in `s` (lower-cased domain), or empty.
std::string find_address(std::string_view s) {
  for (std::size_t at = s.find('@'); at != std::string_view::npos; at = s.find('@', at + 1)) {
    std::size_t b = at;
    while (b > 0 && local_char(s[b - 1]) && at - b < 64) --b;
    std::size_t e = at + 1;
    while (e < s.size() && domain_char(s[e]) && e - at < 254) ++e;
    std::string_view local = s.substr(b, at - b);
    std::string_view domain = s.substr(at + 1, e - at - 1);
    while (!domain.empty() && (domain.back() == '.' || domain.back() == '-')) domain.remove_suffix(1);
    while (!local.empty() && local.front() == '.') local.remove_prefix(1);
    if (local.empty() || domain.find('.') == std::string_view::npos || domain.front() == '.') continue;
    return std::string(local) + "@" + util::lower(domain);
  }
  return {};
}

struct IpHit {
  std::string text;
  util::IpAddress ip;
  std::size_t pos = 0;
};

bool ip_char(char c) { return util::is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'; }

/// IP address literals in `s` (at most `max`): dotted quads and IPv6 with at least two colons.
std::vector<IpHit> find_ips(std::string_view s, std::size_t max = 16) {
  std::vector<IpHit> out;
  std::size_t i = 0;
  while (i < s.size() && out.size() < max) {
    if (i + 5 <= s.size() && util::iequals(s.substr(i, 5), "ipv6:")) i += 5;
    if (i >= s.size()) break;
    const bool start = ip_char(s[i]) && (i == 0 || !(util::is_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ':'));
    if (!start) {
      ++i;
      continue;
    }
    std::size_t e = i;
    while (e < s.size() && ip_char(s[e]) && e - i < 64) ++e;
    std::string_view tok = s.substr(i, e - i);
    while (!tok.empty() && (tok.back() == '.' || tok.back() == ':')) tok.remove_suffix(1);
    const std::size_t last_dot = tok.rfind('.');
    if (last_dot != std::string_view::npos) {
      const std::size_t colon_after = tok.find(':', last_dot);
      if (colon_after != std::string_view::npos) tok = tok.substr(0, colon_after);  // a.b.c.d:port
    }
    const auto dots = static_cast<std::size_t>(std::count(tok.begin(), tok.end(), '.'));
    const auto colons = static_cast<std::size_t>(std::count(tok.begin(), tok.end(), ':'));
    const bool shape = (colons == 0 && dots == 3) || colons >= 2;
    if (shape && (e >= s.size() || !util::is_alnum(s[e]))) {
      if (auto ip = util::IpAddress::parse(tok)) out.push_back(IpHit{ip->to_string(), *ip, i});
    }
    i = e;
  }
  return out;
}

bool is_private(const util::IpAddress& ip) {
  struct Net {
    const char* net;
    unsigned prefix;
  };
  static const std::array<Net, 11> nets = {{{"10.0.0.0", 8},
                                            {"172.16.0.0", 12},
                                            {"192.168.0.0", 16},
                                            {"127.0.0.0", 8},
                                            {"169.254.0.0", 16},
                                            {"100.64.0.0", 10},
                                            {"0.0.0.0", 8},
                                            {"::1", 128},
                                            {"fc00::", 7},
                                            {"fe80::", 10},
                                            {"::", 128}}};
  util::IpAddress a = ip;
  if (auto v4 = ip.unmapped_v4()) a = *v4;
  for (const Net& n : nets) {
    auto net = util::IpAddress::parse(n.net);
    if (net && net->family() == a.family() && a.in_network(*net, n.prefix)) return true;
  }
  return false;
}

/// "smtp; 554 ..." -> "554 ..."; "dns; host" -> "host" (an RFC 3464 type prefix).
std::string_view strip_type(std::string_view v) {
  const std::size_t semi = v.find(';');
  if (semi == std::string_view::npos || semi > 20) return util::trim(v);
  for (std::size_t i = 0; i < semi; ++i)
    if (!(util::is_alnum(v[i]) || v[i] == '-' || v[i] == '_')) return util::trim(v);
  if (semi == 3 && util::is_digit(v[0]) && util::is_digit(v[1]) && util::is_digit(v[2])) return util::trim(v);  // "550; 5.7.515"
  return util::trim(v.substr(semi + 1));
}

std::string clean_host(std::string_view h) {
  h = util::trim(h);
  while (!h.empty() && (h.front() == '[' || h.front() == '<' || h.front() == '(' || h.front() == '"')) h.remove_prefix(1);
  while (!h.empty() && (h.back() == '.' || h.back() == ']' || h.back() == '>' || h.back() == ')' || h.back() == ',' ||
                        h.back() == ':' || h.back() == ';' || h.back() == '"'))
    h.remove_suffix(1);
  std::string out;
  for (char c : h) {
    if (!(domain_char(c) || c == ':' || c == '_')) return {};
    out += util::to_lower(c);
  }
  if (out.size() > 253) return {};
  return out;
}

// ---- reply helpers ---------------------------------------------------------------------------

/// Position of the first SMTP reply code token ("550 ", "554-", "550;") at or after `from`.
std::size_t find_code(std::string_view s, std::size_t from = 0) {
  for (std::size_t i = from; i + 3 <= s.size(); ++i) {
    if ((s[i] == '2' || s[i] == '4' || s[i] == '5') && util::is_digit(s[i + 1]) && util::is_digit(s[i + 2]) &&
        (i == 0 || !(util::is_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '=' || s[i - 1] == '/')) &&
        (i + 3 == s.size() || s[i + 3] == ' ' || s[i + 3] == '-' || s[i + 3] == ';'))
      return i;
  }
  return std::string_view::npos;
}

/// An enhanced status code (RFC 3463) in the reply, not part of a longer dotted number.
std::string find_enhanced(std::string_view s) {
  for (std::size_t i = 0; i + 5 <= s.size(); ++i) {
    if (!(s[i] == '2' || s[i] == '4' || s[i] == '5') || s[i + 1] != '.') continue;
    if (i > 0 && (util::is_alnum(s[i - 1]) || s[i - 1] == '.')) continue;
    std::size_t j = i + 2, n1 = 0, n2 = 0;
    while (j < s.size() && util::is_digit(s[j]) && n1 < 4) ++j, ++n1;
    if (n1 == 0 || n1 > 3 || j >= s.size() || s[j] != '.') continue;
    ++j;
    while (j < s.size() && util::is_digit(s[j]) && n2 < 4) ++j, ++n2;
    if (n2 == 0 || n2 > 3) continue;
    if (j < s.size() && (util::is_alnum(s[j]) || (s[j] == '.' && j + 1 < s.size() && util::is_digit(s[j + 1])))) continue;
    return std::string(s.substr(i, j - i));
  }
  return {};
}

/// Strips "(in reply to X command)" and a log line's closing ')' from a reply; returns the command.
std::string cut_reply(std::string& reply) {
  std::string command;
  const std::size_t p = ifind(reply, "(in reply to ");
  if (p != std::string::npos) {
    std::size_t close = reply.find(')', p);
    std::string_view inner = std::string_view(reply).substr(p + 13, (close == std::string::npos ? reply.size() : close) - p - 13);
    if (util::iends_with(inner, " command")) inner.remove_suffix(8);
    command = clean(inner, 60);
    reply.erase(p);
  }
  std::string_view t = util::trim(reply);
  reply = std::string(t);
  return command;
}

// ---- the MIME walk ---------------------------------------------------------------------------

struct Dsn {
  HeaderBlock per_message;
  std::vector<HeaderBlock> recipients;
};

struct Collected {
  std::vector<Dsn> dsns;
  std::vector<std::string> plain, html;
  std::vector<std::string_view> embedded;  ///< message/rfc822 entities (views into the input)
  std::vector<HeaderBlock> embedded_headers;
  std::size_t parts = 0;
  std::size_t text_bytes = 0;
  bool depth_cut = false, parts_cut = false, broken = false, text_cut = false;
};

std::vector<std::string_view> split_multipart(std::string_view body, std::string_view boundary) {
  std::vector<std::string_view> parts;
  const std::string delim = "--" + std::string(boundary);
  std::size_t pos = 0;
  std::size_t part_start = std::string_view::npos;
  while (pos <= body.size()) {
    std::size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view line = body.substr(pos, nl - pos);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.size() >= delim.size() && line.substr(0, delim.size()) == delim) {
      const std::string_view rest = line.substr(delim.size());
      if (rest.empty() || rest == "--") {
        if (part_start != std::string_view::npos) parts.push_back(body.substr(part_start, pos - part_start));
        part_start = std::string_view::npos;
        if (rest == "--") return parts;
        part_start = nl < body.size() ? nl + 1 : body.size();
        if (parts.size() >= max_mime_parts) return parts;
      }
    }
    if (nl >= body.size()) break;
    pos = nl + 1;
  }
  if (part_start != std::string_view::npos && part_start < body.size()) parts.push_back(body.substr(part_start));  // unterminated
  return parts;
}

void parse_dsn_fields(std::string_view text, Collected& c) {
  Dsn dsn;
  std::string_view rest = text;
  bool first = true;
  for (int groups = 0; groups < 200; ++groups) {
    while (!rest.empty() && (rest.front() == '\n' || rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    if (rest.empty()) break;
    Entity g = split_entity(rest);
    if (g.headers.headers.empty()) break;
    if (first) dsn.per_message = std::move(g.headers);
    else dsn.recipients.push_back(std::move(g.headers));
    first = false;
    if (g.body.size() >= rest.size()) break;
    rest = g.body;
  }
  // A single group holding recipient fields (some MTAs write no per-message group).
  if (dsn.recipients.empty() && (dsn.per_message.get("Final-Recipient") || dsn.per_message.get("Diagnostic-Code")))
    dsn.recipients.push_back(dsn.per_message);
  c.dsns.push_back(std::move(dsn));
}

void add_text(Collected& c, std::string text, bool html) {
  if (c.text_bytes >= k_text_max) {
    c.text_cut = true;
    return;
  }
  if (text.size() > k_text_max - c.text_bytes) {
    text.resize(k_text_max - c.text_bytes);
    c.text_cut = true;
  }
  c.text_bytes += text.size();
  (html ? c.html : c.plain).push_back(std::move(text));
}

std::string strip_html(std::string_view h) {
  std::string out;
  bool in_tag = false;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const char c = h[i];
    if (in_tag) {
      if (c == '>') in_tag = false;
      continue;
    }
    if (c == '<') {
      in_tag = true;
      // block elements end a line
      if (i + 3 < h.size() && (util::iequals(h.substr(i, 3), "<br") || util::iequals(h.substr(i, 3), "<p>") ||
                               util::iequals(h.substr(i, 3), "<p ") || util::iequals(h.substr(i, 3), "</p") ||
                               util::iequals(h.substr(i, 4), "<div") || util::iequals(h.substr(i, 4), "</di")))
        out += '\n';
      continue;
    }
    if (c == '&') {
      static const std::array<std::pair<std::string_view, char>, 6> ents = {
          {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&nbsp;", ' '}}};
      bool done = false;
      for (const auto& [e, ch] : ents)
        if (util::iequals(h.substr(i, e.size()), e)) {
          out += ch;
          i += e.size() - 1;
          done = true;
          break;
        }
      if (done) continue;
    }
    out += c;
  }
  return out;
}

void walk(const Entity& e, int depth, Collected& c) {
  if (++c.parts > max_mime_parts) {
    c.parts_cut = true;
    return;
  }
  const ContentType ct = parse_content_type(e.headers.get("Content-Type"));
  const std::string* te_h = e.headers.get("Content-Transfer-Encoding");
  const std::string_view te = te_h ? std::string_view(*te_h) : std::string_view();
  if (ct.type.substr(0, 10) == "multipart/") {
    const std::string_view boundary = ct.param("boundary");
    if (boundary.empty() || boundary.size() > 200) {
      add_text(c, to_utf8(e.body, ""), false);
      return;
    }
    if (depth >= max_mime_depth) {
      c.depth_cut = true;
      return;
    }
    std::vector<std::string_view> parts = split_multipart(e.body, boundary);
    if (ct.type == "multipart/alternative" && !parts.empty()) {
      std::string_view chosen = parts.front();
      for (std::string_view p : parts) {
        Entity pe = split_entity(p);
        if (parse_content_type(pe.headers.get("Content-Type")).type == "text/plain") {
          chosen = p;
          break;
        }
      }
      walk(split_entity(chosen), depth + 1, c);
      return;
    }
    for (std::string_view p : parts) {
      walk(split_entity(p), depth + 1, c);
      if (c.parts_cut) return;
    }
    return;
  }
  if (ct.type == "message/delivery-status" || ct.type == "message/global-delivery-status") {
    bool broken = false;
    const std::string decoded = decode_body(e.body, te, &broken);
    c.broken = c.broken || broken;
    parse_dsn_fields(decoded, c);
    return;
  }
  if (ct.type == "message/rfc822" || ct.type == "message/global") {
    if (c.embedded.size() < 8) c.embedded.push_back(e.body);
    Entity inner = split_entity(e.body);
    c.embedded_headers.push_back(std::move(inner.headers));
    return;
  }
  if (ct.type == "text/rfc822-headers" || ct.type == "text/global-headers") {
    bool broken = false;
    const std::string decoded = decode_body(e.body, te, &broken);
    Entity inner = split_entity(decoded);
    c.embedded_headers.push_back(std::move(inner.headers));
    return;
  }
  if (ct.type == "text/plain" || ct.type == "text/html") {
    bool broken = false;
    std::string decoded = to_utf8(decode_body(e.body, te, &broken), ct.param("charset"));
    c.broken = c.broken || broken;
    if (ct.type == "text/html") decoded = strip_html(decoded);
    add_text(c, std::move(decoded), ct.type == "text/html");
  }
}

// ---- the text shapes -------------------------------------------------------------------------

struct TextFacts {
  std::string reply, remote_mta, remote_ip, recipient, command, status_code, last_error_code;
  std::string generating_server;
};

/// The text up to the copy of the original message that many bounces append.
std::string_view cut_original(std::string_view text) {
  static constexpr std::array<std::string_view, 12> marks = {
      "------ This is a copy of the message", "--- The header of the original message",
      "|------------------------- Message header follows", "--- Below this line is a copy of the message",
      "Original message headers:", "----- Original message", "------ Original message", "--- Original message",
      "----- Unsent message follows", "--- Enclosed are the original headers", "------- Returned Message",
      "------ The body of the message"};
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = util::trim(text.substr(pos, nl - pos));
    for (std::string_view m : marks)
      if (util::istarts_with(line, m)) return text.substr(0, pos);
    pos = nl + 1;
  }
  return text;
}

/// "host NAME[IP]", "host NAME [IP]", "host: NAME (IP)", "host: NAME" in `seg`: fills host/ip.
void host_in(std::string_view seg, std::string& host, std::string& ip) {
  std::size_t p = std::string_view::npos;
  for (std::size_t q = ifind(seg, "host"); q != std::string_view::npos; q = ifind(seg, "host", q + 4)) {
    const bool word = (q == 0 || !util::is_alnum(seg[q - 1])) && q + 4 < seg.size() && (seg[q + 4] == ' ' || seg[q + 4] == ':');
    if (word) p = q;  // the last "host" before the marker
  }
  if (p == std::string_view::npos) return;
  std::size_t i = p + 4;
  if (i < seg.size() && seg[i] == ':') ++i;
  while (i < seg.size() && seg[i] == ' ') ++i;
  std::size_t e = i;
  while (e < seg.size() && seg[e] != ' ' && seg[e] != '[' && seg[e] != '(' && seg[e] != ':') ++e;
  std::string h = clean_host(seg.substr(i, e - i));
  if (h.empty() || h == "said" || h.find('.') == std::string::npos) return;
  if (util::IpAddress::parse(h)) {
    if (ip.empty()) ip = h;
    return;
  }
  if (host.empty()) host = h;
  const std::string_view after = seg.substr(e, std::min<std::size_t>(60, seg.size() - e));
  auto ips = find_ips(after, 1);
  if (!ips.empty() && ip.empty() && (after.find('[') != std::string_view::npos || after.find('(') != std::string_view::npos))
    ip = ips.front().text;
}

/// Joins the non-empty lines of each blank-line separated paragraph with one space.
std::vector<std::string> paragraphs(const std::vector<std::string_view>& lines) {
  std::vector<std::string> out;
  std::string cur;
  for (std::string_view l : lines) {
    std::string_view t = util::trim(l);
    if (t.empty()) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    if (cur.size() < 64 * 1024) {
      if (!cur.empty()) cur += ' ';
      cur += t;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

void scan_text(std::string_view full_text, TextFacts& f) {
  const std::string_view text = cut_original(full_text);
  const std::vector<std::string_view> lines = split_lines(text);

  // T-Online's own bounce (Smail banners).
  for (std::size_t i = 0; i < lines.size() && f.reply.empty(); ++i) {
    if (lines[i].find("Failed addresses follow") == std::string_view::npos) continue;
    std::string reply;
    std::size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      std::string_view t = util::trim(lines[j]);
      if (t.substr(0, 4) == "|---") break;
      if (t.empty()) continue;
      if (f.recipient.empty() && reply.empty() && t.find('@') != std::string_view::npos && find_code(t) != 0) {
        f.recipient = find_address(t);
        continue;
      }
      if (!reply.empty()) reply += ' ';
      reply += t;
      if (reply.size() > 8192) break;
    }
    if (find_code(reply) != std::string_view::npos || !find_enhanced(reply).empty()) f.reply = reply;
    i = j;  // each line is looked at once, however many banners there are
  }

  // Session transcripts: the last run of "<<< 4xx/5xx" lines (Sendmail, Strato).
  if (f.reply.empty()) {
    std::string run, best, last_cmd, best_cmd;
    for (std::string_view l : lines) {
      std::string_view t = util::trim(l);
      if (t.substr(0, 4) == "<<< ") {
        std::string_view r = t.substr(4);
        if (find_code(r) == 0 && (r[0] == '4' || r[0] == '5')) {
          if (!run.empty()) run += ' ';
          run += r;
          continue;
        }
      } else if (t.substr(0, 4) == ">>> ") {
        last_cmd = std::string(util::trim(t.substr(4)));
      }
      if (!run.empty()) {
        best = run;
        best_cmd = last_cmd;
      }
      run.clear();
    }
    if (!run.empty()) {
      best = run;
      best_cmd = last_cmd;
    }
    if (!best.empty()) {
      f.reply = best;
      if (!best_cmd.empty()) {
        std::string cmd = util::lower(best_cmd.substr(0, best_cmd.find_first_of(":<")));
        f.command = clean(util::trim(cmd), 40);
        if (f.command == "data (eom)") f.command = "end of data";
      }
    }
  }

  // Line-oriented facts.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view t = util::trim(lines[i]);
    if (f.remote_mta.empty()) {
      std::size_t p = ifind(t, "while talking to ");
      if (p != std::string_view::npos) {
        std::string_view h = t.substr(p + 17);
        f.remote_mta = clean_host(h.substr(0, h.find_first_of(" :")));
      }
    }
    if (util::istarts_with(t, "Letzter Fehler:")) f.last_error_code = clean(t.substr(15), 40);
    if (util::istarts_with(t, "Generating server:") && f.generating_server.empty())
      f.generating_server = clean_host(util::trim(t.substr(18)));
    if (f.recipient.empty() && (t.find("endg\xC3\xBCltig gescheitert") != std::string_view::npos)) {
      for (std::size_t j = i + 1; j < lines.size() && j < i + 4; ++j) {
        std::string a = find_address(lines[j]);
        if (!a.empty()) {
          f.recipient = a;
          break;
        }
      }
    }
  }

  // Paragraph markers: Postfix, Exim, IONOS/GMX, Strato "Erklärung", Exchange, qmail, Gmail.
  const std::vector<std::string> paras = paragraphs(lines);
  for (std::size_t pi = 0; pi < paras.size(); ++pi) {
    const std::string& p = paras[pi];
    struct Marker {
      std::string_view text;
      int kind;  // 0: reply follows; 1: quoted reply; 2: find the code after it; 3: reply in this or the next paragraph
    };
    static constexpr std::array<Marker, 9> markers = {{{"refused to talk to me:", 0},
                                                       {" said:", 0},
                                                       {"Remote Server returned '", 1},
                                                       {"Remote Server returned \"", 1},
                                                       {" reason:", 0},
                                                       {"SMTP error from remote", 2},
                                                       {"The response from the remote server was:", 3},
                                                       {"The response was:", 3},
                                                       {"The error that the other server returned was:", 3}}};
    std::size_t at = std::string::npos;
    const Marker* m = nullptr;
    for (const Marker& mk : markers) {
      at = ifind(p, mk.text);
      if (at != std::string::npos) {
        m = &mk;
        break;
      }
    }
    if (m == nullptr) continue;
    std::string_view prefix = std::string_view(p).substr(0, at);
    std::string_view rest = std::string_view(p).substr(at + m->text.size());
    std::string reply;
    if (m->kind == 0) {
      reply = std::string(util::trim(rest));
    } else if (m->kind == 1) {
      std::string_view r = rest;
      const std::size_t q = r.rfind(m->text.back());
      if (q != std::string_view::npos) r = r.substr(0, q);
      reply = std::string(util::trim(r));
    } else if (m->kind == 2) {
      const std::size_t code = find_code(rest);
      if (code == std::string_view::npos) continue;
      std::string h, ip;
      host_in(rest.substr(0, code), h, ip);
      if (f.remote_mta.empty()) f.remote_mta = h;
      if (f.remote_ip.empty()) f.remote_ip = ip;
      const std::size_t cmd_at = ifind(rest, " after ");
      const std::size_t for_at = ifind(rest, " for ");
      std::size_t c0 = cmd_at != std::string_view::npos && cmd_at < code ? cmd_at + 7
                       : for_at != std::string_view::npos && for_at < code ? for_at + 5
                                                                            : std::string_view::npos;
      if (c0 != std::string_view::npos && f.command.empty()) {
        std::string_view cmd = rest.substr(c0, code - c0);
        cmd = cmd.substr(0, cmd.find_first_of(":<,"));
        if (util::iends_with(cmd, " command")) cmd.remove_suffix(8);
        f.command = util::lower(clean(cmd, 40));
      }
      reply = std::string(rest.substr(code));
    } else {
      reply = std::string(util::trim(rest));
      if (reply.empty() && pi + 1 < paras.size()) reply = paras[pi + 1];
    }
    if (reply.empty()) continue;
    // Where the reply is a "reason:", the host is "host: NAME (IP)" before it; for "said:" "host NAME[IP]".
    std::string h, ip;
    host_in(prefix, h, ip);
    // Prose that happens to contain "said:" is no reply: it needs a reply code or a named server.
    if (find_code(reply) == std::string::npos && find_enhanced(reply).empty() && h.empty() && ip.empty()) continue;
    if (f.remote_mta.empty()) f.remote_mta = h;
    if (f.remote_ip.empty()) f.remote_ip = ip;
    if (f.remote_ip.empty()) {
      // qmail: "<ip> failed after I sent the message." / "<ip> does not like recipient."
      for (const IpHit& hit : find_ips(prefix, 4))
        if (icontains(prefix.substr(hit.pos), "failed after") || icontains(prefix.substr(hit.pos), "does not like")) {
          f.remote_ip = hit.text;
          break;
        }
    }
    if (f.recipient.empty()) f.recipient = find_address(prefix);
    if (f.recipient.empty() && pi > 0) f.recipient = find_address(paras[pi - 1]);
    if (f.command.empty() && m->kind == 0 && m->text == "refused to talk to me:") f.command = "greeting";
    if (f.command.empty()) {
      const std::size_t fo = ifind(prefix, " for ");
      const std::size_t cm = ifind(prefix, " command");
      if (fo != std::string_view::npos && cm != std::string_view::npos && cm > fo)
        f.command = util::lower(clean(prefix.substr(fo + 5, cm - fo - 5), 40));
    }
    // A Postfix log line: "status=bounced (host ... said: ...)".
    if (icontains(prefix, "status=") && !reply.empty() && reply.back() == ')') reply.pop_back();
    if (f.reply.empty()) f.reply = reply;
    break;
  }

  // A bare reply: the first line that starts with a reply code, and its continuation lines.
  if (f.reply.empty()) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string_view t = util::trim(lines[i]);
      if (find_code(t) != 0) continue;
      std::string reply(t);
      const std::string_view code = t.substr(0, 3);
      for (std::size_t j = i + 1; j < lines.size() && reply.size() < 8192; ++j) {
        std::string_view u = util::trim(lines[j]);
        if (u.size() >= 4 && u.substr(0, 3) == code && (u[3] == '-' || u[3] == ' ')) {
          reply += ' ';
          reply += u;
        } else {
          break;
        }
      }
      f.reply = reply;
      break;
    }
  }
}

std::string shape_of(const std::string& all_text, const HeaderBlock& top, const BounceInfo& b, bool dsn) {
  const std::string from = top.get("From") ? util::lower(*top.get("From")) : std::string();
  if (icontains(all_text, "MAILVERSAND FEHLERBERICHT")) return "strato";
  if (icontains(all_text, "Failed addresses follow")) return "t-online";
  if (icontains(all_text, "qmail-send program")) return "qmail";
  if (icontains(all_text, "Transcript of session follows")) return "sendmail";
  if (icontains(all_text, "Diagnostic information for administrators") || icontains(all_text, "Generating server:") ||
      icontains(all_text, "Remote Server returned"))
    return "exchange";
  if (util::iends_with(b.reporting_mta, "googlemail.com") || from.find("googlemail.com") != std::string::npos ||
      from.find("@gmail.com") != std::string::npos)
    return "gmail";
  if (icontains(all_text, "This is the mail system at host") || top.get("X-Postfix-Queue-ID") != nullptr) return "postfix";
  if (icontains(all_text, "created automatically by mail delivery software") || icontains(all_text, "SMTP error from remote")) {
    if (from.find("kundenserver.de") != std::string::npos || from.find("ionos") != std::string::npos ||
        from.find("1und1") != std::string::npos || icontains(all_text, "reason:"))
      return "ionos";
    if (from.find("gmx") != std::string::npos || from.find("web.de") != std::string::npos ||
        from.find("mail.com") != std::string::npos)
      return "gmx";
    return "exim";
  }
  return dsn ? "dsn" : "bounce";
}

// ---- received messages -----------------------------------------------------------------------

struct Hop {
  std::string ip, from_host, by_host;
};

/// The "from" clause of one Received header: the first public IP literal and the host names.
std::optional<Hop> parse_received(std::string_view v) {
  v = util::trim(v);
  if (!util::istarts_with(v, "from ")) return std::nullopt;
  std::size_t by = ifind(v, " by ");
  std::string_view clause = v.substr(5, (by == std::string_view::npos ? v.size() : by) - 5);
  Hop h;
  // Prefer the rDNS name in "(name [ip])", else the HELO name.
  std::string_view helo = clause.substr(0, clause.find_first_of(" ("));
  const std::size_t paren = clause.find('(');
  std::string rdns;
  if (paren != std::string_view::npos) {
    std::string_view in = clause.substr(paren + 1);
    in = in.substr(0, in.find_first_of(" )["));
    rdns = clean_host(in);
    if (util::IpAddress::parse(rdns) || rdns.find('.') == std::string::npos) rdns.clear();
  }
  h.from_host = !rdns.empty() ? rdns : clean_host(helo);
  if (util::IpAddress::parse(h.from_host)) h.from_host.clear();
  if (by != std::string_view::npos) {
    std::string_view b = util::trim(v.substr(by + 4));
    h.by_host = clean_host(b.substr(0, b.find_first_of(" ;(")));
  }
  // Bracketed literals first ([ip]), then any literal in the clause.
  std::vector<IpHit> ips = find_ips(clause, 8);
  const IpHit* pick = nullptr;
  for (const IpHit& hit : ips)
    if (hit.pos > 0 && clause[hit.pos - 1] == '[') {
      pick = &hit;
      break;
    }
  if (pick == nullptr && !ips.empty()) pick = &ips.front();
  if (pick == nullptr) return std::nullopt;
  if (is_private(pick->ip)) return std::nullopt;
  h.ip = pick->text;
  return h;
}

bool same_org(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return false;
  const std::string ra = util::registered_domain(a), rb = util::registered_domain(b);
  return !ra.empty() && ra == rb;
}

void read_headers(const HeaderBlock& top, BounceInfo& b) {
  for (const std::string* r : top.all("Received")) {
    auto hop = parse_received(*r);
    if (!hop) continue;
    if (same_org(hop->from_host, hop->by_host)) continue;  // the receiver's own internal hop
    b.sending_ip = hop->ip;
    b.sending_ip_source = "received";
    b.handed_by = clean(hop->from_host);
    b.received_by = clean(hop->by_host);
    break;
  }
  for (const std::string* sig : top.all("DKIM-Signature")) {
    if (b.dkim.size() >= 10) break;
    DkimSignature d;
    for (std::string_view tag : util::split(*sig, ';')) {
      tag = util::trim(tag);
      const std::size_t eq = tag.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view k = util::trim(tag.substr(0, eq));
      std::string v;
      for (char ch : tag.substr(eq + 1))
        if (!util::is_space(ch)) v += ch;
      if (k == "d") d.domain = clean(util::lower(v), 253);
      else if (k == "s") d.selector = clean(v, 100);
    }
    if (!d.domain.empty()) b.dkim.push_back(std::move(d));
  }
  if (const std::string* ar = top.get("Authentication-Results")) {
    // Comments in parentheses are dropped; "authserv-id; method=result props; ..."
    std::string plain;
    int depth = 0;
    for (char ch : *ar) {
      if (ch == '(' && depth < 50) ++depth;
      else if (ch == ')' && depth > 0) --depth;
      else if (depth == 0) plain += ch;
    }
    auto parts = util::split(plain, ';');
    if (!parts.empty()) {
      std::string_view id = util::trim(parts[0]);
      b.auth_serv_id = clean(id.substr(0, id.find(' ')), 253);
    }
    for (std::size_t i = 1; i < parts.size() && b.auth.size() < 20; ++i) {
      std::string_view piece = util::trim(parts[i]);
      auto words = util::split_ws(piece);
      if (words.empty()) continue;
      const std::size_t eq = words[0].find('=');
      if (eq == std::string_view::npos) continue;
      AuthVerdict v;
      v.method = clean(util::lower(words[0].substr(0, eq)), 40);
      v.result = clean(util::lower(words[0].substr(eq + 1)), 40);
      v.detail = clean(piece.substr(std::min(piece.size(), words[0].size())), 300);
      if (!v.method.empty() && v.method != "none") b.auth.push_back(std::move(v));
    }
  }
  for (const char* name : {"Delivered-To", "X-Original-To", "Envelope-To", "To"}) {
    if (const std::string* v = top.get(name)) {
      b.recipient = find_address(*v);
      if (!b.recipient.empty()) break;
    }
  }
}

bool looks_like_bounce(const HeaderBlock& top) {
  const std::string subject = top.get("Subject") ? decode_rfc2047(*top.get("Subject")) : std::string();
  const std::string from = top.get("From") ? *top.get("From") : std::string();
  static constexpr std::array<std::string_view, 10> subjects = {
      "Undeliver",        "Mail delivery failed", "Returned mail", "Delivery Status Notification", "Unzustellbar",
      "Nicht zustellbar", "failure notice",       "Returned Mail", "Delivery failure",              "Unzustellbare"};
  for (std::string_view s : subjects)
    if (icontains(subject, s)) return true;
  return icontains(from, "mailer-daemon") || icontains(from, "Mail Delivery");
}

Result<BounceInfo> parse_at(std::string_view text, int embed_depth);

Result<BounceInfo> not_a_bounce(std::string reason) {
  return fail(ErrorCode::parse, "not a bounce or SMTP reply: " + std::move(reason));
}

Result<BounceInfo> parse_at(std::string_view text, int embed_depth) {
  BounceInfo b;
  Entity top = split_entity(text);
  Collected c;
  if (!top.headers.headers.empty()) {
    walk(top, 0, c);
    // Delivery-status fields pasted on their own ("Diagnostic-Code: smtp; 550 ...").
    if (top.headers.get("Diagnostic-Code") || top.headers.get("Final-Recipient") || top.headers.get("Remote-MTA")) {
      Dsn d;
      d.per_message = top.headers;
      d.recipients.push_back(top.headers);
      c.dsns.push_back(std::move(d));
    }
  } else {
    add_text(c, to_utf8(text, ""), false);
  }
  if (c.broken) b.notes.emplace_back("damaged base64 in a part was decoded as far as possible");
  if (c.depth_cut) b.notes.emplace_back("MIME nesting deeper than the limit was not read");
  if (c.parts_cut) b.notes.emplace_back("more MIME parts than the limit: the rest was not read");
  if (c.text_cut) b.notes.emplace_back("text beyond the size limit was not read");

  if (const std::string* s = top.headers.get("Subject")) b.subject = clean(decode_rfc2047(*s), 300);
  if (const std::string* s = top.headers.get("From")) b.from = clean(decode_rfc2047(*s), 300);

  // RFC 3464 fields.
  bool dsn = false;
  for (const Dsn& d : c.dsns) {
    if (const std::string* r = d.per_message.get("Reporting-MTA"); r && b.reporting_mta.empty())
      b.reporting_mta = clean_host(strip_type(*r).substr(0, strip_type(*r).find_first_of(" (")));
    const HeaderBlock* pick = nullptr;
    for (const HeaderBlock& r : d.recipients) {
      const std::string* action = r.get("Action");
      if (action && util::iequals(util::trim(*action), "failed")) {
        pick = &r;
        break;
      }
    }
    if (pick == nullptr)
      for (const HeaderBlock& r : d.recipients)
        if (r.get("Diagnostic-Code")) {
          pick = &r;
          break;
        }
    if (pick == nullptr && !d.recipients.empty()) pick = &d.recipients.front();
    if (pick == nullptr) continue;
    dsn = true;
    if (const std::string* v = pick->get("Final-Recipient")) b.recipient = find_address(*v);
    if (b.recipient.empty())
      if (const std::string* v = pick->get("Original-Recipient")) b.recipient = find_address(*v);
    if (const std::string* v = pick->get("Action")) b.action = clean(util::lower(util::trim(*v)), 40);
    if (const std::string* v = pick->get("Status")) b.dsn_status = clean(util::trim(*v).substr(0, util::trim(*v).find(' ')), 40);
    if (const std::string* v = pick->get("Remote-MTA")) {
      std::string_view rm = strip_type(*v);
      std::string host = clean_host(rm.substr(0, rm.find_first_of(" (")));
      if (util::IpAddress::parse(host)) b.remote_ip = host;
      else b.remote_mta = host;
      if (b.remote_ip.empty()) {
        auto ips = find_ips(rm, 1);
        if (!ips.empty()) b.remote_ip = ips.front().text;
      }
    }
    if (const std::string* v = pick->get("Diagnostic-Code")) b.reply = std::string(strip_type(decode_rfc2047(*v)));
    break;
  }

  // The human-readable text.
  // A message that is neither a bounce nor a DSN is a received message: its body is not read
  // (a line starting "550 " in a newsletter is not a rejection).
  const bool read_text = top.headers.headers.empty() || dsn || looks_like_bounce(top.headers);
  const std::vector<std::string>& texts = !c.plain.empty() ? c.plain : c.html;
  std::string all_text;
  TextFacts tf;
  for (const std::string& t : texts) {
    if (!read_text) break;
    if (all_text.size() < k_text_max) all_text += t + "\n";
    if (tf.reply.empty()) scan_text(t, tf);
  }
  if (b.reply.empty()) b.reply = tf.reply;
  if (b.remote_mta.empty()) b.remote_mta = tf.remote_mta;
  if (b.remote_ip.empty()) b.remote_ip = tf.remote_ip;
  if (b.recipient.empty()) b.recipient = tf.recipient;
  if (b.recipient.empty())
    if (const std::string* v = top.headers.get("X-Failed-Recipients")) b.recipient = find_address(*v);
  if (b.reporting_mta.empty()) b.reporting_mta = tf.generating_server;
  if (b.smtp_command.empty()) b.smtp_command = tf.command;

  std::string command = cut_reply(b.reply);
  if (!command.empty()) b.smtp_command = util::lower(command);
  b.reply = util::sanitize(data::normalise_reply(b.reply), data::max_reply_bytes);
  b.remote_mta = clean(b.remote_mta);
  b.recipient = clean(b.recipient);

  // Strato's "Letzter Fehler: 554 5.0.0": the code when the explanation lacks one.
  std::optional<int> fallback_code;
  if (!tf.last_error_code.empty()) {
    const std::size_t code = find_code(tf.last_error_code);
    if (code == 0) fallback_code = (tf.last_error_code[0] - '0') * 100 + (tf.last_error_code[1] - '0') * 10 + (tf.last_error_code[2] - '0');
    if (b.dsn_status.empty()) b.dsn_status = clean(find_enhanced(tf.last_error_code), 40);
  }

  if (!b.reply.empty()) {
    const std::string_view r = b.reply;
    if (find_code(r) == 0) b.smtp_code = (r[0] - '0') * 100 + (r[1] - '0') * 10 + (r[2] - '0');
    else if (fallback_code) b.smtp_code = fallback_code;
    b.enhanced_code = find_enhanced(r);
    for (const IpHit& hit : find_ips(r, 16)) {
      if (hit.text == b.remote_ip || (hit.ip.is_v4() && (hit.ip.v4_value() >> 24) == 127)) continue;
      if (hit.pos >= 9 && icontains(r.substr(hit.pos - 9, 9), "Mailhost")) continue;
      b.sending_ip = hit.text;
      b.sending_ip_source = "reply";
      break;
    }
  }

  const bool rejection = !b.reply.empty() || (dsn && (!b.dsn_status.empty() || !b.action.empty()));
  if (rejection) {
    b.kind = dsn ? InputKind::dsn : top.headers.headers.empty() ? InputKind::smtp_reply : InputKind::bounce;
    if (b.kind == InputKind::smtp_reply) {
      const bool log = icontains(all_text, "status=") || icontains(all_text, "postfix/");
      const bool marker = icontains(all_text, " said:") || icontains(all_text, "refused to talk to me") ||
                          icontains(all_text, "SMTP error from remote") || icontains(all_text, "Failed addresses follow") ||
                          icontains(all_text, "MAILVERSAND") || icontains(all_text, "qmail-send");
      b.shape = log ? "log-line" : marker ? shape_of(all_text, top.headers, b, false) : "smtp-reply";
      if (b.shape == "bounce") b.shape = "smtp-reply";
      if (marker && b.shape != "log-line") b.kind = InputKind::bounce;
    } else {
      b.shape = shape_of(all_text, top.headers, b, dsn);
    }
    return b;
  }

  // A forwarded bounce: try the attached messages.
  if (embed_depth < k_max_embedded_depth)
    for (std::string_view inner : c.embedded) {
      auto r = parse_at(inner, embed_depth + 1);
      if (r && r->kind != InputKind::headers) return r;
    }

  // A received message: its headers.
  if (!top.headers.headers.empty() && !looks_like_bounce(top.headers) &&
      (top.headers.get("Received") || top.headers.get("Authentication-Results") || top.headers.get("DKIM-Signature"))) {
    read_headers(top.headers, b);
    if (!b.sending_ip.empty() || !b.auth.empty() || !b.dkim.empty()) {
      b.kind = InputKind::headers;
      b.shape = "headers";
      return b;
    }
  }
  if (!top.headers.headers.empty() && looks_like_bounce(top.headers))
    return not_a_bounce("a bounce without a readable SMTP reply or delivery status");
  return not_a_bounce("no SMTP reply, delivery status or mail headers found");
}

}  // namespace

std::string_view to_string(InputKind k) {
  switch (k) {
    case InputKind::dsn: return "dsn";
    case InputKind::bounce: return "bounce";
    case InputKind::smtp_reply: return "smtp-reply";
    case InputKind::headers: return "headers";
  }
  return "bounce";
}

Result<BounceInfo> parse_bounce(std::string_view input) {
  if (input.size() > max_input_bytes)
    return fail(ErrorCode::limit, "not a bounce or SMTP reply: the input is larger than 10 MiB");
  if (util::trim(input).empty()) return not_a_bounce("the input is empty");
  if (std::string reason = binary_reason(input); !reason.empty()) return not_a_bounce(reason);
  bool cut = false;
  const std::string text = normalise_input(input, cut);
  auto r = parse_at(text, 0);
  if (r && cut) r->notes.emplace_back("lines longer than 64 KiB were cut");
  return r;
}

}  // namespace mailrep::mail
