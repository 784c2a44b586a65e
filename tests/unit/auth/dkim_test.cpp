// DKIM key records, key decoding and selector discovery (auth::dkim), plus the shipped selector list.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

#include "mailrep/auth/dkim/dkim.hpp"
#include "mailrep/auth/dkim/tag_list.hpp"
#include "mailrep/auth/messages.hpp"
#include "mailrep/data/selectors.hpp"
#include "mailrep/io/loop.hpp"
#include "table_resolver.hpp"

using namespace mailrep;
using namespace mailrep::auth::dkim;

namespace {

// Test keys generated once with the openssl CLI (openssl genpkey; openssl pkey -pubout -outform DER | base64).
constexpr const char* k_rsa512 =
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAN7yhOWsOstxm0IcRa9jfSsdgOtaAPg+LIUBOMJTGOxchMvvqzQ4Ya6J+JPHo50C"
    "k8fw5vN+XUbMKpE/ItYBGY8CAwEAAQ==";
constexpr const char* k_rsa1024 =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDLKR+i9RVM7qFFryPfM3B1BR1lvZtH9FKImrEONAA6E9t8I3QOurRgH3+T"
    "MeS5Y24BeW50A4Tny1BZNq2UzvWqAdQPHxRRxIPqmrJ3QE6tBEhx7uKRui1cN6Go3bMH5MTTFouC6SA37529flMZwLXLSv73"
    "2Gk65bpYQ9gjsYW+WQIDAQAB";
constexpr const char* k_rsa2048 =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApfbOp/GQGZ3yp9qf2cqSVpC1wbRiW3W5hoB8H90O08B9MRkaf0QY"
    "9R2s9vrtiB54iW9gaoNyT41/oiDxYOaKougO5FpxO39ph/s/ul8B1FQ06NmhxHTFMv7bK7Tq5ZeQjB62k3OEfuZIHrWUct6l"
    "lWFLOKcWdURd7KeI7s9YNF2R+aNw4ka67cEMuJDEmdbg4hvb8GzGTTusCzr6qZfQr6C7Dn9h/2MNo+KfJf+1czM3+M9lqW+J"
    "8zTXkV2BNBQir7Qe+K1GgdgKCegPQmRbtzWfxPupeJ11URbqLgKV0nI/07AeNgWUJUfFzbkQz9vmhpOLJ5q9DSPlZsJmUC7O"
    "vQIDAQAB";
constexpr const char* k_rsa4096 =
    "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA1H8Vao35wOovtEtJa5puL1STO3MxHWTA841ftfiwHlTHO/Y5LWW4"
    "7u7l0JjlcHrZA9UurTAaWyk+cJ/qzK6d66FahB+9TsM8XCaifYAk2hoyZdlA2qB+c2xJuWCmdfESCPVVnhQTBfhFZADnwJaq"
    "X1bnIvgeqDq6lExnh6QD5QItDO3kNObHsxNwqooxSBJzXlLqazFzbbz8HANq2uRDbVhtooRifrfPE9YDl732HEQNmHIJckFO"
    "ya0ssjS5OnzmbvA9VIJ7VSH7lLthjhXH6YsZXfquouBfwXiyxs/uubFiPWENbpX4JgnxVEQj4qPb2hm462WvSMu7ZwgEIOhI"
    "/zN6EFWC0h3LbHCDnvxXrbejtw0a8Ol66VLo/Ns6zrmsw9HVT7rf7IhfgW1oiS6IXHY+H7OCiuR7RnfM8QxS/cM8OHcOCjOE"
    "haLc3DoCCHsfaJokpTuOX9WXkn81jHOP1/VMiw2+kjWInrqQY2G0MqoCn/7I0ftPQCZ9gebWj/kBvx6BQLsrPjciw4RxTfr2"
    "HByTYEr2YgCWgRY8ZiBx+NdZ9oLWi465sKR618jtvuKSssH/ZBbpee2gFJTa+2pfJBSzd9U5FLjjepTFe+IDTn5Mskq9vWc4"
    "mLsS+PCsKW/5RLLXKtatK0R83AWdbvDeoZ1/dq+51uJ60dGELi7mt20CAwEAAQ==";
constexpr const char* k_rsa1024_pkcs1 =  // openssl rsa -RSAPublicKey_out -outform DER
    "MIGJAoGBAMspH6L1FUzuoUWvI98zcHUFHWW9m0f0UoiasQ40ADoT23wjdA66tGAff5Mx5LljbgF5bnQDhOfLUFk2rZTO9aoB"
    "1A8fFFHEg+qasndATq0ESHHu4pG6LVw3oajdswfkxNMWi4LpIDfvnb1+UxnAtctK/vfYaTrlulhD2COxhb5ZAgMBAAE=";
constexpr const char* k_ed25519_spki = "MCowBQYDK2VwAyEAYDLpfvdhUXYyQQhkQMkznEuAtF2WKzbPeARV0UHClKg=";
constexpr const char* k_ed25519_raw = "YDLpfvdhUXYyQQhkQMkznEuAtF2WKzbPeARV0UHClKg=";  // RFC 8463: the raw 32-byte key

bool has(const std::vector<Finding>& fs, std::string_view id) {
  for (const auto& f : fs)
    if (f.id == id) return true;
  return false;
}
const Finding* get(const std::vector<Finding>& fs, std::string_view id) {
  for (const auto& f : fs)
    if (f.id == id) return &f;
  return nullptr;
}

/// Every finding has texts in both languages, and every {name} in them is an argument of the finding.
void require_texts(const std::vector<Finding>& fs) {
  for (const auto& f : fs) {
    const MessageText* m = nullptr;
    for (const auto& t : auth::auth_messages())
      if (t.id == f.id) m = &t;
    INFO("finding ", f.id);
    REQUIRE(m != nullptr);
    for (std::string_view text : {m->en_title, m->en_detail, m->en_fix, m->de_title, m->de_detail, m->de_fix}) {
      for (std::size_t i = text.find('{'); i != std::string_view::npos; i = text.find('{', i + 1)) {
        const auto end = text.find('}', i);
        REQUIRE(end != std::string_view::npos);
        const std::string_view name = text.substr(i + 1, end - i - 1);
        bool found = false;
        for (const auto& [k, v] : f.args) found = found || k == name;
        INFO("argument {", name, "}");
        CHECK(found);
      }
    }
  }
}

std::string key_txt(const char* p, std::string_view extra = "") {
  return "v=DKIM1; k=rsa; " + std::string(extra) + "p=" + p;
}

template <class T>
T run(io::Task<T> task) {
  REQUIRE(task.done());  // TableResolver answers synchronously
  return task.take();
}


/// Answers from a table after a delay on a real io::Loop, counting how many lookups overlap.
class SlowResolver final : public dns::Resolver {
public:
  SlowResolver(io::Loop& loop, const test::TableResolver& table) : m_loop(loop), m_table(table) {}
  io::Task<dns::Answer> lookup(dns::Query query) override {
    ++in_flight;
    if (in_flight > max_in_flight) max_in_flight = in_flight;
    auto pause = m_loop.sleep(std::chrono::milliseconds(5));
    co_await pause;
    --in_flight;
    co_return m_table.answer(query);
  }
  int in_flight = 0;
  int max_in_flight = 0;

private:
  io::Loop& m_loop;
  const test::TableResolver& m_table;
};
}  // namespace

