#include "lb/policy_from_config.h"

namespace sy::lb {

LbPolicy policy_from_config(const config::LoadBalancerSettings* settings) {
  LbPolicy policy;
  if (settings == nullptr) return policy;
  using Simple = config::LoadBalancerSettings::Simple;
  // simple and consistentHash are a oneof in Istio's API; if both appear, the hash wins because
  // its key configuration would otherwise be silently dropped.
  if (const auto& hash = settings->consistent_hash) {
    if (hash->maglev) {
      policy.algorithm = LbPolicy::Algorithm::kMaglev;
      policy.maglev_table_size = hash->maglev->table_size.value_or(LbPolicy::kDefaultMaglevTableSize);
    } else {
      policy.algorithm = LbPolicy::Algorithm::kRingHash;
      if (hash->ring_hash && hash->ring_hash->minimum_ring_size) {
        policy.minimum_ring_size = *hash->ring_hash->minimum_ring_size;
      } else if (hash->minimum_ring_size) {  // deprecated top-level field
        policy.minimum_ring_size = *hash->minimum_ring_size;
      }
    }
    return policy;
  }
  switch (settings->simple) {
    case Simple::kRoundRobin: policy.algorithm = LbPolicy::Algorithm::kRoundRobin; break;
    case Simple::kRandom: policy.algorithm = LbPolicy::Algorithm::kRandom; break;
    case Simple::kPassthrough: policy.passthrough = true; break;
    case Simple::kUnspecified:
    case Simple::kLeastConn:
    case Simple::kLeastRequest: break;
  }
  return policy;
}

}  // namespace sy::lb
