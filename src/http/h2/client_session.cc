#include "http/h2/client_session.h"

#include <algorithm>
#include <charconv>

namespace sy::http::h2 {

namespace {

std::string_view view(const uint8_t* p, size_t n) { return {reinterpret_cast<const char*>(p), n}; }

// The head is complete: how its body follows.
void settle_framing(ClientStream& s, bool end_stream) {
  ResponseHead& h = s.head;
  if (auto cl = h.headers.get("content-length")) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (ec == std::errc() && p == cl->data() + cl->size()) h.content_length = n;
  }
  h.framing = end_stream ? BodyFraming::None : h.content_length ? BodyFraming::ContentLength : BodyFraming::Stream;
  h.version = Version::Http2;
}

}  // namespace

struct ClientSession::Callbacks {
  static ClientSession& self(void* ud) { return *static_cast<ClientSession*>(ud); }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
    if (ClientStream* s = self(ud).find(frame->hd.stream_id)) s->header_bytes = s->header_fields = 0;
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                       const uint8_t* value, size_t valuelen, uint8_t, void* ud) {
    ClientSession& me = self(ud);
    ClientStream* s = me.find(frame->hd.stream_id);
    if (s == nullptr) return 0;
    s->header_bytes += namelen + valuelen + 32;
    if (++s->header_fields > me.limits_.max_header_fields || s->header_bytes > me.limits_.max_header_list_bytes) {
      s->malformed = true;
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets this stream only
    }
    const std::string_view n = view(name, namelen), v = view(value, valuelen);
    if (s->head_done) {
      s->trailers.add(n, v);
    } else if (n == ":status") {
      int status = 0;
      std::from_chars(v.data(), v.data() + v.size(), status);
      s->head.status = status;
    } else if (n.empty() || n[0] != ':') {
      s->head.headers.add(n, v);
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* ud) {
    ClientSession& me = self(ud);
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
      ++me.pings_answered_;
      return 0;
    }
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      me.goaway_ = true;  // nghttp2 closes the streams above its last id as REFUSED_STREAM
      return 0;
    }
    ClientStream* s = me.find(frame->hd.stream_id);
    if (s == nullptr) return 0;
    const bool end_stream = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (frame->hd.type == NGHTTP2_HEADERS) {
      if (!s->head_done) {
        if (s->head.informational()) {  // 100/103: wait for the final head
          s->head.reset();
          return 0;
        }
        s->head_done = true;
        settle_framing(*s, end_stream);
      }
      if (end_stream) s->body_end = true;
      me.wake(*s);
    } else if (frame->hd.type == NGHTTP2_DATA && end_stream) {
      s->body_end = true;
      me.wake(*s);
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len, void* ud) {
    ClientSession& me = self(ud);
    ClientStream* s = me.find(stream_id);
    if (s == nullptr || s->released) {
      me.connection_consume_ += len;
      if (s != nullptr && !s->closed) nghttp2_session_consume_stream(me.session_, stream_id, len);
      return 0;
    }
    s->body_in.append(reinterpret_cast<const char*>(data), len);
    s->unconsumed += len;
    me.wake(*s);
    return 0;
  }

  static int on_stream_close(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* ud) {
    ClientSession& me = self(ud);
    ClientStream* s = me.find(stream_id);
    if (s == nullptr) return 0;
    s->closed = true;
    s->close_error = error_code;
    if (error_code == NGHTTP2_REFUSED_STREAM && !s->head_done) s->refused = true;
    me.connection_consume_ += s->unconsumed;
    s->unconsumed = 0;
    me.wake(*s);
    me.erase_if_finished(*s);
    return 0;
  }

  static ssize_t read_body(nghttp2_session* session, int32_t stream_id, uint8_t* buf, size_t length,
                           uint32_t* data_flags, nghttp2_data_source* source, void* ud) {
    ClientSession& me = self(ud);
    ClientStream& s = *static_cast<ClientStream*>(source->ptr);
    const ssize_t n = s.out.read(session, stream_id, buf, length, data_flags, me.fields_);
    if (n > 0) me.wake(s);  // room for more request body
    return n;
  }
};

