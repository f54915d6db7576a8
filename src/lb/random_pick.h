// RANDOM: uniform over candidates when weights are equal, otherwise proportional to weight via
// an alias table. Stateless after build; the table is read-only and may be shared by workers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "lb/alias_table.h"
#include "lb/endpoint.h"
#include "lb/pick_context.h"

namespace sy::lb {

class RandomPick {
 public:
  explicit RandomPick(std::span<const Endpoint> endpoints);

  std::optional<size_t> pick(const PickContext& ctx) const;
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::shared_ptr<const AliasTable> weighted_;  // null when all weights are equal
};

// Uniform choice among candidates other than `excluded` (SIZE_MAX: none); shared with
// LEAST_REQUEST. Rejection first (exactly uniform, and O(1) while most endpoints are
// candidates), then an exact rank walk. Returns SIZE_MAX when no such candidate exists.
size_t uniform_among(const Candidates& candidates, RandomStream& random, size_t excluded = SIZE_MAX);

// nullptr when every weight is equal (then weights do not change any distribution).
std::shared_ptr<const AliasTable> alias_table_if_weighted(std::span<const Endpoint> endpoints);

}  // namespace sy::lb
