// Checks for config strings that switchyard writes into an HTTP message head: header names and
// values (headers.request/response), the request target and Host (rewrite), Location (redirect),
// Set-Cookie (consistent-hash cookie) and the CORS lists. A CR, LF or NUL in any of them would let
// a config end a header line early and inject headers or a second message, so they are refused at
// validation, before a snapshot can carry them. Internal to src/config.
#pragma once

#include <string>
#include <string_view>

#include "config/validate_common.h"

namespace sy::config::detail {

// RFC 9110 §5.6.2 token: one or more tchar (letters, digits and !#$%&'*+-.^_`|~).
bool is_http_token(std::string_view s);

// Position of the first CR, LF or NUL in `s`, or npos. These three are never valid in an HTTP
// field value (RFC 9110 §5.5) and end a line in HTTP/1.
size_t find_line_breaker(std::string_view s);

// Position of the first control character (0x00-0x1F, 0x7F) or space in `s`, or npos.
size_t find_ctl_or_space(std::string_view s);

// A header field name set, added or removed by config (`what` names it in the message, e.g. "header name").
void check_header_name(Reporter& r, const std::string& path, std::string_view name, std::string_view what);

// Text written into a header field value (or compared with one): no CR, LF or NUL.
// `what` names the field in the message ("value of header \"x-a\"", "allowOrigins exact").
void check_field_value(Reporter& r, const std::string& path, std::string_view value, std::string_view what);

// A URI path/reference or an authority written into the request line, Host or Location: no
// control characters and no spaces (CR/LF/NUL get the injection message).
void check_uri_text(Reporter& r, const std::string& path, std::string_view value, std::string_view what);

// A Set-Cookie attribute value (cookie Path, attribute values): no control characters and no ';'.
void check_cookie_attribute(Reporter& r, const std::string& path, std::string_view value, std::string_view what);

}  // namespace sy::config::detail
