// The Forwarder behind proxy::forward (forward.h): one request's journey to the upstream over
// one or more attempts. Internal to the two files that implement it: forward.cc holds the attempt
// loop and its policy decisions (destination, endpoint eligibility, circuit-breaker slots, retry
// admission, back-off, mirrors); forward_exchange.cc holds the wire side of one attempt (connect,
// send the request, read the head, stream the response back, return the connection to the pool).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "http/h2/client_session.h"
#include "http/http1/response_parser.h"
#include "net/wake_signal.h"
#include "policy/cluster_state.h"
#include "policy/retry_state.h"
#include "proxy/forward.h"
#include "proxy/forward_scratch.h"
#include "proxy/mirror.h"
#include "proxy/stream_watch.h"

namespace sy::proxy {

namespace asio = boost::asio;
using asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

inline constexpr size_t kReplayLimit = 64 * 1024;  // request bodies up to this size can be retried
// A request to a DNS cluster whose names were never resolved yet waits this long for the first
// answer before failing with 503 UH (only right after start or a reload that added names).
inline constexpr auto kFirstResolutionWait = std::chrono::seconds(5);
// A pending request re-checks for a connection slot freed on another worker this often.
inline constexpr auto kPendingPoll = std::chrono::milliseconds(5);
inline constexpr std::string_view kResetPrefix =
    "upstream connect error or disconnect/reset before headers. reset reason: ";

// One request's journey to the upstream, possibly over several attempts.
class Forwarder {
 public:
  Forwarder(WorkerContext& ctx, std::shared_ptr<upstream::ClusterTable> table, const snapshot::RouteEntry& entry,
            http::RequestHead& head, Downstream& down, RequestInfo& info, const ForwardOptions& options)
      : ctx_(ctx),
        table_(std::move(table)),
        action_(entry.action),
        head_(head),
        down_(down),
        info_(info),
        options_(options),
        timer_(ctx.io()),
        watch_(ctx.stream_watches(), down),
        scratch_(ctx.forward_scratch().take()) {}

  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  asio::awaitable<void> run();

 private:
  enum class Sent { kOk, kFailedBeforeBytes, kFailed, kClientGone, kMalformedBody };
  enum class Connected { kOk, kFailed, kLocalError, kTlsFailed };
  enum class Slot { kOk, kOverflow, kTimeout };
  enum class HeadRead { kHead, kProtocolError, kTimedOut, kClosed, kClientGone };
  // How an attempt ended: the request is answered (kDone), or another attempt follows: a retry
  // (after back-off), or the free retry after a stale pooled connection (neither counted nor delayed).
  enum class Step { kDone, kRetry, kStaleConnection };
  // The answer to a failed attempt when no retry follows.
  struct Failure {
    int status;
    std::string_view reason;
  };
  using AttemptOutcome = policy::AttemptOutcome;
  // Circuit-breaker slots of one attempt; releasing the connection slot wakes a pending request.
  struct SlotGuard {
    upstream::ConnectionPool& pool;
    policy::ResourceToken connection, request;
    ~SlotGuard() {
      const bool had = static_cast<bool>(connection);
      request.reset();
      connection.reset();
      if (had) pool.wake_one();
    }
  };
  // The usual case, a free connection slot, is answered without a coroutine: nullopt means
  // the attempt must wait as pending (wait_for_slot).
  std::optional<Slot> try_acquire_slot(SlotGuard& slot);
  asio::awaitable<Slot> wait_for_slot(SlotGuard& slot);
  asio::awaitable<void> overflow();
  asio::awaitable<void> route_timeout();
  void stamp_attempt(uint32_t attempt);
  void start_route_timer();
  asio::awaitable<bool> choose_cluster();
  asio::awaitable<bool> prepare_request();
  asio::awaitable<Step> attempt(policy::RetryState& retry);
  asio::awaitable<Step> exchange(upstream::PooledConnection& conn, size_t index, policy::RetryState& retry);
  asio::awaitable<Step> conclude_failure(const AttemptOutcome& outcome, Failure failure, policy::RetryState& retry);
  asio::awaitable<Step> connection_failed(Connected connected, size_t index, policy::RetryState& retry);
  // Shared by the HTTP/1.1 and HTTP/2 exchanges, once the response head is in (or is not).
  asio::awaitable<Step> upstream_protocol_error(size_t index);
  asio::awaitable<Step> head_timed_out(size_t index, policy::RetryState& retry);
  bool response_wants_retry(const http::ResponseHead& head, size_t index, policy::RetryState& retry);
  // HTTP/2 upstream (forward_h2.cc): the attempt on a stream of a shared connection.
  enum class H2Head { kHead, kTimedOut, kIdle, kClosed, kRefused, kProtocolError, kClientGone };
  // The request body sent by a coroutine of its own while the response comes back (full duplex:
  // gRPC bidirectional streaming between HTTP/2 ends).
  struct BodyPump {
    explicit BodyPump(asio::io_context& io) : wake(io), finished(io) {}
    net::WakeSignal wake;      // stream events, for the pump
    net::WakeSignal finished;  // the pump ended
    bool running = false;
    Sent result = Sent::kOk;
  };
  asio::awaitable<void> pump_body_h2(std::shared_ptr<upstream::H2Upstream> conn, http::h2::ClientStream& s,
                                     BodyPump& pump);
  bool upstream_http2() const;
  asio::awaitable<Step> attempt_h2(size_t index, policy::RetryState& retry);
  asio::awaitable<std::shared_ptr<upstream::H2Upstream>> h2_connection(size_t index, Connected& connected);
  asio::awaitable<Sent> send_request_h2(upstream::H2Upstream& conn, http::h2::ClientStream& s, net::WakeSignal& wake);
  asio::awaitable<H2Head> await_head_h2(http::h2::ClientStream& s, net::WakeSignal& wake, upstream::H2Upstream& conn,
                                        const BodyPump* pump);
  asio::awaitable<Step> after_head_h2(H2Head got, upstream::H2Upstream& conn, http::h2::ClientStream& s,
                                      net::WakeSignal& wake, size_t index, policy::RetryState& retry);
  asio::awaitable<void> deliver_h2(upstream::H2Upstream& conn, http::h2::ClientStream& s, net::WakeSignal& wake);
  Step stale_connection(size_t index);
  std::optional<size_t> pick_endpoint();
  bool retry_after(const AttemptOutcome& outcome, policy::RetryState& retry);
  asio::awaitable<HeadRead> read_response_head(upstream::PooledConnection& conn);
  bool admit_retry();
  void start_mirrors();
  // The client's next body piece, fed to the mirrors too.
  asio::awaitable<BodyPiece> read_client_body();
  std::optional<std::span<const uint64_t>> eligible_endpoints(const upstream::ClusterRuntime& rt);
  void report(size_t runtime_index, policy::EndpointResult result);
  asio::awaitable<Connected> connect(upstream::PooledConnection& conn, const tcp::endpoint& ep);
  // When the stream watch stopped the attempt (client gone, stream idle): answers or closes
  // accordingly. False when it did not fire.
  asio::awaitable<bool> stopped_by_watch();
  asio::awaitable<Sent> send_request(upstream::PooledConnection& conn);
  asio::awaitable<bool> ended_by_client(Sent sent);
  // TLS origination on a connected socket: handshake within `deadline`, then the name check.
  asio::awaitable<Connected> start_tls(upstream::PooledConnection& conn, const tcp::endpoint& ep,
                                       SteadyClock::time_point deadline);
  // The TLS session cache key of `ep` for this request (tls::ClientTls::save_session).
  std::string tls_session_key(const tcp::endpoint& ep) const;
  // The pool key of this request's connections: 0 for plaintext, else one per cluster and SNI
  // and, with the PROXY protocol, per client connection (its header names the client).
  uint64_t pool_key() const;
  // The PROXY protocol header this request's upstream connections start with (DestinationRule
  // proxyProtocol); empty when the cluster sends none. Computed on first use.
  const std::string& proxy_header() const;
  // The authority TLS names are derived from (the Host, or for a mirror's copy its unshadowed Host).
  std::string_view tls_authority() const;
  asio::awaitable<size_t> read_some(upstream::PooledConnection& conn, SteadyClock::time_point deadline,
                                    bool& timed_out);
  asio::awaitable<bool> write(upstream::PooledConnection& conn, std::string_view a, std::string_view b = {},
                              std::string_view c = {});
  asio::awaitable<void> deliver(upstream::PooledConnection conn, const tcp::endpoint& ep,
                                const upstream::ClusterRuntime& rt);
  asio::awaitable<void> tunnel(const Downstream::TunnelTransport& client, upstream::PooledConnection& conn,
                               std::string_view client_pending, std::string_view upstream_pending);
  asio::awaitable<void> fail(int status, std::string_view body, bool overloaded = false);
  asio::awaitable<void> await_first_resolution();
  void decorate_response(http::HeaderMap& headers) const;
  asio::awaitable<void> backoff(uint32_t retry_number);
  SteadyClock::time_point attempt_deadline() const;

