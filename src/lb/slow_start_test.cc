#include "lb/slow_start.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "lb/balancer.h"
#include "lb/endpoint.h"
#include "lb/test_support.h"

namespace sy::lb {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Envoy's formula: max(min, (max(age,1ms)/window)^(1/aggression)), 1 once the window is over.
TEST(SlowStartTest, FactorFollowsEnvoyFormula) {
  struct Case {
    std::chrono::milliseconds window;
    double min_fraction, aggression;
    std::chrono::milliseconds age;
    double want;
  };
  const std::vector<Case> cases = {
      {4000ms, 0.1, 1.0, 0ms, 0.1},        // brand new: the floor
      {4000ms, 0.1, 1.0, 200ms, 0.1},      // 5% < floor 10%
      {4000ms, 0.1, 1.0, 1000ms, 0.25},    // linear
      {4000ms, 0.1, 1.0, 3000ms, 0.75},    // linear
      {4000ms, 0.1, 1.0, 4000ms, 1.0},     // window over
      {4000ms, 0.1, 1.0, 60000ms, 1.0},    // long over
      {4000ms, 0.1, 2.0, 1000ms, 0.5},     // sqrt(0.25)
      {4000ms, 0.0, 1.0, 0ms, 1.0 / 4000}, // no floor: Envoy's 1 ms minimum age
      {4000ms, 0.5, 1.0, 1000ms, 0.5},     // floor above the ramp
      {0ms, 0.1, 1.0, 0ms, 1.0},           // no window: no slow start
  };
  for (const Case& c : cases) {
    const WarmupPolicy p{c.window, c.min_fraction, c.aggression};
    EXPECT_NEAR(slow_start_factor(p, c.age), c.want, 1e-9)
        << "window " << c.window.count() << " age " << c.age.count() << " aggression " << c.aggression;
  }
}

TEST(SlowStartTest, BuildNeedsWindowAndJoinTime) {
  auto eps = testing::equal_endpoints(2);
  EXPECT_EQ(SlowStart::build(WarmupPolicy{4000ms}, eps), nullptr);  // no join times
  const Clock::time_point t0 = Clock::now();
  eps[1].joined = t0;
  EXPECT_EQ(SlowStart::build(WarmupPolicy{0ms}, eps), nullptr);  // no window
  auto s = SlowStart::build(WarmupPolicy{4000ms}, eps);
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->warming(t0 + 3999ms));
  EXPECT_FALSE(s->warming(t0 + 4000ms));
  EXPECT_DOUBLE_EQ(s->factor(0, t0 + 1000ms), 1.0);  // unknown join time: never warming
  EXPECT_DOUBLE_EQ(s->factor(1, t0 + 1000ms), 0.25);
}

// Share of endpoint 1 (joined at t0, window 4 s) among 2 equal endpoints whose other one is
// established, per algorithm and age: w1*f / (w0 + w1*f).
TEST(SlowStartTest, BalancerSharesFollowFactor) {
  struct Case {
    LbPolicy::Algorithm algorithm;
    std::chrono::milliseconds age;
    double want_share;
  };
  using A = LbPolicy::Algorithm;
  const std::vector<Case> cases = {
      {A::kRoundRobin, 0ms, 0.1 / 1.1},    {A::kRoundRobin, 2000ms, 0.5 / 1.5}, {A::kRoundRobin, 5000ms, 0.5},
      {A::kLeastRequest, 0ms, 0.1 / 1.1},  {A::kLeastRequest, 2000ms, 0.5 / 1.5},
      {A::kLeastRequest, 5000ms, 0.5},     {A::kRandom, 0ms, 0.5},  // RANDOM has no slow start (Envoy)
  };
  const Clock::time_point t0 = Clock::now();
  for (const Case& c : cases) {
    auto eps = testing::equal_endpoints(2);
    eps[0].joined = t0 - 1h;
    eps[1].joined = t0;
    LbPolicy policy;
    policy.algorithm = c.algorithm;
    policy.warmup = WarmupPolicy{4000ms, 0.1, 1.0};
    Balancer b = Balancer::build(policy, eps);
    PickContext base;
    base.now = t0 + c.age;
    const auto shares = testing::shares(2, 40000, [&](const PickContext& ctx) { return b.pick(ctx); }, base);
    EXPECT_NEAR(shares[1], c.want_share, 0.01) << to_string(c.algorithm) << " age " << c.age.count();
  }
}

// Without a pick time (epoch) slow start is off: tests and callers that do not pass time get
// plain weights.
TEST(SlowStartTest, NoPickTimeMeansNoSlowStart) {
  auto eps = testing::equal_endpoints(2);
  eps[1].joined = Clock::now();
  LbPolicy policy;
  policy.algorithm = LbPolicy::Algorithm::kLeastRequest;
  policy.warmup = WarmupPolicy{4000ms};
  Balancer b = Balancer::build(policy, eps);
  const auto shares = testing::shares(2, 20000, [&](const PickContext& ctx) { return b.pick(ctx); });
  EXPECT_NEAR(shares[1], 0.5, 0.02);
}

// A warming endpoint with in-flight requests is compared by load per scaled weight: 1 request
// on a 10%-weight endpoint outweighs 5 on a full one.
TEST(SlowStartTest, LeastRequestComparesLoadPerScaledWeight) {
  auto eps = testing::equal_endpoints(2);
  const Clock::time_point t0 = Clock::now();
  eps[1].joined = t0;
  LbPolicy policy;
  policy.warmup = WarmupPolicy{4000ms};
  Balancer b = Balancer::build(policy, eps);
  const std::vector<uint32_t> active = {5, 1};
  PickContext base{.active_requests = active};
  base.now = t0;
  const auto shares = testing::shares(2, 20000, [&](const PickContext& ctx) { return b.pick(ctx); }, base);
  EXPECT_LT(shares[1], 0.1);
}

}  // namespace
}  // namespace sy::lb
