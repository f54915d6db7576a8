// A route's effective retry policy (docs/semantics.md §5.1) with Istio's defaults filled in, plus the
// parsed retryOn flags. Computed at compile time; immutable; workers consult it after each
// failed attempt (the retry decision itself lives with the proxy/upstream code).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model/virtual_service.h"
#include "core/duration.h"

namespace sy::policy {

using namespace std::chrono_literals;

// Envoy retry_on policies, as bit flags.
enum RetryOn : uint32_t {
  kRetryOn5xx = 1u << 0,
  kRetryOnGatewayError = 1u << 1,
  kRetryOnReset = 1u << 2,
  kRetryOnResetBeforeRequest = 1u << 3,
  kRetryOnConnectFailure = 1u << 4,
  kRetryOnRefusedStream = 1u << 5,
  kRetryOnRetriable4xx = 1u << 6,
  kRetryOnRetriableStatusCodes = 1u << 7,
  kRetryOnRetriableHeaders = 1u << 8,
  kRetryOnEnvoyRateLimited = 1u << 9,
  kRetryOnHttp3PostConnectFailure = 1u << 10,
  kRetryOnCancelled = 1u << 11,          // gRPC status 1 in response headers
  kRetryOnDeadlineExceeded = 1u << 12,   // gRPC 4
  kRetryOnInternal = 1u << 13,           // gRPC 13
  kRetryOnResourceExhausted = 1u << 14,  // gRPC 8
  kRetryOnUnavailable = 1u << 15,        // gRPC 14
};

struct RetryOnSet {
  uint32_t flags = 0;
  std::vector<uint32_t> status_codes;  // retriable-status-codes list
  std::vector<std::string> unknown;    // tokens that are neither a policy nor a status code
  bool has(RetryOn f) const { return (flags & f) != 0; }
  bool retriable_status(uint32_t status) const;
};

// Parses "5xx,gateway-error,503" (whitespace tolerated). Status codes imply retriable-status-codes.
RetryOnSet parse_retry_on(std::string_view text);
// Canonical text of a set ("connect-failure,refused-stream,...,503").
std::string format_retry_on(const RetryOnSet& s);

inline constexpr std::string_view kDefaultRetryOn =
    "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes";

struct RetryPolicy {
  uint32_t num_retries = 2;     // 0 = retries disabled; max requests = 1 + num_retries
  Duration per_try_timeout{0};  // 0 = none (bounded by the route timeout only)
  RetryOnSet retry_on = parse_retry_on(kDefaultRetryOn);
  bool retry_remote_localities = false;
  bool retry_ignore_previous_hosts = true;  // turned off at runtime with consistent-hash LB
  uint32_t host_selection_max_attempts = 5;
  Duration backoff_base = 25ms;  // full-jitter exponential, capped at 10 × base
  bool is_default = true;        // no `retries` in the route

  bool enabled() const { return num_retries > 0; }
};

// Istio: absent `retries` => the default above; `retries` with attempts absent or 0 => disabled;
// otherwise the default overridden field by field (retryOn kept when not given).
RetryPolicy effective_retry_policy(const std::optional<config::HTTPRetry>& retries);

}  // namespace sy::policy
