/// \file The bounded MIME walk of the content checks (our own: depth, entity and size caps).
#include <utility>

#include "detail.hpp"
#include "mailrep/util/text.hpp"

namespace mailrep::content {

bool Part::is_attachment() const {
  if (disposition == "attachment") return true;
  if (!filename.empty() && !util::istarts_with(content_type, "text/")) return true;
  if (!filename.empty() && disposition != "inline") return true;
  return !util::istarts_with(content_type, "text/") && !util::istarts_with(content_type, "multipart/") &&
         !util::istarts_with(content_type, "image/") && content_type != "message/rfc822";
}

namespace detail {

namespace {

/// RFC 2231: charset'lang'percent-encoded -> the bytes in UTF-8.
std::string decode_2231(std::string_view v) {
  const auto q1 = v.find('\'');
  const auto q2 = q1 == std::string_view::npos ? std::string_view::npos : v.find('\'', q1 + 1);
  std::string_view charset = q1 == std::string_view::npos ? std::string_view{} : v.substr(0, q1);
  std::string_view data = q2 == std::string_view::npos ? v : v.substr(q2 + 1);
  const std::string raw = util::percent_decode(data);
  return mail::to_utf8(raw, charset.empty() ? "utf-8" : util::lower(charset));
}

std::string file_name(const mail::HeaderBlock& h, const mail::ContentType& ct) {
  const mail::ContentType disp = mail::parse_content_type(h.get("Content-Disposition"));
  for (const mail::ContentType* c : {&disp, &ct}) {
    for (std::string_view key : {"filename*", "name*"}) {
      std::string_view v = c->param(key);
      if (!v.empty()) return decode_2231(v);
    }
    for (std::string_view key : {"filename", "name"}) {
      std::string_view v = c->param(key);
      if (!v.empty()) return mail::decode_rfc2047(v);
    }
  }
  return {};
}

void add_broken(Walk& w, std::string reason) {
  if (w.broken.size() < 5) w.broken.push_back(std::move(reason));
}

}  // namespace

void walk(const mail::HeaderBlock& headers, std::string_view body, unsigned depth, const std::string& path, Walk& w) {
  if (++w.entities > max_entities) {
    w.too_many = true;
    return;
  }
  const mail::ContentType ct = mail::parse_content_type(headers.get("Content-Type"));
  if (util::istarts_with(ct.type, "multipart/")) {
    const std::string_view boundary = ct.param("boundary");
    if (boundary.empty()) {
      add_broken(w, (path.empty() ? std::string("the message") : "part " + path) + " is " + ct.type + " without a boundary");
      return;
    }
    if (depth + 1 > max_depth) {
      w.too_deep = true;
      return;
    }
    const bool alternative = ct.type == "multipart/alternative";
    if (alternative) w.alternative = true;
    const std::string delim = "--" + std::string(boundary);
    // Delimiter lines: "--boundary" at the start of a line; "--boundary--" closes.
    std::vector<std::pair<std::size_t, std::size_t>> ranges;  // part text [begin, end)
    std::size_t pos = 0;
    std::size_t open = std::string_view::npos;  // where the current part's text begins
    bool closed = false;
    while (pos <= body.size()) {
      const std::size_t at = body.find(delim, pos);
      if (at == std::string_view::npos) break;
      if (at != 0 && body[at - 1] != '\n') {
        pos = at + delim.size();
        continue;
      }
      const bool closing = body.substr(at + delim.size(), 2) == "--";
      // Only white space may follow on the line ("--b1" must not match "--b10").
      {
        std::size_t k = at + delim.size() + (closing ? 2 : 0);
        while (k < body.size() && (body[k] == ' ' || body[k] == '\t' || body[k] == '\r')) ++k;
        if (k < body.size() && body[k] != '\n') {
          pos = at + delim.size();
          continue;
        }
      }
      if (open != std::string_view::npos) {
        std::size_t end = at;
        if (end > open && body[end - 1] == '\n') --end;
        ranges.emplace_back(open, end);
      }
      const std::size_t eol = body.find('\n', at);
      if (closing) {
        closed = true;
        break;
      }
      if (eol == std::string_view::npos) {
        open = std::string_view::npos;
        break;
      }
      open = eol + 1;
      pos = open;
      if (ranges.size() > max_entities) break;
    }
    if (!closed && open != std::string_view::npos && open <= body.size()) ranges.emplace_back(open, body.size());
    if (ranges.empty()) {
      add_broken(w, (path.empty() ? std::string("the message") : "part " + path) + ": the boundary never appears in the body");
      return;
    }
    if (!closed) add_broken(w, (path.empty() ? std::string("the message") : "part " + path) + ": the closing boundary is missing");
    std::size_t index = 0;
    for (const auto& [b, e] : ranges) {
      ++index;
      const std::string child = path.empty() ? util::format_uint(index) : path + "." + util::format_uint(index);
      const mail::Entity part = mail::split_entity(body.substr(b, e - b));
      if (alternative) {
        const mail::ContentType cct = mail::parse_content_type(part.headers.get("Content-Type"));
        if (cct.type == "text/plain") w.alternative_has_text = true;
      }
      walk(part.headers, part.body, depth + 1, child, w);
      if (w.too_many) return;
    }
    return;
  }
  Part p;
  p.path = path.empty() ? "1" : path;
  p.content_type = ct.type;
  p.charset = util::lower(ct.param("charset"));
  if (const std::string* cte = headers.get("Content-Transfer-Encoding")) p.encoding = util::lower(util::trim(*cte));
  const mail::ContentType disp = mail::parse_content_type(headers.get("Content-Disposition"));
  if (headers.get("Content-Disposition")) p.disposition = disp.type;
  p.filename = file_name(headers, ct);
  p.depth = depth;
  p.raw_bytes = body.size();
  const bool capped = body.size() > max_decode_bytes;
  bool broken = false;
  p.body = mail::decode_body(capped ? body.substr(0, max_decode_bytes) : body, p.encoding, &broken);
  p.decode_broken = broken && !capped;
  p.decoded_bytes = capped ? p.body.size() + (body.size() - max_decode_bytes) * (p.encoding == "base64" ? 3 : 4) / 4
                           : p.body.size();
  w.parts.push_back(std::move(p));
}

}  // namespace detail
}  // namespace mailrep::content
