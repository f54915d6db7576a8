#include "lb/ring_hash.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "lb/candidates.h"
#include "lb/hash.h"
#include "lb/random_stream.h"

namespace sy::lb {
namespace {

// Points endpoint e gets at scale 2^exponent points per unit of weight (at least one).
uint64_t points_for(uint32_t weight, int exponent) {
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::llround(std::ldexp(weight, exponent))));
}

// Point r of an endpoint: successive outputs of a splitmix sequence seeded by its identity, so
// the first k points are the same whatever the ring's scale (growing the scale only adds points).
uint64_t point(uint64_t identity, uint64_t r) { return mix64(identity + (r + 1) * 0x9e3779b97f4a7c15ULL); }

uint64_t bucket_of(uint64_t hash, int bits) { return bits == 0 ? 0 : hash >> (64 - bits); }

}  // namespace

RingHash::RingHash(std::span<const Endpoint> endpoints, uint64_t minimum_ring_size, uint64_t maximum_ring_size)
    : size_(endpoints.size()) {
  auto ring = std::make_shared<Ring>();
  if (!endpoints.empty()) {
    minimum_ring_size = std::max<uint64_t>(1, minimum_ring_size);
    maximum_ring_size = std::max(maximum_ring_size, static_cast<uint64_t>(endpoints.size()));
    double total_weight = 0;
    for (const Endpoint& e : endpoints) total_weight += effective_weight(e);
    // Smallest power-of-two scale at which total weight reaches the minimum ring size.
    int exponent = 0;
    while (std::ldexp(total_weight, exponent) < static_cast<double>(minimum_ring_size)) ++exponent;
    while (exponent > -64 && std::ldexp(total_weight, exponent - 1) >= static_cast<double>(minimum_ring_size)) {
      --exponent;
    }
    auto ring_points = [&] {
      uint64_t total = 0;
      for (const Endpoint& e : endpoints) total += points_for(effective_weight(e), exponent);
      return total;
    };
    while (exponent > -64 && ring_points() > maximum_ring_size) --exponent;

    std::vector<std::pair<uint64_t, uint32_t>> entries;
    entries.reserve(ring_points());
    for (size_t i = 0; i < endpoints.size(); ++i) {
      const uint64_t count = points_for(effective_weight(endpoints[i]), exponent);
      for (uint64_t r = 0; r < count; ++r)
        entries.emplace_back(point(endpoints[i].identity, r), static_cast<uint32_t>(i));
    }
    // Ties (astronomically rare) resolve by index, so equal inputs build equal rings.
    std::sort(entries.begin(), entries.end());
    ring->points.reserve(entries.size());
    ring->owner.reserve(entries.size());
    for (const auto& [p, owner] : entries) {
      ring->points.push_back(p);
      ring->owner.push_back(owner);
    }
    // Buckets ~ points, capped at 2^20 (4 MiB) for the largest rings.
    while (ring->bucket_bits < 20 && (uint64_t{1} << ring->bucket_bits) < ring->points.size()) ++ring->bucket_bits;
    const size_t buckets = size_t{1} << ring->bucket_bits;
    ring->bucket_start.resize(buckets + 1);
    size_t k = 0;
    for (size_t b = 0; b < buckets; ++b) {
      ring->bucket_start[b] = static_cast<uint32_t>(k);
      while (k < ring->points.size() && bucket_of(ring->points[k], ring->bucket_bits) == b) ++k;
    }
    ring->bucket_start[buckets] = static_cast<uint32_t>(ring->points.size());
  }
  ring_ = std::move(ring);
}

std::optional<size_t> RingHash::pick(const PickContext& ctx) const {
  const Candidates candidates(size_, ctx.eligible, ctx.tried);
  if (candidates.empty()) return std::nullopt;
  const uint64_t h = ctx.hash ? *ctx.hash : RandomStream(ctx.random).next();
  const Ring& ring = *ring_;
  const std::vector<uint64_t>& points = ring.points;
  const uint64_t b = bucket_of(h, ring.bucket_bits);
  const auto first = points.begin() + ring.bucket_start[b];
  const auto last = points.begin() + ring.bucket_start[b + 1];
  // The first point >= h is in h's bucket, or else it is the first point of a later bucket,
  // which is exactly `last` (or past the end: wrap to the start of the ring).
  size_t k = static_cast<size_t>(std::lower_bound(first, last, h) - points.begin());
  if (k == points.size()) k = 0;
  // Every endpoint owns at least one point, so a candidate is found within one lap.
  while (!candidates.contains(ring.owner[k])) k = k + 1 == points.size() ? 0 : k + 1;
  return ring.owner[k];
}

double RingHash::share(size_t i) const {
  const std::vector<uint64_t>& points = ring_->points;
  if (points.empty()) return 0;
  // Point k owns the arc (points[k-1], points[k]]; the first point also owns the wrap-around arc.
  long double owned = 0;
  for (size_t k = 0; k < points.size(); ++k) {
    if (ring_->owner[k] != i) continue;
    const uint64_t prev = points[k == 0 ? points.size() - 1 : k - 1];
    owned += static_cast<long double>(points[k] - prev);  // unsigned wrap gives the arc length
  }
  if (points.size() == 1) return 1.0;
  return static_cast<double>(owned / 18446744073709551616.0L);
}

}  // namespace sy::lb
