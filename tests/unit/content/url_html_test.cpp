// The content module's pure scanners: URL parsing (hosts, IPs, odd forms, hostile lengths), the
// HTML scanner (text, links, images, active content, caps) and bare URLs in text.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "mailrep/content/html.hpp"
#include "mailrep/content/url.hpp"

using namespace mailrep::content;

TEST_SUITE("content::url") {
  TEST_CASE("hosts, registered domains and schemes") {
    Url u = parse_url("https://WWW.Example.CO.UK:443/path?q=1#x");
    CHECK(u.web);
    CHECK(u.scheme == "https");
    CHECK(u.kind == HostKind::name);
    CHECK(u.host == "www.example.co.uk");
    CHECK(u.registered == "example.co.uk");

    u = parse_url("www.shop.test/angebote");
    CHECK(u.web);
    CHECK(u.scheme == "http");
    CHECK(u.host == "www.shop.test");

    u = parse_url("//cdn.example.com/x.png");
    CHECK(u.web);
    CHECK(u.host == "cdn.example.com");

    CHECK_FALSE(parse_url("mailto:info@example.com").web);
    CHECK_FALSE(parse_url("#top").web);
    CHECK_FALSE(parse_url("/relative/path").web);
    CHECK_FALSE(parse_url("cid:logo").web);
    CHECK_FALSE(parse_url("").web);
  }

  TEST_CASE("IP literals, obfuscated numbers, userinfo") {
    Url u = parse_url("http://192.0.2.1/login");
    CHECK(u.kind == HostKind::ipv4);
    CHECK(u.host == "192.0.2.1");
    CHECK(u.registered.empty());
    u = parse_url("http://[2001:db8::1]:8080/");
    CHECK(u.kind == HostKind::ipv6);
    CHECK(u.host == "2001:db8::1");
    u = parse_url("http://3221225985/");
    CHECK(u.kind == HostKind::ipv4);
    CHECK(u.numeric_obfuscated);
    u = parse_url("http://0xC0.0x00.0x02.0x01/");
    CHECK(u.kind == HostKind::ipv4);
    CHECK(u.numeric_obfuscated);
    u = parse_url("https://www.bank.example@evil.example/login");
    CHECK(u.userinfo);
    CHECK(u.host == "evil.example");
    u = parse_url("http:\\\\evil.example\\x");
    CHECK(u.host == "evil.example");
    u = parse_url("https://%65vil.example/");
    CHECK(u.host == "evil.example");
  }

  TEST_CASE("internationalised names become A-labels") {
    Url u = parse_url("https://bäckerei.example/");
    CHECK(u.kind == HostKind::name);
    CHECK(u.host == "xn--bckerei-5wa.example");
  }

  TEST_CASE("malformed hosts, bounded") {
    CHECK(parse_url("https://a..b.example/").kind == HostKind::malformed);
    CHECK(parse_url("https:///").kind == HostKind::malformed);
    CHECK(parse_url("https://" + std::string(64, 'a') + ".example/").kind == HostKind::malformed);
    // 10,000 labels: rejected by length, never split, with a clear reason.
    std::string host;
    for (int i = 0; i < 10000; ++i) host += "a.";
    host += "example.com";
    const auto t0 = std::chrono::steady_clock::now();
    Url u = parse_url("https://" + host + "/");
    CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
    CHECK(u.kind == HostKind::malformed);
    CHECK(u.text.size() <= max_url_bytes);
    CHECK(u.host.size() <= 255);
    CHECK(u.problem.find("253") != std::string::npos);
  }

  TEST_CASE("domains shown in link text") {
    CHECK(domain_in_text("www.sparkasse.de") == "www.sparkasse.de");
    CHECK(domain_in_text(" https://Bank.example/login ") == "bank.example");
    CHECK(domain_in_text("paypal.com") == "paypal.com");
    CHECK(domain_in_text("Hier klicken").empty());
    CHECK(domain_in_text("rechnung.pdf").empty());  // not a public suffix, no www.
    CHECK(domain_in_text("3.5 Prozent").empty());
  }
}

