#include "policy/retry_decision.h"

#include <charconv>

namespace sy::policy {

namespace {

bool grpc_status_retriable(const RetryPolicy& p, const AttemptOutcome& o) {
  if (o.header == nullptr) return false;
  auto value = o.header(o.header_ctx, "grpc-status");
  if (!value) return false;
  int code = -1;
  std::from_chars(value->data(), value->data() + value->size(), code);
  const RetryOnSet& r = p.retry_on;
  return (code == 1 && r.has(kRetryOnCancelled)) || (code == 4 && r.has(kRetryOnDeadlineExceeded)) ||
         (code == 8 && r.has(kRetryOnResourceExhausted)) || (code == 13 && r.has(kRetryOnInternal)) ||
         (code == 14 && r.has(kRetryOnUnavailable));
}

}  // namespace

bool retry_allowed(const RetryPolicy& p, const AttemptOutcome& o, bool non_idempotent) {
  if (!p.enabled()) return false;
  const RetryOnSet& r = p.retry_on;
  const bool any_5xx = r.has(kRetryOn5xx) || r.has(kRetryOnGatewayError);
  switch (o.kind) {
    case AttemptOutcome::Kind::kConnectFailure:
      return any_5xx || r.has(kRetryOnConnectFailure) || r.has(kRetryOnReset) || r.has(kRetryOnResetBeforeRequest);
    case AttemptOutcome::Kind::kResetBeforeSend:
      return any_5xx || r.has(kRetryOnReset) || r.has(kRetryOnResetBeforeRequest) || r.has(kRetryOnConnectFailure) ||
             r.has(kRetryOnRefusedStream);
    case AttemptOutcome::Kind::kReset:
      if (p.is_default && non_idempotent) return false;  // the upstream may have acted on it
      return any_5xx || r.has(kRetryOnReset);
    case AttemptOutcome::Kind::kPerTryTimeout:
      if (p.is_default && non_idempotent) return false;
      return any_5xx;  // Envoy treats a per-try timeout as a 504
    case AttemptOutcome::Kind::kResponse:
      break;
  }
  if (p.is_default && non_idempotent) return false;
  const int s = o.status;
  if (r.has(kRetryOn5xx) && s >= 500 && s <= 599) return true;
  if (r.has(kRetryOnGatewayError) && (s == 502 || s == 503 || s == 504)) return true;
  if (r.has(kRetryOnRetriable4xx) && s == 409) return true;
  if (r.has(kRetryOnRetriableStatusCodes) && r.retriable_status(static_cast<uint32_t>(s))) return true;
  if (r.has(kRetryOnEnvoyRateLimited) && o.header && o.header(o.header_ctx, "x-envoy-ratelimited")) return true;
  return grpc_status_retriable(p, o);
}

}  // namespace sy::policy
