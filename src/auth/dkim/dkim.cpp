// DKIM key records (RFC 6376 3.6.1, RFC 8301, RFC 8463) and selector discovery.
#include "mailrep/auth/dkim/dkim.hpp"

#include <array>
#include <charconv>
#include <memory>
#include <utility>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "mailrep/util/text.hpp"

namespace mailrep::auth::dkim {

std::string_view to_string(KeyType t) {
  switch (t) {
    case KeyType::rsa: return "rsa";
    case KeyType::ed25519: return "ed25519";
    case KeyType::unknown: break;
  }
  return "unknown";
}

std::string_view to_string(Strength s) {
  switch (s) {
    case Strength::ok: return "ok";
    case Strength::weak: return "weak";
    case Strength::broken: return "broken";
  }
  return "ok";
}

std::string_view to_string(SelectorResult::State s) {
  switch (s) {
    case SelectorResult::State::found: return "found";
    case SelectorResult::State::revoked: return "revoked";
    case SelectorResult::State::not_found: return "not-found";
    case SelectorResult::State::not_a_key: return "not-a-key";
    case SelectorResult::State::multiple: return "multiple";
    case SelectorResult::State::invalid: return "invalid";
    case SelectorResult::State::dns_error: return "dns-error";
  }
  return "not-found";
}

namespace {

constexpr std::size_t k_max_key_bytes = 16384;

std::vector<std::string> colon_list(std::string_view v) {
  std::vector<std::string> out;
  for (auto piece : util::split(v, ':')) {
    auto t = util::trim(piece);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

}  // namespace

bool KeyRecord::allows_sha256() const {
  if (hashes.empty()) return true;
  for (const auto& h : hashes)
    if (h == "sha256") return true;
  return false;
}

bool KeyRecord::for_email() const {
  if (services.empty()) return true;
  for (const auto& s : services)
    if (s == "*" || s == "email") return true;
  return false;
}

bool looks_like_key_record(std::string_view txt) {
  const auto t = util::trim(txt);
  if (t.substr(0, 2) == "v=" || t.substr(0, 1) == "v") {
    std::size_t i = 1;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
    if (i < t.size() && t[i] == '=') {
      ++i;
      while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
      if (t.substr(i, 5) == "DKIM1") return true;
    }
  }
  if (t.substr(0, 6) == "v=spf1" || t.substr(0, 7) == "v=DMARC") return false;
  const TagList tl = split_tag_list(t);
  return tl.find("p") != nullptr;
}

KeyRecord parse_key_record(std::string_view text) {
  KeyRecord r;
  r.text = std::string(text);
  TagList tl = split_tag_list(text);
  r.problems = std::move(tl.problems);
  r.tags = std::move(tl.tags);
  for (std::size_t i = 0; i < r.tags.size(); ++i) {
    const Tag& t = r.tags[i];
    auto bad = [&](std::string msg, bool fatal) {
      r.problems.push_back(Problem{t.position, t.length, std::move(msg), t.name, fatal});
    };
    const std::string shown = util::sanitize(t.value, 60);
    if (t.name == "v") {
      r.has_version = true;
      if (i != 0) bad("v= must be the first tag", true);
      if (t.value != "DKIM1") bad("v='" + shown + "': records with a version other than DKIM1 are discarded", true);
    } else if (t.name == "k") {
      r.k = util::lower(t.value);
      if (r.k == "rsa") r.key_type = KeyType::rsa;
      else if (r.k == "ed25519") r.key_type = KeyType::ed25519;
      else {
        r.key_type = KeyType::unknown;
        bad("k='" + shown + "' is not a key type verifiers know (rsa, ed25519)", true);
      }
    } else if (t.name == "h") {
      r.hashes = colon_list(util::lower(t.value));
    } else if (t.name == "s") {
      r.services = colon_list(util::lower(t.value));
    } else if (t.name == "t") {
      r.flags = colon_list(util::lower(t.value));
      for (const auto& f : r.flags) {
        if (f == "y") r.testing = true;
        else if (f == "s") r.strict_subdomains = true;
      }
    } else if (t.name == "n") {
      r.notes = t.value;
    } else if (t.name == "p") {
      r.has_p = true;
      for (char c : t.value)
        if (!util::is_space(c)) r.p += c;
      r.revoked = r.p.empty();
    } else if (t.name == "g") {
      // RFC 4871 granularity, removed by RFC 6376; harmless unless restrictive.
      if (t.value != "*" && !t.value.empty()) bad("g= (RFC 4871, removed by RFC 6376) restricts the key to local-part '" + shown + "'", false);
    } else {
      r.unknown_tags.push_back(util::sanitize(t.name, 40));
    }
  }
  if (!r.has_p) r.problems.push_back(Problem{0, text.size(), "no p= tag (the public key)", "p", true});
  bool fatal = false;
  for (const auto& p : r.problems) fatal = fatal || p.fatal;
  r.usable = !fatal && r.has_p && !r.revoked;
  return r;
}

std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int nbits = 0;
  int pad = 0;
  std::size_t chars = 0;
  for (char c : text) {
    if (util::is_space(c)) continue;
    if (c == '=') {
      ++pad;
      ++chars;
      if (pad > 2) return std::nullopt;
      continue;
    }
    if (pad > 0) return std::nullopt;  // data after padding
    const int v = b64_value(c);
    if (v < 0) return std::nullopt;
    ++chars;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    nbits += 6;
    if (nbits >= 8) {
      nbits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> nbits) & 0xffu));
      if (out.size() > k_max_key_bytes) return std::nullopt;
    }
  }
  if (chars % 4 != 0) return std::nullopt;
  if (pad > 0 && (acc & ((1u << nbits) - 1u)) != 0) return std::nullopt;  // non-canonical trailing bits
  return out;
}

