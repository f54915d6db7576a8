#include "policy/retry_policy.h"

#include <gtest/gtest.h>

namespace sy::policy {
namespace {

using namespace std::chrono_literals;

// Scenario: no `retries` => Istio's default (2 attempts, connect-failure,refused-stream,
// unavailable,cancelled,retriable-status-codes with an empty list).
TEST(RetryPolicy, DefaultWhenAbsent) {
  RetryPolicy p = effective_retry_policy(std::nullopt);
  EXPECT_TRUE(p.is_default);
  EXPECT_EQ(p.num_retries, 2u);
  EXPECT_TRUE(p.retry_on.has(kRetryOnConnectFailure));
  EXPECT_TRUE(p.retry_on.has(kRetryOnRefusedStream));
  EXPECT_TRUE(p.retry_on.has(kRetryOnUnavailable));
  EXPECT_TRUE(p.retry_on.has(kRetryOnCancelled));
  EXPECT_TRUE(p.retry_on.has(kRetryOnRetriableStatusCodes));
  EXPECT_FALSE(p.retry_on.has(kRetryOn5xx));
  EXPECT_TRUE(p.retry_on.status_codes.empty());
  EXPECT_FALSE(p.retry_on.retriable_status(503));
  EXPECT_EQ(p.per_try_timeout, Duration{0});
  EXPECT_EQ(p.backoff_base, 25ms);
  EXPECT_TRUE(p.retry_ignore_previous_hosts);
}

// Scenario: `retries` overrides field by field; retryOn kept when absent; attempts 0 disables.
TEST(RetryPolicy, Overrides) {
  config::HTTPRetry r;
  r.attempts = 3;
  r.per_try_timeout = 2s;
  RetryPolicy p = effective_retry_policy(r);
  EXPECT_EQ(p.num_retries, 3u);
  EXPECT_EQ(p.per_try_timeout, 2s);
  EXPECT_EQ(format_retry_on(p.retry_on), format_retry_on(parse_retry_on(kDefaultRetryOn)));

  r.retry_on = "5xx, gateway-error,503,429";
  p = effective_retry_policy(r);
  EXPECT_TRUE(p.retry_on.has(kRetryOn5xx));
  EXPECT_TRUE(p.retry_on.has(kRetryOnGatewayError));
  EXPECT_FALSE(p.retry_on.has(kRetryOnConnectFailure));
  EXPECT_TRUE(p.retry_on.retriable_status(503));
  EXPECT_TRUE(p.retry_on.retriable_status(429));
  EXPECT_FALSE(p.retry_on.retriable_status(500));

  config::HTTPRetry off;
  off.attempts = 0;
  EXPECT_FALSE(effective_retry_policy(off).enabled());
  EXPECT_FALSE(effective_retry_policy(config::HTTPRetry{}).enabled());
}

TEST(RetryPolicy, ParseRetryOn) {
  RetryOnSet s = parse_retry_on("reset,bogus,,retriable-4xx,409");
  EXPECT_TRUE(s.has(kRetryOnReset));
  EXPECT_TRUE(s.has(kRetryOnRetriable4xx));
  EXPECT_TRUE(s.has(kRetryOnRetriableStatusCodes));  // implied by a code
  ASSERT_EQ(s.unknown.size(), 1u);
  EXPECT_EQ(s.unknown[0], "bogus");
  EXPECT_EQ(format_retry_on(s), "reset,retriable-4xx,retriable-status-codes,409");
}

}  // namespace
}  // namespace sy::policy
