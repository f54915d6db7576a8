// Per-request sampling of a route's fault injection and mirrors (docs/semantics.md §5.3, §5.4). Pure: the
// worker passes fresh random values from its own generator; the same values give the same answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/duration.h"
#include "policy/route_policies.h"

namespace sy::policy {

struct FaultDecision {
  std::optional<Duration> delay;  // sleep this long first (flag DI); outside the route timeout
  std::optional<uint32_t>
      abort_status;  // then answer this status with body "fault filter abort" (flag FI); never retried
  // gRPC abort: answer HTTP 200 with `grpc-status: <grpc_status_code>`; abort_status is 200. An
  // unrecognised name maps to 2 (UNKNOWN).
  std::optional<uint32_t> grpc_status_code;
  std::string_view grpc_status_name;  // as configured ("UNAVAILABLE"), points into the policy

  bool delayed() const { return delay.has_value(); }
  bool aborted() const { return abort_status.has_value(); }
};

// Delay and abort are rolled independently, each with its own random value (Envoy order: delay is
// applied, then abort is rolled). An absent percentage compiled to 0 % and never fires.
FaultDecision decide_fault(const FaultPolicy& fault, uint64_t random_delay, uint64_t random_abort);

// Whether this request is copied to `mirror` (absent percentage compiled to 100 %).
inline bool decide_mirror(const MirrorPolicy& mirror, uint64_t random) { return mirror.percent.sample(random); }

// gRPC status code by its upper-case name ("UNAVAILABLE" -> 14); nullopt for unknown names.
std::optional<uint32_t> grpc_status_code(std::string_view name);

}  // namespace sy::policy
