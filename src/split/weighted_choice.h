// Weighted choice among a route's destinations (Istio HTTPRouteDestination.weight): weights are
// relative, a single destination takes 100 % whatever its weight, and with several
// destinations a weight of 0/absent drops that destination. No RNG inside: the caller passes a
// random value, so tests are deterministic. Immutable after build; shared by worker threads.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace sy::split {

class WeightedChoice {
 public:
  // `weights[i]` is destination i's configured weight (nullopt = absent). Negative weights are
  // treated as 0 (the validator rejects them).
  static WeightedChoice build(const std::vector<std::optional<int32_t>>& weights);

  // Index of the chosen destination for `random` (any 64-bit value, uniformly distributed), or
  // nullopt when there is nothing to choose (no destinations, or all weights 0).
  std::optional<uint32_t> pick(uint64_t random) const;

  // Effective share of destination i in percent (0 for dropped ones), for explain.
  double percent(uint32_t i) const;
  // Effective relative weight of destination i (0 when dropped).
  uint32_t weight(uint32_t i) const;
  uint64_t total() const { return total_; }
  size_t size() const { return weights_.size(); }

 private:
  std::vector<uint32_t> weights_;     // effective weights, parallel to the input
  std::vector<uint64_t> cumulative_;  // running sums of weights_
  uint64_t total_ = 0;
};

}  // namespace sy::split
