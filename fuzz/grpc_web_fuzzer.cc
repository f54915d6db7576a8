// Fuzz target: the gRPC-Web codec a browser's bytes go through (http/grpc_web.h). The input is
// split at two points taken from its first bytes and fed to the streaming base64 decoder in three
// pieces, as a -text request body may arrive. Checked properties:
//  - whatever the decoder accepts, re-encoding its output in one go and decoding that again gives
//    the same bytes (no byte invented or lost by where the body was cut);
//  - the streaming encoder gives the same text however its input is cut.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/grpc_web.h"

namespace {

std::string encode_whole(std::string_view data) {
  sy::http::Base64StreamEncoder enc;
  std::string out;
  enc.encode(data, out);
  enc.finish(out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  const size_t a = data[0] % (in.size() + 1);
  const size_t b = a + data[1] % (in.size() - a + 1);

  sy::http::Base64StreamDecoder dec;
  std::string decoded;
  const bool ok = dec.decode(in.substr(0, a), decoded) && dec.decode(in.substr(a, b - a), decoded) &&
                  dec.decode(in.substr(b), decoded);
  if (ok && dec.complete()) {
    sy::http::Base64StreamDecoder again;
    std::string round;
    if (!again.decode(encode_whole(decoded), round) || round != decoded) std::abort();
  }

  sy::http::Base64StreamEncoder enc;
  std::string pieces;
  enc.encode(in.substr(0, a), pieces);
  enc.encode(in.substr(a, b - a), pieces);
  enc.encode(in.substr(b), pieces);
  enc.finish(pieces);
  if (pieces != encode_whole(in)) std::abort();
  return 0;
}
