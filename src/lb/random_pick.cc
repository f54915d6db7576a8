#include "lb/random_pick.h"

#include <algorithm>
#include <functional>
#include <vector>

namespace sy::lb {

std::shared_ptr<const AliasTable> alias_table_if_weighted(std::span<const Endpoint> endpoints) {
  std::vector<uint32_t> weights(endpoints.size());
  std::transform(endpoints.begin(), endpoints.end(), weights.begin(), effective_weight);
  if (std::adjacent_find(weights.begin(), weights.end(), std::not_equal_to<>()) == weights.end()) {
    return nullptr;
  }
  return std::make_shared<const AliasTable>(weights);
}

size_t uniform_among(const Candidates& candidates, RandomStream& random, size_t excluded) {
  const size_t n = candidates.size();
  for (int attempt = 0; attempt < 4; ++attempt) {
    const auto i = static_cast<size_t>(random.below(n));
    if (i != excluded && candidates.contains(i)) return i;
  }
  const size_t others = candidates.count() - (candidates.contains(excluded) ? 1 : 0);
  if (others == 0) return SIZE_MAX;
  const auto rank = static_cast<size_t>(random.below(others));
  const size_t i = candidates.nth(rank);
  // Ranks at or past the excluded candidate's shift by one to skip it.
  return excluded != SIZE_MAX && i >= excluded && candidates.contains(excluded) ? candidates.nth(rank + 1) : i;
}

RandomPick::RandomPick(std::span<const Endpoint> endpoints)
    : size_(endpoints.size()), weighted_(alias_table_if_weighted(endpoints)) {}

std::optional<size_t> RandomPick::pick(const PickContext& ctx) const {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  RandomStream random(ctx.random);
  if (weighted_) return weighted_->sample_among(candidates, random);
  if (candidates.all()) return static_cast<size_t>(random.below(size_));
  return uniform_among(candidates, random);
}

}  // namespace sy::lb
