// The load balancer of one cluster: one of the five algorithms behind a closed std::variant
// (no virtual ladder). When endpoints have several priority levels (locality failover), a pick
// first chooses the level (lb/priority_levels.h) and the algorithm then sees only that level's
// endpoints as eligible. Build once per endpoint set with Balancer::build on the control thread; each
// worker then keeps its own copy (copies share the immutable tables — ring, Maglev, alias — and
// own their cursors), and only that worker calls pick(). pick() never allocates or locks.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "lb/endpoint.h"
#include "lb/least_request.h"
#include "lb/maglev.h"
#include "lb/pick_context.h"
#include "lb/policy.h"
#include "lb/priority_levels.h"
#include "lb/random_pick.h"
#include "lb/ring_hash.h"
#include "lb/round_robin.h"

namespace sy::lb {

class Balancer {
 public:
  // endpoints: the cluster's (subset's) immutable endpoint set; pick() returns indices into it.
  static Balancer build(const LbPolicy& policy, std::span<const Endpoint> endpoints);

  // Index of the chosen endpoint, or nullopt when no endpoint is eligible (the proxy answers
  // 503 "no healthy upstream").
  std::optional<size_t> pick(const PickContext& ctx);

  // Give this worker's copy its own start point (ROUND_ROBIN only; no-op otherwise).
  void reseed(uint64_t random);

  LbPolicy::Algorithm algorithm() const { return algorithm_; }
  size_t size() const;

 private:
  using Algorithm = std::variant<LeastRequest, RoundRobin, RandomPick, RingHash, Maglev>;
  Balancer(LbPolicy::Algorithm algorithm, Algorithm impl, std::optional<PriorityLevels> levels)
      : algorithm_(algorithm), impl_(std::move(impl)), levels_(std::move(levels)) {
    if (levels_) narrowed_.assign(levels_->words(), 0);
  }

  LbPolicy::Algorithm algorithm_;
  Algorithm impl_;
  std::optional<PriorityLevels> levels_;  // absent: a single level
  std::vector<uint64_t> narrowed_;        // this copy's scratch: eligible AND the chosen level

};

}  // namespace sy::lb
