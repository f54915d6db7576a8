// Slow start (Istio DestinationRule loadBalancer.warmup, Envoy's SlowStartConfig): an endpoint
// that joined the cluster less than `window` ago has its weight scaled by
//   max(min_fraction, (max(age, 1 ms) / window) ^ (1 / aggression))
// as Envoy's EdfLoadBalancerBase::applySlowStartFactor does. ROUND_ROBIN and LEAST_REQUEST only
// (validation refuses warmup on the others, as Istio does). Built with the balancer, read-only
// afterwards, so worker copies share it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace sy::lb {

struct Endpoint;

struct WarmupPolicy {
  std::chrono::milliseconds window{0};  // 0: no slow start
  double min_fraction = 0.1;            // minimumPercent / 100 (Istio default 10%)
  double aggression = 1.0;              // >= 1 (validated)
};

class SlowStart {
 public:
  using Clock = std::chrono::steady_clock;

  // nullptr when the window is 0 or no endpoint has a join time: picks then skip the factor.
  static std::shared_ptr<const SlowStart> build(const WarmupPolicy& policy, std::span<const Endpoint> endpoints);

  // Some endpoint is still inside its window at `now` (one comparison: the common case is "no").
  bool warming(Clock::time_point now) const { return now < until_; }
  // The weight multiplier of endpoint i at `now`, in (0, 1]; 1 outside the window.
  double factor(size_t i, Clock::time_point now) const;

 private:
  SlowStart(const WarmupPolicy& policy, std::vector<Clock::time_point> joined);

  WarmupPolicy policy_;
  std::vector<Clock::time_point> joined_;  // epoch: unknown join time, never warming
  Clock::time_point until_{};              // latest end of a window
};

// The factor itself, for one age; exposed for tests and for admin/explain output.
double slow_start_factor(const WarmupPolicy& policy, std::chrono::nanoseconds age);

}  // namespace sy::lb
