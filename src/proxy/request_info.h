// What happened to one request, filled in as it flows and read at the end (access log, metrics).
// Lives on the request's coroutine frame; owned by one worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sy::proxy {

struct RequestInfo {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  int status = 0;
  uint32_t flags = 0;      // ResponseFlag bits
  uint32_t attempts = 0;   // upstream attempts made
  std::string route_name;  // matched route's stat name
  uint32_t cluster = UINT32_MAX;
  std::string_view cluster_name;     // set when the request ends; points into the request's snapshot
  std::string upstream_host;         // "ip:port" of the last attempt
  uint64_t request_body_bytes = 0;   // L4: bytes from the client to the upstream
  uint64_t response_body_bytes = 0;  // L4: bytes from the upstream to the client
  bool l4 = false;       // a TCP or TLS passthrough connection, not an HTTP request (Istio's istio_tcp_* metrics)
  bool grpc = false;     // a gRPC request (http::is_grpc_request): metrics say request_protocol="grpc"
  int grpc_status = -1;  // grpc-status of the response (trailers, else headers); -1 when it carried none
};

}  // namespace sy::proxy
