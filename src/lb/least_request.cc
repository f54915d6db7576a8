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
  if (candidates.count() == 1) return candidates.nth(0);

  if (weighted_) {
    const size_t first = weighted_->sample_among(candidates, random);
    const size_t second = weighted_->sample_among(candidates, random);
    // second wins only if active(second)/w(second) < active(first)/w(first); ties keep the
    // first draw, which is what makes the idle case a plain weighted pick.
    const uint64_t load_second = active(ctx, second) * weighted_->weight(first);
    const uint64_t load_first = active(ctx, first) * weighted_->weight(second);
    return load_second < load_first ? second : first;
  }

  // Two distinct ranks among the candidates, uniformly: draw the second from the other count-1.
  const uint64_t count = candidates.count();
  const uint64_t rank_first = random.below(count);
  uint64_t rank_second = random.below(count - 1);
  if (rank_second >= rank_first) ++rank_second;
  const size_t first = candidates.nth(rank_first);
  const size_t second = candidates.nth(rank_second);
  return active(ctx, second) < active(ctx, first) ? second : first;
}

}  // namespace sy::lb
