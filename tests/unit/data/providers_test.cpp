// Unit tests for the provider catalogue: the shipped lists/providers.toml, recognising providers
// from SPF includes, relay and submission host names and domains, and rejection of bad files.
#include "mailrep/data/providers.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#ifndef MAILREP_SOURCE_DIR
#error "MAILREP_SOURCE_DIR (source root, string literal) must be defined by the build"
#endif

namespace {

using mailrep::data::ProviderCatalogue;
using mailrep::data::ProviderMatchKind;

const std::string shipped_path = std::string(MAILREP_SOURCE_DIR) + "/lists/providers.toml";

const ProviderCatalogue& shipped() {
  static const ProviderCatalogue cat = [] {
    auto loaded = mailrep::data::load_providers(shipped_path);
    if (!loaded) FAIL("shipped provider catalogue rejected: " << loaded.error().message);
    return loaded ? std::move(*loaded) : ProviderCatalogue{};
  }();
  return cat;
}

std::string error_of(std::string_view toml) {
  auto parsed = mailrep::data::parse_providers(toml, "p.toml");
  return parsed ? std::string("(accepted)") : parsed.error().message;
}

/// A minimal valid provider; `extra` is appended inside it (line 6 onwards).
std::string provider_with(std::string_view extra) {
  std::string s =
      "[[provider]]\n"               // 1
      "id = \"x\"\n"                 // 2
      "name = \"X\"\n"               // 3
      "domains = [\"x.example\"]\n"  // 4
      "source = \"test\"\n";         // 5
  s += extra;
  return s;
}

}  // namespace

