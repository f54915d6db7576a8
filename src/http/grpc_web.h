// gRPC-Web (grpc/grpc doc/PROTOCOL-WEB.md), translated to gRPC and back as Envoy's grpc_web
// filter does (Istio installs it on every HTTP listener): a browser's application/grpc-web
// request goes upstream as application/grpc, and the response's trailers come back as a last
// length-prefixed frame (flag 0x80) in the body, since browsers cannot read HTTP trailers. The
// -text variants carry the same bytes base64-encoded. Pure; no I/O.
#pragma once

#include <string>
#include <string_view>

#include "http/header_map.h"

namespace sy::http {

enum class GrpcWebKind { kNone, kBinary, kText };

// From the request's content-type: application/grpc-web[+proto] is binary,
// application/grpc-web-text[+proto] is text; anything else is not gRPC-Web.
GrpcWebKind grpc_web_kind(const HeaderMap& headers) noexcept;

// The content-type a gRPC-Web response goes back with.
std::string_view grpc_web_response_content_type(GrpcWebKind kind) noexcept;

// The trailers as gRPC-Web's last frame: 0x80, a 4-byte big-endian length, then "name:value\r\n"
// per field with the name in lower case.
std::string grpc_web_trailer_frame(const HeaderMap& trailers);

// Base64 over a stream cut anywhere: whole 3-byte groups are encoded as they come, the rest waits
// for more or for finish(), which pads.
class Base64StreamEncoder {
 public:
  void encode(std::string_view in, std::string& out);
  void finish(std::string& out);

 private:
  std::string carry_;  // at most 2 bytes
};

// The reverse, for a request body cut anywhere. gRPC-Web-text clients may send several padded
// base64 segments back to back, so every 4-character group is decoded on its own. False on a
// character outside the standard alphabet or misplaced padding.
class Base64StreamDecoder {
 public:
  bool decode(std::string_view in, std::string& out);
  // True when the input ended on a group boundary.
  bool complete() const noexcept { return carry_.empty(); }

 private:
  std::string carry_;  // at most 3 characters
};

}  // namespace sy::http
