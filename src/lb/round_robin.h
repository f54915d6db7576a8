// ROUND_ROBIN: a plain cursor when all weights are equal (exact cycle order, O(1) amortised),
// smooth weighted EDF otherwise. Holds a cursor, so each worker owns its copy.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "lb/edf_scheduler.h"
#include "lb/endpoint.h"
#include "lb/pick_context.h"

namespace sy::lb {

class RoundRobin {
 public:
  explicit RoundRobin(std::span<const Endpoint> endpoints);

  std::optional<size_t> pick(const PickContext& ctx);
  // Start this worker's copy at a random point of the cycle (Envoy starts each worker at a random
  // index so N workers do not send their first requests to the same endpoint).
  void reseed(uint64_t random);
  size_t size() const { return size_; }

 private:
  size_t size_;
  size_t cursor_ = 0;                     // equal weights: next index to try
  std::optional<EdfScheduler> weighted_;  // unequal weights
};

}  // namespace sy::lb
