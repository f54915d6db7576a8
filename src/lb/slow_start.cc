#include "lb/slow_start.h"

#include <algorithm>
#include <cmath>

#include "lb/endpoint.h"

namespace sy::lb {

double slow_start_factor(const WarmupPolicy& policy, std::chrono::nanoseconds age) {
  using std::chrono::milliseconds;
  if (policy.window <= milliseconds(0) || age >= policy.window) return 1.0;
  // Envoy counts at least 1 ms, so a brand-new endpoint is not at exactly 0.
  const auto ms = std::max<double>(1.0, std::chrono::duration<double, std::milli>(age).count());
  const double time_factor = ms / static_cast<double>(policy.window.count());
  const double ramped = policy.aggression == 1.0 ? time_factor : std::pow(time_factor, 1.0 / policy.aggression);
  return std::clamp(std::max(ramped, policy.min_fraction), 1e-6, 1.0);
}

std::shared_ptr<const SlowStart> SlowStart::build(const WarmupPolicy& policy, std::span<const Endpoint> endpoints) {
  if (policy.window <= std::chrono::milliseconds(0)) return nullptr;
  std::vector<Clock::time_point> joined;
  joined.reserve(endpoints.size());
  bool any = false;
  for (const Endpoint& e : endpoints) {
    joined.push_back(e.joined);
    any = any || e.joined != Clock::time_point{};
  }
  if (!any) return nullptr;
  return std::shared_ptr<const SlowStart>(new SlowStart(policy, std::move(joined)));
}

SlowStart::SlowStart(const WarmupPolicy& policy, std::vector<Clock::time_point> joined)
    : policy_(policy), joined_(std::move(joined)) {
  for (const auto& t : joined_)
    if (t != Clock::time_point{}) until_ = std::max(until_, t + policy_.window);
}

double SlowStart::factor(size_t i, Clock::time_point now) const {
  const Clock::time_point t = joined_[i];
  if (t == Clock::time_point{}) return 1.0;
  return slow_start_factor(policy_, now > t ? now - t : Clock::duration::zero());
}

}  // namespace sy::lb
