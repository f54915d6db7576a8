// Helpers shared by the lb unit tests only (not compiled into sy_pure: header-only).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "lb/endpoint.h"
#include "lb/pick_context.h"

namespace sy::lb::testing {

// n endpoints "10.0.0.<i>:8080" with the given weights (or weight 1 each).
inline std::vector<Endpoint> endpoints_with_weights(const std::vector<uint32_t>& weights) {
  std::vector<Endpoint> out;
  for (size_t i = 0; i < weights.size(); ++i) {
    out.push_back(Endpoint::from_address("10.0.0." + std::to_string(i) + ":8080", weights[i]));
  }
  return out;
}

inline std::vector<Endpoint> equal_endpoints(size_t n) { return endpoints_with_weights(std::vector<uint32_t>(n, 1)); }

// Fraction of `picks` landing on each endpoint, with a fixed-seed random per pick. `pick` maps a
// PickContext to std::optional<size_t>; `base` supplies the non-random fields.
template <typename Pick>
std::vector<double> shares(size_t n, int picks, Pick&& pick, PickContext base = {}, uint64_t seed = 42) {
  std::mt19937_64 rng(seed);
  std::vector<double> counts(n, 0);
  for (int k = 0; k < picks; ++k) {
    PickContext ctx = base;
    ctx.random = rng();
    const std::optional<size_t> chosen = pick(ctx);
    if (chosen) counts.at(*chosen) += 1;
  }
  for (double& c : counts) c /= picks;
  return counts;
}

}  // namespace sy::lb::testing
