#include "lb/round_robin.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "lb/random_stream.h"

namespace sy::lb {

RoundRobin::RoundRobin(std::span<const Endpoint> endpoints, size_t levels, std::shared_ptr<const SlowStart> slow_start)
    : size_(endpoints.size()) {
  std::vector<uint32_t> weights(endpoints.size());
  std::transform(endpoints.begin(), endpoints.end(), weights.begin(), effective_weight);
  if (slow_start || std::adjacent_find(weights.begin(), weights.end(), std::not_equal_to<>()) != weights.end()) {
    for (size_t l = 0; l < std::max<size_t>(levels, 1); ++l) weighted_.emplace_back(weights, slow_start);
  }
}

void RoundRobin::reseed(uint64_t random) {
  if (!weighted_.empty()) {
    // Level 0 takes the seed itself (0 keeps the deterministic order tests rely on); further
    // levels get their own phases.
    RandomStream seeds(random);
    for (size_t l = 0; l < weighted_.size(); ++l) weighted_[l].reseed(l == 0 || random == 0 ? random : seeds.next());
  } else if (size_ > 0) {
    cursor_ = RandomStream(random).below(size_);
  }
}

std::optional<size_t> RoundRobin::pick(const PickContext& ctx) {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  if (!weighted_.empty())
    return weighted_[std::min<size_t>(ctx.level, weighted_.size() - 1)].pick(candidates, ctx.eligible, ctx.now);
  // Skipping ineligible or tried endpoints moves the cursor past them, so they lose this turn only.
  const size_t index = candidates.next_from(cursor_);
  cursor_ = index + 1 == size_ ? 0 : index + 1;
  return index;
}

}  // namespace sy::lb