TEST_SUITE("auth::dkim") {

TEST_CASE("tag lists: positions, duplicates, bad names") {
  struct Row {
    const char* text;
    std::size_t tags;
    std::size_t problems;
    bool fatal;
  };
  const Row rows[] = {
      {"v=DKIM1; k=rsa; p=abc", 3, 0, false},
      {"v=DKIM1; k=rsa; p=abc;", 3, 0, false},
      {"  v = DKIM1 ;p= a b c ", 2, 0, false},
      {"v=DKIM1;; p=abc", 2, 1, false},
      {"v=DKIM1; p=abc; p=def", 2, 1, true},
      {"v=DKIM1; 1x=abc", 1, 1, true},
      {"v=DKIM1; novalue", 1, 1, true},
      {"v=DKIM1; p=a\x01" "b", 1, 1, true},
      {"", 0, 0, false},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.text));
    auto tl = split_tag_list(r.text);
    CHECK(tl.tags.size() == r.tags);
    CHECK(tl.problems.size() == r.problems);
    bool fatal = false;
    for (const auto& p : tl.problems) fatal = fatal || p.fatal;
    CHECK(fatal == r.fatal);
  }
  auto tl = split_tag_list("v=DKIM1; k=rsa; p = abc ");
  REQUIRE(tl.tags.size() == 3);
  CHECK(tl.tags[2].position == 16);
  CHECK(tl.tags[2].value_position == 20);
  CHECK(tl.tags[2].value == "abc");
  auto dup = split_tag_list("v=DMARC1; p=none; P=reject", true);
  REQUIRE(dup.problems.size() == 1);
  CHECK(dup.problems[0].position == 18);
}

