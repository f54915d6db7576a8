#include "http/h2/server_session.h"

#include "http/h2/fields.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>

namespace sy::http::h2 {

std::string_view to_string(Violation v) noexcept {
  switch (v) {
    case Violation::kNone:
      return "none";
    case Violation::kProtocol:
      return "protocol error";
    case Violation::kHeaderListTooLarge:
      return "header list too large";
    case Violation::kTooManyHeaders:
      return "too many header fields";
    case Violation::kContinuationFlood:
      return "CONTINUATION flood";
    case Violation::kEmptyFrameFlood:
      return "empty frame flood";
    case Violation::kPriorityFlood:
      return "PRIORITY flood";
    case Violation::kWindowUpdateFlood:
      return "WINDOW_UPDATE flood";
    case Violation::kRapidReset:
      return "too many premature stream resets";
    case Violation::kTooManyStreams:
      return "too many streams still running after reset";
    case Violation::kOutboundFlood:
      return "outbound frame flood";
  }
  return "unknown";
}

namespace {

std::string_view view(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

}  // namespace

// nghttp2's C callbacks, forwarded to the session (user_data).
struct ServerSession::Callbacks {
  static ServerSession& self(void* ud) { return *static_cast<ServerSession*>(ud); }

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* ud) {
    return self(ud).check_frame_budget(hd->type, hd->length, hd->flags) ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
    ServerSession& me = self(ud);
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      // Streams the client reset whose flows still run count too: they hold upstream work.
      if (me.streams_.size() >= 2 * static_cast<size_t>(me.limits_.max_concurrent_streams))
        return me.fail(Violation::kTooManyStreams) ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
      auto s = me.new_stream();
      s->id = frame->hd.stream_id;
      s->opened = std::chrono::steady_clock::now();
      s->head.version = Version::Http2;
      me.streams_.emplace(s->id, std::move(s));
      ++me.opened_;
      ++me.incomplete_heads_;
      return 0;
    }
    if (Stream* s = me.find(frame->hd.stream_id)) {  // trailers
      s->receiving_trailers = true;
      s->header_bytes = s->header_fields = 0;
    }
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* ud) {
    ServerSession& me = self(ud);
    Stream* s = me.find(frame->hd.stream_id);
    if (s == nullptr) return 0;
    s->header_bytes += namelen + valuelen + 32;
    if (++s->header_fields > me.limits_.max_header_fields)
      return me.fail(Violation::kTooManyHeaders) ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
    if (s->header_bytes > me.limits_.max_header_list_bytes)
      return me.fail(Violation::kHeaderListTooLarge) ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
    const std::string_view n = view(name, namelen), v = view(value, valuelen);
    if (s->receiving_trailers) {
      s->trailers.add(n, v);
      return 0;
    }
    RequestHead& h = s->head;
    if (n.empty() || n[0] != ':') {
      h.headers.add(n, v);
    } else if (n == ":method") {
      h.method_name = h.headers.intern(v);
    } else if (n == ":path") {
      h.path = h.headers.intern(v);
    } else if (n == ":authority") {
      h.authority = h.headers.intern(v);
    } else if (n == ":scheme") {
      h.scheme = h.headers.intern(v);
    }  // nghttp2 refuses any other pseudo-header
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
    ServerSession& me = self(ud);
    Stream* s = me.find(frame->hd.stream_id);
    if (s == nullptr) return 0;
    const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS:
        if (end_stream) s->body_end = true;
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
          me.finish_request_head(*s);
        } else if (s->dispatched && s->io != nullptr) {
          me.events_.stream_event(*s);
        }
        break;
      case NGHTTP2_DATA:
        if (end_stream) {
          s->body_end = true;
          if (s->io != nullptr) me.events_.stream_event(*s);
        }
        break;
      case NGHTTP2_RST_STREAM:
        me.on_rst_received(*s);
        break;
      default:
        break;
    }
    return me.violation_ == Violation::kNone ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE;
  }

  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len, void* ud) {
    ServerSession& me = self(ud);
    Stream* s = me.find(stream_id);
    if (s == nullptr || s->released) {  // nobody will read it: give the window back at once
      me.connection_consume_ += len;
      if (s != nullptr && !s->closed) nghttp2_session_consume_stream(me.session_, stream_id, len);
      return 0;
    }
    s->body_in.append(reinterpret_cast<const char*>(data), len);
    s->unconsumed += len;
    if (s->io != nullptr) me.events_.stream_event(*s);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* ud) {
    ServerSession& me = self(ud);
    Stream* s = me.find(stream_id);
    if (s == nullptr) return 0;
    s->closed = true;
    s->close_error = error_code;
    me.connection_consume_ += s->unconsumed;
    s->unconsumed = 0;
    if (s->io != nullptr) me.events_.stream_event(*s);
    me.erase_if_finished(*s);
    return 0;
  }

  static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void* ud) {
    ServerSession& me = self(ud);
    if (frame->hd.type == NGHTTP2_DATA) ++me.data_frames_sent_;
    if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
    if (frame->hd.type != NGHTTP2_DATA && frame->hd.type != NGHTTP2_HEADERS) return 0;
    Stream* s = me.find(frame->hd.stream_id);
    if (s == nullptr) return 0;
    s->response_done = true;
    // The response is complete but the client is still sending a body nobody will read:
    // RFC 9113 section 8.1 lets the server stop it with RST_STREAM(NO_ERROR).
    if (s->released && !s->body_end && !s->closed)
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_NO_ERROR);
    return 0;
  }

  static ssize_t read_body(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source* source, void* ud) {
    ServerSession& me = self(ud);
    Stream& s = *static_cast<Stream*>(source->ptr);
    const ssize_t n = s.out.read(session, stream_id, buf, length, data_flags, me.fields_);
    if (n > 0 && s.io != nullptr) me.events_.stream_event(s);  // room for more body
    return n;
  }
};

