#include "policy/retry_decision.h"

#include <gtest/gtest.h>

namespace sy::policy {
namespace {

using Kind = AttemptOutcome::Kind;

RetryPolicy explicit_policy(std::string_view retry_on) {
  config::HTTPRetry r;
  r.attempts = 3;
  r.retry_on = std::string(retry_on);
  return effective_retry_policy(r);
}

// Scenario: each retryOn token retries exactly the outcomes Envoy documents for it.
TEST(RetryDecision, RetryOnTokens) {
  struct Case {
    const char* retry_on;
    Kind kind;
    int status;
    bool want;
  } cases[] = {
      {"5xx", Kind::kResponse, 500, true},
      {"5xx", Kind::kResponse, 404, false},
      {"5xx", Kind::kReset, 0, true},
      {"5xx", Kind::kPerTryTimeout, 0, true},
      {"gateway-error", Kind::kResponse, 503, true},
      {"gateway-error", Kind::kResponse, 500, false},
      {"gateway-error", Kind::kReset, 0, true},
      {"reset", Kind::kReset, 0, true},
      {"reset", Kind::kResponse, 503, false},
      {"reset", Kind::kPerTryTimeout, 0, false},
      {"connect-failure", Kind::kConnectFailure, 0, true},
      {"connect-failure", Kind::kReset, 0, false},
      {"retriable-4xx", Kind::kResponse, 409, true},
      {"retriable-4xx", Kind::kResponse, 404, false},
      {"503", Kind::kResponse, 503, true},
      {"503", Kind::kResponse, 502, false},
  };
  for (const auto& c : cases) {
    AttemptOutcome o{.kind = c.kind, .status = c.status};
    EXPECT_EQ(retry_allowed(explicit_policy(c.retry_on), o, false), c.want) << c.retry_on << " status " << c.status;
  }
}

// Scenario: Istio's default policy retries connect failures but not a plain 503 (Istio >= 1.24).
TEST(RetryDecision, DefaultPolicy) {
  auto p = effective_retry_policy(std::nullopt);
  EXPECT_TRUE(retry_allowed(p, {.kind = Kind::kConnectFailure}, false));
  EXPECT_FALSE(retry_allowed(p, {.kind = Kind::kResponse, .status = 503}, false));
  EXPECT_FALSE(retry_allowed(p, {.kind = Kind::kReset}, false));
}

// Scenario: the default policy never re-sends a POST the upstream may have processed, but an
// explicit retries block is honoured as written.
TEST(RetryDecision, NonIdempotentSafety) {
  auto def = effective_retry_policy(std::nullopt);
  EXPECT_TRUE(retry_allowed(def, {.kind = Kind::kConnectFailure}, true));
  EXPECT_TRUE(retry_allowed(def, {.kind = Kind::kResetBeforeSend}, true));
  auto explicit_5xx = explicit_policy("5xx");
  EXPECT_TRUE(retry_allowed(explicit_5xx, {.kind = Kind::kReset}, true));
  EXPECT_TRUE(retry_allowed(explicit_5xx, {.kind = Kind::kResponse, .status = 500}, true));
}

// Scenario: attempts 0 disables every retry.
TEST(RetryDecision, Disabled) {
  config::HTTPRetry r;
  r.attempts = 0;
  auto p = effective_retry_policy(r);
  EXPECT_FALSE(retry_allowed(p, {.kind = Kind::kConnectFailure}, false));
}

}  // namespace
}  // namespace sy::policy
