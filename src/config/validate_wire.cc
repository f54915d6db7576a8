#include "config/validate_wire.h"

#include <fmt/format.h>

namespace sy::config::detail {
namespace {

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != 0 && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_ctl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// "a CR (\r)", "a space", ... for messages.
std::string describe(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  switch (c) {
    case '\r':
      return "a CR (\\r)";
    case '\n':
      return "an LF (\\n)";
    case 0:
      return "a NUL (\\0)";
    case ' ':
      return "a space";
    case ';':
      return "a ';'";
    default:
      return fmt::format("a control character ({})", printable(std::string_view(&ch, 1)));
  }
}

void report_line_breaker(Reporter& r, const std::string& path, std::string_view value, std::string_view what,
                         size_t at) {
  r.error(path, fmt::format("{} \"{}\" contains {}: CR, LF and NUL are not allowed in text written into an HTTP "
                            "message head (they would inject header lines)",
                            what, printable(value), describe(value[at])));
}

}  // namespace

bool is_http_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_tchar(static_cast<unsigned char>(c))) return false;
  return true;
}

size_t find_line_breaker(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)); }

size_t find_ctl_or_space(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (is_ctl(c) || c == ' ') return i;
  }
  return std::string_view::npos;
}

void check_header_name(Reporter& r, const std::string& path, std::string_view name, std::string_view what) {
  if (is_http_token(name)) return;
  r.error(path, fmt::format("{} \"{}\" is not a valid HTTP header name (RFC 9110 token characters only: letters, "
                            "digits and !#$%&'*+-.^_`|~)",
                            what, printable(name)));
}

void check_field_value(Reporter& r, const std::string& path, std::string_view value, std::string_view what) {
  if (size_t at = find_line_breaker(value); at != std::string_view::npos) report_line_breaker(r, path, value, what, at);
}

void check_uri_text(Reporter& r, const std::string& path, std::string_view value, std::string_view what) {
  if (size_t at = find_line_breaker(value); at != std::string_view::npos) {
    report_line_breaker(r, path, value, what, at);
  } else if (size_t bad = find_ctl_or_space(value); bad != std::string_view::npos) {
    r.error(path, fmt::format("{} \"{}\" contains {}, which is not allowed in a URI or authority", what,
                              printable(value), describe(value[bad])));
  }
}

void check_cookie_attribute(Reporter& r, const std::string& path, std::string_view value, std::string_view what) {
  if (size_t at = find_line_breaker(value); at != std::string_view::npos) {
    report_line_breaker(r, path, value, what, at);
    return;
  }
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_ctl(c) || c == ';') {
      r.error(path, fmt::format("{} \"{}\" contains {}, which is not allowed in a Set-Cookie attribute", what,
                                printable(value), describe(ch)));
      return;
    }
  }
}

}  // namespace sy::config::detail
