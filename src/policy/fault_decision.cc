#include "policy/fault_decision.h"

#include <array>

namespace sy::policy {

namespace {
// Index = code, as defined by grpc/status.h.
constexpr std::array<std::string_view, 17> kGrpcStatusNames = {
    "OK",        "CANCELLED",       "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS",  "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",    "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED",
};
}  // namespace

std::optional<uint32_t> grpc_status_code(std::string_view name) {
  for (size_t i = 0; i < kGrpcStatusNames.size(); ++i)
    if (kGrpcStatusNames[i] == name) return static_cast<uint32_t>(i);
  return std::nullopt;
}

FaultDecision decide_fault(const FaultPolicy& fault, uint64_t random_delay, uint64_t random_abort) {
  FaultDecision d;
  if (fault.has_delay && fault.delay_percent.sample(random_delay)) d.delay = fault.delay;
  if (fault.has_abort && fault.abort_percent.sample(random_abort)) {
    if (fault.abort_http_status != 0) {
      d.abort_status = fault.abort_http_status;
    } else {
      d.abort_status = 200;
      d.grpc_status_name = fault.abort_grpc_status;
      d.grpc_status_code = grpc_status_code(fault.abort_grpc_status).value_or(2);  // unknown name => UNKNOWN
    }
  }
  return d;
}

}  // namespace sy::policy