Strength rate_key(KeyType type, unsigned bits) {
  if (type != KeyType::rsa) return Strength::ok;
  if (bits < 1024) return Strength::broken;
  if (bits < 2048) return Strength::weak;
  return Strength::ok;
}

KeyInfo decode_key(KeyType declared, std::string_view base64) {
  KeyInfo info;
  auto bytes = decode_base64(base64);
  if (!bytes) {
    info.error = "p= is not valid base64";
    return info;
  }
  if (bytes->empty()) {
    info.error = "p= is empty (revoked key)";
    return info;
  }
  const long len = static_cast<long>(bytes->size());
  if (declared == KeyType::ed25519 && bytes->size() == 32) {
    Pkey k(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes->data(), bytes->size()));
    if (!k) {
      info.error = "p= is not an Ed25519 public key";
      return info;
    }
    info.type = KeyType::ed25519;
    info.bits = 256;
    info.format = "raw";
    return info;
  }
  const unsigned char* ptr = bytes->data();
  Pkey key(d2i_PUBKEY(nullptr, &ptr, len));
  if (key && ptr != bytes->data() + len) key.reset();  // trailing garbage
  if (key) {
    info.format = "spki";
  } else if (declared == KeyType::rsa) {
    ptr = bytes->data();
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &ptr, len));
    if (key && ptr != bytes->data() + len) key.reset();
    if (key) {
      info.format = "pkcs1";
      info.warning = "the key is a bare PKCS#1 RSAPublicKey, not a SubjectPublicKeyInfo; some verifiers reject it";
    }
  }
  if (!key) {
    info.error = "p= does not decode to a public key";
    return info;
  }
  const int id = EVP_PKEY_get_base_id(key.get());
  if (id == EVP_PKEY_RSA) {
    info.type = KeyType::rsa;
    const int bits = EVP_PKEY_get_bits(key.get());
    info.bits = bits > 0 ? static_cast<unsigned>(bits) : 0;
  } else if (id == EVP_PKEY_ED25519) {
    info.type = KeyType::ed25519;
    info.bits = 256;
    if (declared == KeyType::ed25519)
      info.warning = "RFC 8463 wants the raw 32-byte Ed25519 key in p=, not a SubjectPublicKeyInfo; verifiers reject it";
  } else {
    info.error = "p= holds a key of a type DKIM does not use";
    return info;
  }
  if (declared != KeyType::unknown && declared != info.type) {
    info.error = "k=" + std::string(to_string(declared)) + " but p= holds an " + std::string(to_string(info.type)) +
                 " key";
    return info;
  }
  info.strength = rate_key(info.type, info.bits);
  return info;
}

