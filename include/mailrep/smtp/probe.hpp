#pragma once
/// \file Probing receivers from this host: which MX to ask, the SMTP conversation (client.hpp),
/// and what the answer means (the receiver catalogue's reply codes, the same rules `bounce` uses).
///
/// Verdicts, per MX probed:
///  - accepted:  every step got a positive reply (greeting, EHLO[, STARTTLS, EHLO][, MAIL, RCPT]);
///               also when only the recipient itself was refused (user unknown, mailbox full):
///               the receiver did not refuse this host (`recipient_refused` says so).
///  - blocked:   a permanent (5xx) refusal at the greeting, EHLO, MAIL FROM or RCPT TO.
///  - temporary: a 4xx (or a reply the catalogue marks temporary): greylisting, rate limits.
///  - unknown:   no SMTP answer that says anything: DNS failure, connection refused or timed out
///               (often a local port-25 block), no route, TLS failure, garbage. Never "not blocked".
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/data/receivers.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/io/loop.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/smtp/client.hpp"
#include "mailrep/util/finding.hpp"
#include "mailrep/util/ip.hpp"
#include "mailrep/util/result.hpp"

namespace mailrep::smtp {

enum class Verdict { accepted, blocked, temporary, unknown };
[[nodiscard]] std::string_view to_string(Verdict v);

/// One thing to probe: a mail domain (its MX set), a host (no MX: the host itself) or an address.
struct ProbeTarget {
  std::string input;   ///< as given (or the default domain)
  std::string domain;  ///< normalised name to resolve (empty when `address` is set)
  std::optional<util::IpAddress> address;
  const data::Receiver* receiver = nullptr;  ///< from a receiver id, or the domain's receiver
};

/// The domains probed when none is given: t-online.de, gmx.net, web.de, outlook.com, gmail.com, yahoo.com.
[[nodiscard]] std::span<const std::string_view> default_probe_domains();

/// Targets from the command line: a receiver id ("t-online": its default domains, else its first
/// mailbox domain), an IP address, or a domain / host name. No argument: default_probe_domains().
/// Errors (invalid_input): a bad name, a receiver without mailbox domains.
[[nodiscard]] Result<std::vector<ProbeTarget>> parse_targets(const data::ReceiverCatalogue& cat,
                                                             const std::vector<std::string>& args);

/// Checks --helo (a host name or address literal), --sender / --rcpt (an address without spaces,
/// angle brackets or control characters). Returns an error message, or empty when fine.
[[nodiscard]] std::string check_helo(std::string_view helo);
[[nodiscard]] std::string check_mailbox(std::string_view address, bool empty_ok);

/// This host's fully qualified name (gethostname, else a dotted alias in /etc/hosts); empty when
/// none is known (the session then says EHLO with its address literal).
[[nodiscard]] std::string local_fqdn();

struct ProbeOptions {
  std::uint16_t port = 25;
  bool all_mx = false;   ///< every MX (up to max_mx) instead of the most preferred one
  std::size_t max_mx = 10;
  std::optional<util::IpAddress> source;
  std::string helo;       ///< empty = address literal
  std::string sender;     ///< MAIL FROM (empty = <>)
  std::string rcpt;       ///< empty = no MAIL FROM / RCPT TO
  bool starttls = true;
  std::chrono::milliseconds timeout{10000};  ///< every SMTP wait
  std::chrono::milliseconds delay{500};      ///< between connections (politeness)
  std::string ca_file;    ///< extra trusted CA for the certificate report
};

/// One MX probed (or one target that could not even be resolved).
struct MxProbe {
  std::string target;  ///< the domain / host / address probed
  std::string name;    ///< the receiver's name when known, else the target
  const data::Receiver* receiver = nullptr;  ///< the receiver (by MX pattern, domain or id), or null
  std::string mx;        ///< MX host name (empty for an address target or a failed MX lookup)
  int preference = -1;   ///< MX preference; -1 = implicit MX / address
  std::string address;   ///< the address connected to
  std::uint16_t port = 25;
  std::string local_address;  ///< this end of the connection
  std::string helo;
  Stage stage = Stage::connect;
  Failure failure = Failure::none;
  std::string detail;              ///< for failures (sanitised)
  std::optional<Reply> reply;      ///< the decisive reply (refusal, or the last positive one)
  std::optional<Reply> greeting;
  std::optional<data::CodeMatch> match;  ///< the catalogue's reading of a refusal
  Verdict verdict = Verdict::unknown;
  bool reached = false;            ///< an SMTP reply was read (greeting or more)
  bool greylisted = false;
  bool recipient_refused = false;  ///< RCPT refused for the mailbox itself, not for this host
  bool null_mx = false;            ///< the domain publishes "MX 0 ." (RFC 7505)
  std::string reply_ip;            ///< an address named in the reply (the client as the receiver sees it)
  std::optional<bool> names_this_host;  ///< reply_ip is this host's (or --source) address
  TlsInfo tls;
  std::vector<std::string> extensions;
  std::vector<std::string> transcript;  ///< "C: ..." / "S: ..."
  std::vector<std::string> notes;
};

struct ProbeReport {
  std::vector<MxProbe> probes;
  std::size_t reached = 0;  ///< probes with an SMTP reply
  std::size_t connect_failures = 0;  ///< probes that failed at TCP connect (refused / timeout / unreachable)
  std::chrono::milliseconds elapsed{0};
};

/// The verdict for a finished conversation: fills verdict, match, greylisted, recipient_refused,
/// reply_ip and names_this_host of `p` from `s` (pure; `hint` = the receiver to try first).
void judge(const data::ReceiverCatalogue& cat, const data::Receiver* hint, const SessionResult& s,
           const std::optional<util::IpAddress>& source, MxProbe& p);

/// An IP address named in a reply ("IP=192.0.2.1", "[192.0.2.1]", "from 2001:db8::1"), or empty.
[[nodiscard]] std::string address_in_reply(std::string_view text);

/// Resolve every target's MX set (all lookups at once), then talk to the chosen MX one after the
/// other with `options.delay` between connections. Probes come back in target order.
io::Task<ProbeReport> probe(dns::Resolver& resolver, io::Loop& loop, const data::ReceiverCatalogue& cat,
                            std::vector<ProbeTarget> targets, ProbeOptions options);

/// Findings (ids probe.*): blocked (critical), temporary / greylisted (warning), unknown (warning),
/// no-port-25 (warning: nothing reachable at all), recipient-refused (warning), accepted, other-ip,
/// tls and helo notes (info).
[[nodiscard]] std::vector<Finding> probe_findings(const ProbeReport& report, const ProbeOptions& options);

}  // namespace mailrep::smtp
