// The wire side of one forwarding attempt (see forwarder.h): connect, send the request head and
// body (streamed, or replayed on a retry), read with a deadline, stream the response back to the
// client and pool the connection when it can carry another request.
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>
#include <cstring>

#include "http/grpc.h"
#include "http/http1/serializer.h"
#include "proxy/cors.h"
#include "proxy/forwarder.h"

#include "proxy/local_reply.h"
#include "proxy/request_preparation.h"
#include "proxy/response_flags.h"
#include "proxy/tunnel.h"
#include "upstream/proxy_protocol.h"
#include "upstream/socket_options.h"

namespace sy::proxy {

using namespace asio::experimental::awaitable_operators;

asio::awaitable<bool> Forwarder::write(upstream::PooledConnection& conn, std::string_view a, std::string_view b,
                                       std::string_view c) {
  std::array<asio::const_buffer, 3> bufs{asio::buffer(a.data(), a.size()), asio::buffer(b.data(), b.size()),
                                         asio::buffer(c.data(), c.size())};
  auto [ec, n] = conn.tls ? co_await asio::async_write(*conn.tls, bufs, kTuple)
                          : co_await asio::async_write(conn.socket, bufs, kTuple);
  watch_.touch();
  co_return !ec;
}

namespace {

// Errors that say this process is out of something, not that the upstream failed.
bool local_resource_error(const boost::system::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
         ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
}

}  // namespace

asio::awaitable<Forwarder::Connected> Forwarder::connect(upstream::PooledConnection& conn, const tcp::endpoint& ep) {
  conn.socket = tcp::socket(ctx_.io());
  conn.reused = false;
  conn.requests = 0;
  // Opened here rather than by async_connect, so that running out of descriptors is told apart
  // from an upstream that refuses: only the latter is the endpoint's fault (outlier detection).
  boost::system::error_code open_ec;
  conn.socket.open(ep.protocol(), open_ec);
  if (open_ec) co_return local_resource_error(open_ec) ? Connected::kLocalError : Connected::kFailed;
  auto deadline =
      std::min(attempt_deadline(), SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                            rt_->cluster->policy.connection_pool.connect_timeout));
  timer_.expires_at(deadline);
  auto result = co_await (conn.socket.async_connect(ep, kTuple) || timer_.async_wait(kTuple));
  if (result.index() != 0) co_return Connected::kFailed;
  if (auto ec = std::get<0>(std::get<0>(result)))
    co_return local_resource_error(ec) ? Connected::kLocalError : Connected::kFailed;
  boost::system::error_code ignored;
  conn.socket.set_option(tcp::no_delay(true), ignored);
  const policy::ConnectionPoolPolicy& pool = rt_->cluster->policy.connection_pool;
  upstream::apply_tcp_keepalive(conn.socket, pool);
  conn.close_at = upstream::connection_close_at(pool, upstream::Clock::now());
  conn.pool_key = pool_key();
  // The PROXY header goes first, ahead of any TLS, as Envoy's transport socket sends it.
  if (const std::string& proxy = proxy_header(); !proxy.empty()) {
    timer_.expires_at(deadline);
    auto sent = co_await (asio::async_write(conn.socket, asio::buffer(proxy), kTuple) || timer_.async_wait(kTuple));
    if (sent.index() != 0 || std::get<0>(std::get<0>(sent))) co_return Connected::kFailed;
  }
  if (rt_->cluster->tls) co_return co_await start_tls(conn, ep, deadline);
  co_return Connected::kOk;
}

namespace {
// Envoy's wording for a failed upstream TLS connection.
constexpr std::string_view kTlsFailurePrefix = "connection failure, transport failure reason: TLS error: ";
}  // namespace

uint64_t Forwarder::pool_key() const {
  const tls::ClientTls* tls = rt_->cluster->tls.get();
  const std::string& proxy = proxy_header();
  if (tls == nullptr && proxy.empty()) return 0;
  // Per cluster and SNI: clusters reaching one endpoint with different credentials (a client
  // certificate or not, other trust) must never share a connection. A connection that began
  // with a PROXY header speaks for one client only, as Envoy keys its pools on that header.
  std::string key = rt_->cluster->name;
  if (tls != nullptr) key += '|' + tls->server_name(tls_authority());
  if (!proxy.empty()) key += '|' + proxy;
  return std::hash<std::string>{}(key) | 1;
}

// A mirror's copy carries the `-shadow` Host, but its TLS name (auto SNI, auto SAN check) is the
// host the copy is for, so a mirror cluster's certificate verifies as the primary's would.
std::string_view Forwarder::tls_authority() const {
  return options_.mirror ? shadow_origin(head_.authority) : head_.authority;
}

