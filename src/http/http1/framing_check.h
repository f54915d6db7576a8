// Per-field checks that decide how a message body is framed, and reject the header shapes used for
// request smuggling (RFC 9112 sections 6.1-6.3, 11.2): Content-Length with Transfer-Encoding,
// differing Content-Lengths, any transfer coding but a single "chunked", repeated Host.
// Independent of the parser library so the rules are ours and unit-testable. One instance per
// parser; reset per message; used on the connection's thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "http/http1/parse_result.h"

namespace sy::http::h1 {

class FramingCheck {
 public:
  // is_request: Host rules apply. http10: Transfer-Encoding is refused, Expect is ignored.
  void reset(bool is_request, bool http10) noexcept;

  // Feeds one field (name as received, value OWS-trimmed). Returns the first violation, if any.
  ParseError on_field(std::string_view name, std::string_view value) noexcept;

  std::optional<std::uint64_t> content_length() const noexcept { return content_length_; }
  bool chunked() const noexcept { return chunked_; }
  bool saw_transfer_encoding() const noexcept { return saw_te_; }
  bool expect_continue() const noexcept { return expect_continue_; }
  bool websocket() const noexcept { return websocket_; }
  int host_count() const noexcept { return host_count_; }

 private:
  ParseError on_content_length(std::string_view value) noexcept;
  ParseError on_transfer_encoding(std::string_view value) noexcept;

  bool is_request_ = true;
  bool http10_ = false;
  std::optional<std::uint64_t> content_length_;
  bool chunked_ = false;
  bool saw_te_ = false;
  bool expect_continue_ = false;
  bool websocket_ = false;
  int host_count_ = 0;
};

}  // namespace sy::http::h1