TEST_CASE("base64 with white space") {
  struct Row {
    const char* in;
    bool ok;
    std::size_t size;
  };
  const Row rows[] = {
      {"TWFu", true, 3}, {"TWE=", true, 2}, {"TQ==", true, 1}, {"T W\tF\r\nu", true, 3}, {"", true, 0},
      {"TWF", false, 0}, {"TW=u", false, 0}, {"TQ===", false, 0}, {"T!Fu", false, 0}, {"TR==", false, 0},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.in));
    auto out = decode_base64(r.in);
    CHECK(out.has_value() == r.ok);
    if (out) CHECK(out->size() == r.size);
  }
}

TEST_CASE("decode_key: type, size, strength") {
  struct Row {
    KeyType declared;
    const char* p;
    bool ok;
    KeyType type;
    unsigned bits;
    Strength strength;
    const char* format;
    bool warning;
  };
  const Row rows[] = {
      {KeyType::rsa, k_rsa512, true, KeyType::rsa, 512, Strength::broken, "spki", false},
      {KeyType::rsa, k_rsa1024, true, KeyType::rsa, 1024, Strength::weak, "spki", false},
      {KeyType::rsa, k_rsa2048, true, KeyType::rsa, 2048, Strength::ok, "spki", false},
      {KeyType::rsa, k_rsa4096, true, KeyType::rsa, 4096, Strength::ok, "spki", false},
      {KeyType::rsa, k_rsa1024_pkcs1, true, KeyType::rsa, 1024, Strength::weak, "pkcs1", true},
      {KeyType::ed25519, k_ed25519_raw, true, KeyType::ed25519, 256, Strength::ok, "raw", false},
      {KeyType::ed25519, k_ed25519_spki, true, KeyType::ed25519, 256, Strength::ok, "spki", true},
      {KeyType::ed25519, k_rsa2048, false, KeyType::rsa, 2048, Strength::ok, "spki", false},  // k= mismatch
      {KeyType::rsa, k_ed25519_spki, false, KeyType::ed25519, 256, Strength::ok, "spki", false},
      {KeyType::rsa, k_ed25519_raw, false, KeyType::unknown, 0, Strength::ok, "", false},
      {KeyType::rsa, "bm90IGEga2V5", false, KeyType::unknown, 0, Strength::ok, "", false},  // "not a key"
      {KeyType::rsa, "%%%", false, KeyType::unknown, 0, Strength::ok, "", false},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.p));
    KeyInfo k = decode_key(r.declared, r.p);
    CHECK(k.ok() == r.ok);
    CHECK(k.type == r.type);
    CHECK(k.bits == r.bits);
    if (r.ok) {
      CHECK(k.strength == r.strength);
      CHECK(k.format == r.format);
      CHECK(k.warning.empty() == !r.warning);
    }
  }
  // folded base64 (as in a zone file split over several strings with spaces)
  std::string folded;
  const std::string src = k_rsa2048;
  for (std::size_t i = 0; i < src.size(); i += 60) folded += src.substr(i, 60) + " \t ";
  CHECK(decode_key(KeyType::rsa, folded).bits == 2048);
}

