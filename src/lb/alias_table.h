// O(1) weighted sampling (Walker's alias method with integer thresholds), built once per
// endpoint set and then read-only, so workers may share one. Used by RANDOM and by weighted
// LEAST_REQUEST.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "lb/candidates.h"
#include "lb/random_stream.h"

namespace sy::lb {

class AliasTable {
 public:
  // weights must be >= 1 each (effective weights); fewer than 2^32 entries.
  explicit AliasTable(std::span<const uint32_t> weights);

  size_t size() const { return alias_.size(); }
  uint32_t weight(size_t i) const { return weights_[i]; }

  // Index i with probability weight(i) / total, exactly (integer arithmetic). Requires size() > 0.
  size_t sample(RandomStream& random) const {
    const uint64_t column = random.below(alias_.size());
    return random.below(total_) < keep_[column] ? column : alias_[column];
  }

  // Same, restricted to the candidates (probability weight(i) / sum of candidate weights).
  // Tries rejection sampling a few times, then an exact O(n) walk; requires !candidates.empty().
  size_t sample_among(const Candidates& candidates, RandomStream& random) const;

 private:
  std::vector<uint64_t> keep_;   // column c yields c when a draw in [0, total_) is below keep_[c]
  std::vector<uint32_t> alias_;  // ...and alias_[c] otherwise
  std::vector<uint32_t> weights_;
  uint64_t total_ = 0;
};

}  // namespace sy::lb
