// What the proxy needs to know about gRPC on top of HTTP (grpc/grpc doc/PROTOCOL-HTTP2.md): which
// requests are gRPC, the status a response carries, the status an HTTP answer maps to, and the
// deadline a client asks for. Pure functions over header values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "http/header_map.h"

namespace sy::http {

// A gRPC request: content-type application/grpc or application/grpc+<codec> (Envoy's
// isGrpcRequestHeaders; gRPC-Web's application/grpc-web* is not gRPC on the wire).
bool is_grpc_request(const HeaderMap& headers) noexcept;

// The numeric grpc-status in `headers`, if one is there and well-formed.
std::optional<int> grpc_status(const HeaderMap& headers) noexcept;

// The gRPC status an HTTP status stands for when a gRPC response carries none (grpc/grpc doc
// http-grpc-status-mapping.md, as Envoy's Grpc::Utility::httpToGrpcStatus).
int grpc_status_from_http(int http_status) noexcept;

// The grpc-timeout header's value ("100m", "5S"; at most 8 digits and one unit of H M S m u n);
// nullopt when malformed.
std::optional<std::chrono::nanoseconds> parse_grpc_timeout(std::string_view value) noexcept;

// grpc-message text: percent-encoded outside printable ASCII and '%' (the gRPC spec).
std::string encode_grpc_message(std::string_view text);

}  // namespace sy::http
