#pragma once
/// \file T-Online's imprint rule: does the PTR name's registered domain serve a website with an
/// imprint or contact page? Reported as evidence, never as certainty.
#include <optional>
#include <string>

#include "mailrep/http/fetcher.hpp"

namespace mailrep::assess {

enum class ImprintState { found, not_found, unreachable };
[[nodiscard]] std::string_view to_string(ImprintState s);

struct ImprintResult {
  std::string domain;  ///< registered domain of the PTR name
  ImprintState state = ImprintState::unreachable;
  std::string url;       ///< the page fetched (final URL)
  std::string evidence;  ///< the link or text that matched, or why not
};

/// Pure: look for Impressum/Imprint/Kontakt/Contact/Legal-notice links or headings in an HTML body.
/// Returns the matching snippet (sanitised), or nullopt.
[[nodiscard]] std::optional<std::string> find_imprint(std::string_view html);

/// https://DOMAIN/ (then http, then www.), same-site redirects only, 512 KiB and 8 s caps.
io::Task<ImprintResult> check_imprint(http::Fetcher& fetcher, std::string domain);

}  // namespace mailrep::assess
