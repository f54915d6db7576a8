// The wire side of one attempt to an HTTP/2 upstream: a stream on a shared connection from the
// worker's H2Pool (or a new one), the request head and body, the response head, then the response
// streamed back. The decisions around it (destination, endpoint, retry verdicts, failures) are
// forward.cc's, as for HTTP/1.1. See forwarder.h.
//
// The shared connection is never cancelled for one request: instead of the stream watch (which
// cancels the upstream socket), the waits here have their own deadlines and look at the client
// every kClientCheck.
#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "http/grpc.h"
#include "proxy/forwarder.h"
#include "proxy/local_reply.h"
#include "proxy/request_preparation.h"
#include "proxy/response_flags.h"

namespace sy::proxy {

namespace {

constexpr auto kClientCheck = std::chrono::milliseconds(500);
// A request body waits while more than this is queued for the upstream (its window is shut).
constexpr size_t kRequestHighWater = 64 * 1024;

}  // namespace

// Istio's IsHTTP2 port protocols and h2UpgradePolicy UPGRADE (Cluster::http2), or
// useClientProtocol with a client that speaks HTTP/2.
bool Forwarder::upstream_http2() const {
  const snapshot::Cluster& c = *rt_->cluster;
  return c.http2 || (c.policy.connection_pool.use_client_protocol && head_.version == http::Version::Http2);
}

// A connection with room for a stream, else a new one (connected, TLS with ALPN h2 when the
// cluster originates TLS). Null with `connected` saying why when none could be had.
asio::awaitable<std::shared_ptr<upstream::H2Upstream>> Forwarder::h2_connection(size_t index, Connected& connected) {
  const tcp::endpoint& ep = rt_->addresses[index];
  connected = Connected::kOk;
  upstream::H2Pool& pool = ctx_.h2_pool();
  if (auto conn = pool.find(ep, pool_key())) co_return conn;
  bool mine = false;
  auto attempt = pool.connecting(ctx_.io(), ep, pool_key(), mine);
  if (!mine) {  // another request is opening one: wait for it
    if (!attempt->finished) co_await attempt->done.async_wait(kTuple);
    if (attempt->conn && attempt->conn->usable()) co_return attempt->conn;
    if (auto conn = pool.find(ep, pool_key())) co_return conn;
    attempt = pool.connecting(ctx_.io(), ep, pool_key(), mine);  // it failed or is full: open one
    if (!mine) {
      if (!attempt->finished) co_await attempt->done.async_wait(kTuple);
      if (attempt->conn && attempt->conn->usable()) co_return attempt->conn;
      connected = Connected::kFailed;
      co_return nullptr;
    }
  }
  // However this ends, the waiters are told (a guard, since the coroutine may be destroyed).
  struct Finish {
    upstream::H2Pool& pool;
    const tcp::endpoint& ep;
    uint64_t key;
    std::shared_ptr<upstream::H2Pool::Connecting> attempt;
    std::shared_ptr<upstream::H2Upstream> conn;
    ~Finish() { pool.finish_connect(ep, key, attempt, conn); }
  } finish{pool, ep, pool_key(), attempt, nullptr};
  policy::ClusterCounters::bump(state_->counters().cx_total);
  upstream::PooledConnection pc{tcp::socket(ctx_.io())};
  connected = co_await connect(pc, ep);
  if (connected != Connected::kOk) co_return nullptr;
  report(index, {policy::EndpointResult::Kind::kConnectSuccess, 0});
  const auto& settings = rt_->cluster->policy.connection_pool;
  upstream::H2Upstream::Options options;
  if (settings.http_idle_timeout.count() > 0)
    options.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.http_idle_timeout);
  options.max_concurrent_streams = settings.max_concurrent_streams;
  options.max_requests = settings.max_requests_per_connection;
  options.write_timeout = ctx_.options().stream_idle;
  options.ping_interval = std::chrono::duration_cast<std::chrono::milliseconds>(settings.h2_ping_interval);
  options.ping_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings.h2_ping_timeout);
  finish.conn = upstream::H2Upstream::start(ctx_.io(), std::move(pc), options);
  co_return finish.conn;
}