std::vector<std::string> selector_candidates(const std::vector<std::string>& requested,
                                             const std::vector<std::string>& common, std::size_t max) {
  std::vector<std::string> out;
  auto add = [&](std::string_view raw) {
    if (out.size() >= max) return;
    std::string s = util::lower(util::trim(raw));
    while (!s.empty() && s.back() == '.') s.pop_back();
    if (s.empty() || s.size() > 200) return;
    for (auto label : util::split(s, '.')) {
      if (label.empty() || label.size() > 63) return;
      for (char c : label)
        if (!util::is_alnum(c) && c != '-' && c != '_') return;
    }
    for (const auto& o : out)
      if (o == s) return;
    out.push_back(std::move(s));
  };
  for (const auto& r : requested) add(r);
  for (const auto& c : common) add(c);
  return out;
}

std::size_t DkimReport::found_count() const {
  std::size_t n = 0;
  for (const auto& s : selectors)
    if (s.state == SelectorResult::State::found || s.state == SelectorResult::State::multiple) ++n;
  return n;
}

namespace {

SelectorResult classify(std::string selector, std::string name, bool requested, const dns::Answer& a) {
  SelectorResult s;
  s.selector = std::move(selector);
  s.name = std::move(name);
  s.requested = requested;
  s.cnames = a.cnames;
  if (!a.is_fact()) {
    s.state = SelectorResult::State::dns_error;
    s.detail = std::string(dns::to_string(a.outcome));
    return s;
  }
  if (a.outcome != dns::Outcome::answer || a.records.empty()) {
    s.state = SelectorResult::State::not_found;
    s.detail = std::string(dns::to_string(a.outcome));
    return s;
  }
  std::vector<const dns::Record*> keys;
  for (const auto& r : a.records)
    if (looks_like_key_record(r.text)) keys.push_back(&r);
  if (keys.empty()) {
    s.state = SelectorResult::State::not_a_key;
    s.text = a.records.front().text;
    s.detail = "TXT record(s) there, none is a DKIM key";
    return s;
  }
  s.text = keys.front()->text;
  s.record = parse_key_record(s.text);
  if (s.record->revoked) s.state = SelectorResult::State::revoked;
  else if (!s.record->usable) s.state = SelectorResult::State::invalid;
  else {
    s.key = decode_key(s.record->key_type, s.record->p);
    s.state = s.key->ok() ? SelectorResult::State::found : SelectorResult::State::invalid;
    if (!s.key->ok()) s.detail = s.key->error;
  }
  if (keys.size() > 1 && s.state == SelectorResult::State::found) s.state = SelectorResult::State::multiple;
  if (keys.size() > 1) s.detail = util::format_uint(keys.size()) + " key records at one name";
  return s;
}

void key_findings(const SelectorResult& s, const std::string& domain, std::vector<Finding>& out) {
  auto add = [&](std::string id, Severity sev) -> Finding& {
    out.push_back(domain_owner_finding(std::move(id), sev, domain));
    Finding& f = out.back();
    f.arg("selector", s.selector).arg("name", s.name);
    f.evidence = util::sanitize(s.text, 800);
    return f;
  };
  using St = SelectorResult::State;
  if (s.state == St::revoked) {
    add("dkim.revoked", s.requested ? Severity::critical : Severity::info);
    return;
  }
  if (s.state == St::invalid) {
    std::string why = s.detail;
    if (why.empty() && s.record)
      for (const auto& p : s.record->problems)
        if (p.fatal) { why = p.message; break; }
    add("dkim.key-invalid", Severity::critical).arg("problem", why.empty() ? std::string("unusable record") : why);
    return;
  }
  if (s.state == St::multiple) add("dkim.multiple-records", Severity::warning).arg("detail", s.detail);
  if (s.state != St::found && s.state != St::multiple) return;
  const KeyRecord& r = *s.record;
  const KeyInfo& k = *s.key;
  const std::string bits = util::format_uint(k.bits);
  if (k.strength == Strength::broken) add("dkim.key-broken", Severity::critical).arg("bits", bits);
  else if (k.strength == Strength::weak) add("dkim.key-weak", Severity::warning).arg("bits", bits);
  if (!k.warning.empty()) add("dkim.key-format", Severity::warning).arg("problem", k.warning);
  if (r.testing) add("dkim.testing", Severity::warning);
  if (!r.allows_sha256()) add("dkim.sha1-only", Severity::critical).arg("hashes", util::sanitize(util::join(r.hashes, ":"), 60));
  if (!r.for_email()) add("dkim.service-not-email", Severity::critical).arg("services", util::sanitize(util::join(r.services, ":"), 60));
}

}  // namespace

