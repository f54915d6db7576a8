#include "config/hostname.h"

#include <gtest/gtest.h>

namespace sy::config {
namespace {

// Scenario: short names expand with the namespace of the object that names them, as istiod does.
TEST(Hostname, ResolvesShortNames) {
  struct Case {
    const char* host;
    const char* ns;
    const char* want;
  } cases[] = {
      {"reviews", "ns", "reviews.ns.svc.cluster.local"},
      {"Reviews", "default", "reviews.default.svc.cluster.local"},
      {"reviews.default", "ns", "reviews.default"},
      {"*.example.com", "ns", "*.example.com"},
      {"*", "ns", "*"},
      {"10.0.0.1", "ns", "10.0.0.1"},
  };
  for (const auto& c : cases) EXPECT_EQ(resolve_short_name(c.host, c.ns), c.want) << c.host;
}

// Scenario: wildcard hosts cover deeper names but never the bare suffix.
TEST(Hostname, WildcardCoverage) {
  struct Case {
    const char* pattern;
    const char* host;
    bool want;
  } cases[] = {
      {"*.example.com", "a.example.com", true},
      {"*.example.com", "a.b.example.com", true},
      {"*.example.com", "example.com", false},
      {"*", "anything.io", true},
      {"a.example.com", "A.Example.com", true},
      {"a.example.com", "b.example.com", false},
      {"*.example.com", "*.b.example.com", true},
      {"*.b.example.com", "*.example.com", false},
      {"*.example.com", "*", false},
  };
  for (const auto& c : cases) EXPECT_EQ(host_covers(c.pattern, c.host), c.want) << c.pattern << " " << c.host;
  EXPECT_EQ(more_specific_host("*.example.com", "dev.example.com"), "dev.example.com");
  EXPECT_EQ(more_specific_host("dev.example.com", "*"), "dev.example.com");
}

// Scenario: gateway references resolve relative to the VirtualService namespace.
TEST(Hostname, GatewayRefs) {
  EXPECT_EQ(resolve_gateway_ref("bookinfo-gateway", "ns"), "ns/bookinfo-gateway");
  EXPECT_EQ(resolve_gateway_ref("istio-system/gw", "ns"), "istio-system/gw");
  EXPECT_EQ(resolve_gateway_ref("gw.other.svc.cluster.local", "ns"), "other/gw");
  EXPECT_EQ(resolve_gateway_ref("mesh", "ns"), "mesh");
  EXPECT_EQ(strip_port("example.com:8080"), "example.com");
  EXPECT_EQ(strip_port("[::1]:80"), "[::1]");
  EXPECT_EQ(strip_port("example.com"), "example.com");
}

}  // namespace
}  // namespace sy::config
