// Fuzz target: the HTTP/1 response parser (src/http/http1/response_parser.h), which reads what
// upstreams send: a compromised or buggy upstream must not be able to corrupt the gateway.
// Input: one selector byte (http1_drive.h), one byte naming the request method the responses
// answer (H = HEAD, C = CONNECT, P = POST, anything else GET: each changes body framing), then
// the wire. Chunked, Content-Length and close-delimited bodies are all reached through the wire.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http1_drive.h"

namespace {

sy::http::Method method_from_byte(std::uint8_t b) {
  switch (b) {
    case 'H':
      return sy::http::Method::Head;
    case 'C':
      return sy::http::Method::Connect;
    case 'P':
      return sy::http::Method::Post;
    default:
      return sy::http::Method::Get;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const sy::fuzz::Selector sel = sy::fuzz::decode_selector(data[0]);
  const sy::http::Method method = method_from_byte(data[1]);
  const std::string_view wire(reinterpret_cast<const char*>(data) + 2, size - 2);
  sy::fuzz::drive_twice(
      [&] {
        sy::http::h1::ResponseParser p(sel.limits);
        p.expect_response_to(method);
        return p;
      },
      wire, sel);
  return 0;
}
