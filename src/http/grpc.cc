#include "http/grpc.h"

#include <charconv>

namespace sy::http {

bool is_grpc_request(const HeaderMap& headers) noexcept {
  const auto type = headers.get("content-type");
  if (!type) return false;
  constexpr std::string_view kGrpc = "application/grpc";
  if (type->size() < kGrpc.size() || !iequals(type->substr(0, kGrpc.size()), kGrpc)) return false;
  return type->size() == kGrpc.size() || (*type)[kGrpc.size()] == '+' || (*type)[kGrpc.size()] == ';';
}

std::optional<int> grpc_status(const HeaderMap& headers) noexcept {
  const auto v = headers.get("grpc-status");
  if (!v || v->empty()) return std::nullopt;
  unsigned n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n > 0xFFFF) return std::nullopt;
  return static_cast<int>(n);
}

int grpc_status_from_http(int http_status) noexcept {
  switch (http_status) {
    case 400:
      return 13;  // INTERNAL
    case 401:
      return 16;  // UNAUTHENTICATED
    case 403:
      return 7;  // PERMISSION_DENIED
    case 404:
      return 12;  // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14;  // UNAVAILABLE
    default:
      return 2;  // UNKNOWN
  }
}

std::optional<std::chrono::nanoseconds> parse_grpc_timeout(std::string_view value) noexcept {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  const std::string_view digits = value.substr(0, value.size() - 1);
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
  using std::chrono::nanoseconds;
  switch (value.back()) {
    case 'H':
      return std::chrono::duration_cast<nanoseconds>(std::chrono::hours(n));
    case 'M':
      return std::chrono::duration_cast<nanoseconds>(std::chrono::minutes(n));
    case 'S':
      return std::chrono::duration_cast<nanoseconds>(std::chrono::seconds(n));
    case 'm':
      return std::chrono::duration_cast<nanoseconds>(std::chrono::milliseconds(n));
    case 'u':
      return std::chrono::duration_cast<nanoseconds>(std::chrono::microseconds(n));
    case 'n':
      return nanoseconds(n);
    default:
      return std::nullopt;
  }
}

std::string encode_grpc_message(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c >= 0x20 && c <= 0x7E && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace sy::http
