#pragma once
/// \file DKIM key records (RFC 6376 3.6.1, RFC 8301, RFC 8463) and selector discovery.
///
/// Pure parts: parse_key_record() (text -> KeyRecord with problems and positions), decode_base64(),
/// decode_key() (OpenSSL: type and size of the public key), rate_key(), selector_candidates().
/// check_dkim() probes `<selector>._domainkey.<domain>` for every candidate selector at once, plus
/// `_domainkey.<domain>` itself (NXDOMAIN there means no key exists below it, RFC 8020) and one
/// made-up selector (a key there means a wildcard answers for every selector). Selectors cannot be
/// listed from the DNS: when no candidate matches, the report says so instead of "no DKIM".
/// CNAME'd selectors (provider-hosted keys) are followed by the resolver; the chain is reported.
///
/// Finding ids (texts in auth_messages()): dkim.found, dkim.none-found, dkim.selector-missing,
/// dkim.key-broken, dkim.key-weak, dkim.key-invalid, dkim.key-format, dkim.revoked, dkim.testing,
/// dkim.sha1-only, dkim.service-not-email, dkim.multiple-records, dkim.cname-dangling,
/// dkim.ed25519-only, dkim.wildcard, dkim.dns-error.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/auth/dkim/tag_list.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::auth::dkim {

enum class KeyType : std::uint8_t { rsa, ed25519, unknown };
[[nodiscard]] std::string_view to_string(KeyType t);  ///< "rsa", "ed25519", "unknown"

/// RSA below 1024 bits: broken (RFC 8301 3.2: verifiers MUST NOT accept them); below 2048: weak
/// (RFC 8301: signers SHOULD use at least 2048). Ed25519 is ok.
enum class Strength : std::uint8_t { ok, weak, broken };
[[nodiscard]] std::string_view to_string(Strength s);

struct KeyRecord {
  std::string text;
  bool has_version = false;              ///< v=DKIM1 present (optional; must be first when present)
  std::string k = "rsa";                 ///< k= as written (default rsa)
  KeyType key_type = KeyType::rsa;
  std::vector<std::string> hashes;       ///< h= (empty = any)
  std::vector<std::string> services;     ///< s= (empty = "*")
  std::vector<std::string> flags;        ///< t= flags
  bool testing = false;                  ///< t=y
  bool strict_subdomains = false;        ///< t=s: i= must not be a subdomain of d=
  std::string notes;                     ///< n=
  std::string p;                         ///< p= without white space ("" = revoked)
  bool has_p = false;
  bool revoked = false;                  ///< p= present and empty (RFC 6376 3.6.1)
  std::vector<Tag> tags;
  std::vector<Problem> problems;         ///< fatal ones make the key unusable
  std::vector<std::string> unknown_tags;
  bool usable = false;                   ///< no fatal problem, p= present and not empty
  [[nodiscard]] bool allows_sha256() const;  ///< h= empty or lists sha256
  [[nodiscard]] bool for_email() const;      ///< s= empty, "*" or "email"
};

/// Heuristic used on TXT answers: begins with "v=DKIM1", or is a tag list with a p= tag.
[[nodiscard]] bool looks_like_key_record(std::string_view txt);

/// Parse a key record. Tag names are case-sensitive (RFC 6376 3.2).
[[nodiscard]] KeyRecord parse_key_record(std::string_view text);

/// Base64 (RFC 4648) with white space anywhere ignored; nullopt on any other invalid input.
/// At most 16 KiB of output.
[[nodiscard]] std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text);

struct KeyInfo {
  KeyType type = KeyType::unknown;  ///< what the key data actually is
  unsigned bits = 0;                ///< RSA modulus bits; 256 for Ed25519
  std::string format;               ///< "spki" (SubjectPublicKeyInfo), "pkcs1" (bare RSAPublicKey), "raw" (Ed25519)
  std::string error;                ///< empty when decoded
  std::string warning;              ///< a format many verifiers do not accept (pkcs1; Ed25519 as SPKI)
  Strength strength = Strength::ok;
  [[nodiscard]] bool ok() const { return error.empty(); }
};

/// Decode p= for the declared key type (k=). RSA: SubjectPublicKeyInfo, also a bare PKCS#1
/// RSAPublicKey (with a warning). Ed25519 (RFC 8463 4.2): the raw 32-byte key, also SPKI (warning).
[[nodiscard]] KeyInfo decode_key(KeyType declared, std::string_view base64);
[[nodiscard]] Strength rate_key(KeyType type, unsigned bits);

/// The selectors to probe: `requested` first (in order), then `common`; trimmed, lower-cased,
/// duplicates and invalid names (not LDH/underscore labels, too long) dropped; at most `max` names.
[[nodiscard]] std::vector<std::string> selector_candidates(const std::vector<std::string>& requested,
                                                           const std::vector<std::string>& common,
                                                           std::size_t max = 96);

struct SelectorResult {
  std::string selector;
  std::string name;              ///< <selector>._domainkey.<domain>
  bool requested = false;        ///< named by the user (--selector)
  enum class State : std::uint8_t { found, revoked, not_found, not_a_key, multiple, invalid, dns_error };
  State state = State::not_found;
  std::vector<std::string> cnames;  ///< CNAME chain followed (provider-hosted keys)
  std::string text;                 ///< the key record (first one when several)
  std::optional<KeyRecord> record;
  std::optional<KeyInfo> key;
  std::string detail;
};
[[nodiscard]] std::string_view to_string(SelectorResult::State s);

struct DkimReport {
  std::string domain;
  /// Requested selectors always; common ones only when something is there (key, revoked key,
  /// junk, dangling CNAME or DNS error).
  std::vector<SelectorResult> selectors;
  std::size_t probed = 0;                  ///< how many selectors were asked
  std::optional<bool> domainkey_exists;    ///< _domainkey.<domain>: false = NXDOMAIN, nothing below
  bool wildcard = false;                   ///< a made-up selector answered with a key
  std::vector<Finding> findings;
  [[nodiscard]] std::size_t found_count() const;
};

/// Probe selectors of `domain`. `requested` are the user's --selector values; `common` the shipped
/// list (data::load_dkim_selectors). Never throws.
[[nodiscard]] io::Task<DkimReport> check_dkim(dns::Resolver& resolver, std::string domain,
                                              std::vector<std::string> requested, std::vector<std::string> common);

/// The made-up selector check_dkim() uses to detect wildcards.
inline constexpr std::string_view k_wildcard_probe = "mailrep-nonexistent-7f3a9c";

}  // namespace mailrep::auth::dkim
