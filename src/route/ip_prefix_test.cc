#include "route/ip_prefix.h"

#include <gtest/gtest.h>

namespace sy::route {
namespace {

// Scenario: CIDR ranges and bare addresses take the addresses inside them, in their own family only.
TEST(IpPrefix, Contains) {
  struct Case {
    const char* prefix;
    const char* address;
    bool want;
  } cases[] = {
      {"10.0.0.0/8", "10.1.2.3", true},
      {"10.0.0.0/8", "11.0.0.1", false},
      {"10.1.2.3", "10.1.2.3", true},
      {"10.1.2.3", "10.1.2.4", false},
      {"192.168.1.128/25", "192.168.1.200", true},
      {"192.168.1.128/25", "192.168.1.100", false},
      {"0.0.0.0/0", "203.0.113.9", true},
      {"0.0.0.0/0", "fd00::1", false},  // an IPv4 range never takes an IPv6 address
      {"fd00::/8", "fd12::1", true},
      {"fd00::/8", "fe80::1", false},
      {"::/0", "10.0.0.1", true},  // IPv4 is IPv4-mapped IPv6 here
      {"2001:db8::1", "2001:db8::1", true},
  };
  for (const auto& c : cases) {
    auto p = IpPrefix::parse(c.prefix);
    auto a = IpAddress::parse(c.address);
    ASSERT_TRUE(p && a) << c.prefix << " " << c.address;
    EXPECT_EQ(p->contains(*a), c.want) << c.prefix << " " << c.address;
  }
}

// Scenario: malformed ranges and addresses are refused, not read as something else.
TEST(IpPrefix, Malformed) {
  for (const char* bad : {"", "10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/x", "host.example", "10.0.0/8"})
    EXPECT_FALSE(IpPrefix::parse(bad)) << bad;
  EXPECT_FALSE(IpAddress::parse("10.0.0.1/32"));
  EXPECT_EQ(IpAddress::parse("10.0.0.1"), IpAddress::v4(0x0a000001));
}

}  // namespace
}  // namespace sy::route