ServerSession::ServerSession(SessionEvents& events, const Limits& limits) : events_(events), limits_(limits) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_frame_callback(cb, &Callbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, &Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, &Callbacks::on_frame_send);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  // Windows are given back as the request flows read (consume()), not as bytes arrive.
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_max_outbound_ack(opt, 1000);
  nghttp2_option_set_max_settings(opt, 32);
  nghttp2_option_set_stream_reset_rate_limit(opt, 1000, 33);
  // A header block of max_header_list_bytes in frames of 16 KiB needs 4; clients that cut
  // blocks smaller still fit, the byte limit below stops the rest.
  nghttp2_option_set_max_continuations(opt, 64);
  nghttp2_session_server_new2(&session_, cb, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);

  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits_.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits_.max_header_list_bytes},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<int32_t>(limits_.connection_window));
}

ServerSession::~ServerSession() { nghttp2_session_del(session_); }

Stream* ServerSession::find(int32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void ServerSession::erase_if_finished(Stream& s) {
  if (!s.closed || (!s.released && s.dispatched)) return;
  if (!s.dispatched) --incomplete_heads_;  // reset (or refused) before its head ended
  auto it = streams_.find(s.id);
  recycle(std::move(it->second));
  streams_.erase(it);
}

std::unique_ptr<Stream> ServerSession::new_stream() {
  if (spare_.empty()) return std::make_unique<Stream>();
  std::unique_ptr<Stream> s = std::move(spare_.back());
  spare_.pop_back();
  return s;
}

void ServerSession::recycle(std::unique_ptr<Stream> s) {
  if (spare_.size() >= kSpareStreams) return;
  HeaderMap headers = std::move(s->head.headers);
  headers.clear();
  *s = Stream{};  // every field back to its default; only the header map's buffers carry over
  s->head.headers = std::move(headers);
  spare_.push_back(std::move(s));
}

std::optional<std::chrono::steady_clock::time_point> ServerSession::oldest_incomplete_head() const {
  if (incomplete_heads_ == 0) return std::nullopt;
  std::optional<std::chrono::steady_clock::time_point> oldest;
  for (const auto& [id, s] : streams_)
    if (!s->dispatched && (!oldest || s->opened < *oldest)) oldest = s->opened;
  return oldest;
}

bool ServerSession::fail(Violation v) {
  if (violation_ == Violation::kNone) violation_ = v;
  return false;
}

bool ServerSession::check_frame_budget(uint8_t type, std::size_t length, uint8_t flags) {
  switch (type) {
    case NGHTTP2_DATA:
    case NGHTTP2_HEADERS:
    case NGHTTP2_CONTINUATION:
      if (length == 0 && (flags & NGHTTP2_FLAG_END_STREAM) == 0) {
        if (++empty_frames_in_a_row_ > limits_.max_consecutive_empty_frames) return fail(Violation::kEmptyFrameFlood);
      } else {
        empty_frames_in_a_row_ = 0;
      }
      if (type == NGHTTP2_HEADERS) header_block_bytes_ = length;
      if (type == NGHTTP2_CONTINUATION) {
        header_block_bytes_ += length;
        // HPACK never needs more encoded bytes than the decoded list it may produce, plus
        // a little per field; twice the limit is a block no accepted request can have.
        if (header_block_bytes_ > 2 * static_cast<size_t>(limits_.max_header_list_bytes))
          return fail(Violation::kContinuationFlood);
      }
      return true;
    case NGHTTP2_PRIORITY:
      if (++priority_frames_ > limits_.priority_frames_per_stream * (1 + opened_))
        return fail(Violation::kPriorityFlood);
      return true;
    case NGHTTP2_WINDOW_UPDATE:
      if (++window_update_frames_ > 5 + 2 * (opened_ + limits_.window_updates_per_data_frame * data_frames_sent_))
        return fail(Violation::kWindowUpdateFlood);
      return true;
    default:
      return true;
  }
}

void ServerSession::on_rst_received(Stream& s) {
  const auto age = std::chrono::steady_clock::now() - s.opened;
  if (!s.response_done && age < limits_.premature_reset_window) ++premature_resets_;
  if (opened_ >= limits_.premature_reset_min_streams && premature_resets_ * 2 > opened_) fail(Violation::kRapidReset);
}

void ServerSession::finish_request_head(Stream& s) {
  RequestHead& h = s.head;
  h.method = method_from_string(h.method_name);
  h.target = h.method == Method::Connect ? h.authority : h.path;
  h.target_form = h.method == Method::Connect ? TargetForm::Authority
                  : h.path == "*"             ? TargetForm::Asterisk
                                              : TargetForm::Origin;
  if (h.authority.empty()) {
    if (auto host = h.headers.get("host")) h.authority = *host;
  }
  // HTTP/2 may split Cookie into one field per crumb; an HTTP/1 upstream needs them joined
  // with "; " (RFC 9113 section 8.2.3).
  if (h.headers.count("cookie") > 1) {
    std::string joined;
    for (std::string_view crumb : h.headers.values("cookie")) {
      if (!joined.empty()) joined += "; ";
      joined += crumb;
    }
    h.headers.set("cookie", joined);
  }
  if (auto cl = h.headers.get("content-length")) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (ec == std::errc() && p == cl->data() + cl->size()) h.content_length = n;
  }
  h.framing = s.body_end ? BodyFraming::None : h.content_length ? BodyFraming::ContentLength : BodyFraming::Stream;
  h.keep_alive = true;
  if (auto expect = h.headers.get("expect")) h.expect_continue = iequals(*expect, "100-continue");
  --incomplete_heads_;
  s.dispatched = true;
  new_requests_.push_back(&s);
}

