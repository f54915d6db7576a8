// Test-only helper: drives a RequestParser or ResponseParser over a wire string delivered in
// pieces of `step` bytes, the way a connection would, and records what came out.
#pragma once

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "http/http1/parse_result.h"
#include "http/http1/request_parser.h"
#include "http/http1/response_parser.h"

namespace sy::http::h1 {
// Readable gtest failure messages for ParseError.
inline void PrintTo(ParseError e, std::ostream* os) { *os << to_string(e); }
}  // namespace sy::http::h1

namespace sy::http::h1::testing {

template <class Head>
struct Fed {
  std::vector<Head> heads;
  std::vector<std::string> bodies;    // one per head
  std::vector<std::string> trailers;  // "name: value;" per message, at Done
  int done = 0;
  ParseError error = ParseError::None;
  std::string leftover;  // bytes neither consumed nor failed on
};

inline std::string describe(const HeaderMap& m) {
  std::string s;
  for (const auto& e : m) s.append(e.name).append(": ").append(e.value).append(";");
  return s;
}

// step == 0 means "everything at once". eof: call on_eof() once the wire is exhausted.
template <class Parser>
auto feed(Parser& p, std::string_view wire, std::size_t step = 0, bool eof = false) {
  Fed<decltype(p.head().clone())> out;
  std::string buf;
  std::size_t pos = 0;
  if (step == 0) step = wire.size() ? wire.size() : 1;
  bool eof_sent = false;
  for (;;) {
    const ParseStep s = p.parse(buf);
    // s.body points into buf: use it before erasing the consumed bytes.
    if (s.event == ParseEvent::Body) out.bodies.back().append(s.body);
    buf.erase(0, s.consumed);
    switch (s.event) {
      case ParseEvent::NeedMore:
        if (pos < wire.size()) {
          const std::size_t n = std::min(step, wire.size() - pos);
          buf.append(wire.substr(pos, n));
          pos += n;
          continue;
        }
        if (eof && !eof_sent) {
          eof_sent = true;
          if constexpr (std::is_same_v<Parser, ResponseParser>) {
            const ParseStep e = p.on_eof();
            if (e.event == ParseEvent::Done) {
              ++out.done;
              out.trailers.push_back(describe(p.trailers()));
            } else if (e.event == ParseEvent::Error) {
              out.error = p.error();
            }
          } else {
            out.error = p.on_eof();
          }
        }
        out.leftover = buf;
        return out;
      case ParseEvent::Head:
        out.heads.push_back(p.head().clone());
        out.bodies.emplace_back();
        continue;
      case ParseEvent::Body:
        continue;
      case ParseEvent::Done:
        ++out.done;
        out.trailers.push_back(describe(p.trailers()));
        continue;
      case ParseEvent::Error:
        out.error = p.error();
        out.leftover = buf;
        return out;
    }
  }
}

}  // namespace sy::http::h1::testing
