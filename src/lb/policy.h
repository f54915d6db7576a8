// Which algorithm a cluster uses and its table sizes: the part of DestinationRule
// trafficPolicy.loadBalancer that shapes the balancer. The hash *key* source (header, cookie,
// source IP, query parameter) is the proxy's business; it hands us only the hashed key.
#pragma once

#include <cstdint>

#include "lb/slow_start.h"

namespace sy::lb {

struct LbPolicy {
  enum class Algorithm {
    kLeastRequest,  // Istio default (also LEAST_CONN): power of two choices
    kRoundRobin,
    kRandom,
    kRingHash,  // consistentHash, default algorithm
    kMaglev,    // consistentHash.maglev
  };
  static constexpr uint64_t kDefaultMinimumRingSize = 1024;
  static constexpr uint64_t kMaximumRingSize = 8 * 1024 * 1024;  // Envoy's cap
  static constexpr uint64_t kDefaultMaglevTableSize = 65537;
  static constexpr uint64_t kMaximumMaglevTableSize = 5000011;  // Istio: prime < 5000011

  Algorithm algorithm = Algorithm::kLeastRequest;
  uint64_t minimum_ring_size = kDefaultMinimumRingSize;
  uint64_t maximum_ring_size = kMaximumRingSize;
  // Must be prime; validation rejects others, build() rounds up to the next prime defensively.
  uint64_t maglev_table_size = kDefaultMaglevTableSize;
  // PASSTHROUGH was configured: the proxy should forward to the original destination. A gateway
  // has none, so the balancer built for such a policy is LEAST_REQUEST over the endpoints given.
  bool passthrough = false;
  // loadBalancer.warmup: slow start for ROUND_ROBIN and LEAST_REQUEST (ignored by the others,
  // which validation refuses it on).
  WarmupPolicy warmup;
};

const char* to_string(LbPolicy::Algorithm algorithm);

}  // namespace sy::lb
