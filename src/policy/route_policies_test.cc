#include "policy/route_policies.h"

#include <gtest/gtest.h>

namespace sy::policy {
namespace {

using namespace std::chrono_literals;

// Scenario: fault percentages default to 0 % (never), the deprecated integer percent is honoured.
TEST(RoutePolicies, FaultPercentages) {
  config::HTTPFaultInjection f;
  f.delay.emplace().fixed_delay = 5s;
  f.abort.emplace().http_status = 503;
  FaultPolicy p = compile_fault(f);
  EXPECT_TRUE(p.has_delay);
  EXPECT_EQ(p.delay_percent.per_million(), 0u);
  EXPECT_EQ(p.abort_percent.per_million(), 0u);
  f.delay->percent = 100;
  f.abort->percentage = config::Percent{12.5};
  p = compile_fault(f);
  EXPECT_EQ(p.delay_percent.per_million(), 1'000'000u);
  EXPECT_EQ(p.abort_percent.per_million(), 125'000u);
  EXPECT_EQ(p.abort_http_status, 503u);
}

// Scenario: mirror percentage absent => 100 %, explicit 0 => never; mirrors[] each its own.
TEST(RoutePolicies, MirrorPercentages) {
  config::HTTPRoute r;
  r.mirror = config::Destination{"shadow", "", std::nullopt};
  auto m = compile_mirrors(r, "ns");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].host, "shadow.ns.svc.cluster.local");
  EXPECT_EQ(m[0].percent.per_million(), 1'000'000u);
  r.mirror_percentage = config::Percent{0};
  EXPECT_EQ(compile_mirrors(r, "ns")[0].percent.per_million(), 0u);
  config::HTTPRoute r2;
  r2.mirrors.push_back({{"a.io", "", std::nullopt}, std::nullopt});
  r2.mirrors.push_back({{"b.io", "", std::nullopt}, config::Percent{25}});
  auto m2 = compile_mirrors(r2, "ns");
  ASSERT_EQ(m2.size(), 2u);
  EXPECT_EQ(m2[0].percent.per_million(), 1'000'000u);
  EXPECT_EQ(m2[1].percent.per_million(), 250'000u);
}

TEST(RoutePolicies, Cors) {
  config::CorsPolicy c;
  c.allow_origins.push_back({config::StringMatch::Kind::kRegex, "https://.*\\.example\\.com"});
  c.allow_origin = {"http://legacy.io"};
  c.allow_methods = {"GET", "POST"};
  c.max_age = 24h;
  CorsPolicy p = compile_cors(c);
  EXPECT_TRUE(p.origin_allowed("https://a.example.com"));
  EXPECT_TRUE(p.origin_allowed("http://legacy.io"));
  EXPECT_FALSE(p.origin_allowed("https://evil.io"));
  EXPECT_EQ(p.allow_methods, "GET,POST");
  EXPECT_EQ(p.max_age, "86400");
  EXPECT_TRUE(p.forward_unmatched_preflights);
}

TEST(RoutePolicies, Headers) {
  config::Headers h;
  h.request.emplace().set = {{"X-A", "1"}};
  h.response.emplace().remove = {"Server"};
  HeaderPolicy p = compile_headers(h);
  ASSERT_EQ(p.request.set.size(), 1u);
  EXPECT_EQ(p.request.set[0].first, "x-a");
  EXPECT_EQ(p.response.remove[0], "server");
}

}  // namespace
}  // namespace sy::policy
