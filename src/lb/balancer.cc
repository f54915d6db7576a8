#include "lb/balancer.h"

#include <algorithm>

#include "lb/random_stream.h"

namespace sy::lb {

Balancer Balancer::build(const LbPolicy& policy, std::span<const Endpoint> endpoints) {
  using A = LbPolicy::Algorithm;
  auto levels = PriorityLevels::build(endpoints);
  const size_t level_count = levels ? levels->levels() : 1;
  switch (policy.algorithm) {
    case A::kRoundRobin:
      return Balancer(policy.algorithm,
                      RoundRobin(endpoints, level_count, SlowStart::build(policy.warmup, endpoints)),
                      std::move(levels));
    case A::kRandom:
      return Balancer(policy.algorithm, RandomPick(endpoints), std::move(levels));
    case A::kRingHash:
      return Balancer(policy.algorithm,
                      RingHash(endpoints, policy.minimum_ring_size,
                               std::min(policy.maximum_ring_size, LbPolicy::kMaximumRingSize)),
                      std::move(levels));
    case A::kMaglev:
      return Balancer(policy.algorithm, Maglev(endpoints, policy.maglev_table_size), std::move(levels));
    case A::kLeastRequest:
      break;
  }
  return Balancer(A::kLeastRequest, LeastRequest(endpoints, SlowStart::build(policy.warmup, endpoints)),
                  std::move(levels));
}

std::optional<size_t> Balancer::pick(const PickContext& ctx) {
  auto run = [&](const PickContext& c) { return std::visit([&](auto& impl) { return impl.pick(c); }, impl_); };
  if (!levels_) return run(ctx);
  // The level comes from the request hash when there is one (Envoy's thread-aware balancers choose
  // the priority from the hash), else from a value drawn apart from the algorithm's own draws.
  const uint64_t draw = ctx.hash ? *ctx.hash : RandomStream(ctx.random ^ 0x5bd1e9955bd1e995ull).next();
  PickContext narrowed = ctx;
  narrowed.level = levels_->choose(ctx.eligible, draw);
  levels_->narrow(narrowed.level, ctx.eligible, narrowed_);
  narrowed.eligible = narrowed_;
  return run(narrowed);
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
