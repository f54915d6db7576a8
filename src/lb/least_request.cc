#include "lb/least_request.h"

#include "lb/random_pick.h"

namespace sy::lb {
namespace {

uint64_t active(const PickContext& ctx, size_t i) {
  return i < ctx.active_requests.size() ? ctx.active_requests[i] : 0;
}

}  // namespace

LeastRequest::LeastRequest(std::span<const Endpoint> endpoints, std::shared_ptr<const SlowStart> slow_start)
    : size_(endpoints.size()), weighted_(alias_table_if_weighted(endpoints)), slow_start_(std::move(slow_start)) {}

std::optional<size_t> LeastRequest::pick_warming(const PickContext& ctx, const Candidates& candidates) const {
  RandomStream random(ctx.random);
  // One candidate in proportion to weight x factor: draw by weight, keep it with probability
  // `factor`. Bounded: after kTries rejections the best-warmed draw is taken (only reachable when
  // every candidate is far below 1/kTries, e.g. minimumPercent 0 in the first moments).
  constexpr int kTries = 24;
  auto draw = [&](double& factor) {
    size_t best = SIZE_MAX;
    double best_factor = -1;
    for (int t = 0; t < kTries; ++t) {
      const size_t i = weighted_ ? weighted_->sample_among(candidates, random) : uniform_among(candidates, random);
      const double f = slow_start_->factor(i, ctx.now);
      if (static_cast<double>(random.next() >> 11) * 0x1.0p-53 < f) {
        factor = f;
        return i;
      }
      if (f > best_factor) {
        best = i;
        best_factor = f;
      }
    }
    factor = best_factor;
    return best;
  };
  double f1 = 1, f2 = 1;
  const size_t first = draw(f1);
  const size_t second = draw(f2);
  const double w1 = f1 * (weighted_ ? weighted_->weight(first) : 1);
  const double w2 = f2 * (weighted_ ? weighted_->weight(second) : 1);
  // As the weighted path below: load per unit of (scaled) weight, ties keep the first draw.
  return static_cast<double>(active(ctx, second)) * w1 < static_cast<double>(active(ctx, first)) * w2 ? second
                                                                                                       : first;
}

std::optional<size_t> LeastRequest::pick(const PickContext& ctx) const {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  if (slow_start_ && ctx.now != SlowStart::Clock::time_point{} && slow_start_->warming(ctx.now))
    return pick_warming(ctx, candidates);
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
