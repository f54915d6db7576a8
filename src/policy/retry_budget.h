// switchyard's retry budget (docs/semantics.md §5.1; applied even without a DestinationRule
// retryBudget, unlike Istio): concurrent retries to a cluster may not exceed a share of
// its active requests, with a floor so a quiet cluster can still retry. Default 20 % with a floor
// of 3; a DestinationRule `trafficPolicy.retryBudget {percent, minRetryConcurrency}` replaces
// both. One per cluster name in ClusterState, shared by all workers; atomics only.
//
// Proxy use: before a retry, try_acquire(breaker.active_requests() + breaker.pending_requests());
// hold the token until that retry attempt finishes. A refusal is counted here (refused()) and
// the proxy logs it and returns the last upstream response, flagged URX.
#pragma once

#include <atomic>
#include <cstdint>

#include "policy/circuit_breaker.h"
#include "policy/cluster_policy.h"

namespace sy::policy {

struct RetryBudgetConfig {
  double percent = 20;           // of active + pending requests
  uint32_t min_concurrency = 3;  // retries always allowed up to this many
  // True when a DestinationRule set retryBudget. Envoy then ignores the maxRetries breaker;
  // switchyard's default budget applies *in addition to* maxRetries.
  bool from_destination_rule = false;

  // ClusterPolicy leaves retry_budget_percent and retry_budget_min_concurrency 0 when no DR sets
  // retryBudget. Known limitation: an explicit `{percent: 0, minRetryConcurrency: 0}` (no retries
  // at all) is indistinguishable from unset and gets the default.
  static RetryBudgetConfig from(const ClusterPolicy& p);
  bool operator==(const RetryBudgetConfig&) const = default;
};

class RetryBudget {
 public:
  explicit RetryBudget(const RetryBudgetConfig& config = {});

  // Reload; retries already admitted keep their tokens. Any thread.
  void set_config(const RetryBudgetConfig& config);
  bool replaces_max_retries() const { return from_dr_.load(std::memory_order_relaxed); }

  // "May I retry?" given the cluster's current active + pending upstream requests.
  ResourceToken try_acquire(uint64_t active_requests);
  // Concurrent retries allowed at this load: max(min_concurrency, percent × active).
  uint64_t limit_for(uint64_t active_requests) const;

  uint64_t active() const { return retries_.count(); }
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  LimitedResource retries_;
  std::atomic<uint64_t> per_million_;  // percent × 10'000
  std::atomic<uint32_t> min_concurrency_;
  std::atomic<bool> from_dr_;
  std::atomic<uint64_t> refused_{0};
};

}  // namespace sy::policy
