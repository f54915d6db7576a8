// Shared by the HTTP/1 fuzz targets: feeds wire bytes to a RequestParser or ResponseParser the
// way a connection does, and turns "the parser did something wrong" into a crash libFuzzer sees.
//
// Why each check:
//  - every buffer handed to parse() is a fresh heap copy, freed right after the step, so ASan
//    reports any view the parser (or a head) keeps into input it no longer owns;
//  - the head is described at Head and again at Done (after its body's buffers are gone), so a
//    head that is not self-contained shows up as use-after-free or as a changed description;
//  - event order, `consumed` and Body views are checked against parse_result.h's contract;
//  - a bound on events per input byte turns a livelock into a crash instead of a timeout;
//  - when the whole input and the same bytes in small pieces both parse without error, they must
//    give the same heads, bodies and trailers (TCP segmentation must not change meaning).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "http/http1/request_parser.h"
#include "http/http1/response_parser.h"

namespace sy::fuzz {

// Fails the run with a message; abort() is what libFuzzer (and the replay main) report as a crash.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}
inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

inline void describe_fields(std::string& out, const http::HeaderMap& m) {
  for (const auto& e : m) out.append(e.name).append(":").append(e.value).append("\n");
}

// Every view and flag of a head: reading the bytes is what lets ASan check the views.
inline std::string describe(const http::RequestHead& h) {
  std::string out = "method=";
  out.append(h.method_name).append(" target=").append(h.target).append(" scheme=").append(h.scheme);
  out.append(" authority=").append(h.authority).append(" path=").append(h.path);
  out.append(" form=").append(std::to_string(static_cast<int>(h.target_form)));
  out.append(" version=").append(http::to_string(h.version));
  out.append(" framing=").append(std::to_string(static_cast<int>(h.framing)));
  out.append(" length=").append(h.content_length ? std::to_string(*h.content_length) : "-");
  out.append(" flags=").append(std::to_string(h.keep_alive)).append(std::to_string(h.upgrade));
  out.append(std::to_string(h.websocket)).append(std::to_string(h.expect_continue)).append("\n");
  describe_fields(out, h.headers);
  return out;
}

inline std::string describe(const http::ResponseHead& h) {
  std::string out = "status=" + std::to_string(h.status);
  out.append(" reason=").append(h.reason).append(" version=").append(http::to_string(h.version));
  out.append(" framing=").append(std::to_string(static_cast<int>(h.framing)));
  out.append(" length=").append(h.content_length ? std::to_string(*h.content_length) : "-");
  out.append(" flags=").append(std::to_string(h.keep_alive)).append(std::to_string(h.upgrade)).append("\n");
  describe_fields(out, h.headers);
  return out;
}

// The first input byte of every HTTP/1 target: how to present the rest. Bits 0-5: piece size
// minus one for the split pass; bit 6: take_head(); bit 7: tight limits, so the size checks are
// reachable with the fuzzer's short inputs (the defaults are 60 KiB).
struct Selector {
  std::size_t step;
  bool take_head;
  http::h1::ParserLimits limits;
};
inline Selector decode_selector(std::uint8_t b) {
  Selector s{static_cast<std::size_t>(b & 63) + 1, (b & 64) != 0, {}};
  if (b & 128) s.limits = {512, 64, 256, 256};
  return s;
}

struct DriveOptions {
  std::size_t step = 0;    // bytes added per NeedMore; 0 = the whole wire at once
  bool take_head = false;  // move the head out at Head (the parser must then build a new one)
  bool eof = true;         // report the peer's close once the wire is exhausted
};

struct Outcome {
  std::string transcript;           // heads, decoded bodies and trailers, in order
  std::vector<std::string> bodies;  // decoded body of each completed message
  bool error = false;
};

namespace detail {

// One parse() over a private heap copy of `buf`, so nothing may point into it afterwards.
template <class Parser>
http::h1::ParseStep step_on_copy(Parser& p, const std::string& buf, std::string& body_out) {
  std::unique_ptr<char[]> copy(new char[buf.size() + 1]);
  buf.copy(copy.get(), buf.size());
  const std::string_view in(copy.get(), buf.size());
  const http::h1::ParseStep s = p.parse(in);
  check(s.consumed <= in.size(), "consumed more than the input");
  if (s.event == http::h1::ParseEvent::Body) {
    check(!s.body.empty(), "empty Body event");
    check(s.body.data() >= in.data() && s.body.data() + s.body.size() <= in.data() + s.consumed,
          "Body view outside the consumed input");
    body_out.append(s.body);  // the view dies with `copy` at the end of this function
  }
  return s;
}

}  // namespace detail

template <class Parser>
Outcome drive(Parser& p, std::string_view wire, const DriveOptions& opt) {
  using http::h1::ParseEvent;
  Outcome out;
  std::string buf, body, head_at_head;
  std::size_t pos = 0;
  bool in_message = false, head_taken = false, tunnel = false, eof_sent = false, stop = false;
  const std::size_t step = opt.step == 0 ? (wire.empty() ? 1 : wire.size()) : opt.step;
  // Head and Body consume bytes; Done and NeedMore at most once per message or refill.
  const std::size_t max_events = 4 * wire.size() + 64;
  for (std::size_t events = 0; !stop; ++events) {
    check(events < max_events, "parser makes no progress");
    const http::h1::ParseStep s = detail::step_on_copy(p, buf, body);
    buf.erase(0, s.consumed);
    switch (s.event) {
      case ParseEvent::NeedMore:
        if (pos < wire.size()) {
          const std::size_t n = std::min(step, wire.size() - pos);
          buf.append(wire.substr(pos, n));
          pos += n;
          continue;
        }
        if (opt.eof && !eof_sent) {
          eof_sent = true;
          if constexpr (std::is_same_v<Parser, http::h1::ResponseParser>) {
            const http::h1::ParseStep e = p.on_eof();
            if (e.event == ParseEvent::Done) {
              check(in_message, "Done at EOF without a response");
              out.transcript.append("body=").append(body).append("\ndone-at-eof\n");
              out.bodies.push_back(body);
            }
            out.error = e.event == ParseEvent::Error;
          } else {
            out.error = p.on_eof() != http::h1::ParseError::None;
            check(!out.error || in_message || !buf.empty(), "EOF between requests reported as an error");
          }
        }
        stop = true;
        break;
      case ParseEvent::Head:
        check(!in_message, "Head inside a message");
        check(s.consumed > 0, "Head consumed nothing");
        in_message = true;
        body.clear();
        head_taken = opt.take_head;
        if (head_taken) {
          const auto taken = p.take_head();
          head_at_head = describe(taken);
          tunnel = taken.upgrade;
        } else {
          head_at_head = describe(p.head());
          tunnel = p.head().upgrade;
        }
        out.transcript.append(head_at_head);
        break;
      case ParseEvent::Body:
        check(in_message, "Body outside a message");
        break;
      case ParseEvent::Done:
        check(in_message, "Done without Head");
        in_message = false;
        if (!head_taken) check(describe(p.head()) == head_at_head, "head changed while its body was parsed");
        out.transcript.append("body=").append(body).append("\ntrailers=");
        describe_fields(out.transcript, p.trailers());
        out.transcript.append("done\n");
        out.bodies.push_back(body);
        // After an accepted upgrade or CONNECT the rest of the connection is a tunnel, not HTTP.
        if constexpr (std::is_same_v<Parser, http::h1::ResponseParser>) stop = tunnel;
        break;
      case ParseEvent::Error:
        check(p.error() != http::h1::ParseError::None, "Error event without an error");
        check(p.parse("x").event == ParseEvent::Error, "error is not sticky");
        out.error = true;
        stop = true;
        break;
    }
  }
  return out;
}

// Runs `make_parser()`'s parser over `wire` whole and in pieces, with the checks above. Returns
// the whole-input outcome for target-specific checks.
template <class MakeParser>
Outcome drive_twice(MakeParser make_parser, std::string_view wire, const Selector& sel) {
  auto whole_parser = make_parser();
  Outcome whole = drive(whole_parser, wire, {0, sel.take_head, true});
  auto split_parser = make_parser();
  const Outcome split = drive(split_parser, wire, {sel.step, sel.take_head, true});
  if (!whole.error && !split.error && whole.transcript != split.transcript) {
    std::fprintf(stderr, "--- whole:\n%s\n--- in pieces of %zu:\n%s\n", whole.transcript.c_str(), sel.step,
                 split.transcript.c_str());
    fail("the same bytes parsed differently depending on how they were split");
  }
  return whole;
}

}  // namespace sy::fuzz
