#include "mailrep/assess/imprint.hpp"

#include "mailrep/util/text.hpp"

namespace mailrep::assess {

std::string_view to_string(ImprintState s) {
  switch (s) {
    case ImprintState::found: return "found";
    case ImprintState::not_found: return "not-found";
    case ImprintState::unreachable: return "unreachable";
  }
  return "unreachable";
}

std::optional<std::string> find_imprint(std::string_view html) {
  // Words used for the legally required provider identification (German TMG/DDG "Impressum")
  // and its usual English and contact-page equivalents, in link targets and link texts.
  static const char* const k_words[] = {"impressum", "imprint", "legal notice", "legal-notice", "anbieterkennzeichnung",
                                        "kontakt", "contact", "site notice", "about-us", "ueber-uns", "uber-uns"};
  std::string lower = util::lower(html.substr(0, 512 * 1024));
  for (const char* w : k_words) {
    std::size_t pos = lower.find(w);
    if (pos != std::string::npos) {
      // Any mention counts as evidence (link, heading or text); the snippet shows which.
      std::size_t from = pos > 60 ? pos - 60 : 0;
      std::string snippet(html.substr(from, 140));
      for (char& c : snippet)
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
      return util::sanitize(util::trim(snippet), 160);
    }
  }
  return std::nullopt;
}

io::Task<ImprintResult> check_imprint(http::Fetcher& fetcher, std::string domain) {
  ImprintResult r;
  r.domain = domain;
  std::string why;
  for (std::string host : {domain, "www." + domain}) {
    http::Request req;
    req.url = "https://" + host + "/";
    req.follow_redirects = true;
    req.same_site_only = true;
    req.allow_http = true;
    req.max_bytes = 512 * 1024;
    req.timeout = std::chrono::milliseconds(8000);
    auto task = fetcher.fetch_website(req);
    http::Response resp = co_await task;
    if (resp.outcome == http::Outcome::ok || resp.outcome == http::Outcome::too_large) {
      r.url = resp.final_url;
      if (auto hit = find_imprint(resp.body)) {
        r.state = ImprintState::found;
        r.evidence = *hit;
      } else {
        r.state = ImprintState::not_found;
        r.evidence = "no Impressum/imprint/contact link on " + util::sanitize(resp.final_url, 200);
      }
      co_return r;
    }
    if (!why.empty()) why += "; ";
    why += host + ": " + std::string(http::to_string(resp.outcome)) + (resp.detail.empty() ? "" : " (" + resp.detail + ")");
  }
  r.state = ImprintState::unreachable;
  r.evidence = util::sanitize(why, 400);
  co_return r;
}

}  // namespace mailrep::assess