  WorkerContext& ctx_;
  std::shared_ptr<upstream::ClusterTable> table_;  // the request's pinned table (mirrors keep it too)
  const snapshot::RouteAction& action_;
  http::RequestHead& head_;
  Downstream& down_;
  RequestInfo& info_;
  const ForwardOptions& options_;
  asio::steady_timer timer_;
  StreamWatch watch_;
  const snapshot::RouteDestination* destination_ = nullptr;
  std::shared_ptr<upstream::ClusterRuntime> rt_;  // kept alive for the request (DNS rebuilds)
  policy::ClusterState* state_ = nullptr;         // cross-worker state; alive as long as table_
  policy::RetryAdmission retry_admission_;        // the admitted retry's budget tokens
  std::string set_cookie_;                        // generated consistent-hash cookie, if any
  std::string tls_failure_;                       // why the last TLS origination failed
  mutable std::optional<std::string> proxy_header_;  // see proxy_header()
  std::vector<std::shared_ptr<MirrorStream>> mirrors_;  // copies this request feeds its body to
  std::optional<uint64_t> hash_;                  // consistent-hash key, when the cluster hashes
  bool non_idempotent_ = false;                   // see is_non_idempotent (request_preparation.h)
  bool avoid_tried_ = false;                      // retries prefer endpoints not tried yet

  // Buffers, bit sets and the response parser come from the worker's free list.
  FreeList<ForwardScratch>::Lease scratch_;
  std::vector<uint64_t>& outlier_bits_ = scratch_->outlier_bits;
  std::vector<uint64_t>& combined_bits_ = scratch_->combined_bits;
  std::string& head_bytes_ = scratch_->head_bytes;
  std::string& replay_ = scratch_->replay;  // the request body, kept for retries while it fits
  http::h1::ResponseParser& parser_ = scratch_->parser;
  std::vector<char>& buf_ = scratch_->buf;
  bool body_started_ = false;
  bool replayable_ = true;
  SteadyClock::time_point route_deadline_ = SteadyClock::time_point::max();
  SteadyClock::time_point try_started_;
  SteadyClock::time_point request_complete_ = SteadyClock::time_point::min();  // see start_route_timer
  size_t begin_ = 0, end_ = 0;                                                 // unparsed bytes in buf_
};

}  // namespace sy::proxy
