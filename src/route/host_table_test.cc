#include "route/host_table.h"

#include <gtest/gtest.h>

namespace sy::route {
namespace {

// Scenario: Envoy domain precedence — exact, then the longest wildcard suffix, then `*`;
// case-insensitive, port ignored; `*.x` never matches `x` itself.
TEST(HostTable, Precedence) {
  HostTable t;
  ASSERT_TRUE(t.add("api.example.com", 1));
  ASSERT_TRUE(t.add("*.example.com", 2));
  ASSERT_TRUE(t.add("*.b.example.com", 3));
  ASSERT_TRUE(t.add("*", 4));
  EXPECT_FALSE(t.add("API.example.com", 9));  // duplicate keeps the first
  struct Case {
    const char* host;
    std::optional<uint32_t> want;
  } cases[] = {
      {"api.example.com", 1},
      {"API.Example.COM:8080", 1},
      {"x.example.com", 2},
      {"a.b.example.com", 3},
      {"x.y.b.example.com", 3},
      {"b.example.com", 2},
      {"example.com", 4},
      {"other.io", 4},
      {"", 4},
  };
  for (const auto& c : cases) EXPECT_EQ(t.find(c.host), c.want) << c.host;
}

TEST(HostTable, NoCatchAll) {
  HostTable t;
  t.add("*.example.com", 1);
  EXPECT_EQ(t.find("example.com"), std::nullopt);
  EXPECT_EQ(t.find("a.example.com"), 1u);
  EXPECT_EQ(t.find("a.example.org"), std::nullopt);
  EXPECT_EQ(t.find("[::1]:80"), std::nullopt);
}

}  // namespace
}  // namespace sy::route