TEST_CASE("key records (RFC 6376 3.6.1)") {
  struct Row {
    std::string text;
    bool usable;
    bool revoked;
    bool testing;
    bool sha256;
    bool email;
    KeyType type;
  };
  const std::vector<Row> rows = {
      {key_txt(k_rsa2048), true, false, false, true, true, KeyType::rsa},
      {std::string("p=") + k_rsa2048, true, false, false, true, true, KeyType::rsa},
      {"v=DKIM1; k=ed25519; p=" + std::string(k_ed25519_raw), true, false, false, true, true, KeyType::ed25519},
      {"v=DKIM1; k=rsa; p=", false, true, false, true, true, KeyType::rsa},
      {"v=DKIM1; p= ;", false, true, false, true, true, KeyType::rsa},
      {key_txt(k_rsa2048, "t=y:s; "), true, false, true, true, true, KeyType::rsa},
      {key_txt(k_rsa2048, "h=sha1; "), true, false, false, false, true, KeyType::rsa},
      {key_txt(k_rsa2048, "h=sha1:sha256; "), true, false, false, true, true, KeyType::rsa},
      {key_txt(k_rsa2048, "s=tlsrpt; "), true, false, false, true, false, KeyType::rsa},
      {key_txt(k_rsa2048, "s=email:*; n=notes here; "), true, false, false, true, true, KeyType::rsa},
      {"v=DKIM2; p=" + std::string(k_rsa2048), false, false, false, true, true, KeyType::rsa},
      {"k=rsa; v=DKIM1; p=" + std::string(k_rsa2048), false, false, false, true, true, KeyType::rsa},
      {"v=DKIM1; k=dsa; p=" + std::string(k_rsa2048), false, false, false, true, true, KeyType::unknown},
      {"v=DKIM1; k=rsa", false, false, false, true, true, KeyType::rsa},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.text));
    KeyRecord k = parse_key_record(r.text);
    CHECK(k.usable == r.usable);
    CHECK(k.revoked == r.revoked);
    CHECK(k.testing == r.testing);
    CHECK(k.allows_sha256() == r.sha256);
    CHECK(k.for_email() == r.email);
    CHECK(k.key_type == r.type);
  }
  CHECK(looks_like_key_record("v=DKIM1; p=abc"));
  CHECK(looks_like_key_record("k=rsa; p=abc"));
  CHECK_FALSE(looks_like_key_record("v=spf1 -all"));
  CHECK_FALSE(looks_like_key_record("google-site-verification=abc"));
}

TEST_CASE("selector candidates: requested first, deduplicated, validated") {
  auto c = selector_candidates({"S1", " mail ", "bad selector", "a.b"}, {"default", "s1", "x..y", "mail", "k1"});
  CHECK(c == std::vector<std::string>{"s1", "mail", "a.b", "default", "k1"});
  CHECK(selector_candidates({}, {"a", "b", "c"}, 2).size() == 2);
}

