#include "lb/from_cluster_policy.h"

namespace sy::lb {

LbPolicy from_cluster_policy(const policy::LoadBalancerPolicy& p) {
  LbPolicy out;
  switch (p.algorithm) {
    case policy::LbAlgorithm::kLeastRequest:
      out.algorithm = LbPolicy::Algorithm::kLeastRequest;
      break;
    case policy::LbAlgorithm::kRoundRobin:
      out.algorithm = LbPolicy::Algorithm::kRoundRobin;
      break;
    case policy::LbAlgorithm::kRandom:
      out.algorithm = LbPolicy::Algorithm::kRandom;
      break;
    case policy::LbAlgorithm::kPassthrough:
      // The original destination decides; the balancer only serves a fallback pick.
      out.algorithm = LbPolicy::Algorithm::kLeastRequest;
      out.passthrough = true;
      break;
    case policy::LbAlgorithm::kConsistentHash:
      out.algorithm = p.hash.table == policy::ConsistentHashPolicy::Table::kMaglev ? LbPolicy::Algorithm::kMaglev
                                                                                   : LbPolicy::Algorithm::kRingHash;
      out.minimum_ring_size = p.hash.minimum_ring_size;
      out.maglev_table_size = p.hash.maglev_table_size;
      break;
  }
  if (out.algorithm == LbPolicy::Algorithm::kRoundRobin || out.algorithm == LbPolicy::Algorithm::kLeastRequest) {
    out.warmup.window = std::chrono::duration_cast<std::chrono::milliseconds>(p.warmup);
    out.warmup.min_fraction = p.warmup_minimum_percent / 100.0;
    out.warmup.aggression = p.warmup_aggression < 1.0 ? 1.0 : p.warmup_aggression;
  }
  return out;
}

}  // namespace sy::lb
