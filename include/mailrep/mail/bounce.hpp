#pragma once
/// \file Reading rejection mail: RFC 3464 delivery status notifications, the plain-text bounces of
/// the MTAs German users meet (Postfix, Exim/GMX/WEB.DE/IONOS, Strato, T-Online, Exchange, Gmail,
/// qmail, Sendmail), a bare SMTP reply, or the headers of a received message - and explaining them
/// with the receiver catalogue (lists/receivers.toml).
///
/// parse_bounce() is pure and total: any byte string gives a BounceInfo or an Error, never a crash.
/// Every string in a BounceInfo is valid UTF-8 without control characters (sanitised), cut to a
/// bounded length. diagnose() adds the receiver, category and who can fix it; provider_report()
/// writes the text a user forwards to the provider.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/data/receivers.hpp"
#include "mailrep/util/finding.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::mail {

/// Largest input accepted (bigger: Error limit).
inline constexpr std::size_t max_input_bytes = 10u * 1024u * 1024u;
/// Deepest MIME nesting followed (multipart in multipart ...); deeper parts are ignored.
inline constexpr int max_mime_depth = 12;
/// Most MIME parts looked at in one input.
inline constexpr std::size_t max_mime_parts = 256;
/// Longest line kept; longer lines are cut (a note says so).
inline constexpr std::size_t max_line_bytes = 64u * 1024u;

enum class InputKind {
  dsn,           ///< RFC 3464 message/delivery-status found
  bounce,        ///< a plain-text bounce (no delivery-status part)
  smtp_reply,    ///< a bare SMTP reply or an MTA log line
  headers,       ///< a received message's headers (no rejection in it)
};
[[nodiscard]] std::string_view to_string(InputKind k);

/// One method=result of an Authentication-Results header (RFC 8601).
struct AuthVerdict {
  std::string method;  ///< spf, dkim, dmarc, arc, iprev, compauth ...
  std::string result;  ///< pass, fail, softfail, none, neutral, temperror, permerror, ...
  std::string detail;  ///< the rest (properties such as header.d=, smtp.mailfrom=)
};

struct DkimSignature {
  std::string domain;    ///< d=
  std::string selector;  ///< s=
};

/// What was read from the input. Empty strings: not stated.
struct BounceInfo {
  InputKind kind = InputKind::smtp_reply;
  std::string shape;          ///< postfix, exim, gmx, ionos, strato, t-online, exchange, gmail, qmail, sendmail, dsn, smtp-reply, log-line, headers
  std::string subject;        ///< decoded Subject of the bounce (or the message)
  std::string from;           ///< decoded From of the bounce (or the message)
  std::string reporting_mta;  ///< DSN Reporting-MTA (the sending provider's relay), host name
  std::string remote_mta;     ///< the receiver's server (host name, lower case, no trailing dot)
  std::string remote_ip;      ///< its address when the bounce states it
  std::string reply;          ///< the receiver's SMTP reply, lines joined with one space
  std::optional<int> smtp_code;
  std::string enhanced_code;  ///< from the reply (a DSN's synthetic X.0.0 is not used)
  std::string dsn_status;     ///< the DSN Status field / "Letzter Fehler" code, as written
  std::string action;         ///< DSN Action (failed, delayed, ...)
  std::string smtp_command;   ///< the command the reply answered ("RCPT TO", "end of DATA", "greeting" ...)
  std::string recipient;      ///< the refused recipient address
  std::string sending_ip;     ///< the IP that handed the mail to the receiver, when stated
  std::string sending_ip_source;  ///< "reply" or "received" (the Received chain)
  std::string handed_by;      ///< headers: host name in the Received hop that gave sending_ip
  std::string received_by;    ///< headers: the receiver's host of that hop
  std::vector<DkimSignature> dkim;  ///< headers: DKIM-Signature d= / s=, in header order
  std::string auth_serv_id;         ///< headers: authserv-id of the topmost Authentication-Results
  std::vector<AuthVerdict> auth;    ///< its verdicts
  std::vector<std::string> notes;   ///< tolerated damage (broken base64, cut lines, nesting cap ...)
};

/// Parses one input. Errors (message starts "not a bounce or SMTP reply: ..." for code parse):
/// empty input, binary data, nothing recognisable; limit when larger than max_input_bytes.
[[nodiscard]] Result<BounceInfo> parse_bounce(std::string_view input);

/// The explanation: who refused, why, who can fix it.
struct Diagnosis {
  const data::Receiver* receiver = nullptr;     ///< nullptr: not one of the catalogue's receivers
  std::optional<data::CodeMatch> match;         ///< the catalogue's reply code, when one matched
  std::optional<data::ReplyCategory> category;  ///< unset only when there is no rejection (headers)
  bool temporary = false;                       ///< 4xx / deferred: a retry may pass
  bool rejection = false;                       ///< a reply/status says the mail was refused or deferred
  std::string receiver_code;
  Fixer who_can_fix = Fixer::nobody;
  const data::ReceiverContact* contact = nullptr;
  std::string meaning_en, meaning_de;  ///< the catalogue's meaning, else the category's general one
  std::string sending_ip;              ///< info.sending_ip, or the catalogue match's ip capture
  std::vector<AuthVerdict> failed_auth;  ///< headers: spf/dkim/dmarc verdicts that are not pass
};

/// Classifies by the reply text (catalogue first, then a general keyword table, then the reply's
/// enhanced status code); the DSN Status only when there is no reply at all.
[[nodiscard]] Diagnosis diagnose(const BounceInfo& info, const data::ReceiverCatalogue& catalogue);

/// A general explanation of a category, in English / German.
[[nodiscard]] std::string_view category_meaning(data::ReplyCategory c, bool german);
/// What to ask for, per category ("{ip}" etc. are not used: plain sentences).
[[nodiscard]] std::string_view category_action(data::ReplyCategory c, bool german);

/// The live part of the report (from the blocklist/PTR scan), already as plain facts.
struct LiveCheck {
  bool attempted = false;
  bool done = false;          ///< false: not possible (error says why)
  std::string error;
  std::vector<std::string> ptr;
  std::string fcrdns;         ///< confirmed, not-confirmed, no-ptr, unknown
  std::string ptr_generic;    ///< why the PTR name looks generic, if it does
  std::vector<std::string> listings;  ///< "list (zone): answer - meaning"
  std::size_t lists_checked = 0;
  std::size_t lists_unknown = 0;
};

/// The text a user forwards to the provider (or domain admin): what was refused, by whom, the exact
/// reply, the sending IP, the live results, and what to ask for. German when `german`.
[[nodiscard]] std::string provider_report(const BounceInfo& info, const Diagnosis& d, const LiveCheck& live, bool german);

}  // namespace mailrep::mail
