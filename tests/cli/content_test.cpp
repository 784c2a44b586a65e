// mailrep content over the fixture world: good and bad messages, the domain lists of dbl.test
// (bad-domain.test listed, refused-domain.test answered with an error code), --offline, stdin,
// usage errors, hostile inputs through the binary, and golden outputs per format
// (MAILREP_UPDATE_GOLDEN=1 rewrites them).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "cli_runner.hpp"
#include "golden.hpp"

using mailrep::test::run_mailrep;
using mailrep::test::RunResult;
using nlohmann::json;

namespace {

using mailrep::test::golden;

const std::string k_src = MAILREP_SOURCE_DIR;
const std::string k_dir = k_src + "/tests/content/";

std::vector<std::string> base_args() {
  auto a = mailrep::test::world_resolver_args();
  for (const std::string& s : {std::string("--lists"), k_src + "/tests/lists/test-dnsbl.toml", std::string("--timeout-ms"),
                               std::string("1500")})
    a.push_back(s);
  return a;
}

RunResult content(const std::string& file, std::vector<std::string> extra = {}, const std::string& input = {}) {
  auto args = base_args();
  for (auto& e : extra) args.push_back(e);
  args.push_back("content");
  args.push_back(file);
  return run_mailrep(args, input);
}

json content_json(const std::string& file, int expected_exit, std::vector<std::string> extra = {}) {
  extra.push_back("--format");
  extra.push_back("json");
  auto r = content(file, extra);
  CHECK_MESSAGE(r.exit_code == expected_exit, file, " stderr: ", r.err);
  return json::parse(r.out);
}

bool has_finding(const json& j, const std::string& id) {
  for (const auto& f : j["findings"])
    if (f["id"] == id) return true;
  return false;
}

}  // namespace

