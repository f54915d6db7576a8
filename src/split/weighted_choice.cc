#include "split/weighted_choice.h"

#include <algorithm>

namespace sy::split {

WeightedChoice WeightedChoice::build(const std::vector<std::optional<int32_t>>& weights) {
  WeightedChoice out;
  out.weights_.reserve(weights.size());
  if (weights.size() == 1) {
    out.weights_.push_back(1);  // one destination is 100 %, even with weight 0
  } else {
    for (const auto& w : weights) out.weights_.push_back(w && *w > 0 ? static_cast<uint32_t>(*w) : 0);
  }
  uint64_t sum = 0;
  for (uint32_t w : out.weights_) {
    sum += w;
    out.cumulative_.push_back(sum);
  }
  out.total_ = sum;
  return out;
}

std::optional<uint32_t> WeightedChoice::pick(uint64_t random) const {
  if (total_ == 0) return std::nullopt;
  uint64_t r = random % total_;
  // Few destinations in practice; upper_bound keeps it O(log n) for larger splits anyway.
  auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), r);
  return static_cast<uint32_t>(it - cumulative_.begin());
}

double WeightedChoice::percent(uint32_t i) const {
  if (total_ == 0 || i >= weights_.size()) return 0;
  return 100.0 * static_cast<double>(weights_[i]) / static_cast<double>(total_);
}

uint32_t WeightedChoice::weight(uint32_t i) const { return i < weights_.size() ? weights_[i] : 0; }

}  // namespace sy::split
