#include "proxy/http1_connection.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <optional>
#include <vector>

#include "http/hop_by_hop.h"
#include "http/http1/request_parser.h"
#include "http/http1/serializer.h"
#include "proxy/connection_memory.h"
#include "proxy/deadline_watch.h"
#include "proxy/downstream.h"
#include "proxy/http2_connection.h"
#include "proxy/request_flow.h"
#include "proxy/response_flags.h"
#include "tls/client_certificate.h"

namespace sy::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Read buffer sizes: 4 KiB to start (ConnectionMemory), grown on demand up to the largest head
// the parser accepts plus a chunk line.
constexpr size_t kInitialBuffer = ConnectionMemory::kInitialBuffer;
constexpr size_t kMaxBuffer = 64 * 1024 + 8 * 1024;
// While a request body streams in, reads use a buffer this large (4 KiB reads made a 1 GiB upload
// ten times slower than the download); it shrinks back once the request is done.
constexpr size_t kBodyBuffer = 64 * 1024;
// A request body the flow did not consume is drained up to this much to keep the connection;
// beyond it, closing is cheaper than reading.
constexpr uint64_t kMaxDrain = 256 * 1024;
// A keep-alive connection without a request for this long parks: it returns its buffer and
// parser (about 10 KiB) to the worker and waits for the next request (ParkedConnections).
// Unparking costs one extra system call and a new coroutine, so a connection busier than this
// never pays it. At 100 ms, a burst of 10,000 new clients had over a thousand of them holding
// that memory at once, and the heap stayed fragmented afterwards: 2.1 KB (epoll) and 2.8 KB
// (io_uring) of RSS per idle connection, against 0.8 and 1.1 KB at 10 ms (docs/performance.md).
constexpr auto kParkAfter = std::chrono::milliseconds(10);

// What a coroutine hands over when its connection parks, or when the client turned out to
// speak HTTP/2 (h2c with prior knowledge: `h2` is set and `preread` holds the bytes read).
struct Park {
  tcp::socket socket;
  ListenerBinding binding;
  std::chrono::steady_clock::time_point idle_deadline;
  bool h2 = false;
  std::string preread;
  bool fresh = false;  // no request read yet: the client may still open with the HTTP/2 preface
};

using TlsStream = asio::ssl::stream<tcp::socket>;

tcp::socket& tcp_of(tcp::socket& s) { return s; }
tcp::socket& tcp_of(TlsStream& s) { return s.next_layer(); }
const tcp::socket& tcp_of(const tcp::socket& s) { return s; }
const tcp::socket& tcp_of(const TlsStream& s) { return s.next_layer(); }

// `Stream` is the client transport: a plain tcp::socket or a TLS stream over one. Plain
// connections park between requests; TLS ones keep their coroutine (the TLS state lives in it).
template <class Stream>
class Http1Connection final : public Downstream {
 public:
  static constexpr bool kPlain = std::is_same_v<Stream, tcp::socket>;

  // `fresh`: no request was read on this connection yet, so it may still be an HTTP/2 one.
  Http1Connection(WorkerContext& ctx, ListenerBinding binding, Stream stream, std::string client_cert = {},
                  bool fresh = false)
      : fresh_(fresh),
        ctx_(ctx),
        binding_(std::move(binding)),
        socket_(std::move(stream)),
        deadline_(ctx.io(), tcp_of(socket_)),
        mem_(ctx.connection_memory().take(ctx.options().request_limits)),
        client_cert_(std::move(client_cert)) {
    boost::system::error_code ec;
    peer_ = tcp_of(socket_).remote_endpoint(ec);
  }

  // Serves requests until the connection closes (nullopt) or parks.
  asio::awaitable<std::optional<Park>> run();

