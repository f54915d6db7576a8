// The server side of one HTTP/2 connection, on nghttp2: bytes in, request heads and body pieces
// out; response heads, bodies and trailers in, frames out. No sockets: the connection
// (proxy/http2_connection.cc) moves the bytes and runs one request flow per stream.
//
// Flow control is driven by what the request flows actually read: received DATA is kept per
// stream and its window is given back (WINDOW_UPDATE) only once a flow consumed it, so a slow
// upstream holds at most one stream window of body per stream and one connection window in all.
//
// Besides nghttp2's own checks (frame and HPACK validity, stream states, header field rules,
// SETTINGS/PING ACK and RST_STREAM floods, CONTINUATION count), the session enforces the limits
// in Limits against a hostile client; a breach ends the connection with GOAWAY
// (ENHANCE_YOUR_CALM) and is named by violation(). The numbers follow Envoy's defaults and its
// edge-proxy guidance (docs/hardening.md).
//
// Used by the one worker thread that owns the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/h2/fields.h"
#include "http/h2/outgoing_body.h"
#include "http/message.h"

namespace sy::http::h2 {

struct Limits {
  uint32_t max_concurrent_streams = 100;       // advertised in SETTINGS; nghttp2 refuses beyond it
  uint32_t stream_window = 64 * 1024;          // initial window of each stream
  uint32_t connection_window = 1 << 20;        // window of the whole connection
  uint32_t max_header_list_bytes = 60 * 1024;  // decoded, 32 bytes per field counted as HPACK does
  uint32_t max_header_fields = 100;
  // Frames of DATA/HEADERS/CONTINUATION with an empty payload and no END_STREAM in a row.
  uint32_t max_consecutive_empty_frames = 1;
  uint32_t priority_frames_per_stream = 100;    // allowed: this x (1 + streams opened)
  uint32_t window_updates_per_data_frame = 10;  // allowed: 5 + 2 x (streams + this x DATA sent)
  // Rapid reset: once this many streams were opened, the connection ends when more than half of
  // them were reset by the client within premature_reset_window of opening, before the response.
  uint32_t premature_reset_min_streams = 500;
  std::chrono::milliseconds premature_reset_window{1000};
};

enum class Violation : std::uint8_t {
  kNone,
  kProtocol,            // nghttp2 found the peer in breach of RFC 9113 (GOAWAY with its code)
  kHeaderListTooLarge,  // a header block over max_header_list_bytes
  kTooManyHeaders,      // a header block over max_header_fields
  kContinuationFlood,   // a header block that keeps growing past what any accepted list needs
  kEmptyFrameFlood,
  kPriorityFlood,
  kWindowUpdateFlood,
  kRapidReset,
  kTooManyStreams,  // streams reset by the client whose request flows are still running
  kOutboundFlood,   // the client does not read what it makes us queue (ACKs, RST_STREAMs)
};
std::string_view to_string(Violation v) noexcept;

// One request/response exchange. Owned by the session; the pointer handed to the connection
// stays valid until both the client side is closed and the connection called release().
struct Stream {
  int32_t id = 0;
  RequestHead head;
  HeaderMap trailers;  // request trailers, when the client sent any
  std::chrono::steady_clock::time_point opened;

  // Request body as received, not yet taken by the flow (bounded by the stream window).
  std::string body_in;
  bool body_end = false;       // END_STREAM seen: body_in holds the last bytes
  std::size_t unconsumed = 0;  // body bytes received whose window was not given back yet

  // Response body queued for DATA frames.
  OutgoingBody out;  // response body queued for DATA frames

  bool responded = false;      // final response head submitted
  bool response_done = false;  // END_STREAM sent
  bool closed = false;         // nghttp2 closed the stream (sent/received END_STREAM both ways, or reset)
  uint32_t close_error = 0;    // the RST_STREAM/GOAWAY error code when closed abnormally
  bool dispatched = false;     // handed to the connection as a request
  bool released = false;       // its request flow has ended

  std::size_t header_bytes = 0;
  std::size_t header_fields = 0;
  bool receiving_trailers = false;

  void* io = nullptr;  // the connection's per-stream state (woken on events)

