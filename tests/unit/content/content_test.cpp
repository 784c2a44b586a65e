// mailrep content, pure parts: every fixture in tests/content/ against the findings it must (and
// must not) give, the shortener list, ZIP listing, the domain-list plan and its answers (from a
// table resolver), complete EN/DE texts, and hostile inputs with bounded results.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mailrep/content/content.hpp"
#include "mailrep/content/html.hpp"
#include "mailrep/content/messages.hpp"
#include "mailrep/data/blocklists.hpp"
#include "mailrep/data/shorteners.hpp"
#include "mailrep/report/report.hpp"
#include "table_resolver.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mailrep;

const std::string k_src = MAILREP_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const data::Shorteners& shorteners() {
  static const data::Shorteners s = [] {
    auto r = data::load_shorteners(k_src + "/lists/shorteners.toml");
    REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
    return *r;
  }();
  return s;
}

std::set<std::string> ids(const content::Analysis& a) {
  std::set<std::string> out;
  for (const auto& f : a.findings) out.insert(f.id);
  return out;
}

Severity worst(const content::Analysis& a) {
  Severity s = Severity::info;
  for (const auto& f : a.findings)
    if (static_cast<int>(f.severity) > static_cast<int>(s)) s = f.severity;
  return s;
}

content::Analysis fixture(const std::string& name) {
  const std::string text = slurp(k_src + "/tests/content/" + name);
  REQUIRE_MESSAGE(!text.empty(), name);
  return content::analyse(text, shorteners());
}

/// Only info findings (or none).
void check_clean(const std::string& name) {
  const auto a = fixture(name);
  for (const auto& f : a.findings) CHECK_MESSAGE(f.severity == Severity::info, name, ": ", f.id);
}

void check_has(const std::string& name, std::initializer_list<const char*> want, Severity worst_expected) {
  const auto a = fixture(name);
  const auto got = ids(a);
  for (const char* id : want) CHECK_MESSAGE(got.count(id) == 1, name, " lacks ", id);
  CHECK_MESSAGE(worst(a) == worst_expected, name);
}

data::Catalogue domain_catalogue() {
  auto cat = data::parse_blocklists(R"TOML(
[[list]]
id = "dbl"
name = "Domain Test BL"
zone = "dbl.test"
kind = "domain"
query = "host"
[[list.error]]
match = "127.0.1.255"
meaning = "query refused"
[[list.answer]]
match = "127.0.1.2"
meaning = "spam domain"
severity = "critical"

[[list]]
id = "uri"
name = "Registered-domain list"
zone = "uri.test"
kind = "domain"
query = "registered"
[[list.answer]]
match = "127.0.0.2"
meaning = "listed"
severity = "warning"

[[list]]
id = "ipbl"
name = "An IP list (not asked about domains)"
zone = "ipbl.test"
kind = "ip"
[[list.answer]]
match = "127.0.0.2"
meaning = "listed"
severity = "critical"
)TOML",
                                    "test");
  REQUIRE_MESSAGE(cat.has_value(), (cat ? std::string() : cat.error().message));
  return *cat;
}

}  // namespace

