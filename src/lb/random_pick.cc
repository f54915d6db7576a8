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

RandomPick::RandomPick(std::span<const Endpoint> endpoints)
    : size_(endpoints.size()), weighted_(alias_table_if_weighted(endpoints)) {}

std::optional<size_t> RandomPick::pick(const PickContext& ctx) const {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  RandomStream random(ctx.random);
  if (weighted_) return weighted_->sample_among(candidates, random);
  return uniform_among(candidates, random);
}

}  // namespace sy::lb