asio::awaitable<Forwarder::Step> Forwarder::attempt_h2(size_t index, policy::RetryState& retry) {
  // Circuit breaking on multiplexed connections counts requests (http2MaxRequests); connections
  // are few and long-lived, and no request waits as pending for one.
  policy::ResourceToken request = state_->breaker().try_start_request();
  if (!request) {
    co_await overflow();
    co_return Step::kDone;
  }
  policy::ClusterCounters::bump(state_->counters().rq_total);
  upstream::ClusterRuntime& rt = *rt_;
  ++rt.active[index];
  struct ActiveGuard {
    uint32_t& n;
    ~ActiveGuard() { --n; }
  } active{rt.active[index]};

  Connected connected = Connected::kOk;
  std::shared_ptr<upstream::H2Upstream> conn = co_await h2_connection(index, connected);
  if (!conn) co_return co_await connection_failed(connected, index, retry);
  watch_.watch(nullptr);

  net::WakeSignal wake(ctx_.io());
  http::h2::ClientStream* s = conn->session().open(head_, rt.cluster->tls ? "https" : "http", has_request_body(head_));
  if (s == nullptr) {  // the connection went away between find and open: the upstream saw nothing
    info_.flags |= kUpstreamConnectionTermination;
    co_return co_await conclude_failure({.kind = AttemptOutcome::Kind::kResetBeforeSend},
                                        {503, "connection termination"}, retry);
  }
  s->io = &wake;
  // However the attempt ends, the stream is given back (reset when unfinished) and the frames go out.
  struct StreamGuard {
    upstream::H2Upstream& conn;
    http::h2::ClientStream& s;
    ~StreamGuard() {
      conn.session().release(s);
      conn.kick();
    }
  } guard{*conn, *s};
  conn->kick();

  // Between two HTTP/2 ends the body streams while the response comes back (a bidirectional gRPC
  // call answers each message before the next is sent); otherwise it is sent first, as on HTTP/1.1.
  BodyPump pump(ctx_.io());
  const bool duplex = down_.full_duplex() && has_request_body(head_) && !body_started_ && !down_.body_complete();
  Sent sent = Sent::kOk;
  if (duplex) {
    pump.running = true;
    s->body_io = &pump.wake;
    // Posted, not spawned from inside this coroutine (see upstream/h2_upstream.cc, start).
    asio::post(ctx_.io(),
               [this, conn, s, &pump] { asio::co_spawn(ctx_.io(), pump_body_h2(conn, *s, pump), asio::detached); });
  } else {
    sent = co_await send_request_h2(*conn, *s, wake);
  }
  // Any other failed send: the stream's fate (reset, refused, or an early response) is read below.
  if (co_await ended_by_client(sent)) co_return Step::kDone;
  const H2Head got = co_await await_head_h2(*s, wake, *conn, duplex ? &pump : nullptr);
  const Step step = co_await after_head_h2(got, *conn, *s, wake, index, retry);
  if (pump.running) {  // the answer is complete (or failed): stop reading the client's body
    down_.cancel_read();
    while (pump.running) co_await pump.finished.wait();
  }
  co_return step;
}

asio::awaitable<void> Forwarder::pump_body_h2(std::shared_ptr<upstream::H2Upstream> conn, http::h2::ClientStream& s,
                                              BodyPump& pump) {
  pump.result = co_await send_request_h2(*conn, s, pump.wake);
  if (pump.result != Sent::kOk) conn->session().reset(s, NGHTTP2_CANCEL);
  conn->kick();
  pump.running = false;
  pump.finished.notify();
}

// Head and body to the stream. The body is streamed from the client on the first attempt (a
// copy kept for retries while it fits), replayed from that copy on later ones.
asio::awaitable<Forwarder::Sent> Forwarder::send_request_h2(upstream::H2Upstream& conn, http::h2::ClientStream& s,
                                                            net::WakeSignal& wake) {
  http::h2::ClientSession& session = conn.session();
  if (!has_request_body(head_)) co_return Sent::kOk;
  if (body_started_) {
    if (!replayable_ || !down_.body_complete()) co_return Sent::kFailed;
    session.append_body(s, replay_);
    session.end_body(s, &down_.request_trailers());
    conn.kick();
    co_return Sent::kOk;
  }
  body_started_ = true;
  for (;;) {
    BodyPiece piece = co_await read_client_body();
    if (piece.error) co_return piece.malformed ? Sent::kMalformedBody : Sent::kClientGone;
    if (!piece.data.empty()) {
      info_.request_body_bytes += piece.data.size();
      if (replayable_ && replay_.size() + piece.data.size() <= kReplayLimit) {
        replay_.append(piece.data);
      } else if (replayable_) {
        replayable_ = false;
        std::string().swap(replay_);
      }
      session.append_body(s, piece.data);
      conn.kick();
    }
    // The upstream's window is shut: wait (the client's body waits with it).
    bool woken = true;
    while (woken && s.queued_out() > kRequestHighWater && !s.closed && !s.head_done && !conn.dead())
      woken = co_await wake.wait(SteadyClock::now() + ctx_.options().stream_idle);
    if (!woken || s.closed || conn.dead()) co_return Sent::kFailed;
    if (s.head_done && s.body_io == nullptr) {  // answered before the whole body (not duplex): the answer stands
      start_route_timer();
      co_return Sent::kOk;
    }
    if (piece.end) break;
  }
  session.end_body(s, &down_.request_trailers());
  conn.kick();
  start_route_timer();
  co_return Sent::kOk;
}