  // Downstream
  asio::awaitable<BodyPiece> read_body() override;
  bool body_complete() const override { return body_done_; }
  const http::HeaderMap& request_trailers() const override { return mem_->parser.trailers(); }
  asio::awaitable<bool> write_head(http::ResponseHead& head) override;
  asio::awaitable<bool> write_body(std::string_view data) override;
  asio::awaitable<bool> end_body(const http::HeaderMap* trailers) override;
  asio::awaitable<bool> flush() override;
  bool head_sent() const override { return head_sent_; }
  TunnelTransport tunnel_transport(std::string& pending) override;
  const tcp::endpoint& peer() const override { return peer_; }
  tcp::endpoint local() const override {
    boost::system::error_code ec;
    return tcp_of(socket_).local_endpoint(ec);
  }
  bool peer_closed() override;
  std::string_view forwarded_client_cert() const override { return client_cert_; }
  void close_after_response() override { close_ = true; }

 private:
  std::string_view unread() const { return {mem_->buf.data() + begin_, end_ - begin_}; }
  // Reads more bytes after the unread ones. Returns 0 on EOF, error or timeout.
  asio::awaitable<size_t> fill(std::chrono::steady_clock::time_point deadline);
  // Between requests, nothing unread: waits for the next request's first bytes until kParkAfter.
  enum class Next { kReady, kClose, kPark };
  asio::awaitable<Next> await_next_request();
  // One gather write. A final response head waiting in out_ (see write_head) goes first.
  asio::awaitable<bool> write_all(std::string_view a, std::string_view b = {}, std::string_view c = {});
  asio::awaitable<void> reject(http::h1::ParseError error);
  // Whether the client asked for trailers (`TE: trailers`), which an HTTP/1.1 client must.
  bool client_accepts_trailers() const;
  // On a fresh plaintext connection: whether the unread bytes are (the start of) the HTTP/2
  // preface. kMore: a proper prefix of it so far.
  enum class Preface { kNo, kYes, kMore };
  Preface h2_preface() const;

  bool fresh_;
  WorkerContext& ctx_;
  ListenerBinding binding_;
  Stream socket_;
  DeadlineWatch deadline_;
  tcp::endpoint peer_;
  FreeList<ConnectionMemory>::Lease mem_;
  std::string client_cert_;  // x-forwarded-client-cert element of a verified client certificate
  std::chrono::steady_clock::time_point idle_deadline_{};  // of the wait that decided to park
  size_t begin_ = 0, end_ = 0;                             // unread bytes in mem_->buf
  std::string out_;

  // Per request.
  http::RequestHead* request_ = nullptr;
  bool body_done_ = false;
  bool continue_sent_ = false;
  bool head_sent_ = false;
  bool chunked_response_ = false;
  bool response_done_ = false;
  bool head_pending_ = false;  // a final head serialized in out_, not yet written
  uint64_t body_read_ = 0;
  // Per connection.
  bool close_ = false;
  bool tunnelled_ = false;
};

template <class Stream>
asio::awaitable<size_t> Http1Connection<Stream>::fill(std::chrono::steady_clock::time_point deadline) {
  std::vector<char>& buf = mem_->buf;
  if (begin_ > 0) {  // keep unread bytes at the front so the parser sees one contiguous view
    std::memmove(buf.data(), buf.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf.size()) {
    if (buf.size() >= kMaxBuffer) co_return 0;
    buf.resize(std::min(buf.size() * 2, kMaxBuffer));
  }
  deadline_.start(deadline);
  auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buf.data() + end_, buf.size() - end_), kTuple);
  deadline_.stop();
  if (ec) co_return 0;  // closed, failed, or cancelled by the deadline
  end_ += n;
  co_return n;
}

template <class Stream>
asio::awaitable<typename Http1Connection<Stream>::Next> Http1Connection<Stream>::await_next_request() {
  using Clock = std::chrono::steady_clock;
  idle_deadline_ = Clock::now() + ctx_.options().idle;
  // A TLS connection does not park: it waits out the idle timeout in its coroutine.
  const auto wait_until = kPlain ? std::min(idle_deadline_, Clock::now() + kParkAfter) : idle_deadline_;
  if (co_await fill(wait_until) > 0) co_return Next::kReady;
  if (!deadline_.expired() || Clock::now() >= idle_deadline_) co_return Next::kClose;  // closed, or idle timeout
  co_return Next::kPark;
}

