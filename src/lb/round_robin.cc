#include "lb/round_robin.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "lb/random_stream.h"

namespace sy::lb {

RoundRobin::RoundRobin(std::span<const Endpoint> endpoints) : size_(endpoints.size()) {
  std::vector<uint32_t> weights(endpoints.size());
  std::transform(endpoints.begin(), endpoints.end(), weights.begin(), effective_weight);
  if (std::adjacent_find(weights.begin(), weights.end(), std::not_equal_to<>()) != weights.end()) {
    weighted_.emplace(weights);
  }
}

void RoundRobin::reseed(uint64_t random) {
  if (weighted_) {
    weighted_->reseed(random);
  } else if (size_ > 0) {
    cursor_ = RandomStream(random).below(size_);
  }
}

std::optional<size_t> RoundRobin::pick(const PickContext& ctx) {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  if (weighted_) return weighted_->pick(candidates, ctx.eligible);
  // Skipping ineligible or tried endpoints moves the cursor past them, so they lose this turn only.
  const size_t index = candidates.next_from(cursor_);
  cursor_ = index + 1 == size_ ? 0 : index + 1;
  return index;
}

}  // namespace sy::lb
