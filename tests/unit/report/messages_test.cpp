// Every finding id has complete texts in both languages, and every {placeholder} of one language
// appears in the other (so a translation never drops a fact).
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "mailrep/assess/messages.hpp"
#include "mailrep/auth/messages.hpp"
#include "mailrep/auth/spf/lint.hpp"
#include "mailrep/dnsbl/messages.hpp"
#include "mailrep/mail/messages.hpp"
#include "mailrep/smtp/messages.hpp"
#include "mailrep/report/report.hpp"

using namespace mailrep;

namespace {
std::set<std::string> placeholders(std::string_view text) {
  std::set<std::string> out;
  std::string s(text);
  std::regex re("\\{([a-z_]+)\\}");
  // Arguments that carry both languages themselves (texts from lists/receivers.toml) end in _en/_de.
  for (auto it = std::sregex_iterator(s.begin(), s.end(), re); it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1];
    if (name.size() > 3 && (name.ends_with("_en") || name.ends_with("_de"))) name.resize(name.size() - 3);
    out.insert(name);
  }
  return out;
}
}  // namespace

TEST_SUITE("report::messages") {
  TEST_CASE("every message id has English and German texts with the same placeholders") {
    std::vector<std::span<const MessageText>> modules = {dnsbl::messages(), auth::spf::spf_messages(), auth::auth_messages(),
                                                         assess::messages(), mail::messages(), smtp::messages()};
    std::set<std::string> ids;
    std::size_t count = 0;
    for (auto span : modules) {
      for (const auto& m : span) {
        ++count;
        std::string id(m.id);
        CHECK_MESSAGE(ids.insert(id).second, "duplicate id ", id);
        CHECK_MESSAGE(!m.en_title.empty(), id);
        CHECK_MESSAGE(!m.de_title.empty(), id);
        CHECK_MESSAGE(!m.en_detail.empty(), id);
        CHECK_MESSAGE(!m.de_detail.empty(), id);
        CHECK_MESSAGE(m.en_fix.empty() == m.de_fix.empty(), id, ": a fix in one language only");
        auto en = placeholders(std::string(m.en_title) + std::string(m.en_detail) + std::string(m.en_fix));
        auto de = placeholders(std::string(m.de_title) + std::string(m.de_detail) + std::string(m.de_fix));
        CHECK_MESSAGE(en == de, id, ": placeholders differ between English and German");
      }
    }
    CHECK(count > 50);
  }
}
