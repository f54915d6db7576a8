#include "lb/round_robin.h"

#include <gtest/gtest.h>

#include <vector>

#include "lb/endpoint_bitset.h"
#include "lb/test_support.h"

namespace sy::lb {
namespace {

using testing::endpoints_with_weights;
using testing::equal_endpoints;

std::vector<size_t> sequence(RoundRobin& rr, int n, PickContext ctx = {}) {
  std::vector<size_t> out;
  for (int k = 0; k < n; ++k) out.push_back(*rr.pick(ctx));
  return out;
}

// Equal weights cycle through the endpoints in index order, exactly.
TEST(RoundRobinTest, EqualWeightsCycleInOrder) {
  const auto endpoints = equal_endpoints(4);
  RoundRobin rr(endpoints);
  EXPECT_EQ(sequence(rr, 9), (std::vector<size_t>{0, 1, 2, 3, 0, 1, 2, 3, 0}));
}

// Weight 0 means 1 (Istio), so {0, 1, 0} is an equal-weight set.
TEST(RoundRobinTest, ZeroWeightCountsAsOne) {
  const auto endpoints = endpoints_with_weights({0, 1, 0});
  RoundRobin rr(endpoints);
  EXPECT_EQ(sequence(rr, 6), (std::vector<size_t>{0, 1, 2, 0, 1, 2}));
}

// An ejected endpoint is skipped; the cycle goes on over the rest.
TEST(RoundRobinTest, SkipsIneligible) {
  const auto endpoints = equal_endpoints(4);
  RoundRobin rr(endpoints);
  EndpointBitset eligible(4, true);
  eligible.reset(1);
  EXPECT_EQ(sequence(rr, 6, PickContext{.eligible = eligible.words()}), (std::vector<size_t>{0, 2, 3, 0, 2, 3}));
}

// Reseeded copies start at different points of the same cycle.
TEST(RoundRobinTest, ReseedMovesStartButKeepsCycle) {
  const auto endpoints = equal_endpoints(5);
  RoundRobin rr(endpoints);
  rr.reseed(12345);
  const std::vector<size_t> seq = sequence(rr, 10);
  for (size_t k = 1; k < seq.size(); ++k) EXPECT_EQ(seq[k], (seq[k - 1] + 1) % 5);
}

// Weights 1:3 give 25%/75%, and smoothly: every window of 4 picks holds exactly one "1".
TEST(RoundRobinTest, WeightedIsProportionalAndSmooth) {
  const auto endpoints = endpoints_with_weights({1, 3});
  RoundRobin rr(endpoints);
  const std::vector<size_t> seq = sequence(rr, 100000);
  size_t light = 0;
  for (size_t i : seq) light += i == 0;
  EXPECT_NEAR(light / 100000.0, 0.25, 0.02);
  for (size_t start = 0; start + 4 <= 400; ++start) {
    int in_window = 0;
    for (size_t k = start; k < start + 4; ++k) in_window += seq[k] == 0;
    EXPECT_EQ(in_window, 1) << "window at " << start;
  }
}

// Table: weights and the share each endpoint must get over 100k picks (± 2 points).
TEST(RoundRobinTest, WeightedShares) {
  struct Row {
    std::vector<uint32_t> weights;
    std::vector<double> expected;
  };
  const std::vector<Row> rows = {
      {{1, 3}, {0.25, 0.75}},
      {{5, 1, 1, 3}, {0.5, 0.1, 0.1, 0.3}},
      {{100000, 300000}, {0.25, 0.75}},  // large weights: no expanded table needed
      {{4000000000u, 1000000000u}, {0.8, 0.2}},
  };
  for (const Row& row : rows) {
    const auto endpoints = endpoints_with_weights(row.weights);
    RoundRobin rr(endpoints);
    std::vector<double> got(row.weights.size(), 0);
    for (int k = 0; k < 100000; ++k) got[*rr.pick({})] += 1.0 / 100000;
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], row.expected[i], 0.02) << i;
  }
}

// A retry skips the tried endpoint without it losing its place: the next normal pick gets it.
TEST(RoundRobinTest, WeightedTriedSkippedThenResumes) {
  const auto endpoints = endpoints_with_weights({1, 1, 2});
  RoundRobin rr(endpoints);
  EndpointBitset tried(3);
  const size_t first = *rr.pick({});
  tried.set(first);
  const size_t retry = *rr.pick(PickContext{.tried = tried.words()});
  EXPECT_NE(retry, first);
}

// Weighted schedule follows eligibility changes (ejection and return) without allocating.
TEST(RoundRobinTest, WeightedFollowsEligibilityChanges) {
  const auto endpoints = endpoints_with_weights({1, 2, 3});
  RoundRobin rr(endpoints);
  EndpointBitset eligible(3, true);
  eligible.reset(2);
  std::vector<double> got(3, 0);
  for (int k = 0; k < 3000; ++k) got[*rr.pick(PickContext{.eligible = eligible.words()})] += 1;
  EXPECT_EQ(got[2], 0);
  EXPECT_NEAR(got[1] / 3000, 2.0 / 3, 0.01);
  eligible.set(2);
  got.assign(3, 0);
  for (int k = 0; k < 6000; ++k) got[*rr.pick(PickContext{.eligible = eligible.words()})] += 1;
  EXPECT_NEAR(got[2] / 6000, 0.5, 0.01);
}

}  // namespace
}  // namespace sy::lb
