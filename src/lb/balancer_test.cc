// This test replaces the global operator new/delete with a counting malloc/free pair; GCC 12 at
// -O3 inlines both into standard containers and reports them as mismatched, which they are not.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
#include "lb/balancer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

#include "lb/endpoint_bitset.h"
#include "lb/from_cluster_policy.h"
#include "lb/test_support.h"
#include "policy/cluster_policy.h"

// Counts heap allocations so the test can assert that pick() makes none. Replacing the global
// operator new is allowed in a program; this binary only counts, then delegates to malloc.
namespace {
std::atomic<long> g_allocations{0};
}
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace sy::lb {
namespace {

using A = LbPolicy::Algorithm;
using testing::endpoints_with_weights;
using testing::equal_endpoints;

const std::vector<A> kAll = {A::kLeastRequest, A::kRoundRobin, A::kRandom, A::kRingHash, A::kMaglev};

Balancer build(A algorithm, const std::vector<Endpoint>& endpoints) {
  LbPolicy policy;
  policy.algorithm = algorithm;
  return Balancer::build(policy, endpoints);
}

// Every algorithm: edge cases that must hold whatever the policy.
TEST(BalancerTest, EdgeCasesForEveryAlgorithm) {
  for (A algorithm : kAll) {
    SCOPED_TRACE(to_string(algorithm));
    // No endpoints (subset selecting nothing): nullopt, the proxy answers 503 UH.
    EXPECT_EQ(build(algorithm, {}).pick({}), std::nullopt);

    // Single endpoint: always it, even when tried (fallback to tried beats no retry).
    Balancer single = build(algorithm, equal_endpoints(1));
    EndpointBitset tried(1);
    tried.set(0);
    for (uint64_t r = 0; r < 20; ++r) {
      EXPECT_EQ(single.pick({.random = r, .hash = r * 7}), 0u);
      EXPECT_EQ(single.pick({.random = r, .tried = tried.words()}), 0u);
    }

    // Everything ejected: nullopt.
    Balancer many = build(algorithm, endpoints_with_weights({1, 2, 3, 4}));
    const EndpointBitset none(4);
    EXPECT_EQ(many.pick({.random = 5, .hash = 9, .eligible = none.words()}), std::nullopt);
  }
}

// Retries avoid tried endpoints while another eligible one exists, then fall back to them.
TEST(BalancerTest, RetriesAvoidTriedEndpoints) {
  for (A algorithm : kAll) {
    SCOPED_TRACE(to_string(algorithm));
    Balancer lb = build(algorithm, endpoints_with_weights({1, 2, 3, 4, 5}));
    std::mt19937_64 rng(7);
    for (int request = 0; request < 500; ++request) {
      EndpointBitset tried(5);
      EndpointBitset eligible(5, true);
      eligible.reset(4);  // one ejected endpoint is never a fallback
      const uint64_t key = rng();
      for (int attempt = 0; attempt < 4; ++attempt) {
        const auto chosen =
            lb.pick({.random = rng(), .hash = key, .eligible = eligible.words(), .tried = tried.words()});
        ASSERT_TRUE(chosen);
        EXPECT_FALSE(tried.test(*chosen)) << "attempt " << attempt;
        EXPECT_NE(*chosen, 4u);
        tried.set(*chosen);
      }
      // All four eligible endpoints tried: the fifth attempt reuses one of them.
      const auto fallback =
          lb.pick({.random = rng(), .hash = key, .eligible = eligible.words(), .tried = tried.words()});
      ASSERT_TRUE(fallback);
      EXPECT_NE(*fallback, 4u);
    }
  }
}

// pick() never touches the heap, for any algorithm, with and without bitsets.
TEST(BalancerTest, PickDoesNotAllocate) {
  for (A algorithm : kAll) {
    SCOPED_TRACE(to_string(algorithm));
    for (const auto& endpoints : {equal_endpoints(100), endpoints_with_weights({1, 2, 3, 4, 5, 6, 7})}) {
      Balancer lb = build(algorithm, endpoints);
      EndpointBitset eligible(endpoints.size(), true);
      EndpointBitset tried(endpoints.size());
      tried.set(1);
      std::vector<uint32_t> active(endpoints.size(), 3);
      const long before = g_allocations.load();
      for (uint64_t r = 0; r < 1000; ++r) {
        if (r == 500) eligible.reset(2);  // eligibility change mid-way (weighted RR rebuilds)
        lb.pick({.random = r,
                 .hash = r * 31,
                 .active_requests = active,
                 .eligible = eligible.words(),
                 .tried = tried.words()});
        lb.pick({.random = r});
      }
      EXPECT_EQ(g_allocations.load(), before);
    }
  }
}

// Per-worker copies: independent cursors, shared tables, same answers for hashed keys.
TEST(BalancerTest, WorkerCopiesAreIndependent) {
  const Balancer shared = build(A::kRoundRobin, equal_endpoints(3));
  Balancer worker_a = shared;
  Balancer worker_b = shared;
  EXPECT_EQ(worker_a.pick({}), 0u);
  EXPECT_EQ(worker_a.pick({}), 1u);
  EXPECT_EQ(worker_b.pick({}), 0u);  // b's cursor did not move with a's

  const Balancer ring = build(A::kRingHash, equal_endpoints(8));
  Balancer copy = ring;
  Balancer original = ring;
  for (uint64_t h = 0; h < 100; ++h) EXPECT_EQ(copy.pick({.hash = h}), original.pick({.hash = h}));
}

// DestinationRule loadBalancer -> effective cluster policy -> balancer policy (the path the
// data plane takes), with Istio's defaults.
TEST(FromClusterPolicyTest, Mapping) {
  using S = config::LoadBalancerSettings;
  EXPECT_EQ(from_cluster_policy(policy::LoadBalancerPolicy{}).algorithm, A::kLeastRequest);

  struct Row {
    const char* scenario;
    S settings;
    A algorithm;
    uint64_t ring_min;
    uint64_t maglev_size;
    bool passthrough;
  };
  auto simple = [](S::Simple s) {
    S out;
    out.simple = s;
    return out;
  };
  auto hash = [](std::optional<uint64_t> ring_min, std::optional<uint64_t> maglev, std::optional<uint64_t> legacy) {
    S out;
    out.consistent_hash.emplace();
    out.consistent_hash->http_header_name = "x-user";
    if (ring_min) out.consistent_hash->ring_hash = S::ConsistentHash::RingHash{ring_min};
    if (maglev) out.consistent_hash->maglev = S::ConsistentHash::MagLev{*maglev};
    out.consistent_hash->minimum_ring_size = legacy;
    return out;
  };
  const std::vector<Row> rows = {
      {"unset simple", simple(S::Simple::kUnspecified), A::kLeastRequest, 1024, 65537, false},
      {"LEAST_CONN alias", simple(S::Simple::kLeastConn), A::kLeastRequest, 1024, 65537, false},
      {"LEAST_REQUEST", simple(S::Simple::kLeastRequest), A::kLeastRequest, 1024, 65537, false},
      {"ROUND_ROBIN", simple(S::Simple::kRoundRobin), A::kRoundRobin, 1024, 65537, false},
      {"RANDOM", simple(S::Simple::kRandom), A::kRandom, 1024, 65537, false},
      {"PASSTHROUGH", simple(S::Simple::kPassthrough), A::kLeastRequest, 1024, 65537, true},
      {"consistentHash defaults to ring", hash(std::nullopt, std::nullopt, std::nullopt), A::kRingHash, 1024, 65537,
       false},
      {"ringHash size", hash(4096, std::nullopt, std::nullopt), A::kRingHash, 4096, 65537, false},
      {"deprecated minimumRingSize", hash(std::nullopt, std::nullopt, 2048), A::kRingHash, 2048, 65537, false},
      {"maglev size", hash(std::nullopt, 131071, std::nullopt), A::kMaglev, 1024, 131071, false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.scenario);
    const LbPolicy policy = from_cluster_policy(policy::to_policy(row.settings));
    EXPECT_EQ(policy.algorithm, row.algorithm);
    EXPECT_EQ(policy.minimum_ring_size, row.ring_min);
    EXPECT_EQ(policy.maglev_table_size, row.maglev_size);
    EXPECT_EQ(policy.passthrough, row.passthrough);
  }
}

}  // namespace
}  // namespace sy::lb
