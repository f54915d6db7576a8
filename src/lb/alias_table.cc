#include "lb/alias_table.h"

#include <cassert>

namespace sy::lb {

// Each of the n columns holds `total_` units of probability mass. Endpoint i owns w_i * n units
// (so all columns together hold n * total_). Columns of under-full endpoints are topped up
// from an over-full endpoint, which becomes that column's alias. Integer arithmetic keeps the
// resulting distribution exact, which the distribution tests rely on.
AliasTable::AliasTable(std::span<const uint32_t> weights)
    : keep_(weights.size()), alias_(weights.size()), weights_(weights.begin(), weights.end()) {
  const size_t n = weights.size();
  using Wide = unsigned __int128;
  for (uint32_t w : weights) {
    assert(w >= 1);
    total_ += w;
  }
  std::vector<Wide> mass(n);
  std::vector<uint32_t> small;
  std::vector<uint32_t> large;
  for (size_t i = 0; i < n; ++i) {
    mass[i] = static_cast<Wide>(weights[i]) * n;
    (mass[i] < total_ ? small : large).push_back(static_cast<uint32_t>(i));
  }
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back();
    small.pop_back();
    const uint32_t l = large.back();
    keep_[s] = static_cast<uint64_t>(mass[s]);
    alias_[s] = l;
    mass[l] -= total_ - mass[s];
    if (mass[l] < total_) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // Whatever is left is exactly full (or off by rounding that integer mass cannot have).
  for (uint32_t i : large) keep_[i] = total_, alias_[i] = i;
  for (uint32_t i : small) keep_[i] = total_, alias_[i] = i;
}

size_t AliasTable::sample_among(const Candidates& candidates, RandomStream& random) const {
  assert(!candidates.empty());
  if (candidates.all()) return sample(random);
  // Rejection keeps the exact conditional distribution; it is fast when most weight is eligible.
  for (int attempt = 0; attempt < 8; ++attempt) {
    const size_t i = sample(random);
    if (candidates.contains(i)) return i;
  }
  // Most weight is excluded: walk the candidates' cumulative weight instead.
  uint64_t sum = 0;
  for (size_t k = 0, i = candidates.next_from(0); k < candidates.count(); ++k, i = candidates.next_from(i + 1)) {
    sum += weights_[i];
  }
  uint64_t target = random.below(sum);
  for (size_t i = candidates.next_from(0);; i = candidates.next_from(i + 1)) {
    if (target < weights_[i]) return i;
    target -= weights_[i];
  }
}

}  // namespace sy::lb
