// Protocol-neutral HTTP message heads. The HTTP/1 codec produces and consumes these today; the
// HTTP/2 codec will produce the same types, so routing, policy and the proxy never see the wire
// protocol.
//
// Every string_view in a head points into the head's own `headers` storage (its raw block or its
// arena), so a head is self-contained and may be moved freely. It is move-only because a plain
// member-wise copy would leave views pointing into the source; use clone() for a deep copy.
// Owned by one request, used by the worker thread that owns its connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/header_map.h"

namespace sy::http {

enum class Method : std::uint8_t { Get, Head, Post, Put, Delete, Connect, Options, Trace, Patch, Other };

// Parses a method token (case-sensitive, as RFC 9110 says); unknown tokens are Method::Other.
Method method_from_string(std::string_view token) noexcept;
std::string_view to_string(Method m) noexcept;  // "GET", ...; "" for Other (use method_name)

enum class Version : std::uint8_t { Http10, Http11, Http2 };
std::string_view to_string(Version v) noexcept;  // "HTTP/1.0", "HTTP/1.1", "HTTP/2"

// How the end of the body is found on the wire this head arrived on (or will be sent on).
enum class BodyFraming : std::uint8_t {
  None,           // no body (GET without length, HEAD/1xx/204/304 responses, ...)
  ContentLength,  // exactly content_length bytes
  Chunked,        // HTTP/1.1 chunked; the codec hands out decoded data
  UntilClose,     // responses only: body ends when the connection closes
  Stream,         // HTTP/2: DATA frames until END_STREAM, length possibly unknown
};

// A body whose length is not known up front: it goes to an HTTP/1.1 peer chunked.
constexpr bool length_unknown(BodyFraming f) noexcept { return f == BodyFraming::Chunked || f == BodyFraming::Stream; }

// Shape of the request-target (RFC 9112 section 3.2).
enum class TargetForm : std::uint8_t { Origin, Absolute, Authority, Asterisk };

struct RequestHead {
  RequestHead() = default;
  RequestHead(RequestHead&&) noexcept = default;
  RequestHead& operator=(RequestHead&&) noexcept = default;
  RequestHead(const RequestHead&) = delete;
  RequestHead& operator=(const RequestHead&) = delete;
  RequestHead clone() const;
  // Back to a default head, keeping the header map's buffers (parsers reuse one head per
  // connection so steady state does not allocate).
  void reset() noexcept;

  Method method = Method::Get;
  std::string_view method_name;  // the token as received, e.g. "PROPFIND" when method is Other
  std::string_view target;       // request-target exactly as received (diagnostics, access log)
  TargetForm target_form = TargetForm::Origin;
  std::string_view scheme;     // "http"/"https" from an absolute-form target or :scheme; else empty
  std::string_view authority;  // absolute-form authority, else Host (HTTP/1) or :authority (HTTP/2)
  std::string_view path;       // path + query for routing; "*" for OPTIONS *; empty for CONNECT
  Version version = Version::Http11;
  HeaderMap headers;  // Host, Content-Length and Transfer-Encoding stay here as received

  BodyFraming framing = BodyFraming::None;
  std::optional<std::uint64_t> content_length;  // set iff a valid Content-Length was received
  bool keep_alive = true;                       // connection may carry another request after this one
  bool upgrade = false;                         // Connection: upgrade + Upgrade present (e.g. websocket)
  bool websocket = false;                       // upgrade to "websocket"
  bool expect_continue = false;                 // Expect: 100-continue on HTTP/1.1
};

struct ResponseHead {
  ResponseHead() = default;
  ResponseHead(ResponseHead&&) noexcept = default;
  ResponseHead& operator=(ResponseHead&&) noexcept = default;
  ResponseHead(const ResponseHead&) = delete;
  ResponseHead& operator=(const ResponseHead&) = delete;
  ResponseHead clone() const;
  void reset() noexcept;  // as RequestHead::reset

  int status = 200;
  std::string_view reason;  // as received; the serializer writes the standard phrase if empty
  Version version = Version::Http11;
  HeaderMap headers;

  BodyFraming framing = BodyFraming::None;
  std::optional<std::uint64_t> content_length;  // also set for HEAD/304 responses that carry one
  bool keep_alive = true;                       // false if the upstream said close, or the body is close-delimited
  bool upgrade = false;                         // 101 Switching Protocols: the connection becomes a tunnel

  bool informational() const noexcept { return status >= 100 && status < 200; }
};

}  // namespace sy::http
