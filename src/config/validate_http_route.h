// Checks for the parts of a VirtualService rule, shared by validate_virtual_service.cc (which
// walks the VS) and validate_http_route.cc (HTTPRoute internals). Internal to src/config.
#pragma once

#include <string>
#include <vector>

#include "config/model/virtual_service.h"
#include "config/validate_common.h"

namespace sy::config::detail {

// One http[] rule. `in_delegate` is true inside a delegate VirtualService (no hosts).
void check_http_route(Reporter& r, const std::string& path, const HTTPRoute& route, bool in_delegate);

// host required, not `*`, valid (wildcard) domain; subset a DNS-1123 label; port 1..65535.
void check_destination(Reporter& r, const std::string& path, const Destination& d);

// Weighted destinations of an HTTP, TLS or TCP rule: each weight ≥ 0, not all zero when >1.
void check_weights(Reporter& r, const std::string& path, const std::vector<std::optional<int32_t>>& weights);

// headers.{request,response}.{set,add,remove}.
void check_header_operations(Reporter& r, const std::string& path, const Headers& h);

// A gateway reference in `gateways[]`: `mesh`, `name`, `ns/name` or legacy FQDN.
void check_gateway_ref(Reporter& r, const std::string& path, const std::string& ref);

}  // namespace sy::config::detail
