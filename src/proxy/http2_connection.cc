#include "proxy/http2_connection.h"

#include <nghttp2/nghttp2.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "http/h2/server_session.h"
#include "net/wake_signal.h"
#include "proxy/deadline_watch.h"
#include "proxy/downstream.h"
#include "proxy/request_flow.h"

namespace sy::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using TlsStream = asio::ssl::stream<tcp::socket>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Bytes of one socket read, and what the writer gathers from the session before one write.
constexpr size_t kReadSize = 16 * 1024;
constexpr size_t kWriteBatch = 64 * 1024;
// A flow writing a response body waits while more than this is queued and not yet framed (the
// client's window is shut, or the socket is slow): the upstream is read no faster than the
// client reads.
constexpr size_t kResponseHighWater = 64 * 1024;

tcp::socket& tcp_of(tcp::socket& s) { return s; }
tcp::socket& tcp_of(TlsStream& s) { return s.next_layer(); }
const tcp::socket& tcp_of(const tcp::socket& s) { return s; }
const tcp::socket& tcp_of(const TlsStream& s) { return s.next_layer(); }

http::h2::Limits limits_from(const ProxyOptions& options) {
  http::h2::Limits limits;
  limits.max_concurrent_streams = options.h2_max_concurrent_streams;
  limits.max_header_fields = options.request_limits.max_fields;
  limits.max_header_list_bytes = options.request_limits.max_head_bytes;
  return limits;
}

template <class Transport>
class Http2Connection;

// One stream's side of the request flow: the Downstream for its request and response.
template <class Transport>
class StreamDownstream final : public Downstream {
 public:
  StreamDownstream(Http2Connection<Transport>& conn, http::h2::Stream& stream)
      : conn_(conn), s_(stream), read_wake_(conn.io()), write_wake_(conn.io()) {
    s_.io = this;
  }
  // The body reader and the response writer may wait at once (full duplex): each has its own.
  void wake() {
    read_wake_.notify();
    write_wake_.notify();
  }

  asio::awaitable<BodyPiece> read_body() override;
  bool body_complete() const override { return s_.body_end && s_.body_in.empty(); }
  const http::HeaderMap& request_trailers() const override { return s_.trailers; }
  asio::awaitable<bool> write_head(http::ResponseHead& head) override;
  asio::awaitable<bool> write_body(std::string_view data) override;
  asio::awaitable<bool> end_body(const http::HeaderMap* trailers) override;
  asio::awaitable<bool> flush() override { co_return !gone(); }
  bool head_sent() const override { return head_sent_; }
  TunnelTransport tunnel_transport(std::string&) override { return {}; }
  const tcp::endpoint& peer() const override;
  tcp::endpoint local() const override { return conn_.local(); }
  bool peer_closed() override { return gone(); }
  std::string_view forwarded_client_cert() const override;
  void close_after_response() override {}  // one stream's trouble never closes its connection
  bool full_duplex() const override { return true; }
  void cancel_read() override {
    read_cancelled_ = true;
    read_wake_.notify();
  }

 private:
  bool gone() const;
  Clock::time_point idle_deadline() const;

  Http2Connection<Transport>& conn_;
  http::h2::Stream& s_;
  net::WakeSignal read_wake_;
  net::WakeSignal write_wake_;
  bool read_cancelled_ = false;
  std::string reading_;  // the body piece last handed out (BodyPiece::data views it)
  bool continue_sent_ = false;
  bool head_sent_ = false;
};

template <class Transport>
class Http2Connection final : public http::h2::SessionEvents {
 public:
  Http2Connection(WorkerContext& ctx, ListenerBinding binding, Transport transport, std::string client_cert)
      : ctx_(ctx),
        binding_(std::move(binding)),
        transport_(std::move(transport)),
        read_deadline_(ctx.io(), tcp_of(transport_)),
        write_deadline_(ctx.io(), tcp_of(transport_)),
        client_cert_(std::move(client_cert)),
        session_(*this, limits_from(ctx.options())),
        writer_wake_(ctx.io()),
        quiet_(ctx.io()) {
    boost::system::error_code ec;
    peer_ = tcp_of(transport_).remote_endpoint(ec);
  }

  asio::awaitable<void> run(std::string preread);

  // For the streams.
  asio::io_context& io() { return ctx_.io(); }
  const ProxyOptions& options() const { return ctx_.options(); }
  http::h2::ServerSession& session() { return session_; }
  bool dead() const { return dead_; }
  const tcp::endpoint& peer() const { return peer_; }
  tcp::endpoint local() const {
    boost::system::error_code ec;
    return tcp_of(transport_).local_endpoint(ec);
  }
  std::string_view client_cert() const { return client_cert_; }
  void kick_writer() { writer_wake_.notify(); }
  void begin_shutdown();

