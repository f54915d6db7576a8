#include "lb/random_pick.h"

#include <gtest/gtest.h>

#include <vector>

#include "lb/endpoint_bitset.h"
#include "lb/test_support.h"

namespace sy::lb {
namespace {

using testing::endpoints_with_weights;
using testing::shares;

// Table: weights (and optionally an ejected endpoint) and the share each endpoint must get.
TEST(RandomPickTest, Shares) {
  struct Row {
    const char* scenario;
    std::vector<uint32_t> weights;
    int ejected;  // -1: none
    std::vector<double> expected;
  };
  const std::vector<Row> rows = {
      {"equal", {1, 1, 1, 1}, -1, {0.25, 0.25, 0.25, 0.25}},
      {"1:3", {1, 3}, -1, {0.25, 0.75}},
      {"zero is one", {0, 1}, -1, {0.5, 0.5}},
      {"5:1:1:3", {5, 1, 1, 3}, -1, {0.5, 0.1, 0.1, 0.3}},
      {"ejected heavy one: rest keep their ratio", {6, 1, 3}, 0, {0, 0.25, 0.75}},
      {"ejected in equal set", {1, 1, 1, 1}, 2, {1.0 / 3, 1.0 / 3, 0, 1.0 / 3}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.scenario);
    const auto endpoints = endpoints_with_weights(row.weights);
    const RandomPick lb(endpoints);
    EndpointBitset eligible(row.weights.size(), true);
    if (row.ejected >= 0) eligible.reset(static_cast<size_t>(row.ejected));
    const auto got = shares(
        row.weights.size(), 100000, [&](const PickContext& c) { return lb.pick(c); },
        PickContext{.eligible = eligible.words()});
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], row.expected[i], 0.02) << i;
  }
}

// Mostly-ejected weighted set: rejection sampling gives up and the exact walk takes over.
TEST(RandomPickTest, WeightedWithMostWeightEjected) {
  const auto endpoints = endpoints_with_weights({1000000, 1, 3});
  const RandomPick lb(endpoints);
  EndpointBitset eligible(3, true);
  eligible.reset(0);
  const auto got = shares(
      3, 100000, [&](const PickContext& c) { return lb.pick(c); }, PickContext{.eligible = eligible.words()});
  EXPECT_EQ(got[0], 0);
  EXPECT_NEAR(got[1], 0.25, 0.02);
}

// Same random value, same pick: the injected randomness is the only source.
TEST(RandomPickTest, DeterministicForGivenRandom) {
  const auto endpoints = endpoints_with_weights({1, 2, 3, 4});
  const RandomPick lb(endpoints);
  for (uint64_t r : {0ull, 1ull, 99ull, ~0ull}) EXPECT_EQ(lb.pick({.random = r}), lb.pick({.random = r}));
}

}  // namespace
}  // namespace sy::lb
