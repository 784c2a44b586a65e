#pragma once
/// \file SPF records (RFC 7208): parsing with exact error positions, and macro-strings (RFC 7208 7).
///
/// Pure code: text in, values out. `parse_record()` never fails as a call; it returns a Record with
/// every term it understood and a list of errors, each with its byte position in the record, so a
/// lint can point at the spot. For check_host() any error means "permerror" (RFC 7208 4.6: syntax
/// errors anywhere in the record are detected before evaluation).
///
/// Macro-strings are parsed into tokens and expanded against MacroValues (RFC 7208 7.3). The `p`
/// macro needs DNS, so the caller resolves it first and passes the validated name (or nothing, which
/// expands to "unknown"). Expansion output is bounded (k_max_expansion) so hostile records stay cheap.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "mailrep/util/ip.hpp"

namespace mailrep::auth::spf {

enum class Qualifier : std::uint8_t { pass, fail, softfail, neutral };
/// '+', '-', '~', '?'
[[nodiscard]] char qualifier_char(Qualifier q);

enum class Mechanism : std::uint8_t { all, include, a, mx, ptr, ip4, ip6, exists };
[[nodiscard]] std::string_view to_string(Mechanism m);
/// Mechanisms that count against the limit of 10 DNS lookups (RFC 7208 4.6.4). So does redirect=.
[[nodiscard]] constexpr bool costs_lookup(Mechanism m) {
  return m == Mechanism::include || m == Mechanism::a || m == Mechanism::mx || m == Mechanism::ptr ||
         m == Mechanism::exists;
}

/// One mechanism as written in the record.
struct Term {
  Qualifier qualifier = Qualifier::pass;
  bool explicit_qualifier = false;  ///< the record spelled the qualifier out
  Mechanism kind = Mechanism::all;
  std::string domain_spec;          ///< include/a/mx/ptr/exists target as written (macros unexpanded); "" = <domain>
  std::optional<util::Cidr> network;  ///< ip4/ip6: the network (masked to the prefix)
  std::optional<unsigned> cidr4;    ///< a/mx ip4-cidr-length, ip4 prefix; nullopt = /32
  std::optional<unsigned> cidr6;    ///< a/mx ip6-cidr-length, ip6 prefix; nullopt = /128
  std::size_t position = 0;         ///< byte offset of the term in the record text
  std::size_t length = 0;
  std::string text;                 ///< the term as written
  [[nodiscard]] unsigned prefix4() const { return cidr4.value_or(32); }
  [[nodiscard]] unsigned prefix6() const { return cidr6.value_or(128); }
};

/// A modifier (name=value). Names are lower-cased; unknown modifiers are kept (RFC 7208 6).
struct Modifier {
  std::string name;
  std::string value;  ///< macro-string as written
  std::size_t position = 0;
  std::size_t length = 0;
  std::string text;
};

/// A syntax error: where (byte offset into the text that was parsed, and length) and what.
struct ParseError {
  std::size_t position = 0;
  std::size_t length = 0;
  std::string message;  ///< English, ASCII only; untrusted bytes appear as \xNN
  std::string term;     ///< the offending term (sanitised), when there is one
};

struct Record {
  std::string text;                   ///< the record as given
  std::vector<Term> terms;            ///< mechanisms, in order
  std::vector<Modifier> modifiers;    ///< modifiers, in order
  std::optional<std::size_t> redirect;  ///< index into modifiers
  std::optional<std::size_t> exp;       ///< index into modifiers
  std::vector<ParseError> errors;     ///< empty = valid record
  [[nodiscard]] bool ok() const { return errors.empty(); }
  [[nodiscard]] const Modifier* redirect_modifier() const { return redirect ? &modifiers[*redirect] : nullptr; }
  [[nodiscard]] const Modifier* exp_modifier() const { return exp ? &modifiers[*exp] : nullptr; }
};

/// RFC 7208 4.5: "v=spf1" (any case) followed by a space or the end of the text.
[[nodiscard]] bool is_spf_record(std::string_view txt);

/// Parse a whole record ("v=spf1 ..."). Collects every error it finds (not just the first).
/// Terms are separated by one or more spaces only (RFC 7208 4.6.1); any other byte outside
/// visible ASCII is an error. Duplicate redirect=/exp= are errors (RFC 7208 6).
[[nodiscard]] Record parse_record(std::string_view text);

// --- Macro-strings (RFC 7208 7.1) ---------------------------------------------------------

/// Where a macro-string appears: which letters and characters are allowed.
enum class MacroSyntax : std::uint8_t {
  domain_spec,  ///< letters s l o d i p h v; no spaces; must end in a toplabel or macro (7.1 domain-end)
  explanation,  ///< exp= TXT text: all letters incl. c r t, spaces allowed
  modifier,     ///< unknown-modifier value: any macro letter, no spaces, may be empty
};

struct MacroToken {
  enum class Kind : std::uint8_t { literal, macro } kind = Kind::literal;
  std::string literal;       ///< for literal tokens ("%%", "%_" and "%-" are already literal text)
  char letter = 0;           ///< macro letter, lower case
  bool url_escape = false;   ///< upper-case letter: URL-escape the expansion (7.3)
  std::uint32_t digits = 0;  ///< right-hand parts to keep; 0 = all
  bool reverse = false;
  std::string delimiters;    ///< empty = "."
};

/// Tokenise and validate a macro-string. Error positions are relative to `text`.
[[nodiscard]] tl::expected<std::vector<MacroToken>, ParseError> parse_macro_string(std::string_view text,
                                                                                   MacroSyntax syntax);
/// A domain-spec: a non-empty macro-string whose end is "." toplabel ["."] or a macro-expand.
[[nodiscard]] std::optional<ParseError> check_domain_spec(std::string_view text);
/// True when `text` contains a macro-expand with this letter (any case); letter 0 = any letter.
[[nodiscard]] bool uses_macro(std::string_view text, char letter = 0);

/// The values macros expand to (RFC 7208 7.2).
struct MacroValues {
  std::string sender;         ///< s: <sender> ("postmaster@domain" substituted when needed)
  std::string local_part;     ///< l
  std::string sender_domain;  ///< o
  std::string domain;         ///< d: the current <domain>
  util::IpAddress ip;         ///< i, c, v (already unmapped when IPv4-mapped)
  std::string helo;           ///< h
  std::string receiver = "unknown";          ///< r
  std::int64_t timestamp = 0;                ///< t
  std::optional<std::string> validated_name;  ///< p; nullopt expands to "unknown"
};

/// Hard cap on one expansion (bytes). Longer results are errors: no legitimate record needs them.
inline constexpr std::size_t k_max_expansion = 8192;

/// Expand parsed tokens. Fails (nullopt) only when the result would exceed k_max_expansion.
[[nodiscard]] std::optional<std::string> expand_tokens(const std::vector<MacroToken>& tokens, const MacroValues& values);
/// Parse and expand in one step.
[[nodiscard]] tl::expected<std::string, ParseError> expand_macros(std::string_view text, const MacroValues& values,
                                                                  MacroSyntax syntax);
/// RFC 7208 7.3 (after expansion, for a name to query): strip one trailing dot; if longer than 253
/// bytes remove whole labels from the left until it fits; nullopt when it is no usable DNS name
/// (empty, an empty label, a label over 63 bytes). Such targets are treated as non-existent.
[[nodiscard]] std::optional<std::string> to_query_name(std::string_view expanded);
/// The `i` macro's form of an address: dotted quad, or 32 dot-separated nibbles for IPv6.
[[nodiscard]] std::string macro_ip(const util::IpAddress& ip);

}  // namespace mailrep::auth::spf
