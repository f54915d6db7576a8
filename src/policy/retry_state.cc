#include "policy/retry_state.h"

namespace sy::policy {

RetryState::Verdict RetryState::evaluate(const AttemptOutcome& outcome, bool replayable, bool deadline_passed) const {
  if (!retry_allowed(policy_, outcome, non_idempotent_)) return Verdict::kNoRetry;
  // A request whose body was streamed past the replay buffer cannot be sent again, and after
  // the route deadline the answer is the timeout: neither is a retry limit (no URX), as in Envoy.
  if (!replayable || deadline_passed) return Verdict::kNoRetry;
  if (retries_done_ >= policy_.num_retries) return Verdict::kLimitExceeded;
  return Verdict::kRetry;
}

bool RetryState::take_stale_connection_retry(bool before_request_sent, bool replayable) {
  if (stale_retry_used_ || !replayable) return false;
  if (!before_request_sent && non_idempotent_) return false;
  stale_retry_used_ = true;
  return true;
}

}  // namespace sy::policy
