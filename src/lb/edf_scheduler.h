// Smooth weighted round robin by earliest-deadline-first: each endpoint is due again
// 1/weight after its last turn, and the pick is whoever is due first. O(log n) per pick and
// O(n) memory however large the weights (no expanded table). Mutable, so each worker owns its
// own copy (Balancer copies it); never shared across threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "lb/candidates.h"
#include "lb/slow_start.h"

namespace sy::lb {

class EdfScheduler {
 public:
  // weights >= 1 each. Reserves all storage now so picks never allocate. With `slow_start`, an
  // endpoint's stride is stretched by 1/factor each time it is (re)scheduled, as Envoy re-adds a
  // picked host with its current weight.
  explicit EdfScheduler(std::span<const uint32_t> weights, std::shared_ptr<const SlowStart> slow_start = nullptr);

  // Start phases for this copy, so workers built from one template do not all begin on the same
  // endpoint. 0 (the default) means no phase: deterministic order for tests.
  void reseed(uint64_t random);

  // Picks among `candidates`. The schedule covers the `eligible` set; it is rebuilt (no allocation)
  // when that set differs from the previous pick's, as Envoy rebuilds on health changes.
  // `now` is the pick time for slow start (epoch: no slow start).
  size_t pick(const Candidates& candidates, std::span<const uint64_t> eligible,
              std::chrono::steady_clock::time_point now = {});

 private:
  struct Entry {
    uint64_t deadline;
    uint32_t index;
  };
  // std heap functions build a max-heap; "greater" puts the earliest deadline (then lowest index,
  // for a deterministic order among ties) on top.
  static bool later(const Entry& a, const Entry& b) {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.index > b.index;
  }
  bool eligibility_changed(std::span<const uint64_t> eligible) const;
  void sift_down_top();  // restore heap order after the top entry's deadline grew
  void rebuild(std::span<const uint64_t> eligible);
  uint64_t stride(size_t i) const;  // stride_[i], stretched while i warms up at pick_time_

  std::vector<uint64_t> stride_;         // virtual time between two turns of endpoint i
  std::vector<Entry> heap_;              // eligible endpoints only
  std::vector<Entry> set_aside_;         // tried endpoints popped during one pick, pushed back after
  std::vector<uint64_t> seen_eligible_;  // eligibility the heap was built for
  bool seen_all_ = true;                 // ... or "everything" (caller passed no bitset)
  uint64_t now_ = 0;                     // deadline of the latest pick
  uint64_t phase_seed_ = 0;
  std::shared_ptr<const SlowStart> slow_start_;
  std::chrono::steady_clock::time_point pick_time_{};
};

}  // namespace sy::lb