bool ServerSession::receive(std::string_view bytes) {
  if (closed_) return false;
  const ssize_t n = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (connection_consume_ > 0) {
    nghttp2_session_consume_connection(session_, connection_consume_);
    connection_consume_ = 0;
  }
  if (n >= 0 && violation_ == Violation::kNone) return true;
  if (n == NGHTTP2_ERR_FLOODED) {
    fail(Violation::kOutboundFlood);  // nothing more is sent to a client that does not read
    abandon();
    return false;
  }
  if (violation_ != Violation::kNone) {
    terminate(NGHTTP2_ENHANCE_YOUR_CALM);
  } else {
    fail(Violation::kProtocol);
    terminate(NGHTTP2_PROTOCOL_ERROR);  // no effect when nghttp2 already queued its own GOAWAY
  }
  return false;
}

std::vector<Stream*> ServerSession::take_requests() {
  std::vector<Stream*> out;
  out.swap(new_requests_);
  return out;
}

bool ServerSession::send(std::string& out, std::size_t want) {
  if (violation_ == Violation::kOutboundFlood) return true;
  while (out.size() < want) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  return true;
}

bool ServerSession::want_read() const { return !closed_ && nghttp2_session_want_read(session_) != 0; }
bool ServerSession::want_write() const {
  return violation_ != Violation::kOutboundFlood && nghttp2_session_want_write(session_) != 0;
}

