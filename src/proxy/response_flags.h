// Envoy-style response flags: why the gateway answered what it answered. Recorded per request for
// the access log and metrics; locally generated responses also carry them in the
// `x-switchyard-reason` header so a client can tell a gateway 503 from an application 503.
#pragma once

#include <cstdint>
#include <string>

namespace sy::proxy {

enum ResponseFlag : uint32_t {
  kNoRoute = 1u << 0,                           // NR: no virtual host or no route matched
  kNoClusterFound = 1u << 1,                    // NC: destination host/subset unknown
  kNoHealthyUpstream = 1u << 2,                 // UH
  kUpstreamConnectionFailure = 1u << 3,         // UF
  kUpstreamOverflow = 1u << 4,                  // UO: circuit breaker
  kUpstreamRetryLimitExceeded = 1u << 5,        // URX
  kUpstreamRequestTimeout = 1u << 6,            // UT
  kUpstreamConnectionTermination = 1u << 7,     // UC
  kUpstreamRemoteReset = 1u << 8,               // UR
  kLocalReset = 1u << 9,                        // LR
  kDownstreamConnectionTermination = 1u << 10,  // DC
  kDelayInjected = 1u << 11,                    // DI
  kFaultInjected = 1u << 12,                    // FI
  kUpstreamProtocolError = 1u << 13,            // UPE: garbage from upstream
  kDownstreamProtocolError = 1u << 14,          // DPE: malformed request
  kStreamIdleTimeout = 1u << 15,                // SI: silence longer than --stream-idle-timeout-ms
  kResourceExhausted = 1u << 16,                // LR-like local failure: out of descriptors or memory (RE)
};

// "UF,URX" (Envoy's short names, comma-separated, fixed order); "-" when none.
std::string format_response_flags(uint32_t flags);

}  // namespace sy::proxy