  void stream_event(http::h2::Stream& s) override { static_cast<StreamDownstream<Transport>*>(s.io)->wake(); }

 private:
  asio::awaitable<void> read_loop(std::string preread);
  asio::awaitable<void> write_loop();
  asio::awaitable<void> serve_stream(http::h2::Stream& s);
  void dispatch_requests();
  bool feed(std::string_view bytes);
  void close_transport();

  WorkerContext& ctx_;
  ListenerBinding binding_;
  Transport transport_;
  DeadlineWatch read_deadline_;
  DeadlineWatch write_deadline_;
  tcp::endpoint peer_;
  std::string client_cert_;
  http::h2::ServerSession session_;
  net::WakeSignal writer_wake_;
  net::WakeSignal quiet_;  // the writer ended, or the last flow did
  size_t flows_ = 0;
  bool writer_running_ = false;
  bool reading_done_ = false;
  bool dead_ = false;  // the transport failed or the connection is over: no more frames
  bool shutdown_ = false;
};

// --- StreamDownstream -----------------------------------------------------------------------

template <class Transport>
bool StreamDownstream<Transport>::gone() const {
  return s_.closed || conn_.dead();
}

template <class Transport>
Clock::time_point StreamDownstream<Transport>::idle_deadline() const {
  return Clock::now() + conn_.options().stream_idle;
}

template <class Transport>
const tcp::endpoint& StreamDownstream<Transport>::peer() const {
  return conn_.peer();
}

template <class Transport>
std::string_view StreamDownstream<Transport>::forwarded_client_cert() const {
  return conn_.client_cert();
}

template <class Transport>
asio::awaitable<BodyPiece> StreamDownstream<Transport>::read_body() {
  if (!reading_.empty()) {  // the last piece is done with: the client may send as much again
    conn_.session().consume(s_, reading_.size());
    reading_.clear();
    conn_.kick_writer();
  }
  if (s_.head.expect_continue && !continue_sent_ && !s_.body_end) {
    continue_sent_ = true;
    conn_.session().interim(s_, 100);
    conn_.kick_writer();
  }
  bool woken = true;  // false: the client sent nothing for the stream idle timeout
  while (woken && !read_cancelled_ && s_.body_in.empty() && !s_.body_end && !gone())
    woken = co_await read_wake_.wait(idle_deadline());
  BodyPiece piece;
  if (read_cancelled_) {
    piece.error = true;
  } else if (!s_.body_in.empty()) {
    reading_.swap(s_.body_in);
    piece.data = reading_;
    piece.end = s_.body_end;
  } else {
    piece.end = s_.body_end;
    piece.error = !piece.end;
  }
  co_return piece;
}

template <class Transport>
asio::awaitable<bool> StreamDownstream<Transport>::write_head(http::ResponseHead& head) {
  if (gone()) co_return false;
  if (head.informational()) {
    if (head.status == 100 && continue_sent_) co_return true;
    if (head.status != 101) conn_.session().interim(s_, head.status);
    conn_.kick_writer();
    co_return true;
  }
  const bool has_body = head.framing != http::BodyFraming::None && s_.head.method != http::Method::Head;
  conn_.session().respond(s_, head, has_body);
  head_sent_ = true;
  conn_.kick_writer();
  co_return !gone();
}

template <class Transport>
asio::awaitable<bool> StreamDownstream<Transport>::write_body(std::string_view data) {
  bool ok = !gone();
  if (ok && !data.empty() && s_.head.method != http::Method::Head) {
    conn_.session().append_body(s_, data);
    conn_.kick_writer();
    // Back-pressure: wait while the client has not taken what is queued (false: it went silent).
    while (ok && s_.queued_out() > kResponseHighWater && !gone()) ok = co_await write_wake_.wait(idle_deadline());
  }
  co_return ok && !gone();
}

template <class Transport>
asio::awaitable<bool> StreamDownstream<Transport>::end_body(const http::HeaderMap* trailers) {
  if (gone()) co_return false;
  conn_.session().end_body(s_, trailers);
  conn_.kick_writer();
  co_return true;
}

// --- Http2Connection ------------------------------------------------------------------------

template <class Transport>
void Http2Connection<Transport>::close_transport() {
  boost::system::error_code ignored;
  tcp_of(transport_).shutdown(tcp::socket::shutdown_both, ignored);
  tcp_of(transport_).cancel(ignored);
}

template <class Transport>
void Http2Connection<Transport>::begin_shutdown() {
  if (shutdown_ || dead_) return;
  shutdown_ = true;
  session_.shutdown();
  kick_writer();
}

template <class Transport>
bool Http2Connection<Transport>::feed(std::string_view bytes) {
  const bool ok = session_.receive(bytes);
  if (!ok && session_.violation() != http::h2::Violation::kProtocol)
    spdlog::info("HTTP/2 connection from {} closed: {}", peer_.address().to_string(),
                 http::h2::to_string(session_.violation()));
  dispatch_requests();
  kick_writer();
  return ok;
}

