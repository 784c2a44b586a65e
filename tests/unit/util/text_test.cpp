#include <doctest/doctest.h>

#include "mailrep/util/text.hpp"

using namespace mailrep::util;

TEST_SUITE("util::text") {
  TEST_CASE("sanitize keeps text and escapes control characters and escape codes") {
    struct Case { std::string in, out; };
    const Case cases[] = {
        {"plain text", "plain text"},
        {"bell\a", "bell\\x07"},
        {"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"},
        {"line\nbreak", "line\\x0abreak"},
        {"Gr\xc3\xbc\xc3\x9f" "e", "Gr\xc3\xbc\xc3\x9f" "e"},   // valid UTF-8 stays
        {"bad \xff utf8", "bad \\xff utf8"},
        {"c1 \xc2\x9b csi", "c1 \\xc2\\x9b csi"},              // C1 CSI is an escape introducer
        {"bidi \xe2\x80\xae", "bidi \\xe2\\x80\\xae"},
    };
    for (const auto& c : cases) CHECK(sanitize(c.in) == c.out);
    CHECK(sanitize(std::string(10000, 'a'), 10).size() == 13);
  }
  TEST_CASE("parse_uint is strict and locale-free") {
    CHECK(parse_uint("0") == 0u);
    CHECK(parse_uint("65535", 65535) == 65535u);
    CHECK_FALSE(parse_uint("65536", 65535));
    CHECK_FALSE(parse_uint("-1"));
    CHECK_FALSE(parse_uint("1x"));
    CHECK_FALSE(parse_uint(""));
    CHECK_FALSE(parse_uint("99999999999999999999999"));
  }
  TEST_CASE("split and trim") {
    CHECK(split("a.b..c", '.').size() == 4);
    CHECK(split_ws("  a \t b  ").size() == 2);
    CHECK(trim("  x ") == "x");
    CHECK(iequals("ExAmple", "example"));
    CHECK(format_double(0.5) == "0.5");
    CHECK(format_double(3.0) == "3");
  }
  TEST_CASE("decimal and hexadecimal helpers") {
    CHECK(format_uint(0) == "0");
    CHECK(format_uint(4096) == "4096");
    CHECK(format_uint(18446744073709551615ull) == "18446744073709551615");
    CHECK(hex_digit_value('0') == 0);
    CHECK(hex_digit_value('a') == 10);
    CHECK(hex_digit_value('F') == 15);
    CHECK(hex_digit_value('g') == -1);
    CHECK(hex_digit_value('%') == -1);
  }
  TEST_CASE("percent_decode decodes %XX and leaves broken escapes as they are") {
    CHECK(percent_decode("a%20b%2Fc") == "a b/c");
    CHECK(percent_decode("%e2%82%ac") == "\xe2\x82\xac");
    CHECK(percent_decode("100%") == "100%");
    CHECK(percent_decode("%zz%4") == "%zz%4");
    CHECK(percent_decode("") == "");
  }
}
