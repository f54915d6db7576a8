#include "lb/least_request.h"

#include <gtest/gtest.h>

#include <vector>

#include "lb/endpoint_bitset.h"
#include "lb/test_support.h"

namespace sy::lb {
namespace {

using testing::endpoints_with_weights;
using testing::equal_endpoints;
using testing::shares;

// Two endpoints, one busy: both are always drawn, so the idle one always wins.
TEST(LeastRequestTest, PrefersLessLoadedOfTwo) {
  const auto endpoints = equal_endpoints(2);
  const LeastRequest lb(endpoints);
  const std::vector<uint32_t> active = {7, 0};
  const auto got = shares(
      2, 10000, [&](const PickContext& c) { return lb.pick(c); }, PickContext{.active_requests = active});
  EXPECT_EQ(got[1], 1.0);
}

// With many endpoints, the loaded one is picked only when drawn against an even busier one —
// never here, since it is the busiest: P2C never picks the strict maximum when another exists.
TEST(LeastRequestTest, AvoidsTheBusiest) {
  const auto endpoints = equal_endpoints(10);
  const LeastRequest lb(endpoints);
  std::vector<uint32_t> active(10, 1);
  active[3] = 50;
  const auto got = shares(
      10, 100000, [&](const PickContext& c) { return lb.pick(c); }, PickContext{.active_requests = active});
  EXPECT_EQ(got[3], 0.0);
  for (size_t i = 0; i < 10; ++i) {
    if (i != 3) {
      EXPECT_NEAR(got[i], 1.0 / 9, 0.02) << i;
    }
  }
}

// Idle endpoints: P2C degenerates to a (weighted) random pick, so configured shares hold.
TEST(LeastRequestTest, IdleShares) {
  struct Row {
    std::vector<uint32_t> weights;
    std::vector<double> expected;
  };
  const std::vector<Row> rows = {
      {{1, 1, 1, 1}, {0.25, 0.25, 0.25, 0.25}},
      {{1, 3}, {0.25, 0.75}},
      {{5, 1, 1, 3}, {0.5, 0.1, 0.1, 0.3}},
  };
  for (const Row& row : rows) {
    const auto endpoints = endpoints_with_weights(row.weights);
    const LeastRequest lb(endpoints);
    const auto got = shares(row.weights.size(), 100000, [&](const PickContext& c) { return lb.pick(c); });
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], row.expected[i], 0.02) << i;
  }
}

// Weighted: load is compared per unit of weight. Endpoint 1 (weight 4) with 4 in flight is less
// loaded than endpoint 0 (weight 1) with 2 in flight, so 0 gets picked only when drawn twice.
TEST(LeastRequestTest, WeightedComparesLoadPerWeight) {
  const auto endpoints = endpoints_with_weights({1, 4});
  const LeastRequest lb(endpoints);
  const std::vector<uint32_t> active = {2, 4};
  const auto got = shares(
      2, 100000, [&](const PickContext& c) { return lb.pick(c); }, PickContext{.active_requests = active});
  EXPECT_NEAR(got[0], 0.2 * 0.2, 0.01);  // both draws land on endpoint 0
}

// A retry never re-picks the tried endpoint while another is eligible, however idle it is.
TEST(LeastRequestTest, TriedAvoidedEvenIfIdle) {
  const auto endpoints = equal_endpoints(3);
  const LeastRequest lb(endpoints);
  const std::vector<uint32_t> active = {0, 9, 9};
  EndpointBitset tried(3);
  tried.set(0);
  const auto got = shares(
      3, 10000, [&](const PickContext& c) { return lb.pick(c); },
      PickContext{.active_requests = active, .tried = tried.words()});
  EXPECT_EQ(got[0], 0.0);
}

}  // namespace
}  // namespace sy::lb
