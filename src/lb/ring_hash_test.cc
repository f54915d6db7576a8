#include "lb/ring_hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lb/endpoint_bitset.h"
#include "lb/test_support.h"

namespace sy::lb {
namespace {

using testing::endpoints_with_weights;
using testing::equal_endpoints;

constexpr uint64_t kDefaultMin = 1024;
constexpr uint64_t kMax = 8 * 1024 * 1024;

std::optional<size_t> pick_key(const RingHash& ring, const std::string& key, PickContext ctx = {}) {
  ctx.hash = hash_key(key);
  return ring.pick(ctx);
}

// Same key, same endpoint, whatever the random value.
TEST(RingHashTest, SameKeySameEndpoint) {
  const auto endpoints = equal_endpoints(10);
  const RingHash ring(endpoints, kDefaultMin, kMax);
  for (int k = 0; k < 1000; ++k) {
    const std::string key = "user-" + std::to_string(k);
    const auto first = pick_key(ring, key, {.random = 1});
    EXPECT_EQ(first, pick_key(ring, key, {.random = 999}));
    // A second ring built from the same endpoints (another worker, a restart) agrees.
    const RingHash again(endpoints, kDefaultMin, kMax);
    if (k % 100 == 0) {
      EXPECT_EQ(first, pick_key(again, key));
    }
  }
}

// Ring size: at least minimumRingSize, less than twice it; points per endpoint ∝ weight.
TEST(RingHashTest, RingSize) {
  struct Row {
    std::vector<uint32_t> weights;
    uint64_t minimum;
    size_t expected;
  };
  const std::vector<Row> rows = {
      {{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 1024, 1280},  // 128 points each
      {{1, 3}, 1024, 1024},                          // 256 + 768
      {{1}, 1024, 1024},
      {{1, 1}, 3, 4},
      {{1000000, 1000000}, 1024, 1954},  // heavy weights are scaled down (977 points each), not below the minimum
  };
  for (const Row& row : rows) {
    const auto endpoints = endpoints_with_weights(row.weights);
    EXPECT_EQ(RingHash(endpoints, row.minimum, kMax).ring_size(), row.expected);
  }
  // The cap wins over the minimum.
  EXPECT_LE(RingHash(equal_endpoints(3), 1 << 20, 1000).ring_size(), 1000u);
}

// Keys spread in proportion to weight. The default 1024-point ring has ~±1.5 point arc noise per
// endpoint (inherent to ring hash), so shares are checked on a 64k ring within ±2 points.
TEST(RingHashTest, SharesFollowWeights) {
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
    const RingHash ring(endpoints, 65536, kMax);
    std::vector<double> got(row.weights.size(), 0);
    for (int k = 0; k < 100000; ++k) got[*pick_key(ring, "k" + std::to_string(k))] += 1.0 / 100000;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], row.expected[i], 0.02) << i;
      EXPECT_NEAR(ring.share(i), row.expected[i], 0.02) << i;
    }
  }
  // Default size: coarser, but still in the right neighbourhood.
  const auto endpoints = endpoints_with_weights({1, 3});
  const RingHash small(endpoints, kDefaultMin, kMax);
  EXPECT_NEAR(small.share(0), 0.25, 0.05);
}

// Removing one of 10 endpoints moves only that endpoint's keys (~1/10); the others stay put.
TEST(RingHashTest, RemovingOneEndpointRemapsItsKeysOnly) {
  const auto all = equal_endpoints(10);
  std::vector<Endpoint> without(all.begin(), all.end());
  without.erase(without.begin() + 4);
  const RingHash before(all, kDefaultMin, kMax);
  const RingHash after(without, kDefaultMin, kMax);
  int moved = 0;
  constexpr int kKeys = 20000;
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = "session-" + std::to_string(k);
    const Endpoint& was = all[*pick_key(before, key)];
    const Endpoint& now = without[*pick_key(after, key)];
    if (was.identity != now.identity) {
      ++moved;
      EXPECT_EQ(was.identity, all[4].identity) << "a key of a surviving endpoint moved: " << key;
    }
  }
  EXPECT_LE(moved, kKeys * (0.1 + 0.03));
}

// An ejected endpoint's keys fail over consistently (same key → same fallback), and only its keys move.
TEST(RingHashTest, IneligibleFailsOverConsistently) {
  const auto endpoints = equal_endpoints(5);
  const RingHash ring(endpoints, kDefaultMin, kMax);
  EndpointBitset eligible(5, true);
  eligible.reset(2);
  for (int k = 0; k < 2000; ++k) {
    const std::string key = "u" + std::to_string(k);
    const size_t normal = *pick_key(ring, key);
    const auto failover = pick_key(ring, key, {.eligible = eligible.words()});
    ASSERT_TRUE(failover);
    EXPECT_NE(*failover, 2u);
    if (normal != 2) {
      EXPECT_EQ(*failover, normal);
    }
    EXPECT_EQ(failover, pick_key(ring, key, {.eligible = eligible.words()}));
  }
}

// No key (header absent): the random value decides, so requests still spread.
TEST(RingHashTest, NoKeyPicksByRandom) {
  const auto endpoints = equal_endpoints(4);
  const RingHash ring(endpoints, 65536, kMax);
  const auto got = testing::shares(4, 40000, [&](const PickContext& c) { return ring.pick(c); });
  for (double s : got) EXPECT_NEAR(s, 0.25, 0.02);
}

// Uniform hashes land on each endpoint in proportion to its arc of the ring: checks the bucketed
// lookup against the ring's own geometry, for ring sizes from a handful of points to 64k,
// including the hashes at both ends of the 64-bit range (wrap-around).
TEST(RingHashTest, LookupMatchesArcs) {
  for (uint64_t minimum : {1ull, 7ull, 1024ull, 65536ull}) {
    SCOPED_TRACE(minimum);
    const auto endpoints = endpoints_with_weights({1, 2, 3});
    const RingHash ring(endpoints, minimum, kMax);
    const auto got = testing::shares(3, 200000, [&](const PickContext& c) { return ring.pick({.hash = c.random}); });
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(got[i], ring.share(i), 0.005) << i;
    EXPECT_TRUE(ring.pick({.hash = 0}));
    EXPECT_TRUE(ring.pick({.hash = ~uint64_t{0}}));
  }
}

}  // namespace
}  // namespace sy::lb
