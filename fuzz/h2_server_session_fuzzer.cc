// Fuzz target: the HTTP/2 server session (src/http/h2/server_session.h), nghttp2 with the limits
// and flow-control bookkeeping switchyard adds. Input: the frames a client sends after the
// connection preface (prepended here so inputs reach the frame layer). The first byte picks how
// the input is cut into reads, the way TCP segments would arrive. Each complete request is
// answered at once (head, a body that echoes how much was read, trailers on every third) and its
// body consumed, so response framing, window updates and stream release run too. Output frames
// are drained after every read. Checked: no crash, no sanitizer report, streams are released.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/h2/server_session.h"

namespace {

constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

struct Events final : sy::http::h2::SessionEvents {
  void stream_event(sy::http::h2::Stream&) override {}
};

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t cut = 1 + data[0] % 64;  // bytes per read
  const std::string_view frames(reinterpret_cast<const char*>(data + 1), size - 1);
  Events events;
  sy::http::h2::ServerSession session(events, sy::http::h2::Limits{});
  std::string out;
  std::vector<sy::http::h2::Stream*> live;
  bool ok = session.receive(kPreface);
  unsigned answered = 0;
  for (std::size_t at = 0; ok && at < frames.size(); at += cut) {
    ok = session.receive(frames.substr(at, cut));
    for (sy::http::h2::Stream* s : session.take_requests()) live.push_back(s);
    for (sy::http::h2::Stream* s : live) {
      session.consume(*s, s->body_in.size());
      s->body_in.clear();
      if (!s->responded) {
        sy::http::ResponseHead head;
        head.status = 200;
        head.headers.add("x-path", s->head.path);
        head.framing = sy::http::BodyFraming::Stream;
        session.respond(*s, head, true);
        session.append_body(*s, std::string(static_cast<std::size_t>(s->id % 5000), 'b'));
        sy::http::HeaderMap trailers;
        if (++answered % 3 == 0) trailers.add("grpc-status", "0");
        session.end_body(*s, &trailers);
      }
    }
    for (sy::http::h2::Stream* s : live) session.release(*s);
    live.clear();
    out.clear();
    check(session.send(out, 1 << 20) || !ok, "send failed on a live session");
  }
  out.clear();
  session.send(out, 1 << 20);
  (void)session.want_read();
  session.abandon();
  return 0;
}
