// Fuzz target: chunked decoding in the request parser. The head is fixed (a chunked POST), so
// every fuzzed byte lands in chunk sizes, extensions, data, trailers, and whatever follows the
// last chunk (the next pipelined request: where request smuggling lives). Input: one selector
// byte (http1_drive.h), then the body bytes.
//
// Besides http1_drive.h's checks, a small lenient reference decoder (below) must agree with the
// parser on the decoded bytes of the first request whenever both accept it: a disagreement means
// the gateway would forward different body bytes than the client framed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http1_drive.h"

namespace {

constexpr std::string_view kHead = "POST /upload HTTP/1.1\r\nHost: fuzz.example\r\nTransfer-Encoding: chunked\r\n\r\n";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 9112 section 7.1 without the fine print: hex size, anything up to CRLF (extensions), data,
// CRLF; stops at the zero-size chunk (trailers are not compared). Being more lenient than the
// parser is the point: whatever the parser accepts, this reads the same way.
std::optional<std::string> reference_dechunk(std::string_view in) {
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (int v; pos < in.size() && (v = hex_value(in[pos])) >= 0; ++pos, ++digits) {
      if (size >> 60) return std::nullopt;  // would overflow 64 bits
      size = size * 16 + static_cast<std::uint64_t>(v);
    }
    if (digits == 0) return std::nullopt;
    const std::size_t eol = in.find("\r\n", pos);
    if (eol == std::string_view::npos) return std::nullopt;
    pos = eol + 2;
    if (size == 0) return out;
    if (size > in.size() - pos || in.size() - pos - size < 2) return std::nullopt;
    out.append(in.substr(pos, size));
    pos += size;
    if (in.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const sy::fuzz::Selector sel = sy::fuzz::decode_selector(data[0]);
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string wire(kHead);
  wire.append(body);
  const sy::fuzz::Outcome out =
      sy::fuzz::drive_twice([&] { return sy::http::h1::RequestParser(sel.limits); }, wire, sel);
  if (!out.bodies.empty()) {
    const std::optional<std::string> expected = reference_dechunk(body);
    if (expected && *expected != out.bodies[0]) sy::fuzz::fail("decoded body differs from the reference decoder");
  }
  return 0;
}