// Waits for the final response head within the attempt's deadline, the stream idle timeout
// when the route sets none, and as long as the client is there.
asio::awaitable<Forwarder::H2Head> Forwarder::await_head_h2(http::h2::ClientStream& s, net::WakeSignal& wake,
                                                            upstream::H2Upstream& conn, const BodyPump* pump) {
  const auto started = SteadyClock::now();
  while (!s.head_done) {
    // Read each time: with a full-duplex body the route timer starts when the pump ends it, and
    // silence counts from the end of the request, not while the client still streams.
    const auto deadline = attempt_deadline();
    const auto idle_until = std::max(started, request_complete_) + ctx_.options().stream_idle;
    if (pump != nullptr && !pump->running && pump->result != Sent::kOk) {
      if (pump->result == Sent::kClientGone || pump->result == Sent::kMalformedBody) co_return H2Head::kClientGone;
    }
    if (s.malformed) co_return H2Head::kProtocolError;
    if (s.refused) co_return H2Head::kRefused;
    if (s.closed || conn.dead()) co_return H2Head::kClosed;
    const auto now = SteadyClock::now();
    if (now >= deadline) co_return H2Head::kTimedOut;
    if (deadline == SteadyClock::time_point::max() && now >= idle_until) co_return H2Head::kIdle;
    if (down_.peer_closed()) co_return H2Head::kClientGone;
    const auto until = std::min(std::min(deadline, idle_until), now + kClientCheck);
    co_await wake.wait(until);
  }
  co_return H2Head::kHead;
}

asio::awaitable<Forwarder::Step> Forwarder::after_head_h2(H2Head got, upstream::H2Upstream& conn,
                                                          http::h2::ClientStream& s, net::WakeSignal& wake,
                                                          size_t index, policy::RetryState& retry) {
  switch (got) {
    case H2Head::kHead:
      break;
    case H2Head::kClientGone:
      info_.flags |= kDownstreamConnectionTermination;
      down_.close_after_response();
      co_return Step::kDone;
    case H2Head::kIdle:
      info_.flags |= kStreamIdleTimeout;
      co_await fail(408, "stream timeout");
      co_return Step::kDone;
    case H2Head::kProtocolError:
      co_return co_await upstream_protocol_error(index);
    case H2Head::kTimedOut:
      co_return co_await head_timed_out(index, retry);
    case H2Head::kRefused:
      // REFUSED_STREAM or above a GOAWAY's last stream id: the upstream never processed it.
      info_.flags |= kUpstreamConnectionTermination;
      co_return co_await conclude_failure({.kind = AttemptOutcome::Kind::kResetBeforeSend},
                                          {503, "remote refused stream reset"}, retry);
    case H2Head::kClosed:
      report(index, {policy::EndpointResult::Kind::kReset, 0});
      info_.flags |= kUpstreamConnectionTermination;
      co_return co_await conclude_failure(
          {.kind = AttemptOutcome::Kind::kReset},
          {503, conn.dead() ? std::string_view("connection termination") : std::string_view("remote reset")}, retry);
  }
  if (response_wants_retry(s.head, index, retry)) co_return Step::kRetry;  // the guard resets the stream
  co_await deliver_h2(conn, s, wake);
  if (SSL* ssl = rt_->cluster->tls ? conn.tls_for_session_save() : nullptr)
    rt_->cluster->tls->save_session(tls_session_key(rt_->addresses[index]), ssl);
  co_return Step::kDone;
}

// Streams the response back. Received DATA's window is given back only once the client took
// it, so a slow client slows this stream alone.
asio::awaitable<void> Forwarder::deliver_h2(upstream::H2Upstream& conn, http::h2::ClientStream& s,
                                            net::WakeSignal& wake) {
  http::ResponseHead& rh = s.head;
  info_.status = rh.status;
  decorate_response(rh.headers);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - try_started_).count();
  rh.headers.set("x-envoy-upstream-service-time", std::to_string(elapsed));
  if (info_.grpc) info_.grpc_status = http::grpc_status(rh.headers).value_or(-1);
  if (!co_await down_.write_head(rh)) co_return;
  std::string chunk;
  auto idle_until = SteadyClock::now() + ctx_.options().stream_idle;
  for (;;) {
    if (!s.body_in.empty()) {
      chunk.clear();
      chunk.swap(s.body_in);
      info_.response_body_bytes += chunk.size();
      const bool ok = co_await down_.write_body(chunk);
      conn.session().consume(s, chunk.size());
      conn.kick();
      if (!ok) co_return;
      idle_until = SteadyClock::now() + ctx_.options().stream_idle;
      continue;
    }
    if (s.body_end) {
      if (auto status = info_.grpc ? http::grpc_status(s.trailers) : std::nullopt) info_.grpc_status = *status;
      co_await down_.end_body(&s.trailers);
      co_return;
    }
    const auto now = SteadyClock::now();
    if (s.closed || conn.dead() || now >= route_deadline_ || now >= idle_until || down_.peer_closed()) {
      // Cut short: the client can only see the response end early.
      info_.flags |= now >= route_deadline_ ? kUpstreamRequestTimeout
                     : now >= idle_until    ? kStreamIdleTimeout
                                            : kUpstreamConnectionTermination;
      down_.close_after_response();
      co_return;
    }
    if (!co_await down_.flush()) co_return;
    const auto until = std::min(std::min(route_deadline_, idle_until), now + kClientCheck);
    co_await wake.wait(until);
  }
}

}  // namespace sy::proxy