TEST_SUITE("content::fixtures") {
  TEST_CASE("good variants have no warnings") {
    check_clean("good-newsletter.eml");
    check_clean("good-plain.eml");
    check_clean("good-attachment.eml");
    check_clean("good-template.html");
    CHECK(ids(fixture("good-template.html")).count("content.no-headers") == 1);
  }
  TEST_CASE("the good newsletter: parts and links") {
    const auto a = fixture("good-newsletter.eml");
    CHECK(a.has_headers);
    REQUIRE(a.parts.size() == 2);
    CHECK(a.parts[0].content_type == "text/plain");
    CHECK(a.parts[1].content_type == "text/html");
    CHECK(a.links.size() == 3);
    for (const auto& l : a.links) CHECK(l.url.registered == "shop.test");
  }
  TEST_CASE("links") {
    check_has("bad-shortener.eml", {"content.link-shortener"}, Severity::critical);
    check_has("bad-links.eml", {"content.link-ip", "content.link-userinfo", "content.link-mismatch", "content.link-http",
                                "content.link-malformed"},
              Severity::warning);
    const auto a = fixture("bad-shortener.eml");
    for (const auto& l : a.links)
      if (l.url.host == "bit.ly") CHECK(l.shortener == "bit.ly");
  }
  TEST_CASE("structure") {
    check_has("bad-html-only.eml", {"content.no-text-part", "content.image-only", "content.tracking-pixel",
                                    "content.remote-images", "content.html-script", "content.html-form",
                                    "content.html-iframe", "content.html-base64"},
              Severity::warning);
    check_has("bad-text-differs.eml", {"content.text-differs"}, Severity::warning);
    check_has("bad-charset.eml", {"content.charset-missing", "content.charset-broken"}, Severity::warning);
    check_has("bad-mime.eml", {"content.mime-broken", "content.long-lines"}, Severity::warning);
  }
  TEST_CASE("headers") {
    check_has("bad-headers.eml", {"content.date-missing", "content.message-id-missing", "content.subject-missing",
                                  "content.reply-to-differs", "content.precedence-junk", "content.mime-version-missing"},
              Severity::warning);
    check_has("bad-from.eml", {"content.from-invalid"}, Severity::critical);
    check_has("bad-bulk-no-unsubscribe.eml", {"content.no-list-unsubscribe"}, Severity::warning);
    check_has("bad-one-click.eml", {"content.no-one-click"}, Severity::warning);
    check_has("bad-one-click-unsigned.eml", {"content.unsubscribe-not-signed"}, Severity::warning);
    check_has("bad-alignment.eml", {"dmarc.not-aligned"}, Severity::critical);
    check_has("bad-dkim-relaxed.eml", {"dmarc.dkim-not-strict"}, Severity::warning);
    CHECK(ids(fixture("good-newsletter.eml")).count("dmarc.not-aligned") == 0);
  }
  TEST_CASE("attachments") {
    const auto a = fixture("bad-attachments.eml");
    CHECK(a.attachments == 4);
    std::map<std::string, std::vector<std::string>> by_id;
    for (const auto& f : a.findings) by_id[f.id].push_back(std::string(f.get("name")) + "|" + std::string(f.get("inner")));
    REQUIRE(by_id["content.attachment-blocked"].size() == 2);
    CHECK(by_id["content.attachment-blocked"][0] == "rechnung.pdf.exe|");
    CHECK(by_id["content.attachment-blocked"][1] == "unterlagen.zip|: setup.exe");
    CHECK(by_id["content.attachment-macro"].size() == 1);
    CHECK(by_id["content.attachment-encrypted"] == std::vector<std::string>{"vertraulich.zip|"});
    CHECK(by_id["content.attachment-double-extension"] == std::vector<std::string>{"rechnung.pdf.exe|"});
    CHECK(worst(a) == Severity::critical);
  }
}

TEST_SUITE("content::pieces") {
  TEST_CASE("the shipped shortener list") {
    const auto& s = shorteners();
    CHECK(s.entries.size() >= 20);
    for (const auto& e : s.entries) CHECK_MESSAGE(!e.source.empty(), e.domain);
    CHECK(s.match("bit.ly") != nullptr);
    CHECK(s.match("www.bit.ly") != nullptr);
    CHECK(s.match("notbit.ly") == nullptr);
    CHECK(s.match("tinyurl.com") != nullptr);
    CHECK(s.match("example.com") == nullptr);
  }
  TEST_CASE("shortener files are accepted whole or rejected with file:line") {
    auto bad = data::parse_shorteners("[[shortener]]\ndomain = \"bit.ly\"\n", "x.toml");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("x.toml:1") != std::string::npos);
    bad = data::parse_shorteners("[[shortener]]\ndomain = \"a b\"\nsource = \"s\"\n", "x.toml");
    CHECK_FALSE(bad.has_value());
    bad = data::parse_shorteners("[[shortener]]\ndomain = \"a.example\"\nsource = \"s\"\ncolour = 1\n", "x.toml");
    CHECK_FALSE(bad.has_value());
    bad = data::parse_shorteners(
        "[[shortener]]\ndomain = \"a.example\"\nsource = \"s\"\n[[shortener]]\ndomain = \"A.example\"\nsource = \"s\"\n", "x.toml");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("duplicate") != std::string::npos);
    auto good = data::parse_shorteners("[[shortener]]\ndomain = \"S.Example\"\nsource = \"s\"\n", "x.toml");
    REQUIRE(good.has_value());
    CHECK(good->entries.front().domain == "s.example");
  }
  TEST_CASE("extension and address_domain") {
    CHECK(content::extension("Rechnung.PDF.exe") == "exe");
    CHECK(content::extension("noext").empty());
    CHECK(content::extension("trailing.").empty());
    CHECK(content::address_domain("\"Schmidt, Anna\" <anna@Shop.Test>") == "shop.test");
    CHECK(content::address_domain("anna@shop.test") == "shop.test");
    CHECK(content::address_domain("<>").empty());
    CHECK(content::address_domain("Blumenladen").empty());
  }
  TEST_CASE("zip listing is bounded and tolerant") {
    CHECK_FALSE(content::list_zip("").valid);
    CHECK_FALSE(content::list_zip("PK garbage").valid);
    std::string fake = "PK";
    fake += std::string(100, '\0');
    fake += std::string("PK\x05\x06", 4) + std::string(6, '\0') + std::string("\xff\xff", 2) + std::string(4, '\0') +
            std::string("\x00\x00\x00\x00", 4) + std::string(2, '\0');
    const auto z = content::list_zip(fake);  // claims 65535 entries at offset 0: stops at once
    CHECK(z.names.size() <= content::max_zip_entries);
  }
  TEST_CASE("every finding id has English and German texts") {
    for (const auto& m : content::messages()) {
      CHECK_MESSAGE(!m.en_title.empty(), m.id);
      CHECK_MESSAGE(!m.de_title.empty(), m.id);
      CHECK_MESSAGE(!m.en_detail.empty(), m.id);
      CHECK_MESSAGE(!m.de_detail.empty(), m.id);
      CHECK_MESSAGE(m.en_fix.empty() == m.de_fix.empty(), m.id);
    }
    report::register_messages(content::messages());
    // Every id the fixtures produce has a text.
    for (const auto& entry : fs::directory_iterator(k_src + "/tests/content")) {
      const auto a = content::analyse(slurp(entry.path()), shorteners());
      for (const auto& f : a.findings) {
        if (f.id.rfind("content.", 0) != 0) continue;
        CHECK_MESSAGE(report::find_message(f.id) != nullptr, f.id);
      }
    }
    for (const char* id : {"content.link-listed", "content.link-unknown", "content.domains-capped", "content.no-domain-lists",
                           "content.dns-skipped", "content.links-capped", "content.mime-too-deep",
                           "content.mime-too-many-parts", "content.size", "content.input-truncated",
                           "content.html-truncated", "content.html-clipped", "content.empty", "content.encoding-broken"})
      CHECK_MESSAGE(report::find_message(id) != nullptr, id);
  }
}

