// HTTP/1.1 serialization of message heads and chunked framing, for the proxy's writes to clients
// and upstreams. Pure functions writing into caller-provided memory; no per-header allocation.
// Any thread.
//
// What a written head contains:
//  - request line "METHOD SP target SP HTTP/1.1" with an origin-form target (absolute-form input
//    is sent as path + Host), authority-form for CONNECT, "*" for OPTIONS *; status line
//    "HTTP/1.1 NNN reason" (the standard phrase when head.reason is empty). We always speak 1.1.
//  - "Host: <head.authority>" first for requests; Host fields in the map are not written, so
//    rewriting the authority is a single assignment.
//  - every header except hop-by-hop ones (Connection and what it names, Keep-Alive,
//    Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade unless tunnelling) and
//    Content-Length: framing is written from head.framing / head.content_length instead:
//      Chunked or Stream -> "Transfer-Encoding: chunked";  ContentLength -> "Content-Length: N";
//      None -> "Content-Length: N" only if content_length is set (e.g. HEAD/304 replies, "0");
//      UntilClose -> nothing (the caller also sets close). 1xx/204 responses never get framing.
//  - "Connection: upgrade" when tunnelling, or "Connection: close" when asked.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "http/message.h"

namespace sy::http::h1 {

struct HeadOptions {
  bool tunnel = false;      // websocket upgrade: keep Upgrade, write "Connection: upgrade"
  bool close = false;       // write "Connection: close" (ignored when tunnel is set)
  bool keep_alive = false;  // write "Connection: keep-alive" (an HTTP/1.0 client's keep-alive)
};

// Exact size of the serialized head.
std::size_t request_head_size(const RequestHead& head, const HeadOptions& opts = {}) noexcept;
std::size_t response_head_size(const ResponseHead& head, const HeadOptions& opts = {}) noexcept;
// Writes the head into `out`; returns the bytes written, or 0 (nothing written) if `out` is
// smaller than *_head_size().
std::size_t write_request_head(const RequestHead& head, const HeadOptions& opts, std::span<char> out) noexcept;
std::size_t write_response_head(const ResponseHead& head, const HeadOptions& opts, std::span<char> out) noexcept;
// Appends the head to `out` (one resize; a reused string reaches a steady capacity).
void append_request_head(const RequestHead& head, const HeadOptions& opts, std::string& out);
void append_response_head(const ResponseHead& head, const HeadOptions& opts, std::string& out);

// Chunked encoding for a writev: {ChunkPrefix(n).view(), data (n bytes), kChunkSuffix}, and at
// the end kLastChunk, or append_last_chunk() to send trailers. Empty data must not be sent as a
// chunk (a zero size ends the body).
class ChunkPrefix {
 public:
  explicit ChunkPrefix(std::size_t size) noexcept;
  std::string_view view() const noexcept { return {buf_, len_}; }

 private:
  char buf_[20];  // 16 hex digits + CRLF
  unsigned char len_ = 0;
};
inline constexpr std::string_view kChunkSuffix = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
// "0\r\n" + trailer fields (hop-by-hop and framing fields dropped) + "\r\n".
void append_last_chunk(const HeaderMap& trailers, std::string& out);

// A complete response the gateway generates itself (errors, 404, ...): local_response_head()
// plus `body` (local_response_body(status) when empty). Error path only, so it allocates.
std::string render_local_response(int status, std::string_view body = {}, bool close_connection = false);

}  // namespace sy::http::h1
