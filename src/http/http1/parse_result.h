// What the HTTP/1 parsers hand back per step, and why they fail. Shared by RequestParser and
// ResponseParser; protocol-neutral code sees only ParseError -> status via http_status().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sy::http::h1 {

enum class ParseEvent : std::uint8_t {
  NeedMore,  // keep the unconsumed bytes, append more input, call parse() again
  Head,      // the head is complete: see head() / take_head()
  Body,      // ParseStep::body holds (decoded) body bytes
  Done,      // the message is complete; the next parse() starts a new message
  Error,     // see error(); the connection must be closed after any error response
};

struct ParseStep {
  ParseEvent event = ParseEvent::NeedMore;
  std::size_t consumed = 0;  // drop this many bytes from the front of the input
  std::string_view body;     // Body only: a view into the input passed to parse()
};

// Each shape has its own value so logs and counters can tell smuggling attempts apart.
enum class ParseError : std::uint8_t {
  None,
  BadRequestLine,            // method / SP / version garbage, unsupported version
  BadTarget,                 // request-target not in a form we accept (or invalid characters)
  BadStatusLine,             // response status-line garbage
  BadHeaderName,             // invalid token character, or whitespace before the colon
  BadHeaderValue,            // control characters (NUL, bare CR, ...) in a value
  ObsFold,                   // obsolete line folding (RFC 9112 section 5.2)
  BareLf,                    // a line ended by LF without CR
  HeaderTooLarge,            // header section over the limit (431)
  TooManyHeaders,            // more fields than ParserLimits::max_fields (431)
  BadContentLength,          // not a decimal number
  ConflictingContentLength,  // several Content-Length values that differ
  ContentLengthWithTransferEncoding,
  BadTransferEncoding,  // anything but exactly "chunked" (or a repeat of it), or on HTTP/1.0
  BadChunkSize,         // chunk-size not hex, overflowing, or missing CRLF after chunk data
  BadChunkExtension,    // malformed chunk extension, or chunk line/extensions over the limit
  MissingHost,          // HTTP/1.1 request without Host
  DuplicateHost,        // more than one Host field
  PartialMessage,       // EOF in the middle of a message
};

std::string_view to_string(ParseError e) noexcept;

// Status the gateway answers a *request* error with: 431 for size limits, 400 otherwise.
// (Response errors become 502; that is the proxy's call, not the codec's.)
int http_status(ParseError e) noexcept;

// Bounds on what one message may make the caller buffer. Bodies are unbounded here: they are
// streamed, and size policy belongs to the proxy.
struct ParserLimits {
  std::uint32_t max_head_bytes = 60 * 1024;  // request/status line + fields
  // Fields in one head, and in one trailer section: Envoy's max_headers_count default, haproxy's
  // tune.http.maxhdr is 101. More is 431 for a request, a protocol error for a response.
  std::uint32_t max_fields = 100;
  std::uint32_t max_chunk_line = 4096;            // one chunk-size line with its extensions
  std::uint64_t max_chunk_ext_total = 64 * 1024;  // all extensions of one body together
  std::uint32_t max_trailer_bytes = 60 * 1024;
};

}  // namespace sy::http::h1