TEST_CASE("check_dkim: found keys, strengths, CNAME'd selectors, requested selectors") {
  test::TableResolver dns;
  dns.add_txt("google._domainkey.example.de", key_txt(k_rsa2048));
  dns.add_txt("s1._domainkey.example.de", key_txt(k_rsa1024));
  dns.add_txt("k1._domainkey.example.de", key_txt(k_rsa512));
  dns.add_txt("old._domainkey.example.de", "v=DKIM1; k=rsa; p=");
  // Strato style: the selector is a CNAME into the provider's zone
  dns.add_cname("strato-dkim-0002._domainkey.example.de", "strato-dkim-0002._domainkey.rzone.example");
  dns.add_txt("strato-dkim-0002._domainkey.rzone.example", key_txt(k_rsa4096));
  // a dangling CNAME (provider removed the key)
  dns.add_cname("s2._domainkey.example.de", "s2.domainkey.u1.wl.sendgrid.example");
  dns.add_txt("example.de", "v=spf1 -all");

  auto rep = run(check_dkim(dns, "Example.DE.", {"old", "missing"},
                            {"default", "google", "s1", "s2", "k1", "strato-dkim-0002", "selector1"}));
  CHECK(rep.domain == "example.de");
  CHECK(rep.probed == 9);
  CHECK(rep.domainkey_exists == true);
  CHECK_FALSE(rep.wildcard);
  // every selector, the _domainkey node and the wildcard probe: all asked
  CHECK(dns.count(dns::RrType::txt) == 11);
  CHECK(rep.found_count() == 4);
  const SelectorResult* strato = nullptr;
  for (const auto& s : rep.selectors)
    if (s.selector == "strato-dkim-0002") strato = &s;
  REQUIRE(strato != nullptr);
  CHECK(strato->state == SelectorResult::State::found);
  CHECK(strato->key->bits == 4096);
  CHECK(strato->cnames == std::vector<std::string>{"strato-dkim-0002._domainkey.rzone.example"});

  const auto& fs = rep.findings;
  CHECK(get(fs, "dkim.key-weak")->get("selector") == "s1");
  CHECK(get(fs, "dkim.key-broken")->get("selector") == "k1");
  CHECK(get(fs, "dkim.key-broken")->severity == Severity::critical);
  CHECK(get(fs, "dkim.revoked")->severity == Severity::critical);  // requested, so it matters
  CHECK(get(fs, "dkim.selector-missing")->get("selector") == "missing");
  CHECK(get(fs, "dkim.cname-dangling")->get("target") == "s2.domainkey.u1.wl.sendgrid.example");
  CHECK(has(fs, "dkim.found"));
  CHECK_FALSE(has(fs, "dkim.none-found"));
  CHECK_FALSE(has(fs, "dkim.ed25519-only"));
  for (const auto& f : fs) CHECK(f.who_can_fix != Fixer::receiver);
  require_texts(fs);
}

TEST_CASE("check_dkim: nothing found says what is known") {
  SUBCASE("no _domainkey node at all (NXDOMAIN)") {
    test::TableResolver dns;
    dns.add_txt("example.de", "v=spf1 -all");
    auto rep = run(check_dkim(dns, "example.de", {}, {"default", "google"}));
    CHECK(rep.domainkey_exists == false);
    const Finding* f = get(rep.findings, "dkim.none-found");
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::warning);
    CHECK(f->get("reason").find("NXDOMAIN") != std::string_view::npos);
    require_texts(rep.findings);
  }
  SUBCASE("keys exist under unknown selectors") {
    test::TableResolver dns;
    dns.add_txt("20240101abc._domainkey.example.de", key_txt(k_rsa2048));
    auto rep = run(check_dkim(dns, "example.de", {}, {"default", "google"}));
    CHECK(rep.domainkey_exists == true);
    const Finding* f = get(rep.findings, "dkim.none-found");
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::info);
    require_texts(rep.findings);
  }
  SUBCASE("DNS failures are unknown, not absence") {
    test::TableResolver dns;
    dns.set_outcome("google._domainkey.example.de", std::nullopt, dns::Outcome::timeout);
    dns.set_outcome("_domainkey.example.de", std::nullopt, dns::Outcome::servfail);
    auto rep = run(check_dkim(dns, "example.de", {}, {"google"}));
    CHECK_FALSE(has(rep.findings, "dkim.none-found"));
    CHECK(get(rep.findings, "dkim.dns-error")->get("count") == "1");
    require_texts(rep.findings);
  }
}

