#include "lb/maglev.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lb/endpoint_bitset.h"
#include "lb/test_support.h"

namespace sy::lb {
namespace {

using testing::endpoints_with_weights;
using testing::equal_endpoints;

std::optional<size_t> pick_key(const Maglev& table, const std::string& key, PickContext ctx = {}) {
  ctx.hash = hash_key(key);
  return table.pick(ctx);
}

TEST(MaglevTest, Primes) {
  EXPECT_TRUE(is_prime(65537));
  EXPECT_TRUE(is_prime(5000011));
  EXPECT_FALSE(is_prime(65536));
  EXPECT_FALSE(is_prime(1));
  EXPECT_EQ(next_prime(65536), 65537u);
  EXPECT_EQ(next_prime(1000), 1009u);
}

// Table size is the configured prime (or the next prime when validation was bypassed).
TEST(MaglevTest, TableSize) {
  const auto endpoints = equal_endpoints(3);
  EXPECT_EQ(Maglev(endpoints, 65537).table_size(), 65537u);
  EXPECT_EQ(Maglev(endpoints, 1000).table_size(), 1009u);
  EXPECT_EQ(Maglev(equal_endpoints(20), 7).table_size(), 23u);  // never smaller than the set
}

// Slots (and so keys) are shared in proportion to weight, tightly: ±0.5 point on slots,
// ±2 points on 100k hashed keys.
TEST(MaglevTest, SharesFollowWeights) {
  struct Row {
    std::vector<uint32_t> weights;
    std::vector<double> expected;
  };
  const std::vector<Row> rows = {
      {{1, 1, 1, 1}, {0.25, 0.25, 0.25, 0.25}},
      {{1, 3}, {0.25, 0.75}},
      {{0, 3}, {0.25, 0.75}},  // weight 0 means 1
      {{5, 1, 1, 3}, {0.5, 0.1, 0.1, 0.3}},
  };
  for (const Row& row : rows) {
    const auto endpoints = endpoints_with_weights(row.weights);
    const Maglev table(endpoints, 65537);
    std::vector<double> got(row.weights.size(), 0);
    for (int k = 0; k < 100000; ++k) got[*pick_key(table, "k" + std::to_string(k))] += 1.0 / 100000;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], row.expected[i], 0.02) << i;
      EXPECT_NEAR(static_cast<double>(table.slots(i)) / 65537, row.expected[i], 0.005) << i;
    }
  }
}

// A very light endpoint still owns a slot, so it stays reachable when it is the only one left.
TEST(MaglevTest, LightEndpointReachable) {
  const auto endpoints = endpoints_with_weights({4000000000u, 1});
  const Maglev table(endpoints, 65537);
  EXPECT_GE(table.slots(1), 1u);
  EndpointBitset eligible(2);
  eligible.set(1);
  EXPECT_EQ(pick_key(table, "anything", {.eligible = eligible.words()}), 1u);
}

TEST(MaglevTest, SameKeySameEndpoint) {
  const auto endpoints = equal_endpoints(10);
  const Maglev a(endpoints, 65537);
  const Maglev b(endpoints, 65537);
  for (int k = 0; k < 1000; ++k) {
    const std::string key = "user-" + std::to_string(k);
    EXPECT_EQ(pick_key(a, key, {.random = 1}), pick_key(b, key, {.random = 2}));
  }
}

// Removing one of 10 endpoints: its ~10% of keys move, plus a small share of others' keys
// (Maglev trades a little disruption for perfect balance).
TEST(MaglevTest, RemovingOneEndpointMovesBoundedShare) {
  const auto all = equal_endpoints(10);
  std::vector<Endpoint> without(all.begin(), all.end());
  without.erase(without.begin() + 4);
  const Maglev before(all, 65537);
  const Maglev after(without, 65537);
  int moved = 0;
  int moved_from_survivors = 0;
  constexpr int kKeys = 20000;
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = "session-" + std::to_string(k);
    const Endpoint& was = all[*pick_key(before, key)];
    const Endpoint& now = without[*pick_key(after, key)];
    if (was.identity != now.identity) {
      ++moved;
      moved_from_survivors += was.identity != all[4].identity;
    }
  }
  EXPECT_LE(moved, kKeys * 0.15);
  EXPECT_LE(moved_from_survivors, kKeys * 0.05);
}

// Ejected endpoint: its keys fail over consistently; other keys do not move.
TEST(MaglevTest, IneligibleFailsOverConsistently) {
  const auto endpoints = equal_endpoints(5);
  const Maglev table(endpoints, 65537);
  EndpointBitset eligible(5, true);
  eligible.reset(3);
  for (int k = 0; k < 2000; ++k) {
    const std::string key = "u" + std::to_string(k);
    const size_t normal = *pick_key(table, key);
    const auto failover = pick_key(table, key, {.eligible = eligible.words()});
    ASSERT_TRUE(failover);
    EXPECT_NE(*failover, 3u);
    if (normal != 3) {
      EXPECT_EQ(*failover, normal);
    }
  }
}

}  // namespace
}  // namespace sy::lb
