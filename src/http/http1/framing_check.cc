#include "http/http1/framing_check.h"

#include <limits>

#include "http/header_map.h"
#include "http/hop_by_hop.h"

namespace sy::http::h1 {

void FramingCheck::reset(bool is_request, bool http10) noexcept {
  *this = FramingCheck{};
  is_request_ = is_request;
  http10_ = http10;
}

ParseError FramingCheck::on_field(std::string_view name, std::string_view value) noexcept {
  switch (name.size()) {
    case 4:
      if (is_request_ && iequals(name, "host") && ++host_count_ > 1) return ParseError::DuplicateHost;
      break;
    case 6:
      if (is_request_ && !http10_ && iequals(name, "expect") && iequals(value, "100-continue")) {
        expect_continue_ = true;
      }
      break;
    case 7:
      if (iequals(name, "upgrade")) {
        for_each_token(value, [this](std::string_view tok) {
          // "websocket" possibly with a version suffix is not used in practice; match the token.
          if (iequals(tok, "websocket")) websocket_ = true;
        });
      }
      break;
    case 14:
      if (iequals(name, "content-length")) return on_content_length(value);
      break;
    case 17:
      if (iequals(name, "transfer-encoding")) return on_transfer_encoding(value);
      break;
    default:
      break;
  }
  return ParseError::None;
}

ParseError FramingCheck::on_content_length(std::string_view value) noexcept {
  if (saw_te_) return ParseError::ContentLengthWithTransferEncoding;
  // RFC 9110 section 8.6 allows a list of identical values ("5, 5"); anything else is refused.
  ParseError err = ParseError::None;
  bool any = false;
  std::size_t commas = 0;
  for (char c : value) commas += c == ',' ? 1 : 0;
  std::size_t tokens = 0;
  for_each_token(value, [&](std::string_view tok) {
    ++tokens;
    if (err != ParseError::None) return;
    std::uint64_t v = 0;
    for (char c : tok) {
      if (c < '0' || c > '9' || v > (std::numeric_limits<std::uint64_t>::max() - 9) / 10) {
        err = ParseError::BadContentLength;
        return;
      }
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    any = true;
    if (content_length_ && *content_length_ != v) {
      err = ParseError::ConflictingContentLength;
      return;
    }
    content_length_ = v;
  });
  if (err != ParseError::None) return err;
  // Empty elements ("5,,5", ",5") or an empty value are malformed, not ignorable.
  if (!any || tokens != commas + 1) return ParseError::BadContentLength;
  return ParseError::None;
}

ParseError FramingCheck::on_transfer_encoding(std::string_view value) noexcept {
  if (content_length_) return ParseError::ContentLengthWithTransferEncoding;
  // Only a single "chunked" coding is accepted: we decode it and re-frame, so any other coding
  // (or "chunked" applied twice, or not last) could make us and the next hop disagree on length.
  if (saw_te_ || http10_ || !iequals(value, "chunked")) return ParseError::BadTransferEncoding;
  saw_te_ = true;
  chunked_ = true;
  return ParseError::None;
}

}  // namespace sy::http::h1