TEST_CASE("check_dkim: wildcard, ed25519 only, record problems") {
  test::TableResolver dns;
  dns.add_txt("*._domainkey.example.de", "v=DKIM1; k=ed25519; p=" + std::string(k_ed25519_raw));
  // TableResolver has no wildcard synthesis: emulate it for the names asked
  for (const char* sel : {"default", "google", "mailrep-nonexistent-7f3a9c"})
    dns.add_txt(std::string(sel) + "._domainkey.example.de", "v=DKIM1; k=ed25519; p=" + std::string(k_ed25519_raw));
  dns.add_txt("ed._domainkey.example.de", "v=DKIM1; k=ed25519; t=y; h=sha1; s=other; p=" + std::string(k_ed25519_raw));
  dns.add_txt("two._domainkey.example.de", key_txt(k_rsa2048));
  dns.add_txt("two._domainkey.example.de", key_txt(k_rsa4096));
  dns.add_txt("bad._domainkey.example.de", "v=DKIM1; k=rsa; p=AAAA");
  auto rep = run(check_dkim(dns, "example.de", {"ed", "bad"}, {"default", "google", "two"}));
  CHECK(rep.wildcard);
  CHECK(has(rep.findings, "dkim.wildcard"));
  CHECK(has(rep.findings, "dkim.testing"));
  CHECK(has(rep.findings, "dkim.sha1-only"));
  CHECK(has(rep.findings, "dkim.service-not-email"));
  CHECK(has(rep.findings, "dkim.multiple-records"));
  CHECK(get(rep.findings, "dkim.key-invalid")->get("selector") == "bad");
  // "default" and "google" only show the wildcard: not reported as selectors of their own
  for (const auto& s : rep.selectors) CHECK((s.selector != "default" && s.selector != "google"));
  require_texts(rep.findings);

  test::TableResolver only_ed;
  only_ed.add_txt("ed._domainkey.example.de", "v=DKIM1; k=ed25519; p=" + std::string(k_ed25519_raw));
  auto rep2 = run(check_dkim(only_ed, "example.de", {}, {"ed"}));
  CHECK(has(rep2.findings, "dkim.ed25519-only"));
  require_texts(rep2.findings);
}

TEST_CASE("shipped selector list and its loader") {
  auto shipped = data::load_dkim_selectors(std::string(MAILREP_SOURCE_DIR) + "/lists/dkim-selectors.toml");
  REQUIRE_MESSAGE(shipped.has_value(), (shipped ? "" : shipped.error().message));
  auto names = data::selector_names(*shipped);
  for (const char* must : {"default", "s1", "s2", "selector1", "selector2", "google", "k1", "mail", "dkim"}) {
    bool found = false;
    for (const auto& n : names) found = found || n == must;
    INFO(std::string(must));
    CHECK(found);
  }
  CHECK(selector_candidates({}, names).size() == names.size());  // all valid, no duplicates

  struct Bad {
    const char* text;
    const char* error;
  };
  const Bad bad[] = {
      {"[[selector]]\nname = \"a\"\nused_by = \"x\"\n", "t.toml:1: selector 'a' needs used_by and source"},
      {"[[selector]]\nname = \"a b\"\nused_by = \"x\"\nsource = \"y\"\n", "t.toml:1: 'a b' is not a valid selector"},
      {"[[selector]]\nname = \"a\"\nused_by = \"x\"\nsource = \"y\"\ncolour = 1\n", "t.toml:5: unknown key 'colour'"},
      {"[[selector]]\nname = \"a\"\nused_by = \"x\"\nsource = \"y\"\n[[selector]]\nname = \"A\"\nused_by = \"x\"\nsource = \"y\"\n",
       "t.toml:5: duplicate selector 'a'"},
      {"other = 1\n", "t.toml:1: unknown key 'other'"},
      {"[[selector]\n", "t.toml:1: TOML syntax"},
  };
  for (const auto& b : bad) {
    auto r = data::parse_dkim_selectors(b.text, "t.toml");
    REQUIRE_FALSE(r.has_value());
    INFO(r.error().message);
    CHECK(r.error().message.rfind(b.error, 0) == 0);
  }
  CHECK_FALSE(data::load_dkim_selectors("/nonexistent/x.toml").has_value());
}

TEST_CASE("check_dkim on a real loop: every selector at once") {
  test::TableResolver table;
  table.add_txt("google._domainkey.example.de", key_txt(k_rsa2048));
  io::Loop loop;
  SlowResolver dns(loop, table);
  auto rep = loop.run(check_dkim(dns, "example.de", {"x1"}, {"default", "google", "s1", "s2"}));
  CHECK(dns.max_in_flight == 7);  // 5 selectors + _domainkey + the wildcard probe
  CHECK(rep.found_count() == 1);
}

}  // TEST_SUITE
