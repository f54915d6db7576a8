// Splits an HTTP/1 request-target into scheme / authority / path (RFC 9112 section 3.2), so a
// request sent to us as a forward proxy ("GET http://host:8080/a HTTP/1.1") routes exactly like
// "GET /a" with "Host: host:8080". Pure; any thread.
#pragma once

#include <string_view>

#include "http/message.h"

namespace sy::http::h1 {

struct SplitTarget {
  TargetForm form = TargetForm::Origin;
  std::string_view scheme;     // absolute-form only, as received ("http", "HTTPS")
  std::string_view authority;  // absolute-form and authority-form
  std::string_view path;       // origin-form: the target; absolute-form: path+query or empty
  bool ok = false;
};

// Views point into `target`. An absolute-form target with no path ("http://h" or "http://h?q")
// comes back with an empty path, or one starting at '?'; the caller supplies the leading "/".
// CONNECT accepts only authority-form; asterisk-form only with OPTIONS; userinfo is refused.
SplitTarget split_target(std::string_view target, Method method) noexcept;

}  // namespace sy::http::h1
