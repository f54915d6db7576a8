#include "policy/circuit_breaker.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sy::policy {
namespace {

// Scenario: each limit refuses exactly at its value, counts the overflow, reports "open", and a
// released token frees the slot again.
TEST(CircuitBreaker, EachLimitRefusesAtItsValue) {
  struct Case {
    const char* name;
    ResourceToken (CircuitBreaker::*acquire)();
    CircuitBreakerLimits limits;
    uint64_t CircuitBreakerStats::*overflow;
    bool CircuitBreakerStats::*open;
  };
  const Case cases[] = {
      {"requests",
       &CircuitBreaker::try_start_request,
       {kUnlimited, kUnlimited, 2, kUnlimited},
       &CircuitBreakerStats::rq_overflow,
       &CircuitBreakerStats::rq_open},
      {"connections",
       &CircuitBreaker::try_open_connection,
       {2, kUnlimited, kUnlimited, kUnlimited},
       &CircuitBreakerStats::cx_overflow,
       &CircuitBreakerStats::cx_open},
      {"pending",
       &CircuitBreaker::try_queue_pending,
       {kUnlimited, 2, kUnlimited, kUnlimited},
       &CircuitBreakerStats::rq_pending_overflow,
       &CircuitBreakerStats::rq_pending_open},
      {"retries",
       &CircuitBreaker::try_retry,
       {kUnlimited, kUnlimited, kUnlimited, 2},
       &CircuitBreakerStats::rq_retry_overflow,
       &CircuitBreakerStats::rq_retry_open},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    CircuitBreaker cb(c.limits);
    ResourceToken a = (cb.*c.acquire)();
    ResourceToken b = (cb.*c.acquire)();
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    EXPECT_TRUE(cb.stats().*c.open);
    EXPECT_FALSE((cb.*c.acquire)());
    EXPECT_EQ(cb.stats().*c.overflow, 1u);
    a.reset();
    EXPECT_FALSE(cb.stats().*c.open);
    EXPECT_TRUE((cb.*c.acquire)());  // temporary token released at once
    EXPECT_EQ(cb.stats().*c.overflow, 1u);
  }
}

// Scenario: Istio leaves every limit at 2^32-1, which never refuses in practice.
TEST(CircuitBreaker, DefaultsAreUnlimited) {
  CircuitBreaker cb(CircuitBreakerLimits::from(ConnectionPoolPolicy{}));
  std::vector<ResourceToken> held;
  for (int i = 0; i < 1000; ++i) held.push_back(cb.try_start_request());
  for (const auto& t : held) EXPECT_TRUE(t);
  EXPECT_EQ(cb.limits().max_requests, 4294967295u);
  EXPECT_EQ(cb.stats().rq_active, 1000u);
  EXPECT_FALSE(cb.stats().rq_open);
}

// Scenario: Istio's circuit-breaking task (maxConnections 1, http1MaxPendingRequests 1): the first
// request connects, the second waits for the busy connection, the third overflows (503 UO).
TEST(CircuitBreaker, AdmitFollowsEnvoyPoolOrder) {
  using Kind = CircuitBreaker::Admission::Kind;
  CircuitBreaker cb({1, 1, kUnlimited, kUnlimited});
  auto first = cb.admit(false);
  EXPECT_EQ(first.kind, Kind::kConnect);
  EXPECT_TRUE(first.connection && first.pending);
  first.pending.reset();  // connected: attached, no longer pending
  auto req1 = cb.try_start_request();

  auto second = cb.admit(false);
  EXPECT_EQ(second.kind, Kind::kWait);
  EXPECT_TRUE(second.pending);
  EXPECT_FALSE(second.connection);
  EXPECT_EQ(cb.stats().cx_overflow, 1u);

  auto third = cb.admit(false);
  EXPECT_EQ(third.kind, Kind::kOverflow);
  EXPECT_EQ(cb.stats().rq_pending_overflow, 1u);

  // An idle connection skips the pending queue but not the request limit.
  CircuitBreaker limited({kUnlimited, kUnlimited, 1, kUnlimited});
  auto a = limited.admit(true);
  EXPECT_EQ(a.kind, Kind::kAttach);
  EXPECT_TRUE(a.request);
  EXPECT_EQ(limited.admit(true).kind, Kind::kOverflow);
  EXPECT_EQ(limited.stats().rq_overflow, 1u);
}

// Scenario: a reload lowers a limit below the number in use; held tokens stay valid and new
// acquisitions wait until the count drops under the new limit.
TEST(CircuitBreaker, ReloadKeepsHeldTokens) {
  CircuitBreaker cb({kUnlimited, kUnlimited, 3, kUnlimited});
  auto a = cb.try_start_request(), b = cb.try_start_request(), c = cb.try_start_request();
  cb.set_limits({kUnlimited, kUnlimited, 1, kUnlimited});
  EXPECT_FALSE(cb.try_start_request());
  a.reset();
  b.reset();
  EXPECT_FALSE(cb.try_start_request());
  c.reset();
  EXPECT_TRUE(cb.try_start_request());
  EXPECT_EQ(cb.stats().rq_active, 0u);
}

// Scenario: tokens move without double release.
TEST(CircuitBreaker, TokenMoves) {
  CircuitBreaker cb({kUnlimited, kUnlimited, 1, kUnlimited});
  ResourceToken t = cb.try_start_request();
  ResourceToken moved = std::move(t);
  EXPECT_FALSE(t);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(cb.active_requests(), 1u);
  ResourceToken other;
  other = std::move(moved);
  EXPECT_EQ(cb.active_requests(), 1u);
  other = ResourceToken();
  EXPECT_EQ(cb.active_requests(), 0u);
}

// Scenario: four workers race for 10 slots; exactly 10 are granted at once, never more.
TEST(CircuitBreaker, ExactUnderContention) {
  CircuitBreaker cb({kUnlimited, kUnlimited, 10, kUnlimited});
  std::atomic<int> granted{0}, peak{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        ResourceToken tok = cb.try_start_request();
        if (!tok) continue;
        const int now = granted.fetch_add(1) + 1;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        granted.fetch_sub(1);
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_LE(peak.load(), 10);
  EXPECT_EQ(cb.active_requests(), 0u);
}

}  // namespace
}  // namespace sy::policy

namespace sy::policy {
namespace {

// Scenario: a pending request that polls for a connection slot again is not counted as another
// connection overflow; only its first refusal is.
TEST(CircuitBreakerPending, RetryOpenConnectionCountsOverflowOnce) {
  CircuitBreaker cb({1, 1, kUnlimited, kUnlimited});
  ResourceToken held = cb.try_open_connection();
  ASSERT_TRUE(held);
  EXPECT_FALSE(cb.try_open_connection());
  EXPECT_FALSE(cb.retry_open_connection());
  EXPECT_FALSE(cb.retry_open_connection());
  EXPECT_EQ(cb.stats().cx_overflow, 1u);
  held.reset();
  ResourceToken again = cb.retry_open_connection();
  EXPECT_TRUE(again);
  EXPECT_EQ(cb.stats().cx_active, 1u);
}

}  // namespace
}  // namespace sy::policy
