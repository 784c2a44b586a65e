#pragma once
/// \file `mailrep content`: what in a message or template may trip spam filters.
///
/// analyse() is pure: it reads a message (.eml), a saved template or a bare HTML/text body, walks
/// its MIME structure (bounded: max_depth levels, max_entities entities), scans the HTML and text
/// parts, collects the links, and returns findings about structure, headers, attachments and links.
/// The domain-list checks of the links are separate: plan_list_checks() says which (list, name)
/// pairs to ask (de-duplicated by registered domain, capped), run_list_checks() asks them all at
/// once through a resolver, apply_list_results() attaches the answers to the links and adds the
/// findings. Links are never fetched.
///
/// Finding ids (texts in messages()): content.* (see src/content/messages.cpp); alignment uses
/// dmarc.not-aligned, dmarc.dkim-not-aligned, dmarc.dkim-not-strict, dmarc.spf-not-aligned.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mailrep/content/url.hpp"
#include "mailrep/data/blocklists.hpp"
#include "mailrep/data/shorteners.hpp"
#include "mailrep/dns/resolver.hpp"
#include "mailrep/dnsbl/dnsbl.hpp"
#include "mailrep/io/task.hpp"
#include "mailrep/mail/mime.hpp"
#include "mailrep/util/finding.hpp"

namespace mailrep::content {

inline constexpr std::size_t max_input_bytes = 64u * 1024u * 1024u;  ///< read at most this much
inline constexpr std::size_t max_depth = 16;        ///< multipart nesting levels read
inline constexpr std::size_t max_entities = 500;    ///< MIME entities (parts and containers) read
inline constexpr std::size_t max_decode_bytes = 16u * 1024u * 1024u;  ///< of one part's body decoded
inline constexpr std::size_t max_domains = 50;      ///< registered domains asked about
inline constexpr std::size_t max_hosts = 100;       ///< host names asked about (host-form lists)
inline constexpr std::size_t max_zip_entries = 1000;

/// One leaf of the MIME tree.
struct Part {
  std::string path;          ///< "1", "2.1" ...; "body" for a message without MIME structure
  std::string content_type;  ///< lower case type/subtype
  std::string charset;       ///< lower case; empty when not declared
  std::string encoding;      ///< Content-Transfer-Encoding, lower case; empty when absent
  std::string disposition;   ///< lower case ("attachment", "inline") or empty
  std::string filename;      ///< decoded, as given (not sanitised)
  unsigned depth = 0;
  std::size_t raw_bytes = 0;      ///< body as written
  std::size_t decoded_bytes = 0;  ///< body after transfer decoding (estimated past max_decode_bytes)
  std::string body;               ///< transfer-decoded body (text parts, attachments), at most max_decode_bytes
  bool decode_broken = false;
  [[nodiscard]] bool is_attachment() const;
};

enum class LinkSource { html, text, image };
[[nodiscard]] std::string_view to_string(LinkSource s);

struct Link {
  Url url;
  std::string shown;       ///< the visible text of an HTML link (capped)
  std::string part;        ///< path of the part it was found in
  LinkSource source = LinkSource::html;
  std::string shortener;   ///< the shortener's domain when it is one
  bool checked = false;    ///< at least one list was asked about its domain
  std::vector<dnsbl::ListResult> listings;  ///< lists that list its host or registered domain
  std::vector<dnsbl::ListResult> errors;    ///< lists that could not answer (unknown)
};

struct Analysis {
  bool has_headers = false;
  mail::HeaderBlock headers;
  std::vector<Part> parts;
  std::vector<Link> links;     ///< distinct URLs, first occurrence, at most html::max_links
  std::size_t links_seen = 0;  ///< every URL occurrence, also past the cap
  std::size_t input_bytes = 0;
  bool input_truncated = false;
  std::size_t html_bytes = 0, text_bytes = 0;
  std::size_t images = 0, remote_images = 0, pixels = 0, attachments = 0;
  std::vector<Finding> findings;
};

/// Everything but the DNS checks. `input_truncated`: the reader stopped at max_input_bytes.
[[nodiscard]] Analysis analyse(std::string_view input, const data::Shorteners& shorteners, bool input_truncated = false);

/// One question to one domain list.
struct ListQuery {
  const data::Blocklist* list = nullptr;
  std::string subject;  ///< the host or registered domain, as the list's query form wants
};

struct ListPlan {
  std::vector<ListQuery> queries;
  std::size_t lists = 0;             ///< domain lists used
  std::size_t domains = 0;           ///< registered domains asked about
  std::size_t domains_skipped = 0;   ///< registered domains past max_domains
  std::size_t hosts_skipped = 0;     ///< host names past max_hosts (host-form lists only)
};

/// Every queryable list of kind `domain` asked about every distinct registered domain (lists whose
/// query form is "host" also about each distinct host name below it). Pure.
[[nodiscard]] ListPlan plan_list_checks(const Analysis& a, const data::Catalogue& catalogue);

/// Asks all queries at once (the resolver's window bounds what is in flight). The results keep
/// pointers to the lists: the catalogue must outlive them.
io::Task<std::vector<dnsbl::ListResult>> run_list_checks(dns::Resolver& resolver, std::vector<ListQuery> queries);

/// Attaches the answers to the links and adds content.link-listed / content.link-unknown /
/// content.domains-capped / content.no-domain-lists findings.
void apply_list_results(Analysis& a, const ListPlan& plan, const std::vector<dnsbl::ListResult>& results);

/// --offline: adds content.dns-skipped.
void apply_offline(Analysis& a);

// Pieces, exposed for tests.

/// Names in a ZIP archive's central directory and whether any entry is encrypted. Bounded.
struct ZipListing {
  bool valid = false;
  bool encrypted = false;
  std::vector<std::string> names;  ///< at most max_zip_entries
};
[[nodiscard]] ZipListing list_zip(std::string_view bytes);

/// The lower-case extension of a file name ("rechnung.pdf.exe" -> "exe"), empty when none.
[[nodiscard]] std::string extension(std::string_view filename);

/// The domain of the first address in an address header ("Name <a@b.example>" -> "b.example").
[[nodiscard]] std::string address_domain(std::string_view header_value);

}  // namespace mailrep::content
