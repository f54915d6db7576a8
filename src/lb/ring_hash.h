// consistentHash.ringHash: each endpoint owns points on a 64-bit ring in proportion to its weight;
// a key goes to the owner of the first point at or after hash(key). The ring is built once per
// endpoint set and shared read-only by every worker copy (shared_ptr<const>).
//
// Points per unit of weight are rounded up to a power of two (ring size lands in
// [minimumRingSize, 2 * minimumRingSize)). Why: removing or adding one endpoint then leaves every
// other endpoint's points where they were, so only the changed endpoint's keys move; Envoy
// rescales continuously, which also shuffles ~1/n of the other keys. The cost is a larger move
// when the total weight crosses a power of two.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "lb/endpoint.h"
#include "lb/pick_context.h"

namespace sy::lb {

class RingHash {
 public:
  RingHash(std::span<const Endpoint> endpoints, uint64_t minimum_ring_size, uint64_t maximum_ring_size);

  // Owner of hash (or of a random point when the request has no key). If the owner is not a
  // candidate, the next candidate clockwise: the same key always fails over to the same endpoint,
  // as if the ineligible one had been removed from the ring.
  std::optional<size_t> pick(const PickContext& ctx) const;
  size_t size() const { return size_; }
  size_t ring_size() const { return ring_->points.size(); }
  // Fraction of the ring (hence of uniformly hashed keys) owned by endpoint i; for tests/admin.
  double share(size_t i) const;

 private:
  struct Ring {
    std::vector<uint64_t> points;  // sorted
    std::vector<uint32_t> owner;   // owner[k] owns points[k]
    // Search shortcut: bucket b (the top `bucket_bits` bits of a hash) holds points
    // [bucket_start[b], bucket_start[b + 1]). About one point per bucket, so a lookup is an
    // index plus a step or two instead of a ~11-level binary search with its cache misses.
    std::vector<uint32_t> bucket_start;
    int bucket_bits = 0;
  };
  size_t size_;
  std::shared_ptr<const Ring> ring_;
};

}  // namespace sy::lb
