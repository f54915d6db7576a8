// Library glue for beast_driver.h: verb and error translation. Pure functions; any thread.
#include "http/http1/beast_driver.h"

#include <algorithm>
#include <boost/beast/http/detail/rfc7230.hpp>

namespace sy::http::h1::detail {

Method method_from_verb(bhttp::verb v) noexcept {
  switch (v) {
    case bhttp::verb::get:
      return Method::Get;
    case bhttp::verb::head:
      return Method::Head;
    case bhttp::verb::post:
      return Method::Post;
    case bhttp::verb::put:
      return Method::Put;
    case bhttp::verb::delete_:
      return Method::Delete;
    case bhttp::verb::connect:
      return Method::Connect;
    case bhttp::verb::options:
      return Method::Options;
    case bhttp::verb::trace:
      return Method::Trace;
    case bhttp::verb::patch:
      return Method::Patch;
    default:
      return Method::Other;
  }
}

ParseError map_beast_error(const error_code& ec, const FramingCheck& check, bool is_request) noexcept {
  using E = bhttp::error;
  if (ec == E::header_limit) return ParseError::HeaderTooLarge;
  if (ec == E::bad_method || ec == E::bad_version) {
    return is_request ? ParseError::BadRequestLine : ParseError::BadStatusLine;
  }
  if (ec == E::bad_target) return ParseError::BadTarget;
  if (ec == E::bad_status || ec == E::bad_reason) return ParseError::BadStatusLine;
  if (ec == E::bad_field) return ParseError::BadHeaderName;
  if (ec == E::bad_value || ec == E::bad_line_ending) return ParseError::BadHeaderValue;
  // Beast checks framing fields before handing them to us, so these two arrive without our
  // FramingCheck having seen the offending field; what it saw earlier names the shape.
  if (ec == E::bad_content_length) {
    return check.saw_transfer_encoding() ? ParseError::ContentLengthWithTransferEncoding : ParseError::BadContentLength;
  }
  if (ec == E::multiple_content_length) return ParseError::ConflictingContentLength;
  if (ec == E::bad_transfer_encoding) {
    return check.content_length() ? ParseError::ContentLengthWithTransferEncoding : ParseError::BadTransferEncoding;
  }
  if (ec == E::bad_chunk) return ParseError::BadChunkSize;
  if (ec == E::bad_chunk_extension) return ParseError::BadChunkExtension;
  if (ec == E::partial_message) return ParseError::PartialMessage;
  return is_request ? ParseError::BadRequestLine : ParseError::BadStatusLine;
}

bool plausible_start(std::string_view in, bool is_request) noexcept {
  if (!is_request) {
    constexpr std::string_view kPrefix = "HTTP/";
    const std::size_t n = std::min(in.size(), kPrefix.size());
    return in.substr(0, n) == kPrefix.substr(0, n);
  }
  constexpr std::size_t kMaxMethod = 32;
  for (std::size_t i = 0; i < in.size() && i <= kMaxMethod; ++i) {
    if (in[i] == ' ') return i > 0;
    if (!boost::beast::http::detail::is_token_char(in[i])) return false;
  }
  return in.size() <= kMaxMethod;
}

}  // namespace sy::http::h1::detail
