// Header fields in nghttp2's form for both sides of HTTP/2: names lowercased, connection-specific
// fields (RFC 9113 section 8.2.2) left out, pseudo-headers first. The nghttp2_nv entries point
// into the maps and into a scratch string, which must outlive the submit call (nghttp2 copies).
#pragma once

#include <nghttp2/nghttp2.h>

#include <string>
#include <vector>

#include "http/message.h"

namespace sy::http::h2 {

// Scratch space for one submit: lowercased names, :status digits, a content-length.
struct FieldScratch {
  std::string names;
  char status[4] = {};
  char length[24] = {};
  std::vector<nghttp2_nv> nv;
};

// A response head: :status, its fields, content-length from head.content_length (as the HTTP/1
// serializer writes it).
void response_fields(const ResponseHead& head, FieldScratch& scratch);
// A request head for an upstream: :method, :scheme, :authority, :path, then the fields the HTTP/1
// serializer would send (hop-by-hop ones and Host left out), with `te: trailers` kept (gRPC needs
// it) and content-length from head.content_length.
void request_fields(const RequestHead& head, std::string_view scheme, FieldScratch& scratch);
// Trailer fields (no pseudo-headers, no connection-specific fields).
void trailer_fields(const HeaderMap& trailers, FieldScratch& scratch);

}  // namespace sy::http::h2
