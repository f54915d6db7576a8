// LEAST_REQUEST (Istio's default, also LEAST_CONN): power of two choices. Draw two candidates,
// send to the one with fewer in-flight requests. The caller supplies the counts (its own
// per-worker tallies), so this object is read-only after build and may be shared.
//
// Equal weights: two distinct candidates drawn uniformly (Envoy draws with replacement; distinct
// draws make the choice strictly better for tiny sets such as 2 endpoints).
// Unequal weights: Envoy rescales weights by 1/(active+1)^bias inside its EDF scheduler. We instead
// draw both candidates in proportion to weight and compare load *per unit of weight*
// (active/weight). With no load (or load already proportional to weight) this reduces to a
// weighted random pick, so the configured shares hold exactly; under skewed load it steers toward
// the endpoint with the most spare capacity for its weight. Stateless per pick, no scheduler rebuild.
// Slow start: while an endpoint warms up its weight is scaled by its factor (lb/slow_start.h); both
// draws then use the scaled weights (rejection on the factor) and the comparison uses
// active / scaled weight, so a warming endpoint gets its reduced share even when idle.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>

#include "lb/alias_table.h"
#include "lb/endpoint.h"
#include "lb/pick_context.h"
#include "lb/slow_start.h"

namespace sy::lb {

class LeastRequest {
 public:
  explicit LeastRequest(std::span<const Endpoint> endpoints, std::shared_ptr<const SlowStart> slow_start = nullptr);

  std::optional<size_t> pick(const PickContext& ctx) const;
  size_t size() const { return size_; }

 private:
  size_t size_;
  std::optional<size_t> pick_warming(const PickContext& ctx, const Candidates& candidates) const;

  std::shared_ptr<const AliasTable> weighted_;  // null when all weights are equal
  std::shared_ptr<const SlowStart> slow_start_;
};

}  // namespace sy::lb
