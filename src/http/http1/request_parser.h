// Incremental HTTP/1.1 request parser: bytes in, events out, no I/O. One per client connection,
// used only by the worker thread that owns the connection.
//
// Usage (the caller owns the read buffer):
//   for (;;) {
//     ParseStep s = parser.parse(buf.readable());
//     buf.consume(s.consumed);
//     switch (s.event) {
//       case ParseEvent::NeedMore: read more into buf (keeping unconsumed bytes); break;
//       case ParseEvent::Head:     route parser.head(); break;
//       case ParseEvent::Body:     forward s.body (valid until buf's memory is reused); break;
//       case ParseEvent::Done:     request complete; the next parse() reads the next one; break;
//       case ParseEvent::Error:    answer http_status(parser.error()), then close; break;
//     }
//   }
// Until the head is complete, parse() consumes nothing: present the same bytes again with the
// new ones appended (any chunking works, down to one byte at a time).
//
// Bodies: Content-Length bodies come through as-is. Chunked bodies are DECODED: Body events
// carry chunk data only; chunk extensions are validated and dropped; trailers are collected into
// trailers() (available at Done). The proxy re-frames when forwarding (serializer.h), so the next
// hop only ever sees framing we produced — the strongest defence against smuggling.
// After Done for a request with head().upgrade or CONNECT, stop parsing if the upstream accepts
// (101 / 2xx): the following bytes belong to the tunnel.
#pragma once

#include <memory>
#include <string_view>

#include "http/http1/parse_result.h"
#include "http/message.h"

namespace sy::http::h1 {

class RequestParser {
 public:
  explicit RequestParser(const ParserLimits& limits = {});
  ~RequestParser();
  RequestParser(RequestParser&&) noexcept;
  RequestParser& operator=(RequestParser&&) noexcept;

  ParseStep parse(std::string_view input);

  // The head of the current message: valid from Head until the next message starts (the parse()
  // after Done). Reusing it in place keeps its buffers, so steady state does not allocate.
  RequestHead& head() noexcept;
  // Moves the head out (its buffers go with it; the parser allocates new ones next time).
  RequestHead take_head() noexcept;
  // Trailer fields of a chunked body, valid at Done until the next message starts.
  const HeaderMap& trailers() const noexcept;
  ParseError error() const noexcept;
  // No message in progress (none started, or the last one completed).
  bool idle() const noexcept;

  // The client closed its side. None if that happened between messages, else PartialMessage.
  ParseError on_eof() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::http::h1
