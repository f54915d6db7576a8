#include "policy/fault_decision.h"

#include <gtest/gtest.h>

#include "core/random.h"

namespace sy::policy {
namespace {

using namespace std::chrono_literals;

FaultPolicy fault(double delay_pct, double abort_pct, uint32_t status = 503, std::string grpc = "") {
  FaultPolicy f;
  f.has_delay = true;
  f.delay = 2s;
  f.delay_percent = split::FractionalPercent::from_percent(delay_pct);
  f.has_abort = true;
  f.abort_http_status = status;
  f.abort_grpc_status = std::move(grpc);
  f.abort_percent = split::FractionalPercent::from_percent(abort_pct);
  return f;
}

// Scenario: fixed random values give fixed answers; delay and abort are independent.
TEST(FaultDecision, Deterministic) {
  struct Case {
    const char* name;
    FaultPolicy policy;
    uint64_t rd, ra;
    bool delayed, aborted;
  };
  const Case cases[] = {
      {"0% never", fault(0, 0), 0, 0, false, false},
      {"100% always", fault(100, 100), 999'999, 999'999, true, true},
      {"50% low draw fires", fault(50, 50), 499'999, 500'000, true, false},
      {"independent", fault(50, 50), 500'000, 10, false, true},
      {"absent percentage is 0",
       [] {
         FaultPolicy f = compile_fault([] {
           config::HTTPFaultInjection in;
           in.delay.emplace().fixed_delay = 1s;
           in.abort.emplace().http_status = 500;
           return in;
         }());
         return f;
       }(),
       0, 0, false, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    FaultDecision d = decide_fault(c.policy, c.rd, c.ra);
    EXPECT_EQ(d.delayed(), c.delayed);
    EXPECT_EQ(d.aborted(), c.aborted);
    if (d.delayed()) {
      EXPECT_EQ(*d.delay, 2s);
    }
    if (d.aborted()) {
      EXPECT_EQ(*d.abort_status, 503u);
    }
  }
  EXPECT_FALSE(decide_fault(FaultPolicy{}, 0, 0).delayed());
}

// Scenario: a gRPC abort answers HTTP 200 with the numeric grpc-status.
TEST(FaultDecision, GrpcAbort) {
  FaultDecision d = decide_fault(fault(0, 100, 0, "UNAVAILABLE"), 0, 0);
  ASSERT_TRUE(d.aborted());
  EXPECT_EQ(*d.abort_status, 200u);
  EXPECT_EQ(d.grpc_status_code, 14u);
  EXPECT_EQ(d.grpc_status_name, "UNAVAILABLE");
  EXPECT_EQ(decide_fault(fault(0, 100, 0, "NOT_A_CODE"), 0, 0).grpc_status_code, 2u);
  EXPECT_EQ(grpc_status_code("OK"), 0u);
  EXPECT_EQ(grpc_status_code("UNAUTHENTICATED"), 16u);
}

// Scenario: over 10,000 requests the configured percentage is honoured within ±1.5
// points, for fault delay, fault abort and mirroring alike.
TEST(FaultDecision, PercentagesHoldOverTenThousandSamples) {
  for (double pct : {0.0, 0.5, 10.0, 12.5, 50.0, 75.0, 99.0, 100.0}) {
    for (uint64_t seed : {1u, 42u, 7777u}) {
      SCOPED_TRACE(testing::Message() << pct << "% seed " << seed);
      Random rng(seed);
      const FaultPolicy f = fault(pct, pct);
      MirrorPolicy m;
      m.percent = split::FractionalPercent::from_percent(pct);
      int delays = 0, aborts = 0, mirrors = 0;
      for (int i = 0; i < 10'000; ++i) {
        FaultDecision d = decide_fault(f, rng.next(), rng.next());
        delays += d.delayed();
        aborts += d.aborted();
        mirrors += decide_mirror(m, rng.next());
      }
      EXPECT_NEAR(delays / 100.0, pct, 1.5);
      EXPECT_NEAR(aborts / 100.0, pct, 1.5);
      EXPECT_NEAR(mirrors / 100.0, pct, 1.5);
      if (pct == 0) {
        EXPECT_EQ(delays + aborts + mirrors, 0);
      }
      if (pct == 100) {
        EXPECT_EQ(delays + aborts + mirrors, 30'000);
      }
    }
  }
}

}  // namespace
}  // namespace sy::policy
