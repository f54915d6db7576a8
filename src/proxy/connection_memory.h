// The memory a client connection needs only while a request is on it: the read buffer and the
// request parser (whose header storage alone is several KiB). A connection that has been idle for
// a while parks: it gives this back to the worker's free list and waits for its next request
// holding only its socket, so 10,000 idle keep-alive clients cost about a kilobyte each.
#pragma once

#include <cstddef>
#include <vector>

#include "http/http1/request_parser.h"

namespace sy::proxy {

struct ConnectionMemory {
  static constexpr size_t kInitialBuffer = 4 * 1024;

  explicit ConnectionMemory(const http::h1::ParserLimits& limits = {})
      : buf(kInitialBuffer), limits(limits), parser(limits) {}

  std::vector<char> buf;
  http::h1::ParserLimits limits;
  http::h1::RequestParser parser;

  bool recycle() {
    if (!parser.idle()) parser = http::h1::RequestParser(limits);
    if (buf.size() != kInitialBuffer) {
      buf.resize(kInitialBuffer);
      buf.shrink_to_fit();
    }
    return true;
  }
};

}  // namespace sy::proxy
