// Whether a failed attempt may be retried under a route's retry policy (Envoy retry_on
// semantics, docs/semantics.md §5.1) plus switchyard's safer default for non-idempotent requests.
// Pure: the proxy describes the outcome, this answers yes or no.
#pragma once

#include <optional>
#include <string_view>

#include "policy/retry_policy.h"

namespace sy::policy {

struct AttemptOutcome {
  enum class Kind {
    kConnectFailure,   // TCP connect refused/failed/timed out: the upstream never saw the request
    kResetBeforeSend,  // a reused connection failed before any request byte was written
    kReset,            // the connection closed or reset before a response head arrived
    kPerTryTimeout,    // no response head within perTryTimeout
    kResponse,         // a response head arrived (`status`, headers via `header`)
  };
  Kind kind = Kind::kResponse;
  int status = 0;
  // Response header lookup (grpc-status, x-envoy-ratelimited); may be null.
  std::optional<std::string_view> (*header)(const void* ctx, std::string_view name) = nullptr;
  const void* header_ctx = nullptr;
};

// `non_idempotent`: POST/PATCH, or a body without `idempotency-key`. With the *default* policy such a
// request is retried only when the upstream provably never processed it.
bool retry_allowed(const RetryPolicy& policy, const AttemptOutcome& outcome, bool non_idempotent);

}  // namespace sy::policy
