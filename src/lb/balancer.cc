#include "lb/balancer.h"

#include <algorithm>

namespace sy::lb {

Balancer Balancer::build(const LbPolicy& policy, std::span<const Endpoint> endpoints) {
  using A = LbPolicy::Algorithm;
  switch (policy.algorithm) {
    case A::kRoundRobin:
      return Balancer(policy.algorithm, RoundRobin(endpoints));
    case A::kRandom:
      return Balancer(policy.algorithm, RandomPick(endpoints));
    case A::kRingHash:
      return Balancer(policy.algorithm, RingHash(endpoints, policy.minimum_ring_size,
                                                 std::min(policy.maximum_ring_size, LbPolicy::kMaximumRingSize)));
    case A::kMaglev:
      return Balancer(policy.algorithm, Maglev(endpoints, policy.maglev_table_size));
    case A::kLeastRequest:
      break;
  }
  return Balancer(A::kLeastRequest, LeastRequest(endpoints));
}

std::optional<size_t> Balancer::pick(const PickContext& ctx) {
  return std::visit([&](auto& impl) { return impl.pick(ctx); }, impl_);
}

void Balancer::reseed(uint64_t random) {
  if (auto* rr = std::get_if<RoundRobin>(&impl_)) rr->reseed(random);
}

size_t Balancer::size() const {
  return std::visit([](const auto& impl) { return impl.size(); }, impl_);
}

const char* to_string(LbPolicy::Algorithm algorithm) {
  switch (algorithm) {
    case LbPolicy::Algorithm::kLeastRequest:
      return "LEAST_REQUEST";
    case LbPolicy::Algorithm::kRoundRobin:
      return "ROUND_ROBIN";
    case LbPolicy::Algorithm::kRandom:
      return "RANDOM";
    case LbPolicy::Algorithm::kRingHash:
      return "RING_HASH";
    case LbPolicy::Algorithm::kMaglev:
      return "MAGLEV";
  }
  return "UNKNOWN";
}

}  // namespace sy::lb
