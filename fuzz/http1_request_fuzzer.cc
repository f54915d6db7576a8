// Fuzz target: the HTTP/1 request parser (src/http/http1/request_parser.h), the first code to see
// a client's bytes. Input: one selector byte (http1_drive.h), then the wire; pipelined requests,
// bodies and a final EOF all come from the same bytes, so smuggling shapes are reachable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http1_drive.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const sy::fuzz::Selector sel = sy::fuzz::decode_selector(data[0]);
  const std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  sy::fuzz::drive_twice([&] { return sy::http::h1::RequestParser(sel.limits); }, wire, sel);
  return 0;
}
