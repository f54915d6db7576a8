#include "policy/retry_budget.h"

#include <algorithm>
#include <cmath>

namespace sy::policy {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

uint64_t to_per_million(double percent) {
  return static_cast<uint64_t>(std::llround(std::clamp(percent, 0.0, 100.0) * 10'000.0));
}
}  // namespace

RetryBudgetConfig RetryBudgetConfig::from(const ClusterPolicy& p) {
  if (p.retry_budget_percent == 0 && p.retry_budget_min_concurrency == 0) return {};
  return {p.retry_budget_percent, p.retry_budget_min_concurrency, true};
}

RetryBudget::RetryBudget(const RetryBudgetConfig& config)
    : per_million_(to_per_million(config.percent)),
      min_concurrency_(config.min_concurrency),
      from_dr_(config.from_destination_rule) {}

void RetryBudget::set_config(const RetryBudgetConfig& config) {
  per_million_.store(to_per_million(config.percent), kRelaxed);
  min_concurrency_.store(config.min_concurrency, kRelaxed);
  from_dr_.store(config.from_destination_rule, kRelaxed);
}

uint64_t RetryBudget::limit_for(uint64_t active_requests) const {
  // No overflow: per_million <= 10^6 < 2^20 and active requests stay far below 2^44.
  const uint64_t share = active_requests * per_million_.load(kRelaxed) / 1'000'000;
  return std::max<uint64_t>(share, min_concurrency_.load(kRelaxed));
}

ResourceToken RetryBudget::try_acquire(uint64_t active_requests) {
  if (retries_.try_acquire_below(limit_for(active_requests))) return ResourceToken(&retries_);
  refused_.fetch_add(1, kRelaxed);
  return {};
}

}  // namespace sy::policy
