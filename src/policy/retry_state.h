// One request's retry bookkeeping across its attempts: after each attempt, whether another one
// follows. The model is Envoy's RetryState (router/retry_state_impl): the retry policy says whether
// an outcome is worth retrying (retry_decision.h); this object adds what the request has used up
// (attempts, the one free retry after a stale keep-alive connection) and what makes a retry
// impossible (a body that can no longer be replayed, the route deadline). The retry budget and
// maxRetries are cluster-wide and asked by the caller after `evaluate` said kRetry, so tokens are
// only taken for retries that will happen. Pure: no clock, no I/O.
#pragma once

#include <cstdint>

#include "policy/retry_decision.h"
#include "policy/retry_policy.h"

namespace sy::policy {

class RetryState {
 public:
  // What must happen after an attempt.
  enum class Verdict {
    kNoRetry,        // deliver the response, or answer the failure: the policy does not retry it,
                     // or a retry is impossible (body not replayable, route deadline passed)
    kLimitExceeded,  // the policy wants a retry but every attempt is used: as kNoRetry, flag URX
    kRetry,          // retry, once the cluster's retry budget admits it (then call `retrying`)
  };

  // `non_idempotent`: POST/PATCH, or a body without `idempotency-key` (see retry_allowed).
  RetryState(const RetryPolicy& policy, bool non_idempotent) : policy_(policy), non_idempotent_(non_idempotent) {}

  // `replayable`: the request body can be sent again (none was read yet, or all of it is kept).
  // `deadline_passed`: the route timeout has expired.
  Verdict evaluate(const AttemptOutcome& outcome, bool replayable, bool deadline_passed) const;

  // Records an admitted retry; returns its number (1 for the first retry), for the back-off.
  uint32_t retrying() { return ++retries_done_; }
  uint32_t retries_done() const { return retries_done_; }

  // A pooled keep-alive connection the upstream had already closed fails the attempt without the
  // upstream ever seeing the request. That costs no attempt: one free retry per request, on a new
  // connection (the pool may hold more connections closed at the same moment). `before_request_sent`:
  // the failure came before any request byte was written; otherwise the connection closed without
  // a byte of response, where only an idempotent request is safe to send again (the upstream may
  // have acted on a POST before closing). True when the free retry is taken.
  bool take_stale_connection_retry(bool before_request_sent, bool replayable);
  // After the free retry was used, attempts must not reuse a pooled connection.
  bool needs_fresh_connection() const { return stale_retry_used_; }

 private:
  const RetryPolicy& policy_;
  const bool non_idempotent_;
  uint32_t retries_done_ = 0;
  bool stale_retry_used_ = false;
};

}  // namespace sy::policy
