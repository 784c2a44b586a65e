#pragma once
/// \file The receiver catalogue (lists/receivers.toml) as typed values, its loader, and the pure
/// functions that find a receiver by recipient domain or MX host and classify an SMTP reply.
///
/// A receiver is a big mailbox operator (T-Online, GMX/WEB.DE, Gmail, Yahoo, Microsoft ...): its
/// mailbox domains, MX host patterns, published requirements, postmaster contacts and the reply
/// texts it rejects with ([[receiver.code]]: pattern -> receiver code, meaning, category, who can
/// fix it, whom to contact). The file is accepted whole or rejected whole: any error (syntax,
/// unknown key, bad value, duplicate id or domain, a regular expression RE2 cannot compile, a
/// code naming an unknown contact) gives an Error "file:line: reason". Every pattern is compiled
/// at load time; matching never throws and runs in linear time (RE2).
///
/// Pointers returned by the lookup functions point into the catalogue: they stay valid while the
/// catalogue lives (moving the catalogue keeps them valid; copying is not possible).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/data/pattern.hpp"
#include "mailrep/util/finding.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::data {

/// Why a reply refused mail; close to sisimai's reasons.
enum class ReplyCategory {
  blocked,          ///< the sending IP/host/network is refused (blocklist, dial-up range)
  badreputation,    ///< unknown or poor reputation of IP or domain
  requireptr,       ///< missing/generic PTR or failed forward confirmation
  authfailure,      ///< SPF/DKIM/DMARC missing, failing or not aligned
  policyviolation,  ///< receiver policy (HELO, TLS, local policy) not met
  spamdetected,     ///< the message's content was judged spam
  rejected,         ///< the envelope sender or its domain was refused
  userunknown,      ///< the recipient does not exist
  mailboxfull,      ///< the recipient's mailbox is over quota
  ratelimited,      ///< too much mail or too many connections
  greylisted,       ///< deferred on purpose; a retry is expected to pass
  contenterror,     ///< the message is malformed (RFC 5322 problems)
  expired,          ///< gave up after retrying
  systemerror,      ///< the receiver's own failure
  other,
};
[[nodiscard]] std::string_view to_string(ReplyCategory c);
[[nodiscard]] std::optional<ReplyCategory> parse_reply_category(std::string_view text);

/// Strength of the evidence, from the reference's (H)/(M)/(L) tags.
enum class Confidence { high, medium, low };
[[nodiscard]] std::string_view to_string(Confidence c);

/// Which senders a requirement applies to.
enum class Audience {
  all,   ///< every sender
  bulk,  ///< bulk senders only (each receiver has its own threshold; see the requirement text)
};
[[nodiscard]] std::string_view to_string(Audience a);

enum class ContactKind { email, url };

struct ReceiverContact {
  std::string id;       ///< referenced by ReplyCode::contact, e.g. "tosa"
  std::string address;  ///< e-mail address or http(s) URL, exactly as published
  ContactKind kind = ContactKind::email;
  std::string purpose_en;
  std::string purpose_de;
  std::string source;
  std::uint32_t line = 0;
};

/// A published rule, as data. `id` comes from a shared vocabulary (known_requirement_ids()) so
/// checks can ask "does this receiver require fcrdns?"; unknown ids load with a warning.
struct Requirement {
  std::string id;  ///< e.g. "ptr", "fcrdns", "dkim-strict-alignment"
  std::string text_en;
  std::string text_de;
  mailrep::Severity severity = mailrep::Severity::warning;  ///< critical: breaking it gets mail refused
  Audience applies_to = Audience::all;
  std::string since;  ///< ISO date the rule took effect, when known
  Confidence confidence = Confidence::medium;
  std::string source;
  std::uint32_t line = 0;
};

/// One known reply: a case-insensitive RE2 pattern over the reply text (whitespace runs folded to
/// one space). Named groups are captures (ip, domain, url ...); a group named `code` that takes
/// part in the match replaces `receiver_code` (e.g. the r0201 case code in a GMX URL).
struct ReplyCode {
  std::string id;  ///< unique within the receiver
  Pattern pattern;
  std::string receiver_code;  ///< e.g. "(BL)", "S3150", "5.7.26", "TSS04"
  std::string meaning_en;
  std::string meaning_de;
  ReplyCategory category = ReplyCategory::other;
  Fixer who_can_fix = Fixer::provider;  ///< provider, domain_owner, receiver, sender_admin or user
  std::string contact;                  ///< id of a ReceiverContact of the same receiver, or empty
  /// true/false when the file says so; unset = read from the reply (4xx -> temporary).
  std::optional<bool> temporary;
  /// Tried only when the receiver is known (hint, or one of its reply markers matched): for texts
  /// that other MTAs use too (RFC 5321 example texts, bare enhanced status codes).
  bool hint_only = false;
  Confidence confidence = Confidence::medium;
  std::string source;
  std::uint32_t line = 0;
};