TEST_SUITE("cli::content") {
  TEST_CASE("good variants: OK") {
    for (const char* f : {"good-newsletter.eml", "good-plain.eml", "good-attachment.eml", "good-template.html"}) {
      json j = content_json(k_dir + f, 0);
      CHECK(j["command"] == "content");
      CHECK(j["status"] == "OK");
    }
  }

  TEST_CASE("exit code from the worst finding, per fixture") {
    const std::pair<const char*, int> cases[] = {
        {"bad-listed-domain.eml", 2}, {"bad-shortener.eml", 2},   {"bad-links.eml", 1},
        {"bad-html-only.eml", 1},     {"bad-text-differs.eml", 1}, {"bad-headers.eml", 1},
        {"bad-from.eml", 2},          {"bad-bulk-no-unsubscribe.eml", 1}, {"bad-one-click.eml", 1},
        {"bad-alignment.eml", 2},     {"bad-dkim-relaxed.eml", 1}, {"bad-attachments.eml", 2},
        {"bad-charset.eml", 1},       {"bad-mime.eml", 1}};
    for (const auto& [file, code] : cases) {
      auto r = content(k_dir + file);
      CHECK_MESSAGE(r.exit_code == code, file, " stderr: ", r.err);
    }
  }

  TEST_CASE("listed and unknown link domains in links[]") {
    json j = content_json(k_dir + "bad-listed-domain.eml", 2);
    CHECK(has_finding(j, "content.link-listed"));
    CHECK(has_finding(j, "content.link-unknown"));
    bool listed = false, unknown = false;
    for (const auto& l : j["links"]) {
      REQUIRE(l.contains("url"));
      REQUIRE(l.contains("domain"));
      REQUIRE(l["listings"].is_array());
      REQUIRE(l["errors"].is_array());
      if (l["domain"] == "bad-domain.test") {
        REQUIRE(l["listings"].size() == 1);
        CHECK(l["listings"][0]["list"] == "dbl");
        CHECK(l["listings"][0]["answer"] == "127.0.1.2");
        CHECK(l["listings"][0]["txt"] == "bad-domain.test sends spam");
        listed = true;
      }
      if (l["domain"] == "refused-domain.test") {
        REQUIRE(l["errors"].size() == 1);
        CHECK(l["errors"][0]["list"] == "dbl");
        unknown = true;
      }
      if (l["domain"] == "shop.test") {
        CHECK(l["listings"].empty());
        CHECK(l["checked"] == true);
      }
    }
    CHECK(listed);
    CHECK(unknown);
    CHECK(j["listed"] == 1);
    CHECK(j["unknown"] == 1);
  }

  TEST_CASE("an unanswered list is never clean: WARNING at least") {
    // Only refused-domain.test: the list answers with an error code -> unknown -> WARNING.
    const std::string msg =
        "From: a@shop.test\nSubject: Hallo\nDate: Mon, 3 Mar 2025 10:00:00 +0100\nMessage-ID: <1@shop.test>\n\n"
        "https://refused-domain.test/\n";
    auto args = base_args();
    args.insert(args.end(), {"--format", "json", "content", "-"});
    auto r = run_mailrep(args, msg);
    CHECK(r.exit_code == 1);
    json j = json::parse(r.out);
    CHECK(j["status"] == "WARNING");
    CHECK(has_finding(j, "content.link-unknown"));
  }

  TEST_CASE("--offline skips DNS and says so") {
    // A resolver that does not exist: --offline must not use it.
    auto r = run_mailrep({"--resolver", "127.0.0.1:9", "--offline", "--format", "json", "content", k_dir + "bad-listed-domain.eml"});
    CHECK(r.exit_code == 0);
    json j = json::parse(r.out);
    CHECK(j["offline"] == true);
    CHECK(has_finding(j, "content.dns-skipped"));
    CHECK_FALSE(has_finding(j, "content.link-listed"));
  }

  TEST_CASE("stdin, empty input and missing files") {
    std::ifstream in(k_dir + "bad-shortener.eml");
    std::stringstream ss;
    ss << in.rdbuf();
    auto args = base_args();
    args.insert(args.end(), {"--offline", "content", "-"});
    auto r = run_mailrep(args, ss.str());
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("bit.ly") != std::string::npos);
    r = run_mailrep({"--offline", "content", "-"}, "");
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("empty") != std::string::npos);
    r = run_mailrep({"--offline", "content", "/nonexistent/x.eml"});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("no such file") != std::string::npos);
    r = run_mailrep({"--offline", "content", "a", "b"});
    CHECK(r.exit_code == 3);
  }

  TEST_CASE("hostile: 50 MB HTML on stdin") {
    std::string html = "<html><body>";
    const std::string chunk = "<p>Angebot <a href=\"https://www.shop.test/x\">hier</a></p>\n";
    while (html.size() < 50u * 1024u * 1024u) html += chunk;
    auto r = run_mailrep({"--offline", "--format", "json", "content", "-"}, html);
    CHECK(r.exit_code == 2);
    json j = json::parse(r.out);
    CHECK(has_finding(j, "content.size"));
    CHECK(has_finding(j, "content.html-truncated"));
  }

  TEST_CASE("hostile: 100,000 links, with the DNS checks") {
    std::string html = "<html><body>";
    for (int i = 0; i < 100000; ++i) html += "<a href=\"https://d" + std::to_string(i) + ".test/\">x</a>\n";
    auto args = base_args();
    args.insert(args.end(), {"--format", "json", "content", "-"});
    auto r = run_mailrep(args, html);
    CHECK(r.exit_code == 1);
    json j = json::parse(r.out);
    CHECK(has_finding(j, "content.links-capped"));
    CHECK(has_finding(j, "content.domains-capped"));
    CHECK(j["links_total"] == 100000);
    CHECK(j["domains_checked"] == 50);
    CHECK(j["links"].size() == 1000);
  }

  TEST_CASE("hostile: nested multiparts, broken MIME, 10,000 labels") {
    std::string msg = "From: a@shop.test\nSubject: x\nMIME-Version: 1.0\n";
    for (int i = 0; i < 2000; ++i)
      msg += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) + "\"\n\n--b" + std::to_string(i) + "\n";
    msg += "Content-Type: text/plain\n\ndeep\n";
    auto r = run_mailrep({"--offline", "--format", "json", "content", "-"}, msg);
    CHECK(r.exit_code == 1);
    CHECK(has_finding(json::parse(r.out), "content.mime-too-deep"));

    r = run_mailrep({"--offline", "--format", "json", "content", "-"},
                    "From: a@shop.test\nContent-Type: multipart/mixed; boundary=zz\n\nnever\n");
    CHECK(r.exit_code == 1);
    CHECK(has_finding(json::parse(r.out), "content.mime-broken"));

    std::string host;
    for (int i = 0; i < 10000; ++i) host += "a.";
    auto args = base_args();
    args.insert(args.end(), {"--format", "json", "content", "-"});
    r = run_mailrep(args, "<html><a href=\"https://" + host + "bad-domain.test/\">x</a></html>");
    CHECK(r.exit_code == 1);
    json j = json::parse(r.out);
    CHECK(has_finding(j, "content.link-malformed"));
    CHECK_FALSE(has_finding(j, "content.link-listed"));
  }

  TEST_CASE("control characters in the input never reach the terminal") {
    const std::string msg = "From: a@shop.test\nSubject: \x1b[31mrot\x07\n\n<a href=\"https://x.test/\x1b[2J\">\x1b]0;t\x07www.y.test</a>\n";
    auto r = run_mailrep({"--offline", "-v", "content", "-"}, msg);
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(r.out.find('\x07') == std::string::npos);
  }

  TEST_CASE("golden output per format") {
    golden("content-listed.txt", content(k_dir + "bad-listed-domain.eml", {"--no-color"}).out);
    golden("content-listed.de.txt", content(k_dir + "bad-listed-domain.eml", {"--lang", "de"}).out);
    golden("content-listed.json", content(k_dir + "bad-listed-domain.eml", {"--format", "json"}).out);
    golden("content-listed.nagios", content(k_dir + "bad-listed-domain.eml", {"--format", "nagios", "-v"}).out);
    golden("content-good.txt", content(k_dir + "good-newsletter.eml", {"-v"}).out);
    golden("content-attachments.txt", content(k_dir + "bad-attachments.eml", {"--offline"}).out);
  }
}