template <class Stream>
asio::awaitable<bool> Http1Connection<Stream>::write_all(std::string_view a, std::string_view b, std::string_view c) {
  std::array<asio::const_buffer, 4> bufs{asio::buffer(a.data(), a.size()), asio::buffer(b.data(), b.size()),
                                         asio::buffer(c.data(), c.size()), asio::const_buffer()};
  if (head_pending_) {
    head_pending_ = false;
    bufs = {asio::buffer(out_.data(), out_.size()), bufs[0], bufs[1], bufs[2]};
  }
  // A client that stops reading cannot hold the response (and its upstream) forever.
  deadline_.start(std::chrono::steady_clock::now() + ctx_.options().stream_idle);
  auto [ec, n] = co_await asio::async_write(socket_, bufs, kTuple);
  deadline_.stop();
  if (ec) {
    close_ = true;
    co_return false;
  }
  co_return true;
}

template <class Stream>
asio::awaitable<void> Http1Connection<Stream>::reject(http::h1::ParseError error) {
  const int status = http::h1::http_status(error);
  // Logged like any request (access log line with DPE, metrics), from what the head held so far.
  RequestInfo info;
  info.status = status;
  info.flags = kDownstreamProtocolError;
  ctx_.request_started();
  ctx_.request_finished(mem_->parser.head(), info);
  std::string reply = http::h1::render_local_response(status, {}, true);
  co_await write_all(reply);
}

template <class Stream>
asio::awaitable<BodyPiece> Http1Connection<Stream>::read_body() {
  if (body_done_) co_return BodyPiece{{}, true, false};
  if (request_ && request_->expect_continue && !continue_sent_) {
    continue_sent_ = true;
    if (!co_await write_all("HTTP/1.1 100 Continue\r\n\r\n")) co_return BodyPiece{{}, false, true};
  }
  for (;;) {
    auto step = mem_->parser.parse(unread());
    begin_ += step.consumed;
    switch (step.event) {
      case http::h1::ParseEvent::Body:
        body_read_ += step.body.size();
        co_return BodyPiece{step.body, false, false};
      case http::h1::ParseEvent::Done:
        body_done_ = true;
        co_return BodyPiece{{}, true, false};
      case http::h1::ParseEvent::Error:
        close_ = true;
        co_return BodyPiece{{}, false, true, /*malformed=*/true};
      case http::h1::ParseEvent::Head:  // cannot happen mid-body
        close_ = true;
        co_return BodyPiece{{}, false, true};
      case http::h1::ParseEvent::NeedMore:
        if (mem_->buf.size() < kBodyBuffer) mem_->buf.resize(kBodyBuffer);
        if (co_await fill(std::chrono::steady_clock::now() + ctx_.options().stream_idle) == 0) {
          close_ = true;
          co_return BodyPiece{{}, false, true};
        }
        break;
    }
  }
}

template <class Stream>
asio::awaitable<bool> Http1Connection<Stream>::write_head(http::ResponseHead& head) {
  const bool head_request = request_ && request_->method == http::Method::Head;
  // Draining: tell the client this connection ends with this response.
  if (ctx_.draining()) close_ = true;
  // An HTTP/1.0 client does not expect interim responses (RFC 9110 section 15.2).
  if (head.informational() && head.status != 101 && request_ && request_->version == http::Version::Http10)
    co_return true;
  if (!head.informational()) {
    switch (head.framing) {
      case http::BodyFraming::Chunked:
      case http::BodyFraming::Stream:
      case http::BodyFraming::UntilClose:
        if (request_ && request_->version == http::Version::Http10) {
          head.framing = http::BodyFraming::UntilClose;
          close_ = true;
        } else {
          head.framing = http::BodyFraming::Chunked;
        }
        break;
      default:
        break;
    }
    chunked_response_ = head.framing == http::BodyFraming::Chunked && !head_request;
    if (head_request && head.framing == http::BodyFraming::Chunked) head.framing = http::BodyFraming::None;
    head_sent_ = true;
    response_done_ = head.framing == http::BodyFraming::None || head_request;
  }
  if (request_ && !request_->keep_alive) close_ = true;
  http::h1::HeadOptions opts;
  opts.tunnel = head.upgrade;
  opts.close = close_ && !head.informational();
  // An HTTP/1.0 client keeps the connection only when told so (RFC 9112 appendix C.2.2).
  opts.keep_alive = !opts.close && !head.informational() && request_ && request_->version == http::Version::Http10;
  if (!head.informational()) {
    // Held back so the first body bytes (usually the whole body) leave in the same write:
    // one send per small response instead of two. flush() or the next write sends it.
    out_.clear();
    http::h1::append_response_head(head, opts, out_);
    head_pending_ = true;
    co_return true;
  }
  std::string interim;
  http::h1::append_response_head(head, opts, interim);
  co_return co_await write_all(interim);
}