template <class Transport>
void Http2Connection<Transport>::dispatch_requests() {
  for (http::h2::Stream* s : session_.take_requests()) {
    ++flows_;
    // Started from the event loop, not from inside the read coroutine: co_spawn dispatches, so
    // it would run the flow inline, nested in this coroutine's frame. (A dispatched stream
    // stays in the session until release(), so `s` is still there when the post runs.)
    asio::post(ctx_.io(), [this, s] {
      asio::co_spawn(ctx_.io(), serve_stream(*s), [this](std::exception_ptr e) {
        if (--flows_ == 0) quiet_.notify();
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::error("HTTP/2 stream aborted: {}", ex.what());
        }
      });
    });
  }
}

template <class Transport>
asio::awaitable<void> Http2Connection<Transport>::serve_stream(http::h2::Stream& s) {
  {
    StreamDownstream<Transport> down(*this, s);
    if (!s.closed && !dead_) co_await handle_request(ctx_, binding_, s.head, down);
    session_.release(s);  // `s` may be gone from here on
  }
  kick_writer();
  if (ctx_.draining()) begin_shutdown();
}

template <class Transport>
asio::awaitable<void> Http2Connection<Transport>::write_loop() {
  std::string out;
  for (;;) {
    out.clear();
    if (!dead_ && !session_.send(out, kWriteBatch)) {
      dead_ = true;
      close_transport();
    }
    if (dead_) break;
    if (out.empty()) {
      if (reading_done_) break;  // everything the session had is written
      co_await writer_wake_.wait();
      continue;
    }
    // A client that stops reading holds nothing for longer than the stream idle timeout.
    write_deadline_.start(Clock::now() + ctx_.options().stream_idle);
    auto [ec, n] = co_await asio::async_write(transport_, asio::buffer(out), kTuple);
    write_deadline_.stop();
    if (ec) {
      dead_ = true;
      close_transport();
      break;
    }
  }
}

template <class Transport>
asio::awaitable<void> Http2Connection<Transport>::read_loop(std::string preread) {
  if (!feed(preread)) co_return;
  std::string buf(kReadSize, '\0');
  while (!dead_ && (session_.want_read() || session_.want_write())) {
    if (!session_.want_read()) {  // GOAWAY went out and nothing is open: the writer finishes
      co_return;
    }
    // Without open streams the connection is idle; with some, their flows keep their own time,
    // except a request head still arriving, which has the header-read timeout from its start.
    const bool idle = session_.streams() == 0;
    auto deadline = idle ? Clock::now() + ctx_.options().idle : Clock::time_point::max();
    if (auto started = session_.oldest_incomplete_head())
      deadline = std::min(deadline, *started + ctx_.options().header_read);
    read_deadline_.start(deadline);
    auto [ec, n] = co_await transport_.async_read_some(asio::buffer(buf), kTuple);
    read_deadline_.stop();
    if (ec) {
      if (read_deadline_.expired() && !dead_) {
        if (session_.oldest_incomplete_head()) {
          spdlog::info("HTTP/2 connection from {} closed: request head not complete within the header timeout",
                       peer_.address().to_string());
          session_.terminate(NGHTTP2_NO_ERROR);
        } else {
          session_.shutdown();  // idle timeout: say goodbye properly
        }
        co_return;
      }
      dead_ = true;
      co_return;
    }
    if (!feed(std::string_view(buf.data(), n))) co_return;
  }
}

template <class Transport>
asio::awaitable<void> Http2Connection<Transport>::run(std::string preread) {
  writer_running_ = true;
  asio::co_spawn(ctx_.io(), write_loop(), [this](std::exception_ptr) {
    writer_running_ = false;
    quiet_.notify();
  });
  co_await read_loop(std::move(preread));
  reading_done_ = true;
  kick_writer();
  while (writer_running_) co_await quiet_.wait();
  // No frame leaves any more: the flows still running see their streams closed and end.
  dead_ = true;
  session_.abandon();
  close_transport();
  while (flows_ > 0) co_await quiet_.wait();
}

}  // namespace

asio::awaitable<void> serve_http2(WorkerContext& ctx, ListenerBinding binding, tcp::socket socket,
                                  std::string preread) {
  Http2Connection<tcp::socket> conn(ctx, std::move(binding), std::move(socket), {});
  co_await conn.run(std::move(preread));
}

asio::awaitable<void> serve_http2(WorkerContext& ctx, ListenerBinding binding, TlsStream stream,
                                  std::string client_cert) {
  Http2Connection<TlsStream> conn(ctx, std::move(binding), std::move(stream), std::move(client_cert));
  co_await conn.run({});
}

}  // namespace sy::proxy
