#include <doctest/doctest.h>

#include "mailrep/util/ip.hpp"

using namespace mailrep::util;

TEST_SUITE("util::ip") {
  TEST_CASE("parsing is strict") {
    CHECK(IpAddress::parse("192.0.2.1"));
    CHECK(IpAddress::parse("2001:db8::1"));
    CHECK_FALSE(IpAddress::parse("999.1.1.1"));
    CHECK_FALSE(IpAddress::parse("1.2.3"));
    CHECK_FALSE(IpAddress::parse("1.2.3.4.5"));
    CHECK_FALSE(IpAddress::parse(""));
    CHECK_FALSE(IpAddress::parse("example.com"));
  }
  TEST_CASE("reverse names (RFC 5782 2.1 and 2.4)") {
    CHECK(IpAddress::parse("192.0.2.99")->reverse_labels() == "99.2.0.192");
    CHECK(IpAddress::parse("192.0.2.99")->ptr_name() == "99.2.0.192.in-addr.arpa");
    CHECK(IpAddress::parse("2001:db8:1:2:3:4:567:89ab")->reverse_labels() ==
          "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2");
  }
  TEST_CASE("networks and mapped addresses") {
    auto c = Cidr::parse("192.0.2.77/24");
    REQUIRE(c);
    CHECK(c->to_string() == "192.0.2.0/24");
    CHECK(c->size() == 256);
    CHECK(c->contains(*IpAddress::parse("192.0.2.200")));
    CHECK_FALSE(c->contains(*IpAddress::parse("192.0.3.1")));
    CHECK_FALSE(Cidr::parse("10.0.0.0/33"));
    CHECK(Cidr::parse("2001:db8::/32")->contains(*IpAddress::parse("2001:db8:ffff::1")));
    CHECK(IpAddress::parse("::ffff:192.0.2.1")->unmapped_v4()->to_string() == "192.0.2.1");
    CHECK_FALSE(IpAddress::parse("2001:db8::1")->unmapped_v4());
    CHECK(IpAddress::parse("192.0.2.255")->offset(1).to_string() == "192.0.3.0");
    CHECK(Cidr::parse("0.0.0.0/0")->size() == (1ull << 32));
  }
}