void ServerSession::consume(Stream& s, std::size_t n) {
  n = std::min(n, s.unconsumed);
  if (n == 0) return;
  s.unconsumed -= n;
  if (!s.closed) nghttp2_session_consume(session_, s.id, n);
}

void ServerSession::interim(Stream& s, int status) {
  if (s.closed || s.responded) return;
  ResponseHead head;
  head.status = status;
  response_fields(head, fields_);
  nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, s.id, nullptr, fields_.nv.data(), fields_.nv.size(), nullptr);
}

void ServerSession::respond(Stream& s, const ResponseHead& head, bool has_body) {
  if (s.closed || s.responded) return;
  s.responded = true;
  response_fields(head, fields_);
  if (!has_body) {
    s.out.end = true;
    nghttp2_submit_response(session_, s.id, fields_.nv.data(), fields_.nv.size(), nullptr);
    return;
  }
  nghttp2_data_provider provider;
  provider.source.ptr = &s;
  provider.read_callback = &Callbacks::read_body;
  nghttp2_submit_response(session_, s.id, fields_.nv.data(), fields_.nv.size(), &provider);
}

void ServerSession::append_body(Stream& s, std::string_view data) {
  if (s.closed) return;
  if (s.out.append(data)) nghttp2_session_resume_data(session_, s.id);
}

void ServerSession::end_body(Stream& s, const HeaderMap* trailers) {
  if (s.closed) return;
  if (s.out.finish(trailers)) nghttp2_session_resume_data(session_, s.id);
}

void ServerSession::reset(Stream& s, uint32_t error_code) {
  if (s.closed) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, error_code);
}

void ServerSession::release(Stream& s) {
  s.released = true;
  s.io = nullptr;
  consume(s, s.unconsumed);
  if (!s.closed) {
    if (!s.responded || !s.out.end) {
      reset(s, NGHTTP2_INTERNAL_ERROR);  // the flow ended without a whole response
    } else if (s.response_done && !s.body_end) {
      reset(s, NGHTTP2_NO_ERROR);  // see on_frame_send
    }
  }
  erase_if_finished(s);
}

void ServerSession::shutdown() {
  if (closed_) return;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
}

void ServerSession::terminate(uint32_t error_code) { nghttp2_session_terminate_session(session_, error_code); }

void ServerSession::abandon() {
  closed_ = true;
  std::vector<Stream*> live;
  for (auto& [id, s] : streams_) live.push_back(s.get());
  for (Stream* s : live) {
    s->closed = true;
    if (s->close_error == 0) s->close_error = NGHTTP2_CANCEL;
    if (s->io != nullptr) events_.stream_event(*s);
    erase_if_finished(*s);
  }
}

}  // namespace sy::http::h2