template <class Stream>
asio::awaitable<bool> Http1Connection<Stream>::flush() {
  if (!head_pending_) co_return true;
  co_return co_await write_all({});
}

template <class Stream>
asio::awaitable<bool> Http1Connection<Stream>::write_body(std::string_view data) {
  if (data.empty()) co_return true;
  if (request_ && request_->method == http::Method::Head) co_return true;
  if (chunked_response_) {
    http::h1::ChunkPrefix prefix(data.size());
    co_return co_await write_all(prefix.view(), data, http::h1::kChunkSuffix);
  }
  co_return co_await write_all(data);
}

template <class Stream>
asio::awaitable<bool> Http1Connection<Stream>::end_body(const http::HeaderMap* trailers) {
  response_done_ = true;
  if (chunked_response_) {
    chunked_response_ = false;
    if (trailers == nullptr || trailers->empty() || !client_accepts_trailers())
      co_return co_await write_all(http::h1::kLastChunk);
    std::string last;
    http::h1::append_last_chunk(*trailers, last);
    co_return co_await write_all(last);
  }
  co_return co_await flush();
}

template <class Stream>
bool Http1Connection<Stream>::client_accepts_trailers() const {
  if (request_ == nullptr) return false;
  bool yes = false;
  for (std::string_view te : request_->headers.values("te"))
    http::for_each_token(te, [&](std::string_view tok) { yes = yes || http::iequals(tok, "trailers"); });
  return yes;
}

template <class Stream>
typename Http1Connection<Stream>::Preface Http1Connection<Stream>::h2_preface() const {
  const std::string_view u = unread();
  const size_t n = std::min(u.size(), kHttp2Preface.size());
  if (u.substr(0, n) != kHttp2Preface.substr(0, n)) return Preface::kNo;
  return n == kHttp2Preface.size() ? Preface::kYes : Preface::kMore;
}

