// Pick cost per algorithm at 10 and 1000 endpoints. "Plain": no health/tried bitsets (the common
// first attempt with everything healthy). "Filtered": eligible bitset with one ejected endpoint
// plus a tried set of one (a retry). "Weighted": weights 1..8 instead of all equal.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "lb/balancer.h"
#include "lb/endpoint_bitset.h"

namespace sy::lb {
namespace {

enum Shape { kPlain, kFiltered, kWeighted };

template <LbPolicy::Algorithm kAlgorithm, Shape kShape>
void BM_Pick(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  std::vector<Endpoint> endpoints;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t weight = kShape == kWeighted ? static_cast<uint32_t>(1 + i % 8) : 1;
    endpoints.push_back(
        Endpoint::from_address("10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":80", weight));
  }
  LbPolicy policy;
  policy.algorithm = kAlgorithm;
  Balancer lb = Balancer::build(policy, endpoints);
  EndpointBitset eligible(n, true);
  EndpointBitset tried(n);
  if (kShape == kFiltered) {
    eligible.reset(n / 2);
    tried.set(n / 3);
  }
  std::vector<uint32_t> active(n);
  for (size_t i = 0; i < n; ++i) active[i] = static_cast<uint32_t>(i * 7 % 13);

  uint64_t random = 0x243f6a8885a308d3ULL;
  for (auto _ : state) {
    random ^= random << 13, random ^= random >> 7, random ^= random << 17;  // xorshift: cheap per-pick random
    PickContext ctx{.random = random, .hash = random * 0x9e3779b97f4a7c15ULL, .active_requests = active};
    if (kShape == kFiltered) {
      ctx.eligible = eligible.words();
      ctx.tried = tried.words();
    }
    benchmark::DoNotOptimize(lb.pick(ctx));
  }
}

using A = LbPolicy::Algorithm;
#define SY_LB_BENCH(algorithm, shape) BENCHMARK(BM_Pick<algorithm, shape>)->Arg(10)->Arg(1000)
SY_LB_BENCH(A::kRoundRobin, kPlain);
SY_LB_BENCH(A::kRoundRobin, kWeighted);
SY_LB_BENCH(A::kRoundRobin, kFiltered);
SY_LB_BENCH(A::kRandom, kPlain);
SY_LB_BENCH(A::kRandom, kWeighted);
SY_LB_BENCH(A::kRandom, kFiltered);
SY_LB_BENCH(A::kLeastRequest, kPlain);
SY_LB_BENCH(A::kLeastRequest, kWeighted);
SY_LB_BENCH(A::kLeastRequest, kFiltered);
SY_LB_BENCH(A::kRingHash, kPlain);
SY_LB_BENCH(A::kRingHash, kWeighted);
SY_LB_BENCH(A::kRingHash, kFiltered);
SY_LB_BENCH(A::kMaglev, kPlain);
SY_LB_BENCH(A::kMaglev, kWeighted);
SY_LB_BENCH(A::kMaglev, kFiltered);

}  // namespace
}  // namespace sy::lb