TEST_SUITE("content::lists") {
  TEST_CASE("plan: domain lists only, registered domains de-duplicated, hosts for host-form lists") {
    const auto cat = domain_catalogue();
    const auto a = content::analyse(
        "From: a@shop.test\nSubject: x\n\nhttps://www.shop.test/a https://shop.test/b https://img.shop.test/c "
        "https://bad-domain.test/ http://192.0.2.1/\n",
        shorteners());
    const auto plan = content::plan_list_checks(a, cat);
    CHECK(plan.lists == 2);
    CHECK(plan.domains == 2);
    std::multiset<std::string> asked;
    for (const auto& q : plan.queries) asked.insert(q.list->id + ":" + q.subject);
    CHECK(asked == std::multiset<std::string>{"dbl:shop.test", "dbl:bad-domain.test", "dbl:www.shop.test",
                                              "dbl:img.shop.test", "uri:shop.test", "uri:bad-domain.test"});
  }
  TEST_CASE("answers: listed, unknown, clean - findings") {
    const auto cat = domain_catalogue();
    auto a = content::analyse(
        "From: a@shop.test\nSubject: x\n\nhttps://www.shop.test/ https://www.bad-domain.test/x https://refused-domain.test/\n",
        shorteners());
    test::TableResolver dns;
    dns.add_a("bad-domain.test.dbl.test", "127.0.1.2");
    dns.add_a("refused-domain.test.dbl.test", "127.0.1.255");
    dns.set_outcome("refused-domain.test.uri.test", std::nullopt, mailrep::dns::Outcome::servfail);
    const auto plan = content::plan_list_checks(a, cat);
    auto task = content::run_list_checks(dns, plan.queries);
    REQUIRE(task.done());
    const auto results = task.take();
    CHECK(results.size() == plan.queries.size());
    content::apply_list_results(a, plan, results);
    std::map<std::string, const content::Link*> by_host;
    for (const auto& l : a.links) by_host[l.url.host] = &l;
    REQUIRE(by_host.count("www.bad-domain.test"));
    CHECK(by_host["www.bad-domain.test"]->listings.size() == 1);
    CHECK(by_host["refused-domain.test"]->errors.size() == 2);
    CHECK(by_host["www.shop.test"]->listings.empty());
    CHECK(by_host["www.shop.test"]->errors.empty());
    CHECK(by_host["www.shop.test"]->checked);
    std::map<std::string, std::size_t> n;
    for (const auto& f : a.findings) ++n[f.id];
    CHECK(n["content.link-listed"] == 1);
    CHECK(n["content.link-unknown"] == 2);  // one per list
    for (const auto& f : a.findings)
      if (f.id == "content.link-listed") {
        CHECK(f.severity == Severity::critical);
        CHECK(f.get("domain") == "bad-domain.test");
      }
  }
  TEST_CASE("no domain list configured") {
    data::Catalogue empty;
    auto a = content::analyse("From: a@shop.test\n\nhttps://www.shop.test/\n", shorteners());
    const auto plan = content::plan_list_checks(a, empty);
    CHECK(plan.queries.empty());
    content::apply_list_results(a, plan, {});
    CHECK(ids(a).count("content.no-domain-lists") == 1);
  }
  TEST_CASE("domain cap") {
    const auto cat = domain_catalogue();
    std::string body = "From: a@shop.test\n\n";
    for (int i = 0; i < 200; ++i) body += "https://d" + std::to_string(i) + ".test/\n";
    auto a = content::analyse(body, shorteners());
    const auto plan = content::plan_list_checks(a, cat);
    CHECK(plan.domains == content::max_domains);
    CHECK(plan.domains_skipped == 200 - content::max_domains);
    content::apply_list_results(a, plan, {});
    CHECK(ids(a).count("content.domains-capped") == 1);
  }
}

