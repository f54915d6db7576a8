#include "http/http1/parse_result.h"

namespace sy::http::h1 {

std::string_view to_string(ParseError e) noexcept {
  switch (e) {
    case ParseError::None:
      return "none";
    case ParseError::BadRequestLine:
      return "bad request line";
    case ParseError::BadTarget:
      return "bad request target";
    case ParseError::BadStatusLine:
      return "bad status line";
    case ParseError::BadHeaderName:
      return "bad header name";
    case ParseError::BadHeaderValue:
      return "bad header value";
    case ParseError::ObsFold:
      return "obsolete line folding";
    case ParseError::BareLf:
      return "bare LF line ending";
    case ParseError::HeaderTooLarge:
      return "header section too large";
    case ParseError::TooManyHeaders:
      return "too many header fields";
    case ParseError::BadContentLength:
      return "bad content-length";
    case ParseError::ConflictingContentLength:
      return "conflicting content-length values";
    case ParseError::ContentLengthWithTransferEncoding:
      return "content-length with transfer-encoding";
    case ParseError::BadTransferEncoding:
      return "unsupported transfer-encoding";
    case ParseError::BadChunkSize:
      return "bad chunk size";
    case ParseError::BadChunkExtension:
      return "bad chunk extension";
    case ParseError::MissingHost:
      return "missing host";
    case ParseError::DuplicateHost:
      return "duplicate host";
    case ParseError::PartialMessage:
      return "partial message";
  }
  return "unknown";
}

int http_status(ParseError e) noexcept {
  switch (e) {
    case ParseError::HeaderTooLarge:
    case ParseError::TooManyHeaders:
      return 431;
    default:
      return 400;
  }
}

}  // namespace sy::http::h1
