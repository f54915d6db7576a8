// ROUND_ROBIN: a plain cursor when all weights are equal (exact cycle order, O(1) amortised),
// smooth weighted EDF otherwise or while slow start is configured (weights then change with
// time). One EDF schedule per priority level, so picks alternating between levels during
// failover spill-over do not reset each other's schedule. Holds cursors, so each worker owns its copy.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "lb/edf_scheduler.h"
#include "lb/endpoint.h"
#include "lb/pick_context.h"

namespace sy::lb {

class RoundRobin {
 public:
  // `levels`: priority levels the Balancer may restrict picks to (PickContext::level).
  explicit RoundRobin(std::span<const Endpoint> endpoints, size_t levels = 1,
                      std::shared_ptr<const SlowStart> slow_start = nullptr);

  std::optional<size_t> pick(const PickContext& ctx);
  // Start this worker's copy at a random point of the cycle (Envoy starts each worker at a random
  // index so N workers do not send their first requests to the same endpoint).
  void reseed(uint64_t random);
  size_t size() const { return size_; }

 private:
  size_t size_;
  size_t cursor_ = 0;                   // equal weights: next index to try
  std::vector<EdfScheduler> weighted_;  // unequal weights or slow start: one per level
};

}  // namespace sy::lb
