// The client side of one HTTP/2 connection to an upstream, on nghttp2: request heads, bodies and
// trailers in, frames out; response heads, body pieces and trailers out. No sockets: the upstream
// connection (upstream/h2_upstream.cc) moves the bytes, and each forwarder drives its stream.
//
// As on the server side, the window of received DATA is given back only once the forwarder
// consumed it (wrote it to its client), so a slow client holds one stream window of response
// body, not the whole response. A stream the upstream never processed (REFUSED_STREAM, or above
// the last stream id of a GOAWAY) is marked `refused`: retrying it elsewhere is safe.
//
// Used by the one worker thread that owns the connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/h2/fields.h"
#include "http/h2/outgoing_body.h"
#include "http/message.h"

namespace sy::http::h2 {

struct ClientLimits {
  uint32_t stream_window = 1 << 20;      // response body a stream may have unread
  uint32_t connection_window = 8 << 20;  // all streams together
  uint32_t max_header_list_bytes = 60 * 1024;
  uint32_t max_header_fields = 100;
};

struct ClientStream {
  int32_t id = 0;
  ResponseHead head;  // final response head, valid once head_done
  bool head_done = false;
  HeaderMap trailers;

  std::string body_in;  // response body received, not yet taken
  bool body_end = false;
  std::size_t unconsumed = 0;

  OutgoingBody out;  // request body queued for DATA frames

  bool closed = false;
  uint32_t close_error = 0;
  bool refused = false;    // never processed by the upstream: safe to retry
  bool malformed = false;  // the response broke HTTP/2's message rules or our limits
  bool released = false;
  std::size_t header_bytes = 0;
  std::size_t header_fields = 0;
  void* io = nullptr;       // the forwarder's wake-up (woken on every event of this stream)
  void* body_io = nullptr;  // a second one: the request body pump of a full-duplex exchange

  std::size_t queued_out() const noexcept { return out.queued(); }
};

class ClientEvents {
 public:
  virtual ~ClientEvents() = default;
  virtual void stream_event(ClientStream& s) = 0;
};

class ClientSession {
 public:
  ClientSession(ClientEvents& events, const ClientLimits& limits);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  bool receive(std::string_view bytes);  // false: the connection is over
  bool send(std::string& out, std::size_t want);
  bool want_read() const;
  bool want_write() const;

  // Whether another stream may be opened now: no GOAWAY either way, and fewer streams open than
  // both the peer's SETTINGS_MAX_CONCURRENT_STREAMS and `local_cap`.
  bool can_open(uint32_t local_cap) const;
  // Opens a stream for `head` (its authority and path as the upstream should see them). nullptr
  // when nghttp2 refuses (ids exhausted, GOAWAY).
  ClientStream* open(const RequestHead& head, std::string_view scheme, bool has_body);
  void append_body(ClientStream& s, std::string_view data);
  void end_body(ClientStream& s, const HeaderMap* trailers);
  void consume(ClientStream& s, std::size_t n);
  void reset(ClientStream& s, uint32_t error_code);
  // The forwarder is done with the stream; an unfinished one is reset (CANCEL).
  void release(ClientStream& s);
  // Graceful GOAWAY from our side (idle close), and the end of the transport.
  void shutdown();
  // Sends a PING; pings_answered() counts the ACKs received.
  void ping();
  uint64_t pings_answered() const noexcept { return pings_answered_; }
  void abandon();

  std::size_t active() const noexcept { return streams_.size(); }
  bool goaway() const noexcept { return goaway_; }
  uint64_t opened() const noexcept { return opened_; }

 private:
  struct Callbacks;
  ClientStream* find(int32_t id);
  void erase_if_finished(ClientStream& s);
  void wake(ClientStream& s);

  ClientEvents& events_;
  ClientLimits limits_;
  nghttp2_session* session_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<ClientStream>> streams_;
  FieldScratch fields_;
  std::size_t connection_consume_ = 0;
  uint64_t opened_ = 0;
  bool goaway_ = false;
  uint64_t pings_answered_ = 0;
  bool closed_ = false;
};

}  // namespace sy::http::h2
