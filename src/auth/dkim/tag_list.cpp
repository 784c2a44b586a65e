// Tag=value lists (RFC 6376 3.2).
#include "mailrep/auth/dkim/tag_list.hpp"

#include "mailrep/util/text.hpp"

namespace mailrep::auth::dkim {

namespace {

constexpr std::size_t k_max_tags = 64;

bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// [first, last) of `s` without surrounding folding white space, as offsets into s.
std::pair<std::size_t, std::size_t> trimmed(std::string_view s) {
  std::size_t a = 0;
  std::size_t b = s.size();
  while (a < b && is_fws(s[a])) ++a;
  while (b > a && is_fws(s[b - 1])) --b;
  return {a, b};
}

// tag-name = ALPHA *ALNUMPUNC; ALNUMPUNC = ALPHA / DIGIT / "_"
bool valid_tag_name(std::string_view n) {
  if (n.empty() || !util::is_alpha(n.front())) return false;
  for (char c : n)
    if (!util::is_alnum(c) && c != '_') return false;
  return true;
}

}  // namespace

const Tag* TagList::find(std::string_view name, bool case_insensitive) const {
  for (const auto& t : tags)
    if (case_insensitive ? util::iequals(t.name, name) : t.name == name) return &t;
  return nullptr;
}

TagList split_tag_list(std::string_view text, bool case_insensitive) {
  TagList out;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (true) {
    std::size_t end = text.find(';', i);
    if (end == std::string_view::npos) end = n;
    const std::string_view elem = text.substr(i, end - i);
    const auto [a, b] = trimmed(elem);
    if (a == b) {
      // Only a trailing empty element is allowed (tag-list = tag-spec *(";" tag-spec) [";"]).
      if (end < n && i > 0) {
        out.problems.push_back(Problem{i, end - i + 1, "empty element between two ';'", "", false});
      } else if (end < n && i == 0) {
        out.problems.push_back(Problem{0, end + 1, "the record starts with ';'", "", false});
      }
    } else if (out.tags.size() >= k_max_tags) {
      out.problems.push_back(Problem{i + a, n - i - a, "too many tags (more than 64)", "", true});
      break;
    } else {
      const std::size_t eq = elem.find('=');
      if (eq == std::string_view::npos) {
        out.problems.push_back(Problem{i + a, b - a,
                                       "'" + util::sanitize(elem.substr(a, b - a), 60) + "' is not of the form tag=value",
                                       "", true});
      } else {
        const auto [na, nb] = trimmed(elem.substr(0, eq));
        const std::string_view name = elem.substr(na, nb - na);
        const std::string_view raw_value = elem.substr(eq + 1);
        const auto [va, vb] = trimmed(raw_value);
        const std::string_view value = raw_value.substr(va, vb - va);
        const std::size_t name_pos = i + na;
        const std::size_t value_pos = i + eq + 1 + va;
        bool ok = true;
        if (!valid_tag_name(name)) {
          out.problems.push_back(Problem{name_pos, name.empty() ? 1 : name.size(),
                                         name.empty() ? std::string("a tag without a name")
                                                      : "'" + util::sanitize(name, 40) + "' is not a valid tag name",
                                         util::sanitize(name, 40), true});
          ok = false;
        }
        // tag-value: tval *(1*(WSP / FWS) tval); VALCHAR = %x21-3A / %x3C-7E
        for (std::size_t k = 0; k < value.size() && ok; ++k) {
          const auto c = static_cast<unsigned char>(value[k]);
          if (is_fws(value[k])) continue;
          if (c < 0x21 || c > 0x7e) {
            out.problems.push_back(Problem{value_pos + k, 1,
                                           "invalid character " + util::sanitize(value.substr(k, 1), 8) +
                                               " in the value of '" + util::sanitize(name, 40) + "'",
                                           util::sanitize(name, 40), true});
            ok = false;
          }
        }
        if (ok && out.find(name, case_insensitive) != nullptr) {
          out.problems.push_back(Problem{name_pos, (value_pos + value.size()) - name_pos,
                                         "tag '" + util::sanitize(name, 40) + "' appears more than once",
                                         util::sanitize(name, 40), true});
          ok = false;
        }
        if (ok)
          out.tags.push_back(Tag{std::string(name), std::string(value), name_pos, value_pos,
                                 (value_pos + value.size()) - name_pos});
      }
    }
    if (end >= n) break;
    i = end + 1;
  }
  return out;
}

bool begins_with_version(std::string_view txt, std::string_view version) {
  auto wsp = [](char ch) { return ch == ' ' || ch == '\t'; };
  std::size_t i = 0;
  while (i < txt.size() && wsp(txt[i])) ++i;
  if (txt.substr(i, version.size()) != version) return false;
  i += version.size();
  return i == txt.size() || txt[i] == ';' || wsp(txt[i]);
}


}  // namespace mailrep::auth::dkim