const std::string& Forwarder::proxy_header() const {
  if (!proxy_header_) {
    const auto version = upstream::proxy_protocol_version(rt_->cluster->policy.proxy_protocol);
    proxy_header_ = version == upstream::ProxyProtocolVersion::kNone
                        ? std::string()
                        : upstream::proxy_protocol_header(version, down_.peer(), down_.local());
  }
  return *proxy_header_;
}

std::string Forwarder::tls_session_key(const tcp::endpoint& ep) const {
  return ep.address().to_string() + ':' + std::to_string(ep.port()) + '|' +
         rt_->cluster->tls->server_name(tls_authority());
}

asio::awaitable<Forwarder::Connected> Forwarder::start_tls(upstream::PooledConnection& conn, const tcp::endpoint& ep,
                                                           SteadyClock::time_point deadline) {
  const tls::ClientTls& tls = *rt_->cluster->tls;
  const std::string server_name = tls.server_name(tls_authority());
  SSL* ssl = SSL_new(tls.context());
  if (ssl == nullptr) {
    tls_failure_ = std::string(kTlsFailurePrefix) + "cannot create a session";
    co_return Connected::kTlsFailed;
  }
  tls.prepare(ssl, server_name);
  tls.offer_session(tls_session_key(ep), ssl);
  conn.tls = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(conn.socket), ssl);
  conn.pool_key = pool_key();
  timer_.expires_at(deadline);
  auto result =
      co_await (conn.tls->async_handshake(asio::ssl::stream_base::client, kTuple) || timer_.async_wait(kTuple));
  if (result.index() != 0) {
    tls_failure_ = std::string(kTlsFailurePrefix) + "handshake timed out";
    co_return Connected::kTlsFailed;
  }
  if (auto [ec] = std::get<0>(result); ec) {
    tls_failure_ = std::string(kTlsFailurePrefix) + ec.message();
    // Which check refused the certificate (another CA, expired, revoked by caCrl...).
    if (const long v = SSL_get_verify_result(ssl); v != X509_V_OK)
      tls_failure_.append(" (").append(X509_verify_cert_error_string(v)).append(")");
    co_return Connected::kTlsFailed;
  }
  if (std::string problem = tls.check_peer(ssl, server_name); !problem.empty()) {
    tls_failure_ = std::string(kTlsFailurePrefix) + problem;
    co_return Connected::kTlsFailed;
  }
  co_return Connected::kOk;
}

asio::awaitable<size_t> Forwarder::read_some(upstream::PooledConnection& conn, SteadyClock::time_point deadline,
                                             bool& timed_out) {
  timed_out = false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  auto into = asio::buffer(buf_.data() + end_, buf_.size() - end_);
  size_t n = 0;
  auto read = [&] {
    return conn.tls ? conn.tls->async_read_some(into, kTuple) : conn.socket.async_read_some(into, kTuple);
  };
  if (deadline == SteadyClock::time_point::max()) {
    auto [ec, got] = co_await read();
    n = ec ? 0 : got;
  } else {
    timer_.expires_at(deadline);
    auto result = co_await (read() || timer_.async_wait(kTuple));
    if (result.index() != 0) {
      timed_out = true;
      co_return 0;
    }
    auto [ec, got] = std::get<0>(result);
    n = ec ? 0 : got;
  }
  watch_.touch();
  end_ += n;
  co_return n;
}

// Sends the head and the body. The body is streamed from the client on the first attempt and
// replayed from memory on later ones (only while it fits kReplayLimit).
asio::awaitable<Forwarder::Sent> Forwarder::send_request(upstream::PooledConnection& conn) {
  const bool chunked = http::length_unknown(head_.framing);
  if (!has_request_body(head_)) co_return co_await write(conn, head_bytes_) ? Sent::kOk : Sent::kFailedBeforeBytes;
  if (body_started_) {
    if (!replayable_ || !down_.body_complete()) co_return Sent::kFailed;
    if (!co_await write(conn, head_bytes_)) co_return Sent::kFailedBeforeBytes;
    if (chunked) {
      http::h1::ChunkPrefix prefix(replay_.size());
      if (!replay_.empty() && !co_await write(conn, prefix.view(), replay_, http::h1::kChunkSuffix))
        co_return Sent::kFailed;
      co_return co_await write(conn, http::h1::kLastChunk) ? Sent::kOk : Sent::kFailed;
    }
    co_return co_await write(conn, replay_) ? Sent::kOk : Sent::kFailed;
  }
  body_started_ = true;
  if (!co_await write(conn, head_bytes_)) co_return Sent::kFailedBeforeBytes;
  for (;;) {
    BodyPiece piece = co_await read_client_body();
    if (piece.error) co_return piece.malformed ? Sent::kMalformedBody : Sent::kClientGone;
    if (!piece.data.empty()) {
      info_.request_body_bytes += piece.data.size();
      if (replayable_) {
        if (replay_.size() + piece.data.size() <= kReplayLimit) {
          replay_.append(piece.data);
        } else {
          replayable_ = false;
          std::string().swap(replay_);
        }
      }
      bool ok = chunked ? co_await write(conn, http::h1::ChunkPrefix(piece.data.size()).view(), piece.data,
                                         http::h1::kChunkSuffix)
                        : co_await write(conn, piece.data);
      if (!ok) co_return Sent::kFailed;
    }
    if (piece.end) break;
  }
  if (chunked) {
    // The client's trailers (gRPC-style metadata, checksums) follow the body upstream.
    const http::HeaderMap& trailers = down_.request_trailers();
    std::string last;
    if (!trailers.empty()) http::h1::append_last_chunk(trailers, last);
    if (!co_await write(conn, trailers.empty() ? http::h1::kLastChunk : std::string_view(last)))
      co_return Sent::kFailed;
  }
  start_route_timer();
  co_return Sent::kOk;
}

