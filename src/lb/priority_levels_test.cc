#include "lb/priority_levels.h"

#include <gtest/gtest.h>

#include <vector>

#include "lb/balancer.h"
#include "lb/endpoint_bitset.h"
#include "lb/test_support.h"

namespace sy::lb {
namespace {

// Envoy's priority load with overprovisioning 1.4 (see Envoy's "priority levels" docs table).
TEST(PriorityLevelsTest, PriorityLoadMatchesEnvoy) {
  struct Case {
    std::vector<uint32_t> healthy, total, want;
  };
  const std::vector<Case> cases = {
      {{2, 2}, {2, 2}, {100, 0}},           // all healthy: all on P0
      {{4, 5}, {5, 5}, {100, 0}},           // 80% x 1.4 = 112% -> capped 100
      {{1, 2}, {2, 2}, {70, 30}},           // 50% x 1.4 = 70
      {{1, 5}, {5, 5}, {28, 72}},           // 20% x 1.4 = 28
      {{0, 1}, {1, 1}, {0, 100}},           // P0 gone
      {{1, 1, 1}, {4, 4, 4}, {35, 35, 30}}, // 25% each: 35, 35, then the rest
      {{1, 1}, {10, 10}, {50, 50}},         // total 28% < 100: scaled up (normalized)
      {{0, 0}, {2, 2}, {0, 0}},             // none healthy
      {{0, 3}, {0, 3}, {0, 100}},           // an empty level counts as no health
  };
  for (const Case& c : cases) {
    const auto load = priority_load(c.healthy, c.total);
    for (size_t p = 0; p < c.want.size(); ++p)
      EXPECT_EQ(load[p], c.want[p]) << "case healthy[0]=" << c.healthy[0] << " level " << p;
  }
}

TEST(PriorityLevelsTest, AllAtPriorityZeroBuildsNothing) {
  EXPECT_FALSE(PriorityLevels::build(testing::equal_endpoints(3)).has_value());
}

// Through the balancer, per algorithm: all picks go to P0 while it is healthy; with half of
// P0 ejected 70% stay there (1.4 x 50%); with P0 gone all go to P1.
TEST(PriorityLevelsTest, BalancerSpillsOverByPriorityLoad) {
  using A = LbPolicy::Algorithm;
  struct Case {
    A algorithm;
    std::vector<size_t> ejected;
    double want_p0;
  };
  const std::vector<Case> cases = {
      {A::kRoundRobin, {}, 1.0},      {A::kRoundRobin, {0}, 0.7},      {A::kRoundRobin, {0, 1}, 0.0},
      {A::kLeastRequest, {}, 1.0},    {A::kLeastRequest, {0}, 0.7},    {A::kLeastRequest, {0, 1}, 0.0},
      {A::kRandom, {0}, 0.7},         {A::kRingHash, {}, 1.0},         {A::kRingHash, {0}, 0.7},
      {A::kMaglev, {0, 1}, 0.0},
  };
  for (const Case& c : cases) {
    // Endpoints 0,1 at P0; 2,3 at P1; 4 at P2.
    auto eps = testing::equal_endpoints(5);
    const std::vector<uint32_t> prio = {0, 0, 1, 1, 2};
    for (size_t i = 0; i < eps.size(); ++i) eps[i].priority = prio[i];
    LbPolicy policy;
    policy.algorithm = c.algorithm;
    Balancer b = Balancer::build(policy, eps);
    EndpointBitset eligible(5, true);
    for (size_t i : c.ejected) eligible.reset(i);
    PickContext base{.eligible = eligible.words()};
    const auto shares = testing::shares(5, 20000, [&](const PickContext& ctx) { return b.pick(ctx); }, base);
    EXPECT_NEAR(shares[0] + shares[1], c.want_p0, 0.02) << to_string(c.algorithm) << " ejected " << c.ejected.size();
    EXPECT_NEAR(shares[4], 0.0, 1e-9) << to_string(c.algorithm);  // P1 is fully healthy
    for (size_t i : c.ejected) EXPECT_EQ(shares[i], 0.0);
  }
}

// Round robin keeps an exact cycle inside a level even while picks alternate between levels.
TEST(PriorityLevelsTest, RoundRobinCyclesWithinEachLevelDuringSpillOver) {
  auto eps = testing::endpoints_with_weights({1, 1, 1, 2, 1});
  const std::vector<uint32_t> prio = {0, 0, 0, 1, 1};
  for (size_t i = 0; i < eps.size(); ++i) eps[i].priority = prio[i];
  LbPolicy policy;
  policy.algorithm = LbPolicy::Algorithm::kRoundRobin;
  Balancer b = Balancer::build(policy, eps);
  EndpointBitset eligible(5, true);
  eligible.reset(0);  // P0 at 2/3 healthy: 93% P0, 7% P1
  const auto shares = testing::shares(5, 30000, [&](const PickContext& ctx) { return b.pick(ctx); },
                                      PickContext{.eligible = eligible.words()});
  EXPECT_NEAR(shares[1] + shares[2], 0.93, 0.01);
  EXPECT_NEAR(shares[1], shares[2], 0.005);      // RR within P0
  EXPECT_NEAR(shares[3], 2 * shares[4], 0.005);  // weights 2:1 within P1
}

// The request hash chooses the level, so one key always lands on the same endpoint.
TEST(PriorityLevelsTest, HashChoosesLevelStickily) {
  auto eps = testing::equal_endpoints(4);
  eps[2].priority = eps[3].priority = 1;
  LbPolicy policy;
  policy.algorithm = LbPolicy::Algorithm::kRingHash;
  Balancer b = Balancer::build(policy, eps);
  EndpointBitset eligible(4, true);
  eligible.reset(0);
  for (uint64_t key = 1; key < 200; ++key) {
    PickContext a{.random = key * 7, .hash = key * 0x9E3779B97F4A7C15ull, .eligible = eligible.words()};
    PickContext z = a;
    z.random = key * 13;
    EXPECT_EQ(b.pick(a), b.pick(z)) << key;
  }
}

}  // namespace
}  // namespace sy::lb