TEST_SUITE("content::hostile") {
  using Clock = std::chrono::steady_clock;

  TEST_CASE("50 MB of HTML: bounded, clear") {
    std::string html = "<html><body>";
    const std::string chunk = "<p>Angebot <a href=\"https://www.shop.test/x\">hier</a></p>\n";
    while (html.size() < 50u * 1024u * 1024u) html += chunk;
    const auto t0 = Clock::now();
    const auto a = content::analyse(html, shorteners());
    CHECK(Clock::now() - t0 < std::chrono::seconds(60));
    const auto got = ids(a);
    CHECK(got.count("content.size") == 1);
    CHECK(got.count("content.html-truncated") == 1);
    CHECK(a.links.size() == 1);  // one distinct URL
    CHECK(worst(a) == Severity::critical);
  }

  TEST_CASE("100,000 links: capped at max_links, said so") {
    std::string html = "<html><body>";
    for (int i = 0; i < 100000; ++i) html += "<a href=\"https://l" + std::to_string(i) + ".shop.test/\">x</a>\n";
    const auto a = content::analyse(html, shorteners());
    CHECK(a.links.size() == content::max_links);
    CHECK(a.links_seen == 100000);
    CHECK(ids(a).count("content.links-capped") == 1);
    const auto plan = content::plan_list_checks(a, domain_catalogue());
    CHECK(plan.domains == 1);  // all below shop.test
    CHECK(plan.queries.size() <= 2 * (content::max_domains + content::max_hosts));
  }

  TEST_CASE("deeply nested multiparts stop at max_depth") {
    std::string msg = "From: a@shop.test\nMIME-Version: 1.0\n";
    std::string tail;
    for (int i = 0; i < 5000; ++i) {
      msg += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" + std::to_string(i) + "\n";
      tail = "\n--b" + std::to_string(i) + "--\n" + tail;
    }
    msg += "Content-Type: text/plain\n\ndeep\n" + tail;
    const auto t0 = Clock::now();
    const auto a = content::analyse(msg, shorteners());
    CHECK(Clock::now() - t0 < std::chrono::seconds(20));
    CHECK(ids(a).count("content.mime-too-deep") == 1);
    CHECK(a.parts.empty());
  }

  TEST_CASE("many parts stop at max_entities") {
    std::string msg = "From: a@shop.test\nContent-Type: multipart/mixed; boundary=x\n\n";
    for (int i = 0; i < 2000; ++i) msg += "--x\nContent-Type: text/plain\n\npart\n";
    msg += "--x--\n";
    const auto a = content::analyse(msg, shorteners());
    CHECK(ids(a).count("content.mime-too-many-parts") == 1);
    CHECK(a.parts.size() < content::max_entities);
  }

  TEST_CASE("broken MIME") {
    for (const char* m : {"From: a@shop.test\nContent-Type: multipart/mixed\n\nno boundary\n",
                          "From: a@shop.test\nContent-Type: multipart/mixed; boundary=zz\n\nnever appears\n",
                          "From: a@shop.test\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nunclosed",
                          "From: a@shop.test\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!@@@@####\n"}) {
      const auto a = content::analyse(m, shorteners());
      const auto got = ids(a);
      CHECK_MESSAGE((got.count("content.mime-broken") == 1 || got.count("content.encoding-broken") == 1), m);
    }
  }

  TEST_CASE("a link with 10,000 subdomain labels") {
    std::string host;
    for (int i = 0; i < 10000; ++i) host += "a.";
    host += "shop.test";
    const auto a = content::analyse("<a href=\"https://" + host + "/\">x</a>", shorteners());
    CHECK(ids(a).count("content.link-malformed") == 1);
    const auto plan = content::plan_list_checks(a, domain_catalogue());
    CHECK(plan.queries.empty());  // never asked about
  }

  TEST_CASE("binary garbage and empty input do not crash") {
    std::string garbage;
    for (int i = 0; i < 100000; ++i) garbage += static_cast<char>((i * 7919) % 256);
    (void)content::analyse(garbage, shorteners());
    (void)content::analyse("", shorteners());
    (void)content::analyse("\n\n\n", shorteners());
  }
}
