/// \file The pure content checks: structure, HTML, links, headers, attachments.
#include <algorithm>
#include <cstdint>
#include <set>
#include <unordered_set>
#include <utility>

#include "detail.hpp"
#include "mailrep/auth/dmarc/dmarc.hpp"
#include "mailrep/content/html.hpp"
#include "mailrep/util/psl.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::content {

std::string_view to_string(LinkSource s) {
  switch (s) {
    case LinkSource::html: return "html";
    case LinkSource::text: return "text";
    case LinkSource::image: return "image";
  }
  return "html";
}

namespace {

constexpr std::size_t k_mib = 1024u * 1024u;
constexpr std::size_t k_gmail_clip_bytes = 102u * 1024u;  // Gmail clips HTML bodies past ~102 KB
constexpr std::size_t k_max_mismatch_findings = 10;

std::string size_text(std::size_t bytes) {
  if (bytes >= k_mib) return util::format_double(static_cast<double>(bytes) / static_cast<double>(k_mib), 1) + " MB";
  if (bytes >= 1024) return util::format_uint((bytes + 512) / 1024) + " KB";
  return util::format_uint(bytes) + " bytes";
}

std::string shown(std::string_view s, std::size_t max = 200) { return util::sanitize(s, max); }

template <std::size_t N>
bool contains(const std::string_view (&set)[N], std::string_view v) {
  return std::find(std::begin(set), std::end(set), v) != std::end(set);
}

// Gmail: "File types blocked in Gmail" (support.google.com/mail/answer/6590).
constexpr std::string_view k_blocked_ext[] = {
    "ade", "adp", "apk", "appx", "appxbundle", "bat", "cab", "chm", "cmd", "com", "cpl", "diagcab", "diagcfg",
    "diagpack", "dll", "dmg", "ex", "ex_", "exe", "hta", "img", "ins", "iso", "isp", "jar", "jnlp", "js", "jse", "lib",
    "lnk", "mde", "mjs", "msc", "msi", "msix", "msixbundle", "msp", "mst", "nsh", "pif", "ps1", "scr", "sct", "shb",
    "sys", "vb", "vbe", "vbs", "vhd", "vxd", "wsc", "wsf", "wsh", "xll"};
constexpr std::string_view k_macro_ext[] = {"docm", "dotm", "xlsm", "xltm", "xlam",
                                                                 "pptm", "potm", "ppam", "ppsm", "sldm"};
constexpr std::string_view k_archive_ext[] = {"zip", "rar", "7z", "gz", "tgz", "tar", "bz2",
                                                                   "xz", "ace", "arj", "lzh", "z"};
constexpr std::string_view k_document_ext[] = {
    "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "rtf", "txt", "jpg", "jpeg", "png", "gif", "csv",
    "html", "htm", "mp3", "mp4", "wav", "zip"};

/// Words for comparing the text and HTML versions: lower-case ASCII letters/digits and any
/// non-ASCII bytes, three or more characters.
std::set<std::string> words(std::string_view text, std::size_t cap = 5000) {
  std::set<std::string> out;
  std::string w;
  auto flush = [&] {
    if (w.size() >= 3 && out.size() < cap) out.insert(w);
    w.clear();
  };
  for (char c : text) {
    if (util::is_alnum(c) || static_cast<unsigned char>(c) >= 0x80) w += util::to_lower(c);
    else flush();
    if (w.size() > 64) w.clear();
  }
  flush();
  return out;
}

std::size_t visible_chars(std::string_view text) {
  std::size_t n = 0;
  for (char c : text)
    if (!util::is_space(c) && (static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

bool has_8bit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

bool known_charset(std::string_view cs) {
  static constexpr std::string_view known[] = {
      "utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "iso-8859-2", "iso-8859-15", "latin1", "windows-1250",
      "windows-1251", "windows-1252", "cp1252", "koi8-r", "koi8-u", "iso-2022-jp", "shift_jis", "euc-jp", "euc-kr",
      "gb2312", "gbk", "gb18030", "big5", "utf-16", "iso-8859-3", "iso-8859-4", "iso-8859-5", "iso-8859-6",
      "iso-8859-7", "iso-8859-8", "iso-8859-9", "iso-8859-10", "iso-8859-13", "iso-8859-14", "iso-8859-16"};
  for (auto k : known)
    if (cs == k) return true;
  return false;
}

struct Collector {
  Analysis& a;
  const data::Shorteners& shorteners;
  std::unordered_set<std::string> seen;

  void add(std::string_view raw, std::string shown_text, const std::string& part, LinkSource source) {
    if (a.links.size() >= max_links) return;
    Url u = parse_url(raw);
    if (!u.web) return;  // mailto:, tel:, cid:, anchors and relative links are not looked up
    if (!seen.insert(u.text).second) return;
    Link l;
    l.url = std::move(u);
    l.shown = std::move(shown_text);
    l.part = part;
    l.source = source;
    if (l.url.kind == HostKind::name)
      if (const data::Shortener* s = shorteners.match(l.url.host)) l.shortener = s->domain;
    a.links.push_back(std::move(l));
  }
};

// ---- headers --------------------------------------------------------------------------------

std::string header(const Analysis& a, std::string_view name) {
  const std::string* v = a.headers.get(name);
  return v ? *v : std::string();
}

std::vector<std::pair<std::string, std::string>> tags(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto part : util::split(value, ';')) {
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string v;
    for (char c : part.substr(eq + 1))
      if (!util::is_space(c)) v += c;
    out.emplace_back(util::lower(util::trim(part.substr(0, eq))), std::move(v));
    if (out.size() > 64) break;
  }
  return out;
}

void check_headers(Analysis& a, bool bulk_hint) {
  const std::string from = header(a, "From");
  const std::string from_domain = address_domain(from);
  if (!a.headers.get("From")) {
    a.findings.push_back(make_finding("content.from-missing", Severity::critical, Fixer::user));
  } else if (from_domain.empty()) {
    Finding f = make_finding("content.from-invalid", Severity::critical, Fixer::user);
    f.arg("from", shown(from));
    f.evidence = "From: " + from;
    a.findings.push_back(std::move(f));
  }
  if (!a.headers.get("Date")) a.findings.push_back(make_finding("content.date-missing", Severity::warning, Fixer::user));
  if (const std::string* mid = a.headers.get("Message-ID"); !mid) {
    a.findings.push_back(make_finding("content.message-id-missing", Severity::warning, Fixer::user));
  } else if (mid->find('@') == std::string::npos || mid->find('<') == std::string::npos) {
    Finding f = make_finding("content.message-id-malformed", Severity::info, Fixer::user);
    f.arg("message_id", shown(*mid));
    f.evidence = "Message-ID: " + *mid;
    a.findings.push_back(std::move(f));
  }
  if (!a.headers.get("MIME-Version") && (a.headers.get("Content-Type") || a.headers.get("Content-Transfer-Encoding")))
    a.findings.push_back(make_finding("content.mime-version-missing", Severity::warning, Fixer::user));

  // Subject
  if (const std::string* subject = a.headers.get("Subject"); !subject || util::trim(*subject).empty()) {
    a.findings.push_back(make_finding("content.subject-missing", Severity::warning, Fixer::user));
  } else {
    const std::string s = mail::decode_rfc2047(*subject);
    std::size_t upper = 0, letters = 0, bangs = 0;
    for (char c : s) {
      if (util::is_alpha(c)) {
        ++letters;
        if (c >= 'A' && c <= 'Z') ++upper;
      }
      if (c == '!') ++bangs;
    }
    std::string en, de;
    if (letters >= 8 && upper * 10 >= letters * 8) {
      en = "it is written in capitals";
      de = "er ist in Großbuchstaben geschrieben";
    } else if (bangs >= 3 || s.find("!!") != std::string::npos) {
      en = "it has several exclamation marks";
      de = "er enthält mehrere Ausrufezeichen";
    } else if (visible_chars(s) > 150) {
      en = "it is longer than 150 characters";
      de = "er ist länger als 150 Zeichen";
    } else if (s.find("$$") != std::string::npos || s.find("\xE2\x82\xAC\xE2\x82\xAC") != std::string::npos) {
      en = "it repeats currency signs";
      de = "er wiederholt Währungszeichen";
    }
    if (!en.empty()) {
      Finding f = make_finding("content.subject-odd", Severity::info, Fixer::user);
      f.arg("subject", shown(s)).arg("reason_en", en).arg("reason_de", de);
      f.evidence = "Subject: " + s;
      a.findings.push_back(std::move(f));
    }
  }

  // Reply-To pointing elsewhere.
  if (const std::string* rt = a.headers.get("Reply-To"); rt && !from_domain.empty()) {
    const std::string rt_domain = address_domain(*rt);
    const std::string a1 = util::registered_domain(from_domain), a2 = util::registered_domain(rt_domain);
    if (!rt_domain.empty() && (a1.empty() ? from_domain : a1) != (a2.empty() ? rt_domain : a2)) {
      Finding f = make_finding("content.reply-to-differs", Severity::info, Fixer::user);
      f.arg("from_domain", shown(from_domain)).arg("reply_to_domain", shown(rt_domain));
      f.evidence = "From: " + from + "\nReply-To: " + *rt;
      a.findings.push_back(std::move(f));
    }
  }

  // DKIM d= and Return-Path vs From (alignment, T-Online's strict DKIM rule).
  std::vector<std::string> dkim_domains;
  std::vector<std::vector<std::string>> signed_headers;
  for (const std::string* sig : a.headers.all("DKIM-Signature")) {
    std::string d;
    std::vector<std::string> h;
    for (const auto& [k, v] : tags(*sig)) {
      if (k == "d") d = util::lower(v);
      if (k == "h")
        for (auto name : util::split(v, ':')) h.push_back(util::lower(util::trim(name)));
    }
    if (!d.empty()) dkim_domains.push_back(d);
    signed_headers.push_back(std::move(h));
    if (dkim_domains.size() >= 16) break;
  }
  const std::string* return_path = a.headers.get("Return-Path");
  const std::string rp_domain = return_path ? address_domain(*return_path) : std::string();
  if (!from_domain.empty() && (!dkim_domains.empty() || !rp_domain.empty())) {
    auth::dmarc::Alignment best = auth::dmarc::check_alignment(from_domain, "", rp_domain);
    for (const auto& d : dkim_domains) {
      auto al = auth::dmarc::check_alignment(from_domain, d, rp_domain);
      const int score = al.dkim_strict ? 2 : al.dkim_relaxed ? 1 : 0;
      const int best_score = best.dkim_strict ? 2 : best.dkim_relaxed ? 1 : best.dkim_domain.empty() ? -1 : 0;
      if (score > best_score) best = al;
    }
    for (auto& f : auth::dmarc::alignment_findings(best, nullptr)) {
      f.evidence = "From: " + from_domain + "\nDKIM d=: " + (best.dkim_domain.empty() ? "-" : best.dkim_domain) +
                   "\nReturn-Path: " + (rp_domain.empty() ? "-" : rp_domain);
      a.findings.push_back(std::move(f));
    }
  }
  if (dkim_domains.empty() && a.headers.get("From")) {
    const bool sent = a.headers.get("Received") != nullptr;
    a.findings.push_back(make_finding("content.no-dkim", sent ? Severity::warning : Severity::info, sent ? Fixer::provider : Fixer::nobody));
  }

  // Bulk mail: one-click unsubscribe (Gmail and Yahoo since 2024, RFC 8058).
  const std::string* lu = a.headers.get("List-Unsubscribe");
  const std::string* lup = a.headers.get("List-Unsubscribe-Post");
  const std::string precedence = util::lower(util::trim(header(a, "Precedence")));
  const bool bulk = lu || a.headers.get("List-Id") || a.headers.get("Feedback-ID") || precedence == "bulk" ||
                    precedence == "list" || bulk_hint;
  if (precedence == "junk") {
    Finding f = make_finding("content.precedence-junk", Severity::warning, Fixer::user);
    f.evidence = "Precedence: junk";
    a.findings.push_back(std::move(f));
  }
  if (bulk && !lu) {
    a.findings.push_back(make_finding("content.no-list-unsubscribe", Severity::warning, Fixer::user));
  } else if (lu) {
    bool https = false, mailto = false;
    std::size_t pos = 0;
    for (int n = 0; n < 16; ++n) {
      const auto open = lu->find('<', pos);
      if (open == std::string::npos) break;
      const auto close = lu->find('>', open);
      if (close == std::string::npos) break;
      const std::string_view uri = util::trim(std::string_view(*lu).substr(open + 1, close - open - 1));
      if (util::istarts_with(uri, "https://")) https = true;
      if (util::istarts_with(uri, "mailto:")) mailto = true;
      pos = close + 1;
    }
    if (!https && !mailto) {
      Finding f = make_finding("content.list-unsubscribe-invalid", Severity::warning, Fixer::user);
      f.evidence = "List-Unsubscribe: " + *lu;
      a.findings.push_back(std::move(f));
    }
    const bool one_click = lup && util::iequals(util::trim(*lup), "List-Unsubscribe=One-Click");
    if (!one_click) {
      Finding f = make_finding("content.no-one-click", Severity::warning, Fixer::user);
      f.evidence = "List-Unsubscribe: " + *lu + (lup ? "\nList-Unsubscribe-Post: " + *lup : std::string());
      a.findings.push_back(std::move(f));
    } else {
      if (!https) {
        Finding f = make_finding("content.one-click-no-https", Severity::warning, Fixer::user);
        f.evidence = "List-Unsubscribe: " + *lu;
        a.findings.push_back(std::move(f));
      }
      bool covered = false;
      for (const auto& h : signed_headers)
        if (std::find(h.begin(), h.end(), "list-unsubscribe") != h.end() &&
            std::find(h.begin(), h.end(), "list-unsubscribe-post") != h.end())
          covered = true;
      if (!signed_headers.empty() && !covered)
        a.findings.push_back(make_finding("content.unsubscribe-not-signed", Severity::warning, Fixer::provider));
    }
  }
}

// ---- attachments ----------------------------------------------------------------------------

void check_attachment(Analysis& a, const Part& p) {
  ++a.attachments;
  const std::string name = p.filename.empty() ? "(" + p.content_type + ")" : p.filename;
  const std::string ext = extension(p.filename);
  const std::string where = "part " + p.path + ": " + p.content_type + (p.filename.empty() ? "" : ", \"" + p.filename + "\"");
  auto add = [&](std::string id, Severity sev, std::string inner = {}) {
    Finding f = make_finding(std::move(id), sev, Fixer::user, shown(name));
    f.arg("name", shown(name))
        .arg("ext", shown(inner.empty() ? ext : extension(inner), 20))
        .arg("inner", inner.empty() ? std::string() : ": " + shown(inner));
    f.arg("size", size_text(p.decoded_bytes));
    f.evidence = where;
    a.findings.push_back(std::move(f));
  };
  if (contains(k_blocked_ext, ext)) add("content.attachment-blocked", Severity::critical);
  else if (contains(k_macro_ext, ext)) add("content.attachment-macro", Severity::warning);
  if (ext == "zip") {
    const ZipListing z = list_zip(p.body);
    if (z.valid) {
      if (z.encrypted) add("content.attachment-encrypted", Severity::warning);
      bool blocked = false, macro = false;
      for (const auto& entry : z.names) {
        const std::string e = extension(entry);
        if (!blocked && contains(k_blocked_ext, e)) {
          blocked = true;
          add("content.attachment-blocked", Severity::critical, entry);
        } else if (!macro && contains(k_macro_ext, e)) {
          macro = true;
          add("content.attachment-macro", Severity::warning, entry);
        }
      }
    } else {
      add("content.attachment-archive", Severity::info);
    }
  } else if (contains(k_archive_ext, ext)) {
    add("content.attachment-archive", Severity::info);
  }
  // "rechnung.pdf.exe", "foto.jpg   .scr"
  if (!ext.empty()) {
    std::string_view stem(p.filename);
    stem = stem.substr(0, stem.size() - ext.size() - 1);
    while (!stem.empty() && util::is_space(stem.back())) stem.remove_suffix(1);
    const std::string inner = extension(stem);
    if (!inner.empty() && inner != ext && contains(k_document_ext, inner)) add("content.attachment-double-extension", Severity::warning);
  }
  if (p.decoded_bytes > 10 * k_mib) add("content.attachment-large", Severity::warning);
}

// ---- links ----------------------------------------------------------------------------------

void check_links(Analysis& a) {
  struct Group {
    std::size_t count = 0;
    const Link* first = nullptr;
  };
  std::vector<std::pair<std::string, Group>> shorteners;  // shortener domain -> links
  Group ip, malformed, userinfo, http;
  std::vector<std::pair<std::string, std::string>> mismatches;
  std::size_t mismatch_count = 0;
  for (const Link& l : a.links) {
    const Url& u = l.url;
    if (!l.shortener.empty()) {
      auto it = std::find_if(shorteners.begin(), shorteners.end(), [&](const auto& s) { return s.first == l.shortener; });
      if (it == shorteners.end()) {
        shorteners.emplace_back(l.shortener, Group{});
        it = std::prev(shorteners.end());
      }
      if (it->second.count++ == 0) it->second.first = &l;
    }
    Group* g = nullptr;
    if (u.kind == HostKind::ipv4 || u.kind == HostKind::ipv6) g = &ip;
    else if (u.kind == HostKind::malformed) g = &malformed;
    if (g && g->count++ == 0) g->first = &l;
    if (u.userinfo && userinfo.count++ == 0) userinfo.first = &l;
    if (u.scheme == "http" && l.source != LinkSource::image && http.count++ == 0) http.first = &l;
    if (l.source == LinkSource::html && !l.shown.empty()) {
      const std::string shown_domain = domain_in_text(l.shown);
      if (!shown_domain.empty() && (u.kind == HostKind::name || u.kind == HostKind::ipv4 || u.kind == HostKind::ipv6)) {
        std::string s_reg = util::registered_domain(shown_domain);
        if (s_reg.empty()) s_reg = shown_domain;
        const std::string t_reg = u.registered.empty() ? u.host : u.registered;
        if (s_reg != t_reg) {
          ++mismatch_count;
          if (mismatches.size() < k_max_mismatch_findings &&
              std::find(mismatches.begin(), mismatches.end(), std::pair{s_reg, t_reg}) == mismatches.end()) {
            mismatches.emplace_back(s_reg, t_reg);
            Finding f = make_finding("content.link-mismatch", Severity::warning, Fixer::user, shown(shown_domain));
            f.arg("shown", shown(shown_domain)).arg("target", shown(u.host));
            f.evidence = "text \"" + l.shown + "\" -> " + u.text;
            a.findings.push_back(std::move(f));
          }
        }
      }
    }
  }
  for (const auto& [domain, g] : shorteners) {
    Finding f = make_finding("content.link-shortener", Severity::critical, Fixer::user, domain);
    f.arg("shortener", domain).arg("count", util::format_uint(g.count));
    f.evidence = g.first->url.text;
    a.findings.push_back(std::move(f));
  }
  auto group_finding = [&](const Group& g, std::string id, Severity sev) {
    if (g.count == 0) return;
    Finding f = make_finding(std::move(id), sev, Fixer::user);
    f.arg("count", util::format_uint(g.count)).arg("example", shown(g.first->url.text, 120)).arg("problem", shown(g.first->url.problem));
    f.evidence = g.first->url.text;
    a.findings.push_back(std::move(f));
  };
  group_finding(ip, "content.link-ip", Severity::warning);
  group_finding(malformed, "content.link-malformed", Severity::warning);
  group_finding(userinfo, "content.link-userinfo", Severity::warning);
  group_finding(http, "content.link-http", Severity::info);
  if (a.links_seen > a.links.size() && a.links.size() >= max_links) {
    Finding f = make_finding("content.links-capped", Severity::warning, Fixer::user);
    f.arg("count", util::format_uint(a.links_seen)).arg("kept", util::format_uint(max_links));
    a.findings.push_back(std::move(f));
  }
}

}  // namespace

std::string extension(std::string_view filename) {
  const auto dot = filename.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= filename.size()) return {};
  std::string_view e = util::trim(filename.substr(dot + 1));
  if (e.size() > 12 || e.find('/') != std::string_view::npos || e.find(' ') != std::string_view::npos) return {};
  return util::lower(e);
}

std::string address_domain(std::string_view value) {
  std::string_view v = value;
  if (v.size() > 4096) v = v.substr(0, 4096);
  std::string_view addr;
  const auto lt = v.rfind('<');
  if (lt != std::string_view::npos) {
    const auto gt = v.find('>', lt);
    addr = v.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
  } else {
    for (auto w : util::split_ws(v))
      if (w.find('@') != std::string_view::npos) {
        addr = w;
        break;
      }
  }
  const auto at = addr.rfind('@');
  if (at == std::string_view::npos) return {};
  std::string_view d = util::trim(addr.substr(at + 1));
  while (!d.empty() && (d.back() == '>' || d.back() == ',' || d.back() == ';' || d.back() == ')' || d.back() == '"' || d.back() == '.'))
    d.remove_suffix(1);
  if (d.empty() || d.size() > 253) return {};
  for (char c : d)
    if (!util::is_alnum(c) && c != '-' && c != '.' && c != '_' && static_cast<unsigned char>(c) < 0x80) return {};
  return util::lower(d);
}

ZipListing list_zip(std::string_view b) {
  ZipListing z;
  auto u16 = [&](std::size_t at) -> std::uint32_t {
    return at + 2 <= b.size() ? static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
                                    (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8)
                              : 0;
  };
  auto u32 = [&](std::size_t at) -> std::uint32_t { return at + 4 <= b.size() ? u16(at) | (u16(at + 2) << 16) : 0; };
  if (b.size() < 22 || b.substr(0, 2) != "PK") return z;
  // End of central directory: the last "PK\5\6" within the final 64 KiB + 22 bytes.
  const std::size_t from = b.size() > 65557 ? b.size() - 65557 : 0;
  const std::size_t eocd = b.rfind(std::string_view("PK\x05\x06", 4));
  if (eocd == std::string_view::npos || eocd < from || eocd + 22 > b.size()) return z;
  const std::uint32_t entries = u16(eocd + 10);
  std::size_t pos = u32(eocd + 16);
  z.valid = true;
  for (std::uint32_t i = 0; i < entries && z.names.size() < max_zip_entries; ++i) {
    if (pos + 46 > b.size() || b.substr(pos, 4) != std::string_view("PK\x01\x02", 4)) break;
    const std::uint32_t flags = u16(pos + 8);
    const std::size_t name_len = u16(pos + 28), extra = u16(pos + 30), comment = u16(pos + 32);
    if (pos + 46 + name_len > b.size()) break;
    if (flags & 1u) z.encrypted = true;
    z.names.emplace_back(b.substr(pos + 46, name_len));
    pos += 46 + name_len + extra + comment;
  }
  return z;
}

Analysis analyse(std::string_view input, const data::Shorteners& shorteners, bool input_truncated) {
  Analysis a;
  a.input_bytes = input.size();
  a.input_truncated = input_truncated;

  // Line lengths on the raw input (RFC 5322 2.1.1: at most 998 characters per line).
  std::size_t long_lines = 0, longest = 0;
  {
    std::size_t start = 0;
    while (start < input.size()) {
      std::size_t nl = input.find('\n', start);
      if (nl == std::string_view::npos) nl = input.size();
      std::size_t len = nl - start;
      if (len > 0 && input[start + len - 1] == '\r') --len;
      if (len > 998) ++long_lines;
      longest = std::max(longest, len);
      start = nl + 1;
    }
  }
  // Work on LF line ends.
  std::string text;
  text.reserve(input.size());
  for (std::size_t i = 0; i < input.size(); ++i)
    if (!(input[i] == '\r' && i + 1 < input.size() && input[i + 1] == '\n')) text += input[i];

  const mail::Entity top = mail::split_entity(text);
  a.has_headers = !top.headers.headers.empty();
  a.headers = top.headers;
  detail::Walk w;
  if (a.has_headers) {
    detail::walk(top.headers, top.body, 0, "", w);
  } else {
    Part p;
    p.path = "body";
    p.content_type = looks_like_html(top.body) ? "text/html" : "text/plain";
    p.raw_bytes = top.body.size();
    p.body = std::string(top.body.substr(0, max_decode_bytes));
    p.decoded_bytes = top.body.size();
    w.parts.push_back(std::move(p));
  }

  Collector links{a, shorteners, {}};
  std::string html_text, plain_text;
  bool any_html = false, any_plain = false, html_base64 = false, html_base64_needless = false, html_truncated = false;
  std::size_t scripts = 0, forms = 0, iframes = 0, embeds = 0;
  for (const Part& p : w.parts) {
    if (p.decode_broken) {
      Finding f = make_finding("content.encoding-broken", Severity::warning, Fixer::user);
      f.arg("part", p.path).arg("encoding", shown(p.encoding, 40));
      f.evidence = "part " + p.path + ": " + p.content_type + ", " + p.encoding;
      a.findings.push_back(std::move(f));
    }
    if (p.is_attachment()) {
      check_attachment(a, p);
      continue;
    }
    const bool html = p.content_type == "text/html";
    const bool plain = p.content_type == "text/plain";
    if (!html && !plain) continue;
    // Charset (only for real messages: a template file has no headers to declare one).
    if (a.has_headers) {
      if (p.charset.empty() && has_8bit(p.body)) {
        Finding f = make_finding("content.charset-missing", Severity::warning, Fixer::user);
        f.arg("part", p.path);
        f.evidence = "part " + p.path + ": " + p.content_type + " without charset, 8-bit bytes in the body";
        a.findings.push_back(std::move(f));
      } else if ((p.charset == "utf-8" || p.charset == "utf8" || p.charset == "us-ascii") && !mail::is_valid_utf8(p.body)) {
        Finding f = make_finding("content.charset-broken", Severity::warning, Fixer::user);
        f.arg("part", p.path).arg("charset", shown(p.charset, 40));
        f.evidence = "part " + p.path + ": charset=" + p.charset + ", bytes that are not valid there";
        a.findings.push_back(std::move(f));
      } else if (!p.charset.empty() && !known_charset(p.charset)) {
        Finding f = make_finding("content.charset-unknown", Severity::info, Fixer::user);
        f.arg("part", p.path).arg("charset", shown(p.charset, 40));
        f.evidence = "part " + p.path + ": charset=" + p.charset;
        a.findings.push_back(std::move(f));
      }
    }
    const std::string utf8 = mail::to_utf8(p.body, p.charset);
    if (html) {
      any_html = true;
      a.html_bytes += p.decoded_bytes;
      if (p.encoding == "base64") {
        html_base64 = true;
        if (!has_8bit(p.body)) html_base64_needless = true;
      }
      const std::size_t budget = max_links - std::min(max_links, a.links.size());
      HtmlScan scan = scan_html(utf8, budget);
      html_truncated = html_truncated || scan.truncated || p.decoded_bytes > p.body.size();
      a.links_seen += scan.links_seen;
      for (auto& l : scan.links) links.add(l.href, std::move(l.text), p.path, LinkSource::html);
      a.images += scan.images_seen;
      for (const auto& img : scan.images) {
        if (img.remote) {
          ++a.remote_images;
          links.add(img.src, {}, p.path, LinkSource::image);
        }
        if (img.pixel) ++a.pixels;
      }
      scripts += scan.scripts;
      forms += scan.forms;
      iframes += scan.iframes;
      embeds += scan.embeds;
      if (html_text.size() < max_text_bytes) html_text += scan.text + " ";
    } else {
      any_plain = true;
      a.text_bytes += p.decoded_bytes;
      std::vector<std::string> urls;
      std::size_t seen = 0;
      find_text_urls(utf8, urls, seen, max_links - std::min(max_links, a.links.size()));
      a.links_seen += seen;
      for (const auto& u : urls) links.add(u, {}, p.path, LinkSource::text);
      if (plain_text.size() < max_text_bytes) plain_text += utf8.substr(0, max_text_bytes) + " ";
    }
  }

  a.parts = std::move(w.parts);

  // ---- structure findings ----
  if (input_truncated || a.input_bytes > 25 * k_mib) {
    Finding f = make_finding("content.size", Severity::critical, Fixer::user);
    f.arg("size", input_truncated ? "more than " + size_text(a.input_bytes) : size_text(a.input_bytes));
    a.findings.push_back(std::move(f));
  } else if (a.input_bytes > 10 * k_mib) {
    Finding f = make_finding("content.size", Severity::warning, Fixer::user);
    f.arg("size", size_text(a.input_bytes));
    a.findings.push_back(std::move(f));
  }
  if (input_truncated) {
    Finding f = make_finding("content.input-truncated", Severity::warning, Fixer::nobody);
    f.arg("limit", size_text(max_input_bytes));
    a.findings.push_back(std::move(f));
  }
  if (long_lines > 0) {
    Finding f = make_finding("content.long-lines", Severity::warning, Fixer::user);
    f.arg("count", util::format_uint(long_lines)).arg("longest", util::format_uint(longest));
    a.findings.push_back(std::move(f));
  }
  for (const auto& reason : w.broken) {
    Finding f = make_finding("content.mime-broken", Severity::warning, Fixer::user);
    f.arg("reason", shown(reason));
    f.evidence = reason;
    a.findings.push_back(std::move(f));
  }
  if (w.too_deep) {
    Finding f = make_finding("content.mime-too-deep", Severity::warning, Fixer::user);
    f.arg("limit", util::format_uint(max_depth));
    a.findings.push_back(std::move(f));
  }
  if (w.too_many) {
    Finding f = make_finding("content.mime-too-many-parts", Severity::warning, Fixer::user);
    f.arg("limit", util::format_uint(max_entities));
    a.findings.push_back(std::move(f));
  }
  if (html_truncated) {
    Finding f = make_finding("content.html-truncated", Severity::info, Fixer::nobody);
    f.arg("limit", size_text(max_html_bytes));
    a.findings.push_back(std::move(f));
  }
  if (any_html && !any_plain) {
    // A bare template: the sending tool may add the text part, so only mention it.
    a.findings.push_back(make_finding("content.no-text-part", a.has_headers ? Severity::warning : Severity::info, Fixer::user));
  } else if (any_html && any_plain) {
    const auto hw = words(html_text), pw = words(plain_text);
    if (hw.size() >= 20) {
      std::size_t shared = 0;
      for (const auto& x : hw) shared += pw.count(x);
      const std::size_t pct = shared * 100 / hw.size();
      if (pct < 30) {
        Finding f = make_finding("content.text-differs", Severity::warning, Fixer::user);
        f.arg("percent", util::format_uint(pct)).arg("html_words", util::format_uint(hw.size())).arg("text_words", util::format_uint(pw.size()));
        f.evidence = "text/plain: \"" + plain_text.substr(0, 120) + "\"";
        a.findings.push_back(std::move(f));
      }
    }
  }
  const std::size_t html_chars = visible_chars(html_text);
  if (any_html && a.images > 0 && html_chars < 100) {
    Finding f = make_finding("content.image-only", Severity::warning, Fixer::user);
    f.arg("images", util::format_uint(a.images)).arg("chars", util::format_uint(html_chars));
    a.findings.push_back(std::move(f));
  } else if (any_html && a.images > 0 && html_chars / a.images < 250) {
    Finding f = make_finding("content.image-heavy", Severity::info, Fixer::user);
    f.arg("images", util::format_uint(a.images)).arg("chars", util::format_uint(html_chars));
    a.findings.push_back(std::move(f));
  }
  if (a.remote_images > 0) {
    Finding f = make_finding("content.remote-images", Severity::info, Fixer::user);
    f.arg("count", util::format_uint(a.remote_images));
    a.findings.push_back(std::move(f));
  }
  if (a.pixels > 0) {
    Finding f = make_finding("content.tracking-pixel", Severity::info, Fixer::user);
    f.arg("count", util::format_uint(a.pixels));
    a.findings.push_back(std::move(f));
  }
  if (any_html && a.html_bytes > k_gmail_clip_bytes) {
    Finding f = make_finding("content.html-clipped", Severity::warning, Fixer::user);
    f.arg("size", size_text(a.html_bytes));
    a.findings.push_back(std::move(f));
  }
  if (html_base64) {
    Finding f = make_finding("content.html-base64", html_base64_needless ? Severity::warning : Severity::info, Fixer::user);
    a.findings.push_back(std::move(f));
  }
  auto active = [&](std::size_t count, const char* id, Severity sev) {
    if (count == 0) return;
    Finding f = make_finding(id, sev, Fixer::user);
    f.arg("count", util::format_uint(count));
    a.findings.push_back(std::move(f));
  };
  active(scripts, "content.html-script", Severity::warning);
  active(forms, "content.html-form", Severity::warning);
  active(iframes, "content.html-iframe", Severity::warning);
  active(embeds, "content.html-embed", Severity::warning);
  if (visible_chars(html_text) == 0 && visible_chars(plain_text) == 0 && a.attachments == 0 && a.images == 0)
    a.findings.push_back(make_finding("content.empty", Severity::warning, Fixer::user));

  check_links(a);

  // A visible unsubscribe link marks a newsletter even without list headers.
  bool unsubscribe_link = false;
  for (const Link& l : a.links) {
    const std::string t = util::lower(l.shown) + " " + util::lower(l.url.text);
    for (std::string_view k : {"unsubscribe", "abmelden", "abbestellen", "austragen", "optout", "opt-out"})
      if (t.find(k) != std::string::npos) unsubscribe_link = true;
    if (unsubscribe_link) break;
  }
  if (a.has_headers) check_headers(a, unsubscribe_link);
  else a.findings.push_back(make_finding("content.no-headers", Severity::info, Fixer::nobody));
  return a;
}

}  // namespace mailrep::content
