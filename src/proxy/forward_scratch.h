// The working memory of one forwarded request, kept on a per-worker free list so that steady
// traffic allocates (and zero-fills) none of it per request: the upstream read buffer, the
// serialized request head, the replay copy of the body, endpoint bit sets and the response
// parser (whose header storage is reused too). Worker-local, like everything in WorkerContext.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/http1/response_parser.h"
#include "proxy/free_list.h"

namespace sy::proxy {

struct ForwardScratch {
  static constexpr size_t kBuffer = 16 * 1024;      // fits every ordinary response head and more
  static constexpr size_t kBodyBuffer = 64 * 1024;  // while a response body streams

  ForwardScratch() : buf(kBuffer) {}

  std::vector<char> buf;  // upstream bytes; grows for a body or a huge head
  std::string head_bytes;
  std::string replay;  // the request body kept for retries (bounded by the forwarder)
  std::vector<uint64_t> tried, outlier_bits, combined_bits;
  http::h1::ResponseParser parser;

  // Makes a used scratch ready for the next request; false when it is not worth keeping.
  bool recycle() {
    if (!parser.idle()) parser = http::h1::ResponseParser();  // a failed or cut-short response
    if (buf.size() > kBodyBuffer) {                           // a huge head's buffer is not kept
      buf.resize(kBuffer);
      buf.shrink_to_fit();
    }
    head_bytes.clear();
    replay.clear();
    if (replay.capacity() > kBuffer) std::string().swap(replay);
    return true;
  }
};

}  // namespace sy::proxy