ClientSession::ClientSession(ClientEvents& events, const ClientLimits& limits) : events_(events), limits_(limits) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, &Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Callbacks::on_stream_close);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_session_client_new2(&session_, cb, this, opt);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits_.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits_.max_header_list_bytes},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<int32_t>(limits_.connection_window));
}

ClientSession::~ClientSession() { nghttp2_session_del(session_); }

ClientStream* ClientSession::find(int32_t id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second.get();
}

void ClientSession::wake(ClientStream& s) {
  if (s.io != nullptr || s.body_io != nullptr) events_.stream_event(s);
}

void ClientSession::erase_if_finished(ClientStream& s) {
  if (s.closed && s.released) streams_.erase(s.id);
}

bool ClientSession::receive(std::string_view bytes) {
  if (closed_) return false;
  const ssize_t n = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (connection_consume_ > 0) {
    nghttp2_session_consume_connection(session_, connection_consume_);
    connection_consume_ = 0;
  }
  if (n >= 0) return true;
  nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
  goaway_ = true;
  return false;
}

bool ClientSession::send(std::string& out, std::size_t want) {
  if (closed_) return true;
  while (out.size() < want) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  return true;
}

bool ClientSession::want_read() const { return !closed_ && nghttp2_session_want_read(session_) != 0; }
bool ClientSession::want_write() const { return !closed_ && nghttp2_session_want_write(session_) != 0; }

bool ClientSession::can_open(uint32_t local_cap) const {
  if (closed_ || goaway_) return false;
  const uint32_t peer = nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  return streams_.size() < std::min(peer, local_cap);
}

ClientStream* ClientSession::open(const RequestHead& head, std::string_view scheme, bool has_body) {
  if (closed_ || goaway_) return nullptr;
  auto s = std::make_unique<ClientStream>();
  request_fields(head, scheme, fields_);
  nghttp2_data_provider provider;
  provider.source.ptr = s.get();
  provider.read_callback = &Callbacks::read_body;
  const int32_t id = nghttp2_submit_request(session_, nullptr, fields_.nv.data(), fields_.nv.size(),
                                            has_body ? &provider : nullptr, nullptr);
  if (id < 0) return nullptr;
  s->id = id;
  s->out.end = !has_body;
  ++opened_;
  ClientStream* raw = s.get();
  streams_.emplace(id, std::move(s));
  return raw;
}

void ClientSession::append_body(ClientStream& s, std::string_view data) {
  if (s.closed) return;
  if (s.out.append(data)) nghttp2_session_resume_data(session_, s.id);
}

void ClientSession::end_body(ClientStream& s, const HeaderMap* trailers) {
  if (s.closed) return;
  if (s.out.finish(trailers)) nghttp2_session_resume_data(session_, s.id);
}

void ClientSession::consume(ClientStream& s, std::size_t n) {
  n = std::min(n, s.unconsumed);
  if (n == 0) return;
  s.unconsumed -= n;
  if (!s.closed) nghttp2_session_consume(session_, s.id, n);
}

void ClientSession::reset(ClientStream& s, uint32_t error_code) {
  if (s.closed || closed_) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, error_code);
}

void ClientSession::release(ClientStream& s) {
  s.released = true;
  s.io = s.body_io = nullptr;
  consume(s, s.unconsumed);
  if (!s.closed && !(s.body_end && s.out.end)) reset(s, NGHTTP2_CANCEL);
  erase_if_finished(s);
}

void ClientSession::shutdown() {
  if (closed_) return;
  goaway_ = true;
  nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
}

void ClientSession::ping() {
  if (!closed_) nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
}

void ClientSession::abandon() {
  closed_ = true;
  goaway_ = true;
  std::vector<ClientStream*> live;
  for (auto& [id, s] : streams_) live.push_back(s.get());
  for (ClientStream* s : live) {
    if (!s->closed) {
      s->closed = true;
      if (s->close_error == 0) s->close_error = NGHTTP2_CANCEL;
    }
    wake(*s);
    erase_if_finished(*s);
  }
}

}  // namespace sy::http::h2