TEST_SUITE("data::providers") {

TEST_CASE("the shipped catalogue loads without errors or warnings") {
  auto loaded = mailrep::data::load_providers(shipped_path);
  REQUIRE_MESSAGE(loaded.has_value(), (loaded ? std::string() : loaded.error().message));
  CHECK_MESSAGE(loaded->warnings.empty(), (loaded->warnings.empty() ? std::string() : loaded->warnings.front()));
  for (std::string_view id : {"strato", "ionos", "gmx", "webde", "t-online", "google-workspace", "microsoft-365"}) {
    CAPTURE(id);
    CHECK(loaded->find(id) != nullptr);
  }
  for (const auto& p : loaded->providers) {
    CAPTURE(p.id);
    CHECK(!p.source.empty());
  }
}

TEST_CASE("shipped facts copied from the reference") {
  const auto* strato = shipped().find("strato");
  REQUIRE(strato != nullptr);
  CHECK(strato->submission_hosts == std::vector<std::string>{"smtp.strato.de"});
  CHECK(strato->spf_includes == std::vector<std::string>{"_spf.strato.com"});
  const auto* tonline = shipped().find("t-online");
  REQUIRE(tonline != nullptr);
  CHECK(tonline->abuse.email == "abuse@telekom.de");
  CHECK(tonline->support.empty());
}

TEST_CASE("match_provider: exact names, patterns, then the longest domain") {
  struct Row {
    std::string_view name;
    std::string_view provider;  // empty = none
    ProviderMatchKind kind;
  };
  const Row rows[] = {
      {"_spf.strato.com", "strato", ProviderMatchKind::spf_include},
      {"smtp.strato.de", "strato", ProviderMatchKind::submission_host},
      {"SMTP.Strato.DE.", "strato", ProviderMatchKind::submission_host},
      {"mo4-p00-ob.smtp.rzone.de", "strato", ProviderMatchKind::outbound_host},
      {"smtpin.rzone.de", "strato", ProviderMatchKind::inbound_host},
      {"strato.de", "strato", ProviderMatchKind::domain},
      {"kunde.rzone.de", "strato", ProviderMatchKind::domain},
      {"mout.kundenserver.de", "ionos", ProviderMatchKind::outbound_host},
      {"_spf-eu.ionos.com", "ionos", ProviderMatchKind::spf_include},
      {"_spf.perfora.net", "ionos", ProviderMatchKind::spf_include},
      {"smtp.ionos.de", "ionos", ProviderMatchKind::submission_host},
      {"mx00.kundenserver.de", "ionos", ProviderMatchKind::inbound_host},
      {"mout.gmx.net", "gmx", ProviderMatchKind::outbound_host},
      {"mail.gmx.net", "gmx", ProviderMatchKind::submission_host},
      {"_spf.gmx.net", "gmx", ProviderMatchKind::spf_include},
      {"mout.web.de", "webde", ProviderMatchKind::outbound_host},
      {"smtp.web.de", "webde", ProviderMatchKind::submission_host},
      {"mailout03.t-online.de", "t-online", ProviderMatchKind::outbound_host},
      {"fwd12.aul.t-online.de", "t-online", ProviderMatchKind::outbound_host},
      {"securesmtp.t-online.de", "t-online", ProviderMatchKind::submission_host},
      {"_spf.hier-im-netz.de", "telekom-homepagecenter", ProviderMatchKind::spf_include},
      {"mail-wr1-f41.google.com", "google-workspace", ProviderMatchKind::outbound_host},
      {"_spf.google.com", "google-workspace", ProviderMatchKind::spf_include},
      {"spf.protection.outlook.com", "microsoft-365", ProviderMatchKind::spf_include},
      {"mail-db5eur03on2070.outbound.protection.outlook.com", "microsoft-365", ProviderMatchKind::domain},
      {"example.com", "", ProviderMatchKind::domain},
      {"notrzone.de", "", ProviderMatchKind::domain},
      {"rzone.de.example", "", ProviderMatchKind::domain},
      {"", "", ProviderMatchKind::domain},
  };
  for (const Row& row : rows) {
    CAPTURE(row.name);
    const auto m = mailrep::data::match_provider(shipped(), row.name);
    const auto* p = mailrep::data::provider_for_domain(shipped(), row.name);
    if (row.provider.empty()) {
      CHECK_FALSE(m.has_value());
      CHECK(p == nullptr);
      continue;
    }
    REQUIRE(m.has_value());
    CHECK(m->provider->id == row.provider);
    CHECK(mailrep::data::to_string(m->kind) == mailrep::data::to_string(row.kind));
    CHECK(p == m->provider);
  }
}

TEST_CASE("bad files are rejected whole with file:line") {
  struct Row {
    std::string text;
    std::string_view expected;
  };
  const std::vector<Row> rows = {
      {"[[provider]]\nid = \n", "p.toml:2: TOML syntax"},
      {"", "p.toml:1: no [[provider]] tables"},
      {provider_with("colour = \"red\"\n"), "p.toml:6: unknown key 'colour' in [[provider]]"},
      {provider_with("outbound_patterns = ['mo(\\d+']\n"), "p.toml:6: 'mo(\\d+': bad regular expression: missing )"},
      {provider_with("outbound_hosts = [\"a..b\"]\n"), "p.toml:6: 'a..b' is not a host name"},
      {provider_with("submission_hosts = [\"smtp.x\", \"SMTP.X\"]\n"), "p.toml:6: duplicate 'smtp.x' in 'submission_hosts'"},
      {provider_with("support = { url = \"x\" }\n"), "p.toml:6: 'x' is not an http(s) URL"},
      {provider_with("support = { fax = \"1\" }\n"), "p.toml:6: unknown key 'fax' in 'support'"},
      {provider_with("abuse = \"abuse@x.example\"\n"), "p.toml:6: 'abuse' must be a table"},
      {provider_with("abuse = { email = \"nobody\" }\n"), "p.toml:6: 'nobody' is not an e-mail address"},
      {provider_with("dkim_selectors = [\"bad selector\"]\n"), "p.toml:6: DKIM selector 'bad selector'"},
      {"[[provider]]\nid = \"x\"\nname = \"X\"\nsource = \"s\"\n", "p.toml:1: a provider needs at least one"},
      {provider_with("") + "\n[[provider]]\nid = \"x\"\nname = \"Y\"\ndomains = [\"y.example\"]\nsource = \"s\"\n",
       "p.toml:8: duplicate id 'x' (first at line 1)"},
      {provider_with("") + "\n[[provider]]\nid = \"y\"\nname = \"Y\"\nspf_includes = [\"x.example\"]\nsource = \"s\"\n",
       "p.toml:7: 'x.example' is also claimed by provider 'x' (line 1)"},
  };
  for (const Row& row : rows) {
    CAPTURE(row.text);
    const std::string message = error_of(row.text);
    CHECK_MESSAGE(message.starts_with(row.expected), message);
  }
}

TEST_CASE("a minimal valid file loads and matches") {
  auto ok = mailrep::data::parse_providers(provider_with("outbound_patterns = ['out\\d+\\.x\\.example']\n"), "p.toml");
  REQUIRE_MESSAGE(ok.has_value(), (ok ? std::string() : ok.error().message));
  CHECK(mailrep::data::provider_for_domain(*ok, "out7.x.example") == ok->find("x"));
  CHECK(mailrep::data::match_provider(*ok, "out7.x.example")->kind == ProviderMatchKind::outbound_host);
  CHECK(mailrep::data::match_provider(*ok, "www.x.example")->kind == ProviderMatchKind::domain);
  ProviderCatalogue moved = std::move(*ok);
  CHECK(mailrep::data::provider_for_domain(moved, "out7.x.example") == moved.find("x"));
}

TEST_CASE("missing file is an io error") {
  auto r = mailrep::data::load_providers(std::string(MAILREP_SOURCE_DIR) + "/lists/does-not-exist.toml");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == mailrep::ErrorCode::io);
}

}  // TEST_SUITE