// Reads up to the final response head. Interim responses (102, 103) go to the client as they
// come; a 100 Continue is dropped (the gateway answered the client's Expect itself).
asio::awaitable<Forwarder::HeadRead> Forwarder::read_response_head(upstream::PooledConnection& conn) {
  for (;;) {
    auto step = parser_.parse({buf_.data() + begin_, end_ - begin_});
    begin_ += step.consumed;
    switch (step.event) {
      case http::h1::ParseEvent::Head: {
        const int status = parser_.head().status;
        if (status == 100) continue;
        if (status > 101 && status < 200) {
          if (!co_await down_.write_head(parser_.head())) co_return HeadRead::kClientGone;
          continue;
        }
        co_return HeadRead::kHead;
      }
      case http::h1::ParseEvent::Error:
        co_return HeadRead::kProtocolError;
      case http::h1::ParseEvent::NeedMore: {
        bool timed_out = false;
        if (co_await read_some(conn, attempt_deadline(), timed_out) == 0)
          co_return timed_out ? HeadRead::kTimedOut : HeadRead::kClosed;
        break;
      }
      case http::h1::ParseEvent::Done:  // the end of a 100 Continue
      default:
        break;
    }
  }
}

// Streams the response whose head the parser holds to the client, then pools the connection.
asio::awaitable<void> Forwarder::deliver(upstream::PooledConnection conn, const tcp::endpoint& ep,
                                         const upstream::ClusterRuntime& rt) {
  http::ResponseHead& rh = parser_.head();
  info_.status = rh.status;
  decorate_response(rh.headers);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - try_started_).count();
  rh.headers.set("x-envoy-upstream-service-time", std::to_string(elapsed));

  const auto upgraded_to = rh.headers.get("upgrade");
  if (rh.status == 101 && (!head_.upgrade || !upgraded_to || !http::iequals(*upgraded_to, "websocket"))) {
    // Only a switch to WebSocket was offered (and only when the client asked): any other 101 is
    // a broken upstream, and the connection is no longer HTTP.
    info_.flags |= kUpstreamProtocolError;
    co_await fail(502, "upstream protocol error");
    co_return;
  }
  watch_.watch(&conn.tcp());  // the connection moved into this frame
  if (rh.status == 101) {
    watch_.watch(nullptr);  // a tunnel may stay quiet for as long as its two ends like
    if (!co_await down_.write_head(rh)) co_return;
    std::string client_pending;
    const Downstream::TunnelTransport client = down_.tunnel_transport(client_pending);
    std::string_view upstream_pending(buf_.data() + begin_, end_ - begin_);
    co_await tunnel(client, conn, client_pending, upstream_pending);
    co_return;
  }

  if (info_.grpc) info_.grpc_status = http::grpc_status(rh.headers).value_or(-1);
  if (!co_await down_.write_head(rh)) co_return;
  bool complete = false;
  for (;;) {
    auto step = parser_.parse({buf_.data() + begin_, end_ - begin_});
    begin_ += step.consumed;
    if (step.event == http::h1::ParseEvent::Body) {
      info_.response_body_bytes += step.body.size();
      if (!co_await down_.write_body(step.body)) break;
    } else if (step.event == http::h1::ParseEvent::Done) {
      if (auto status = info_.grpc ? http::grpc_status(parser_.trailers()) : std::nullopt) info_.grpc_status = *status;
      complete = co_await down_.end_body(&parser_.trailers());
      break;
    } else if (step.event == http::h1::ParseEvent::Error) {
      break;
    } else if (step.event == http::h1::ParseEvent::NeedMore) {
      // The head may still be held back by the downstream; do not keep it waiting on the upstream.
      if (!co_await down_.flush()) break;
      // A body still to come streams through a larger buffer: a 64 KiB response then takes one
      // read and one write instead of four of each. The scratch keeps it for the next request.
      if (buf_.size() < ForwardScratch::kBodyBuffer) buf_.resize(ForwardScratch::kBodyBuffer);
      bool timed_out = false;
      if (co_await read_some(conn, route_deadline_, timed_out) == 0) {
        if (timed_out) {
          // The route timeout covers the whole response; with the head already sent, the client
          // can only see the response cut short.
          info_.flags |= kUpstreamRequestTimeout;
          policy::ClusterCounters::bump(state_->counters().rq_timeout);
          down_.close_after_response();
          co_return;
        }
        if (watch_.fired() != StreamWatch::Fired::kNone) {
          co_await stopped_by_watch();
          co_return;
        }
        auto last = parser_.on_eof();
        if (last.event == http::h1::ParseEvent::Done) {
          complete = co_await down_.end_body();
          rh.keep_alive = false;
        }
        break;
      }
    }
  }
  if (!complete) {
    info_.flags |= kUpstreamConnectionTermination;
    down_.close_after_response();
    co_return;
  }
  const uint32_t max_per_conn = rt.cluster->policy.connection_pool.max_requests_per_connection;
  ++conn.requests;
  // After the first exchange the upstream's session tickets are in: keep one for the next connection.
  if (conn.tls && conn.requests == 1 && rt.cluster->tls)
    rt.cluster->tls->save_session(tls_session_key(ep), conn.tls->native_handle());
  watch_.watch(nullptr);
  const bool reusable = rh.keep_alive && down_.body_complete() && begin_ == end_ &&
                        (max_per_conn == 0 || conn.requests < max_per_conn);
  if (reusable)
    ctx_.pool().give_back(
        ep, std::move(conn),
        std::chrono::duration_cast<std::chrono::milliseconds>(rt.cluster->policy.connection_pool.http_idle_timeout));
}

