// Incremental HTTP/1.1 response parser for upstream connections: bytes in, events out, no I/O.
// One per upstream connection, used only by the worker thread that owns it. Same calling
// convention and body handling as RequestParser (request_parser.h): decoded chunked data,
// trailers in trailers(), views into the caller's buffer.
//
// Response-specific rules:
//  - call expect_response_to(method) before each request's response: a HEAD response has no
//    body whatever its headers say, and a 2xx to CONNECT opens a tunnel;
//  - 1xx responses are complete messages without body; after 100 Continue keep parsing for the
//    final response (the method is remembered). After 101, head().upgrade is set: stop parsing,
//    the rest of the connection is the tunnel;
//  - 204 and 304 never have a body;
//  - without Content-Length or chunked, the body runs until the upstream closes: call on_eof(),
//    which yields Done (and head().keep_alive is false).
#pragma once

#include <memory>
#include <string_view>

#include "http/http1/parse_result.h"
#include "http/message.h"

namespace sy::http::h1 {

class ResponseParser {
 public:
  explicit ResponseParser(const ParserLimits& limits = {});
  ~ResponseParser();
  ResponseParser(ResponseParser&&) noexcept;
  ResponseParser& operator=(ResponseParser&&) noexcept;

  // Applies from the next response that starts; stays in force until changed.
  void expect_response_to(Method request_method) noexcept;

  ParseStep parse(std::string_view input);

  ResponseHead& head() noexcept;
  ResponseHead take_head() noexcept;
  const HeaderMap& trailers() const noexcept;
  ParseError error() const noexcept;
  // No response in progress: the last one completed (or none started). A parser in this state
  // can serve the next request's response.
  bool idle() const noexcept;

  // The upstream closed. Done if that completes a close-delimited body; Error(PartialMessage)
  // if a response was cut short; NeedMore if no response was in progress.
  ParseStep on_eof() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::http::h1