  std::size_t queued_out() const noexcept { return out.queued(); }
};

// What the session tells the connection. Called from inside receive()/send(); must not call
// back into the session (wake something instead).
class SessionEvents {
 public:
  virtual ~SessionEvents() = default;
  // Something changed on a dispatched stream: body arrived or ended, queued body drained, closed.
  virtual void stream_event(Stream& s) = 0;
};

class ServerSession {
 public:
  ServerSession(SessionEvents& events, const Limits& limits);
  ~ServerSession();
  ServerSession(const ServerSession&) = delete;
  ServerSession& operator=(const ServerSession&) = delete;

  // Feeds received bytes. False: the connection is over (a violation, or nghttp2 found a
  // protocol error); what send() still yields (GOAWAY) should be written before closing.
  bool receive(std::string_view bytes);
  // Requests whose head is complete since the last call, in arrival order.
  std::vector<Stream*> take_requests();
  // Appends queued frames to `out` until at least `want` bytes or nothing is left.
  // False on an internal nghttp2 failure (the connection must close).
  bool send(std::string& out, std::size_t want);
  // Whether the connection still has a reason to read / frames to write.
  bool want_read() const;
  bool want_write() const;
  Violation violation() const noexcept { return violation_; }

  // The flow took `n` bytes of the request body: the client may send that much more.
  void consume(Stream& s, std::size_t n);
  void interim(Stream& s, int status);  // 1xx (100 Continue, 103 Early Hints)
  // The final response head. Connection-specific fields are left out; names are lowercased.
  void respond(Stream& s, const ResponseHead& head, bool has_body);
  void append_body(Stream& s, std::string_view data);
  void end_body(Stream& s, const HeaderMap* trailers);
  void reset(Stream& s, uint32_t error_code);
  // The stream's request flow has ended. A response not fully submitted is reset.
  void release(Stream& s);
  // Graceful GOAWAY: no new streams, the ones under way finish (drain).
  void shutdown();
  // Ends the connection now with GOAWAY(error_code); every stream is closed.
  void terminate(uint32_t error_code);
  // Marks every stream closed (the transport is gone) and wakes their flows.
  void abandon();
  std::size_t streams() const noexcept { return streams_.size(); }
  // When the oldest stream whose request head is still incomplete was opened (a client trickling
  // a header block is held to the header-read timeout, as on HTTP/1.1); nullopt when none is.
  std::optional<std::chrono::steady_clock::time_point> oldest_incomplete_head() const;
  // Streams opened, and of those the ones the client reset prematurely (counters for tests/logs).
  uint64_t opened_streams() const noexcept { return opened_; }

 private:
  struct Callbacks;
  Stream* find(int32_t id);
  void erase_if_finished(Stream& s);
  std::unique_ptr<Stream> new_stream();
  void recycle(std::unique_ptr<Stream> s);
  bool fail(Violation v);
  void finish_request_head(Stream& s);
  void on_rst_received(Stream& s);
  bool check_frame_budget(uint8_t type, std::size_t length, uint8_t flags);

  SessionEvents& events_;
  Limits limits_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<Stream>> streams_;
  // Finished streams kept for the next ones, with their request header map's buffers: a busy
  // connection then opens streams without allocating a Stream and its header storage each time.
  static constexpr std::size_t kSpareStreams = 16;
  std::vector<std::unique_ptr<Stream>> spare_;
  std::vector<Stream*> new_requests_;
  std::size_t connection_consume_ = 0;  // window of closed streams' unread body, given back later
  Violation violation_ = Violation::kNone;
  bool closed_ = false;

  // Abuse accounting.
  uint64_t opened_ = 0;
  std::size_t incomplete_heads_ = 0;  // streams opened whose request head has not ended yet
  uint64_t premature_resets_ = 0;
  uint64_t data_frames_sent_ = 0;
  uint64_t priority_frames_ = 0;
  uint64_t window_update_frames_ = 0;
  uint32_t empty_frames_in_a_row_ = 0;
  std::size_t header_block_bytes_ = 0;  // encoded bytes of the header block being received
  FieldScratch fields_;                 // the fields of one submit
};

}  // namespace sy::http::h2