// A WebSocket after 101: bytes both ways between the client's transport and the upstream
// connection, each plain or TLS.
asio::awaitable<void> Forwarder::tunnel(const Downstream::TunnelTransport& client, upstream::PooledConnection& conn,
                                        std::string_view client_pending, std::string_view upstream_pending) {
  if (client.tls != nullptr && conn.tls) {
    co_await run_tunnel(*client.tls, *conn.tls, client_pending, upstream_pending);
  } else if (client.tls != nullptr) {
    co_await run_tunnel(*client.tls, conn.socket, client_pending, upstream_pending);
  } else if (client.plain != nullptr && conn.tls) {
    co_await run_tunnel(*client.plain, *conn.tls, client_pending, upstream_pending);
  } else if (client.plain != nullptr) {
    co_await run_tunnel(*client.plain, conn.socket, client_pending, upstream_pending);
  }
}

// Response headers the gateway adds to an upstream response: route and destination header
// operations, CORS for an allowed origin, a generated hash cookie.
void Forwarder::decorate_response(http::HeaderMap& headers) const {
  // The route's and the destination's, ordered as pilot and Envoy order them.
  apply_route_header_ops(action_.headers.response, destination_->headers.response, action_.destinations.size() <= 1,
                         headers);
  if (!options_.cors_origin.empty()) add_cors_response_headers(action_.cors, options_.cors_origin, headers);
  if (!set_cookie_.empty()) headers.add("set-cookie", set_cookie_);
}

asio::awaitable<bool> Forwarder::stopped_by_watch() {
  switch (watch_.fired()) {
    case StreamWatch::Fired::kNone:
      co_return false;
    case StreamWatch::Fired::kClientGone:
      // Nobody to answer: the attempt's connection closes with this frame and its slot is freed.
      info_.flags |= kDownstreamConnectionTermination;
      down_.close_after_response();
      co_return true;
    case StreamWatch::Fired::kIdle:
      info_.flags |= kStreamIdleTimeout;
      if (down_.head_sent()) {
        down_.close_after_response();  // mid-response: the client sees the connection end
      } else {
        co_await fail(408, "stream timeout");
      }
      co_return true;
  }
  co_return false;
}

// A local reply keeps the client connection: closing it would turn overload into connection
// churn exactly when the proxy is busiest. The downstream closes on its own when the request's
// framing is broken or its body cannot be drained.
asio::awaitable<void> Forwarder::fail(int status, std::string_view body, bool overloaded) {
  LocalReply reply = LocalReply::of(status, body, &action_.headers.response);
  if (overloaded) reply.headers.emplace_back("x-envoy-overloaded", "true");
  if (!options_.cors_origin.empty()) {
    reply.cors = &action_.cors;
    reply.cors_origin = options_.cors_origin;
  }
  co_await send_local_reply(down_, reply, info_);
}

}  // namespace sy::proxy
