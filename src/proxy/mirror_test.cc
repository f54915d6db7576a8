#include "proxy/mirror.h"

#include <gtest/gtest.h>

namespace sy::proxy {
namespace {

// Scenario: Istio appends -shadow to the host part of the authority, before any port (docs/semantics.md §5.4).
TEST(ShadowAuthority, SuffixGoesBeforeThePort) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"httpbin:8000", "httpbin-shadow:8000"},
      {"cluster-1", "cluster-1-shadow"},
      {"httpbin.example.com", "httpbin.example.com-shadow"},
      {"[::1]:8080", "[::1]-shadow:8080"},
      {"[::1]", "[::1]-shadow"},
      {"", "-shadow"},
  };
  for (const auto& c : cases) EXPECT_EQ(shadow_authority(c.in), c.out) << c.in;
}

// Scenario: the host a copy's TLS names come from, recovered from its shadow authority.
TEST(ShadowAuthority, OriginForTlsNames) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"httpbin-shadow:8000", "httpbin"},
      {"api.example.com-shadow", "api.example.com"},
      {"[::1]-shadow:8080", "[::1]"},
      {"plain.example.com:443", "plain.example.com:443"},
      {"shadow", "shadow"},
      {"-shadow", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(shadow_origin(c.in), c.out) << c.in;
}

}  // namespace
}  // namespace sy::proxy
