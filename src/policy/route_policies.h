// Per-route HTTP policies other than retries, compiled from an HTTPRoute: fault injection,
// mirroring, CORS and header operations. Immutable parts of a Snapshot route entry; workers
// sample percentages with their own random source.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "config/model/virtual_service.h"
#include "core/duration.h"
#include "route/string_matcher.h"
#include "split/fractional_percent.h"

namespace sy::policy {

// Fault filter (runs before CORS and the router). Absent percentage => 0 %, never injected;
// the deprecated integer `percent` of a delay is honoured when `percentage` is absent.
struct FaultPolicy {
  bool has_delay = false;
  Duration delay{0};
  split::FractionalPercent delay_percent;
  bool has_abort = false;
  uint32_t abort_http_status = 0;  // 0 when a gRPC status is used
  std::string abort_grpc_status;   // "UNAVAILABLE"; answered as HTTP 200 + grpc-status
  split::FractionalPercent abort_percent;

  bool active() const { return has_delay || has_abort; }
};
FaultPolicy compile_fault(const config::HTTPFaultInjection& f);

inline constexpr uint32_t kNoCluster = std::numeric_limits<uint32_t>::max();

// One mirror target. Absent percentage => 100 %, explicit 0 => never.
struct MirrorPolicy {
  config::Destination destination;  // as written
  std::string host;                 // resolved in the VirtualService's namespace
  uint32_t cluster = kNoCluster;    // filled by snapshot compile
  split::FractionalPercent percent;
};
// `mirror` + `mirrorPercentage` (or deprecated `mirrorPercent`), or each of `mirrors[]`.
std::vector<MirrorPolicy> compile_mirrors(const config::HTTPRoute& r, std::string_view vs_namespace);

struct CorsPolicy {
  std::vector<route::StringMatcher> allow_origins;  // legacy `allowOrigin` strings become exact ("*" = any)
  std::string allow_methods;                        // joined with ","
  std::string allow_headers;
  std::string expose_headers;
  std::string max_age;  // seconds, empty when unset
  bool allow_credentials = false;
  bool forward_unmatched_preflights = true;  // FORWARD (default) vs IGNORE

  bool origin_allowed(std::string_view origin) const;
};
CorsPolicy compile_cors(const config::CorsPolicy& c);

// set / add / remove for one direction, as ordered lists (map order of the YAML keys is lost
// anyway). Applied remove, then set, then add, as Envoy does (proxy/local_reply.h).
struct HeaderOps {
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::pair<std::string, std::string>> add;
  std::vector<std::string> remove;
  bool empty() const { return set.empty() && add.empty() && remove.empty(); }
};
struct HeaderPolicy {
  HeaderOps request;
  HeaderOps response;
  bool empty() const { return request.empty() && response.empty(); }
};
HeaderPolicy compile_headers(const config::Headers& h);

}  // namespace sy::policy
