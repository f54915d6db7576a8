#include "proxy/endpoint_text.h"

#include <algorithm>
#include <charconv>

namespace sy::proxy {
namespace {

char* put_decimal(char* p, unsigned v) { return std::to_chars(p, p + 8, v).ptr; }

char* put_address(const boost::asio::ip::address& a, char* p, bool bracket_v6) {
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    for (size_t i = 0; i < 4; ++i) {
      if (i) *p++ = '.';
      p = put_decimal(p, b[i]);
    }
    return p;
  }
  const std::string s = a.to_string();  // IPv6: rare on this path, zero compression is fiddly
  if (bracket_v6) *p++ = '[';
  p = std::copy_n(s.data(), std::min<size_t>(s.size(), 46), p);
  if (bracket_v6) *p++ = ']';
  return p;
}

}  // namespace

void format_address(const boost::asio::ip::address& a, EndpointText& out) {
  char* end = put_address(a, out.data, false);
  out.view = {out.data, static_cast<size_t>(end - out.data)};
}

void format_endpoint(const boost::asio::ip::tcp::endpoint& e, EndpointText& out) {
  char* p = put_address(e.address(), out.data, true);
  *p++ = ':';
  p = put_decimal(p, e.port());
  out.view = {out.data, static_cast<size_t>(p - out.data)};
}

}  // namespace sy::proxy
