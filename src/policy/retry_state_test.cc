#include "policy/retry_state.h"

#include <gtest/gtest.h>

namespace sy::policy {
namespace {

using Kind = AttemptOutcome::Kind;
using Verdict = RetryState::Verdict;

RetryPolicy policy_with(uint32_t attempts, std::string_view retry_on) {
  config::HTTPRetry r;
  r.attempts = static_cast<int32_t>(attempts);
  r.retry_on = std::string(retry_on);
  return effective_retry_policy(r);
}

// Scenario: one verdict per attempt outcome, for requests that used some of their attempts.
TEST(RetryState, VerdictTable) {
  struct Case {
    const char* name;
    uint32_t attempts;
    uint32_t retries_done;
    Kind kind;
    int status;
    bool replayable;
    bool deadline_passed;
    Verdict want;
  } cases[] = {
      {"first 503 is retried", 2, 0, Kind::kResponse, 503, true, false, Verdict::kRetry},
      {"last allowed retry", 2, 1, Kind::kResponse, 503, true, false, Verdict::kRetry},
      {"attempts used up", 2, 2, Kind::kResponse, 503, true, false, Verdict::kLimitExceeded},
      {"not retriable status", 2, 0, Kind::kResponse, 404, true, false, Verdict::kNoRetry},
      {"not retriable, attempts used", 2, 2, Kind::kResponse, 404, true, false, Verdict::kNoRetry},
      {"connect failure", 2, 0, Kind::kConnectFailure, 0, true, false, Verdict::kRetry},
      {"body streamed past replay", 2, 0, Kind::kConnectFailure, 0, false, false, Verdict::kNoRetry},
      {"route deadline passed", 2, 0, Kind::kResponse, 503, true, true, Verdict::kNoRetry},
      {"route deadline on failure", 2, 0, Kind::kReset, 0, true, true, Verdict::kNoRetry},
      {"per-try timeout", 3, 1, Kind::kPerTryTimeout, 0, true, false, Verdict::kRetry},
      {"per-try timeout, used up", 3, 3, Kind::kPerTryTimeout, 0, true, false, Verdict::kLimitExceeded},
  };
  for (const auto& c : cases) {
    const RetryPolicy p = policy_with(c.attempts, "5xx,connect-failure");
    RetryState state(p, false);
    for (uint32_t i = 0; i < c.retries_done; ++i) state.retrying();
    const AttemptOutcome o{.kind = c.kind, .status = c.status};
    EXPECT_EQ(state.evaluate(o, c.replayable, c.deadline_passed), c.want) << c.name;
  }
}

// Scenario: retries are numbered from 1 for the back-off, and retries_done counts them.
TEST(RetryState, RetryNumbers) {
  const RetryPolicy p = policy_with(3, "5xx");
  RetryState state(p, false);
  EXPECT_EQ(state.retrying(), 1u);
  EXPECT_EQ(state.retrying(), 2u);
  EXPECT_EQ(state.retries_done(), 2u);
  EXPECT_EQ(state.evaluate({.kind = Kind::kResponse, .status = 500}, true, false), Verdict::kRetry);
  state.retrying();
  EXPECT_EQ(state.evaluate({.kind = Kind::kResponse, .status = 500}, true, false), Verdict::kLimitExceeded);
}

// Scenario: the free retry after a stale keep-alive connection is taken once per request, never
// for a POST the upstream may have read, and never when the body cannot be sent again.
TEST(RetryState, StaleConnectionRetry) {
  struct Case {
    const char* name;
    bool non_idempotent;
    bool before_request_sent;
    bool replayable;
    bool want;
  } cases[] = {
      {"GET closed before a byte was written", false, true, true, true},
      {"GET closed without a response byte", false, false, true, true},
      {"POST closed before a byte was written", true, true, true, true},
      {"POST closed without a response byte", true, false, true, false},
      {"body no longer replayable", false, true, false, false},
  };
  const RetryPolicy p = effective_retry_policy(std::nullopt);
  for (const auto& c : cases) {
    RetryState state(p, c.non_idempotent);
    EXPECT_EQ(state.take_stale_connection_retry(c.before_request_sent, c.replayable), c.want) << c.name;
    EXPECT_EQ(state.needs_fresh_connection(), c.want) << c.name;
    EXPECT_FALSE(state.take_stale_connection_retry(c.before_request_sent, c.replayable)) << c.name << " (twice)";
  }
}

// Scenario: the free retry costs no attempt: a request with attempts 1 still has its retry.
TEST(RetryState, StaleRetryCostsNoAttempt) {
  const RetryPolicy p = policy_with(1, "5xx");
  RetryState state(p, false);
  ASSERT_TRUE(state.take_stale_connection_retry(true, true));
  EXPECT_EQ(state.evaluate({.kind = Kind::kResponse, .status = 503}, true, false), Verdict::kRetry);
}

}  // namespace
}  // namespace sy::policy