template <class Stream>
bool Http1Connection<Stream>::peer_closed() {
  if (begin_ != end_) return false;  // the client already sent more: it is there
  char byte;
  const ssize_t n = ::recv(tcp_of(socket_).native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n > 0) return false;
  if (n == 0) return true;  // FIN: an HTTP/1 client that closes has given up on the response
  return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

template <class Stream>
Downstream::TunnelTransport Http1Connection<Stream>::tunnel_transport(std::string& pending) {
  tunnelled_ = true;  // the 101 head was written at once (interim heads are never held back)
  pending.assign(unread());
  begin_ = end_ = 0;
  if constexpr (kPlain) {
    return {.plain = &socket_, .tls = nullptr};
  } else {
    return {.plain = nullptr, .tls = &socket_};
  }
}

template <class Stream>
asio::awaitable<std::optional<Park>> Http1Connection<Stream>::run() {
  using Clock = std::chrono::steady_clock;
  for (;;) {
    // Read the next request head; an idle connection gets the idle timeout, a started head the
    // header-read timeout — one deadline for the whole head, from its first bytes, so a client
    // trickling a byte at a time gains nothing.
    bool head_ready = false;
    Clock::time_point head_deadline = Clock::time_point::max();
    while (!head_ready) {
      if constexpr (kPlain) {
        // h2c with prior knowledge (RFC 9113 section 3.3) on any plaintext HTTP listener, as
        // Envoy's AUTO codec: the connection goes to the HTTP/2 server with what was read.
        if (fresh_ && begin_ != end_) {
          switch (h2_preface()) {
            case Preface::kNo:
              fresh_ = false;
              break;
            case Preface::kYes:
              co_return Park{std::move(socket_), std::move(binding_), {}, true, std::string(unread())};
            case Preface::kMore:
              if (co_await fill(Clock::now() + ctx_.options().header_read) == 0) co_return std::nullopt;
              continue;
          }
        }
      }
      auto step = mem_->parser.parse(unread());
      begin_ += step.consumed;
      switch (step.event) {
        case http::h1::ParseEvent::Head:
          head_ready = true;
          break;
        case http::h1::ParseEvent::Error:
          co_await reject(mem_->parser.error());
          co_return std::nullopt;
        case http::h1::ParseEvent::NeedMore: {
          if (begin_ == end_ && mem_->parser.idle()) {
            const Next next = co_await await_next_request();
            if (next == Next::kClose) co_return std::nullopt;
            if constexpr (kPlain) {
              if (next == Next::kPark)
                co_return Park{std::move(socket_), std::move(binding_), idle_deadline_, false, {}, fresh_};
            }
            break;
          }
          if (head_deadline == Clock::time_point::max()) head_deadline = Clock::now() + ctx_.options().header_read;
          if (co_await fill(head_deadline) == 0) {
            if (end_ == mem_->buf.size() && mem_->buf.size() >= kMaxBuffer)
              co_await reject(http::h1::ParseError::HeaderTooLarge);
            co_return std::nullopt;
          }
          break;
        }
        case http::h1::ParseEvent::Done:  // end of a body-less message already handled
          break;
        case http::h1::ParseEvent::Body:  // body bytes before a head: the parser state is broken
          co_return std::nullopt;
      }
    }

    http::RequestHead& head = mem_->parser.head();
    request_ = &head;
    continue_sent_ = head_sent_ = chunked_response_ = response_done_ = head_pending_ = false;
    body_done_ = head.framing == http::BodyFraming::None;
    body_read_ = 0;

    co_await handle_request(ctx_, binding_, head, *this);
    if (tunnelled_) co_return std::nullopt;
    if (head_pending_ && !co_await flush()) co_return std::nullopt;

    if (!head_sent_ || !response_done_) close_ = true;  // response cut short: the stream is unusable
    // The client is waiting for 100 Continue before sending a body nobody wants: answering and
    // closing beats inviting the body only to discard it (RFC 9110 section 10.1.1).
    if (!body_done_ && head.expect_continue && !continue_sent_) close_ = true;
    // Drain what the flow did not read (a local reply to a request with a body).
    while (!body_done_ && !close_) {
      BodyPiece piece = co_await read_body();
      if (piece.error || body_read_ > kMaxDrain) close_ = true;
    }
    request_ = nullptr;
    std::vector<char>& buf = mem_->buf;
    if (buf.size() > kInitialBuffer && end_ - begin_ <= kInitialBuffer) {  // a body's big buffer goes
      std::memmove(buf.data(), buf.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
      buf.resize(kInitialBuffer);
      buf.shrink_to_fit();
    }
    if (close_ || !head.keep_alive) {
      boost::system::error_code ignored;
      tcp_of(socket_).shutdown(tcp::socket::shutdown_send, ignored);
      co_return std::nullopt;
    }
  }
}

asio::awaitable<std::optional<Park>> serve(WorkerContext& ctx, ListenerBinding binding, tcp::socket socket,
                                           bool fresh) {
  Http1Connection<tcp::socket> conn(ctx, std::move(binding), std::move(socket), {}, fresh);
  co_return co_await conn.run();
}

// Completion of a connection coroutine: logs what escaped it and reports the close.
auto closing(ConnectionClosed on_closed) {
  return [on_closed](std::exception_ptr e) {
    on_closed();
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("connection aborted: {}", ex.what());
    }
  };
}

// A parked connection that never sent a request wakes still able to turn out HTTP/2 (a client
// slower than kParkAfter to send its preface).
void wake_fresh_connection(void* ctx, ListenerBinding binding, tcp::socket socket, ConnectionClosed on_closed);

void spawn(WorkerContext& ctx, ListenerBinding binding, tcp::socket socket, ConnectionClosed on_closed, bool fresh) {
  asio::co_spawn(
      ctx.io(), serve(ctx, std::move(binding), std::move(socket), fresh),
      [&ctx, on_closed](std::exception_ptr e, std::optional<Park> parked) {
        if (!e && parked && parked->h2) {
          // Posted: this handler runs inside the ending coroutine's frame (see
          // http2_connection.cc, dispatch_requests).
          return asio::post(ctx.io(), [&ctx, on_closed, p = std::move(*parked)]() mutable {
            asio::co_spawn(ctx.io(), serve_http2(ctx, std::move(p.binding), std::move(p.socket), std::move(p.preread)),
                           closing(on_closed));
          });
        }
        if (!e && parked)
          return ctx.parked().park(std::move(parked->socket), std::move(parked->binding), parked->idle_deadline,
                                   on_closed, parked->fresh ? &wake_fresh_connection : &wake_http1_connection, &ctx);
        closing(on_closed)(e);
      });
}

// The TLS handshake (bounded by the header timeout: a client that opens a connection and never
// says hello holds nothing for long), then HTTP/1.1 over TLS. A ClientHello for a name no server
// of the listener takes is refused inside the handshake (tls::ServerTls).
asio::awaitable<void> serve_tls(WorkerContext& ctx, ListenerBinding binding, tcp::socket socket,
                                std::shared_ptr<const tls::ServerTls> tls) {
  SSL* ssl = SSL_new(tls->context());
  if (ssl == nullptr) co_return;
  TlsStream stream(std::move(socket), ssl);
  boost::system::error_code ec;
  {
    DeadlineWatch deadline(ctx.io(), stream.next_layer());
    deadline.start(std::chrono::steady_clock::now() + ctx.options().header_read);
    std::tie(ec) = co_await stream.async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    deadline.stop();
  }
  if (ec) {
    spdlog::debug("TLS handshake on port {} failed: {}", binding.port, ec.message());
    co_return;
  }
  std::string client_cert;
  if (X509* cert = SSL_get0_peer_certificate(ssl); cert != nullptr && SSL_get_verify_result(ssl) == X509_V_OK)
    client_cert = tls::forwarded_client_cert(cert);
  const unsigned char* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
  if (alpn_len == 2 && alpn[0] == 'h' && alpn[1] == '2') {
    co_await serve_http2(ctx, std::move(binding), std::move(stream), std::move(client_cert));
    co_return;
  }
  Http1Connection<TlsStream> conn(ctx, std::move(binding), std::move(stream), std::move(client_cert));
  co_await conn.run();
}

void wake_fresh_connection(void* ctx, ListenerBinding binding, tcp::socket socket, ConnectionClosed on_closed) {
  spawn(*static_cast<WorkerContext*>(ctx), std::move(binding), std::move(socket), on_closed, true);
}

}  // namespace

void start_https_connection(WorkerContext& ctx, ListenerBinding binding, tcp::socket socket,
                            std::shared_ptr<const tls::ServerTls> tls, ConnectionClosed on_closed) {
  asio::co_spawn(ctx.io(), serve_tls(ctx, std::move(binding), std::move(socket), std::move(tls)), closing(on_closed));
}

void start_http1_connection(WorkerContext& ctx, ListenerBinding binding, tcp::socket socket,
                            ConnectionClosed on_closed) {
  spawn(ctx, std::move(binding), std::move(socket), on_closed, true);
}

void wake_http1_connection(void* ctx, ListenerBinding binding, tcp::socket socket, ConnectionClosed on_closed) {
  spawn(*static_cast<WorkerContext*>(ctx), std::move(binding), std::move(socket), on_closed, false);
}

}  // namespace sy::proxy
