// The balancer's view of one upstream endpoint: a stable identity, a weight, its priority level
// and when it joined the cluster. Nothing else (address, labels, locality) is needed to pick: the
// snapshot builder turns localities into priorities and weights (lb/locality.h) and reduces its
// richer endpoint record to this before calling Balancer::build.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "lb/hash.h"

namespace sy::lb {

struct Endpoint {
  // Stable identity used by ring hash and Maglev to place the endpoint, so the same endpoint lands
  // on the same ring points across rebuilds and workers. Normally hash_key("10.0.0.7:8080").
  uint64_t identity = 0;
  // WorkloadEntry weight; 0 means 1, as Istio does (see effective_weight).
  uint32_t weight = 0;
  // Locality failover priority, 0 = first choice (lb/priority_levels.h).
  uint32_t priority = 0;
  // When the endpoint joined the cluster, for slow start (lb/slow_start.h); epoch = unknown.
  std::chrono::steady_clock::time_point joined{};

  static Endpoint from_address(std::string_view address_port, uint32_t weight = 0) {
    return Endpoint{hash_key(address_port), weight};
  }
};

// Istio treats an absent or zero WorkloadEntry weight as 1.
constexpr uint32_t effective_weight(const Endpoint& e) { return e.weight == 0 ? 1 : e.weight; }

}  // namespace sy::lb
