#include "lb/least_request.h"

#include "lb/random_pick.h"

namespace sy::lb {
namespace {

uint64_t active(const PickContext& ctx, size_t i) {
  return i < ctx.active_requests.size() ? ctx.active_requests[i] : 0;
}

}  // namespace

LeastRequest::LeastRequest(std::span<const Endpoint> endpoints)
    : size_(endpoints.size()), weighted_(alias_table_if_weighted(endpoints)) {}

std::optional<size_t> LeastRequest::pick(const PickContext& ctx) const {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  RandomStream random(ctx.random);

  if (weighted_) {
    const size_t first = weighted_->sample_among(candidates, random);
    const size_t second = weighted_->sample_among(candidates, random);
    // second wins only if active(second)/w(second) < active(first)/w(first); ties keep the
    // first draw, which is what makes the idle case a plain weighted pick.
    const uint64_t load_second = active(ctx, second) * weighted_->weight(first);
    const uint64_t load_first = active(ctx, first) * weighted_->weight(second);
    return load_second < load_first ? second : first;
  }

  // Two distinct candidates, uniformly. A lone candidate is the answer.
  size_t first;
  size_t second;
  if (candidates.all()) {
    if (size_ == 1) return 0;
    first = static_cast<size_t>(random.below(size_));
    second = static_cast<size_t>(random.below(size_ - 1));
    if (second >= first) ++second;
  } else {
    first = uniform_among(candidates, random);
    second = uniform_among(candidates, random, first);
    if (second == SIZE_MAX) return first;
  }
  return active(ctx, second) < active(ctx, first) ? second : first;
}

}  // namespace sy::lb
