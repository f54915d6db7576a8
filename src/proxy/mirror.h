// Traffic mirroring (VirtualService `mirror`/`mirrors`, docs/semantics.md §5.4): a fire-and-forget
// copy of a request to another cluster, its Host suffixed `-shadow`, as Envoy's request shadowing
// sends it. A copy is a request of its own through the ordinary forwarding path (forward.h) to
// the mirror cluster: that cluster's pool, circuit breakers, outlier detection, TLS origination
// and HTTP/2 apply to it, and it never retries. Its response and failures are discarded and
// never reach the client.
//
// The request body streams to the copy as the primary request reads it from the client (a tee):
// the primary never waits for its mirrors. A copy that falls more than kMirrorBufferLimit behind
// is abandoned, and so is one whose body the primary stopped reading (the primary ended first).
// Runs on the worker that owns the original request.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "net/wake_signal.h"
#include "proxy/downstream.h"
#include "proxy/forward.h"
#include "proxy/request_info.h"
#include "proxy/worker_context.h"

namespace sy::proxy {

// "httpbin:8000" -> "httpbin-shadow:8000", "cluster-1" -> "cluster-1-shadow", "[::1]:80" ->
// "[::1]-shadow:80" (the suffix goes on the host part, before any port).
std::string shadow_authority(std::string_view authority);
// The host a copy is for, for TLS names: "httpbin-shadow:8000" -> "httpbin" (the port is dropped:
// TLS names carry none); an authority without the suffix is returned as it is.
std::string_view shadow_origin(std::string_view authority);

// Request body bytes a copy may have waiting (not yet sent upstream) before it is abandoned.
inline constexpr size_t kMirrorBufferLimit = 1024 * 1024;
// A copy's route timeout when the route has none (Istio's default: no timeout); a copy never
// outlives the request by an unbounded time.
inline constexpr std::chrono::milliseconds kMirrorTimeout{5000};

// One copy in flight: its own request head and route, and the client side it is forwarded from
// (the primary's body, fed through feed(); the response is dropped).
class MirrorStream final : public Downstream {
 public:
  // `head` is the primary's request as prepared for its upstream; `timeout` bounds the copy from
  // the end of its request (its route timeout).
  MirrorStream(WorkerContext& ctx, const http::RequestHead& head, uint32_t cluster, std::chrono::milliseconds timeout,
               const Downstream& primary, const ForwardOptions& primary_options);

  // Starts forwarding the copy (on the next turn of the worker's loop); it keeps itself and
  // `table` alive until done.
  static void start(std::shared_ptr<MirrorStream> self, std::shared_ptr<upstream::ClusterTable> table);

  // The primary read these body bytes from the client (`end`: the body is complete, with
  // `trailers` if any). Beyond kMirrorBufferLimit waiting, the copy is abandoned.
  void feed(std::string_view data, bool end, const http::HeaderMap* trailers);
  // The primary is done with the client; a copy whose body is incomplete is abandoned.
  void primary_done();

  // Downstream: the body comes from feed(); the response goes nowhere.
  boost::asio::awaitable<BodyPiece> read_body() override;
  bool body_complete() const override { return ended_ && waiting_.empty(); }
  const http::HeaderMap& request_trailers() const override { return trailers_; }
  boost::asio::awaitable<bool> write_head(http::ResponseHead& head) override;
  boost::asio::awaitable<bool> write_body(std::string_view) override { co_return true; }
  boost::asio::awaitable<bool> end_body(const http::HeaderMap* = nullptr) override { co_return true; }
  boost::asio::awaitable<bool> flush() override { co_return true; }
  bool head_sent() const override { return head_sent_; }
  TunnelTransport tunnel_transport(std::string&) override { return {}; }
  const boost::asio::ip::tcp::endpoint& peer() const override { return peer_; }
  boost::asio::ip::tcp::endpoint local() const override { return local_; }
  bool peer_closed() override { return false; }
  std::string_view forwarded_client_cert() const override { return {}; }
  void close_after_response() override {}

  const RequestInfo& info() const { return info_; }

 private:
  snapshot::RouteEntry entry_;
  WorkerContext* ctx_;
  http::RequestHead head_;
  RequestInfo info_;
  ForwardOptions options_;
  boost::asio::ip::tcp::endpoint peer_, local_;
  net::WakeSignal wake_;
  std::string waiting_;  // fed, not yet read
  std::string reading_;  // handed out by the last read_body()
  http::HeaderMap trailers_;
  bool ended_ = false;
  bool abandoned_ = false;
  bool head_sent_ = false;
};

}  // namespace sy::proxy