TEST_SUITE("content::html") {
  TEST_CASE("text, links with their text, images, active content") {
    const std::string html =
        "<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<p>Hallo &amp; willkommen&nbsp;bei&#32;uns &uuml;</p><!-- <a href='https://hidden.example/'>x</a> -->"
        "<a href=\"https://shop.example/a?x=1&amp;y=2\">Alle <b>Angebote</b></a>"
        "<A HREF=https://other.example/>www.bank.example</A>"
        "<img src='https://img.example/p.gif' width=1 height=1>"
        "<img src=\"cid:logo\" alt=\"Logo\">"
        "<img src=\"data:image/png;base64,AAAA\">"
        "<script>var a = '<a href=\"https://script.example/\">';</script>"
        "<form action=x><input></form><iframe src=y></iframe><embed src=z>"
        "</body></html>";
    HtmlScan s = scan_html(html);
    CHECK(s.text.find("Hallo & willkommen bei uns \xC3\xBC") != std::string::npos);
    CHECK(s.text.find("color") == std::string::npos);
    REQUIRE(s.links.size() == 2);
    CHECK(s.links[0].href == "https://shop.example/a?x=1&y=2");
    CHECK(s.links[0].text == "Alle Angebote");
    CHECK(s.links[1].href == "https://other.example/");
    CHECK(s.links[1].text == "www.bank.example");
    CHECK(s.images_seen == 3);
    CHECK(s.images[0].remote);
    CHECK(s.images[0].pixel);
    CHECK_FALSE(s.images[1].remote);
    CHECK(s.base64_images == 1);
    CHECK(s.scripts == 1);
    CHECK(s.forms == 1);
    CHECK(s.iframes == 1);
    CHECK(s.embeds == 1);
  }

  TEST_CASE("broken markup is read as far as it goes") {
    HtmlScan s = scan_html("<a href=\"https://x.example/ <b>unclosed");
    CHECK(s.links.size() == 1);
    s = scan_html("<<<>>> a < b > c <a");
    CHECK(s.links.empty());
    s = scan_html("<script>never closed <a href=https://x.example/>");
    CHECK(s.scripts == 1);
    CHECK(s.links.empty());
    s = scan_html("&#xFFFFFFFF; &#0; &bogus; &");
    CHECK(s.text.find("\xEF\xBF\xBD") != std::string::npos);
  }

  TEST_CASE("caps: link budget and size") {
    std::string html;
    for (int i = 0; i < 100; ++i) html += "<a href=\"https://l" + std::to_string(i) + ".example/\">x</a>";
    HtmlScan s = scan_html(html, 10);
    CHECK(s.links.size() == 10);
    CHECK(s.links_seen == 100);
    std::string big(max_html_bytes + 100, 'x');
    s = scan_html(big);
    CHECK(s.truncated);
    CHECK(s.text.size() <= max_text_bytes);
  }

  TEST_CASE("bare URLs in text") {
    std::vector<std::string> out;
    std::size_t seen = 0;
    find_text_urls("Siehe https://shop.example/a. Oder (www.shop.example/b), nicht xwww.no.example; HTTP://UP.example/x!", out, seen, 10);
    REQUIRE(out.size() == 3);
    CHECK(out[0] == "https://shop.example/a");
    CHECK(out[1] == "www.shop.example/b");
    CHECK(out[2] == "HTTP://UP.example/x");
    CHECK(seen == 3);
    out.clear();
    seen = 0;
    find_text_urls("https://a.example/ https://b.example/ https://c.example/", out, seen, 2);
    CHECK(out.size() == 2);
    CHECK(seen == 3);
  }

  TEST_CASE("looks_like_html") {
    CHECK(looks_like_html("<!DOCTYPE html><html>"));
    CHECK(looks_like_html("  <div>Hallo</div>"));
    CHECK_FALSE(looks_like_html("Hallo Frau Meier,\n\nanbei"));
  }
}