io::Task<DkimReport> check_dkim(dns::Resolver& resolver, std::string domain, std::vector<std::string> requested,
                                std::vector<std::string> common) {
  DkimReport rep;
  rep.domain = util::lower(util::trim(domain));
  while (!rep.domain.empty() && rep.domain.back() == '.') rep.domain.pop_back();
  const std::vector<std::string> wanted = selector_candidates(requested, {}, 32);
  const std::vector<std::string> candidates = selector_candidates(requested, common);
  rep.probed = candidates.size();
  // Everything at once: every selector, the _domainkey node, a made-up selector.
  std::vector<std::string> names;
  std::vector<io::Task<dns::Answer>> tasks;
  names.reserve(candidates.size());
  tasks.reserve(candidates.size());
  for (const auto& sel : candidates) {
    names.push_back(sel + "._domainkey." + rep.domain);
    tasks.push_back(resolver.lookup(dns::Query{names.back(), dns::RrType::txt}));
  }
  io::Task<dns::Answer> node_task = resolver.lookup(dns::Query{"_domainkey." + rep.domain, dns::RrType::txt});
  const std::string probe_name = std::string(k_wildcard_probe) + "._domainkey." + rep.domain;
  io::Task<dns::Answer> probe_task = resolver.lookup(dns::Query{probe_name, dns::RrType::txt});
  std::vector<dns::Answer> answers;
  answers.reserve(tasks.size());
  for (auto& t : tasks) {
    dns::Answer a = co_await t;
    answers.push_back(std::move(a));
  }
  dns::Answer node = co_await node_task;
  dns::Answer probe = co_await probe_task;

  if (node.outcome == dns::Outcome::nxdomain) rep.domainkey_exists = false;
  else if (node.is_fact()) rep.domainkey_exists = true;
  std::string wildcard_text;
  if (probe.has_records()) {
    for (const auto& r : probe.records)
      if (looks_like_key_record(r.text)) { rep.wildcard = true; wildcard_text = r.text; break; }
  }

  std::size_t dns_errors = 0;
  std::string first_error;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    bool is_requested = false;
    for (const auto& w : wanted) is_requested = is_requested || w == candidates[i];
    SelectorResult s = classify(candidates[i], names[i], is_requested, answers[i]);
    using St = SelectorResult::State;
    if (s.state == St::dns_error) {
      ++dns_errors;
      if (first_error.empty()) first_error = s.name + ": " + s.detail;
    }
    const bool dangling = s.state == St::not_found && !s.cnames.empty();
    // A wildcard answers for every selector: a common selector that only shows the wildcard is no finding.
    if (!is_requested && rep.wildcard && s.text == wildcard_text) continue;
    if (!is_requested && s.state == St::not_found && !dangling) continue;
    if (!is_requested && s.state == St::not_a_key) continue;
    if (dangling) {
      Finding f = domain_owner_finding("dkim.cname-dangling", is_requested ? Severity::critical : Severity::warning, rep.domain);
      f.arg("selector", s.selector).arg("name", s.name).arg("target", s.cnames.back());
      f.evidence = s.name + " CNAME " + util::join(s.cnames, " -> ") + " (" + s.detail + ")";
      rep.findings.push_back(std::move(f));
    } else if (is_requested && (s.state == St::not_found || s.state == St::not_a_key)) {
      Finding f = domain_owner_finding("dkim.selector-missing", Severity::critical, rep.domain);
      f.arg("selector", s.selector).arg("name", s.name);
      f.evidence = s.state == St::not_a_key ? util::sanitize(s.text, 400) : s.detail;
      rep.findings.push_back(std::move(f));
    }
    key_findings(s, rep.domain, rep.findings);
    rep.selectors.push_back(std::move(s));
  }

  const std::size_t found = rep.found_count();
  if (found > 0) {
    std::vector<std::string> list;
    bool any_rsa = false;
    for (const auto& s : rep.selectors) {
      if (!s.key || !s.key->ok()) continue;
      list.push_back(s.selector + " (" + std::string(to_string(s.key->type)) + " " + util::format_uint(s.key->bits) + ")");
      any_rsa = any_rsa || s.key->type == KeyType::rsa;
    }
    Finding f = domain_owner_finding("dkim.found", Severity::info, rep.domain);
    f.arg("count", util::format_uint(found)).arg("selectors", util::join(list, ", "));
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
    if (!any_rsa) {
      Finding e = domain_owner_finding("dkim.ed25519-only", Severity::warning, rep.domain);
      e.arg("selectors", util::join(list, ", "));
      rep.findings.push_back(std::move(e));
    }
  } else if (wanted.empty()) {
    // Nothing among the common selectors. Selectors are not enumerable: say what is known.
    if (dns_errors == 0 || rep.domainkey_exists == false) {
      Finding f = domain_owner_finding("dkim.none-found", rep.domainkey_exists == false ? Severity::warning : Severity::info, rep.domain);
      f.arg("count", util::format_uint(rep.probed));
      const std::string dk = "_domainkey." + rep.domain;
      if (rep.domainkey_exists == false)
        f.arg("reason", dk + " does not exist (NXDOMAIN), so no key is published under this domain at any selector",
              dk + " existiert nicht (NXDOMAIN), also ist unter dieser Domain bei keinem Selektor ein Schlüssel veröffentlicht");
      else if (rep.domainkey_exists == true)
        f.arg("reason", dk + " exists, so keys are probably published under selectors not on the list",
              dk + " existiert, die Schlüssel liegen also wahrscheinlich unter Selektoren, die nicht auf der Liste stehen");
      else
        f.arg("reason", "whether " + dk + " exists could not be determined",
              "ob " + dk + " existiert, ließ sich nicht feststellen");
      rep.findings.push_back(std::move(f));
    }
  }
  if (dns_errors > 0) {
    Finding f = domain_owner_finding("dkim.dns-error", Severity::warning, rep.domain);
    f.arg("count", util::format_uint(dns_errors)).arg("error", util::sanitize(first_error, 200));
    f.who_can_fix = Fixer::nobody;
    rep.findings.push_back(std::move(f));
  }
  if (rep.wildcard) {
    Finding f = domain_owner_finding("dkim.wildcard", Severity::info, rep.domain);
    f.arg("name", probe_name);
    f.evidence = util::sanitize(wildcard_text, 400);
    rep.findings.push_back(std::move(f));
  }
  co_return rep;
}

}  // namespace mailrep::auth::dkim