struct Receiver {
  std::string id;    ///< stable, e.g. "t-online"
  std::string name;  ///< e.g. "T-Online (Deutsche Telekom)"
  std::vector<std::string> domains;    ///< mailbox domains, lower case (exact match)
  std::vector<Pattern> mx_patterns;    ///< full match against MX host names
  std::vector<Pattern> reply_markers;  ///< partial match: a reply text comes from this receiver
  std::string postmaster;              ///< postmaster site URL
  std::vector<ReceiverContact> contacts;
  std::vector<Requirement> requirements;
  std::vector<ReplyCode> codes;  ///< file order; first match wins
  std::string notes;
  std::string source;
  std::uint32_t line = 0;

  [[nodiscard]] const ReceiverContact* contact(std::string_view contact_id) const;
  [[nodiscard]] const Requirement* requirement(std::string_view requirement_id) const;
  [[nodiscard]] const ReplyCode* code(std::string_view code_id) const;
};

struct ReceiverCatalogue {
  std::vector<Receiver> receivers;    ///< file order
  std::vector<std::string> warnings;  ///< "file:line: ..." facts that do not reject the file

  [[nodiscard]] const Receiver* find(std::string_view id) const;
};

/// The requirement ids checks know about (documented in lists/receivers.toml).
[[nodiscard]] std::span<const std::string_view> known_requirement_ids();

/// Reads and parses lists/receivers.toml (size-capped). Errors: io, limit, parse.
[[nodiscard]] Result<ReceiverCatalogue> load_receivers(const std::string& path);
/// Parses catalogue text; `source_name` prefixes error messages ("source_name:line: reason").
[[nodiscard]] Result<ReceiverCatalogue> parse_receivers(std::string_view toml_text, std::string_view source_name);

/// The receiver whose mailbox domains contain `domain` (case-insensitive, trailing dot ignored,
/// exact match: subdomains are other domains). nullptr when none.
[[nodiscard]] const Receiver* receiver_for_domain(const ReceiverCatalogue& cat, std::string_view domain);
/// The first receiver (file order) with an MX pattern matching the whole host name
/// (case-insensitive, trailing dot ignored). nullptr when none.
[[nodiscard]] const Receiver* receiver_for_mx(const ReceiverCatalogue& cat, std::string_view mx_host);

/// Longest reply text looked at; the rest is ignored.
inline constexpr std::size_t max_reply_bytes = 4096;
/// The reply as matched: control characters and whitespace runs folded to one space, trimmed,
/// cut to max_reply_bytes. Multi-line replies ("554-...\n554 ...") become one line, as Postfix
/// shows them.
[[nodiscard]] std::string normalise_reply(std::string_view reply_text);

struct CodeMatch {
  const Receiver* receiver = nullptr;  ///< never null in a returned match
  const ReplyCode* code = nullptr;     ///< never null in a returned match
  std::string receiver_code;           ///< the `code` capture if it took part, else code->receiver_code
  bool temporary = false;              ///< code->temporary, or read from the reply's status
  std::vector<Capture> captures;       ///< participating groups, sanitised

  /// The value of a capture by name ("ip"), empty when it did not take part.
  [[nodiscard]] std::string_view capture(std::string_view name) const;
  /// The contact the code names, or nullptr.
  [[nodiscard]] const ReceiverContact* contact() const;
};

/// Classifies one SMTP reply (any number of lines). Order: the hinted receiver's codes (when
/// `hint` is not null); then the codes of receivers whose reply markers match; then every other
/// receiver's codes that are not hint_only. First match wins. nullopt when nothing matches.
[[nodiscard]] std::optional<CodeMatch> classify_reply(const ReceiverCatalogue& cat, const Receiver* hint,
                                                      std::string_view reply_text);

}  // namespace mailrep::data
