#include "proxy/forward.h"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <charconv>

#include "http/grpc.h"
#include "http/http1/serializer.h"
#include "policy/fault_decision.h"
#include "policy/retry_state.h"
#include "proxy/eligible_endpoints.h"
#include "proxy/endpoint_text.h"
#include "proxy/forwarder.h"
#include "proxy/hash_key.h"
#include "proxy/mirror.h"
#include "proxy/request_preparation.h"
#include "proxy/response_flags.h"

namespace sy::proxy {

using namespace asio::experimental::awaitable_operators;

SteadyClock::time_point Forwarder::attempt_deadline() const {
  auto deadline = route_deadline_;
  const auto from = std::max(try_started_, request_complete_);
  if (action_.retry.per_try_timeout.count() > 0)
    deadline =
        std::min(deadline, from + std::chrono::duration_cast<SteadyClock::duration>(action_.retry.per_try_timeout));
  return deadline;
}

// Right after start (or a reload naming new hosts) a DNS cluster's names may not have been
// resolved yet; the resolution is already under way, so wait for it rather than fail.
asio::awaitable<void> Forwarder::await_first_resolution() {
  const auto deadline = std::min(route_deadline_, SteadyClock::now() + kFirstResolutionWait);
  while (rt_->dns_pending && SteadyClock::now() < deadline) {
    co_await ctx_.dns().wait_round(deadline);
    rt_ = table_->runtime(destination_->cluster);
  }
}

asio::awaitable<void> Forwarder::backoff(uint32_t retry_number) {
  // Envoy's full-jitter exponential back-off: uniform in [0, (2^n - 1) * base), capped at 10 * base.
  const auto base = std::chrono::duration_cast<std::chrono::milliseconds>(action_.retry.backoff_base).count();
  const uint64_t ceiling = std::min<uint64_t>(((1ull << std::min(retry_number, 20u)) - 1) * base, 10ull * base);
  if (ceiling == 0) co_return;
  timer_.expires_after(std::chrono::milliseconds(ctx_.rng().next() % ceiling));
  co_await timer_.async_wait(kTuple);
}

// Endpoints this attempt may pick: those with a usable address (DNS) and not ejected by
// outlier detection. Runtime endpoints map to the detector's slots through `outlier_slot` (a DNS
// cluster's resolved addresses have slots of their own). nullopt when outlier detection ejected
// every endpoint.
std::optional<std::span<const uint64_t>> Forwarder::eligible_endpoints(const upstream::ClusterRuntime& rt) {
  return proxy::eligible_endpoints(rt, state_->outlier(), outlier_bits_, combined_bits_);
}

void Forwarder::report(size_t runtime_index, policy::EndpointResult result) {
  const uint32_t slot = rt_->outlier_slot[runtime_index];
  if (slot != policy::OutlierDetector::kNoSlot) state_->outlier().report(slot, result, SteadyClock::now());
}

// Circuit breaking for one attempt (docs/semantics.md §8.2). A connection slot (maxConnections) is held
// while a connection carries this request; without a free slot the request waits as pending
// (http1MaxPendingRequests, cluster-wide) until a slot frees up, or overflows at once when the
// pending queue is full. Then the request slot (http2MaxRequests). Known deviation from Envoy:
// idle pooled connections hold no slot, so a worker never waits for a connection idling in
// another worker's pool; open sockets may then exceed maxConnections by the idle ones.
std::optional<Forwarder::Slot> Forwarder::try_acquire_slot(SlotGuard& slot) {
  policy::CircuitBreaker& cb = state_->breaker();
  slot.connection = cb.try_open_connection();
  if (!slot.connection) return std::nullopt;
  slot.request = cb.try_start_request();
  return slot.request ? Slot::kOk : Slot::kOverflow;
}

asio::awaitable<Forwarder::Slot> Forwarder::wait_for_slot(SlotGuard& slot) {
  policy::CircuitBreaker& cb = state_->breaker();
  policy::ResourceToken pending = cb.try_queue_pending();
  if (!pending) co_return Slot::kOverflow;
  const auto deadline =
      std::min(route_deadline_, SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                         rt_->cluster->policy.connection_pool.connect_timeout));
  asio::steady_timer waiter(ctx_.io());
  while (!(slot.connection = cb.retry_open_connection())) {
    const auto now = SteadyClock::now();
    if (now >= deadline) co_return now >= route_deadline_ ? Slot::kTimeout : Slot::kOverflow;
    // Woken by a release on this worker; the short poll notices releases on other workers.
    waiter.expires_at(std::min(deadline, now + kPendingPoll));
    struct Parked {
      upstream::ConnectionPool& pool;
      asio::steady_timer* t;
      ~Parked() { pool.unpark(t); }
    } parked{ctx_.pool(), &waiter};
    ctx_.pool().park(&waiter);
    co_await waiter.async_wait(kTuple);
  }
  slot.request = cb.try_start_request();
  co_return slot.request ? Slot::kOk : Slot::kOverflow;
}

asio::awaitable<void> Forwarder::overflow() {
  info_.flags |= kUpstreamOverflow;
  co_await fail(503, std::string(kResetPrefix) + "overflow", true);
}

// The retry budget and maxRetries (ClusterState::try_retry); the tokens are held until the retry
// attempt ends. A refusal is counted by the policy objects and logged here.
bool Forwarder::admit_retry() {
  policy::RetryAdmission admission = state_->try_retry();
  if (!admission) {
    spdlog::warn("retry refused for cluster {}: {}", state_->name(),
                 admission.refusal == policy::RetryAdmission::Refusal::kBudget ? "retry budget exhausted"
                                                                               : "maxRetries reached");
    info_.flags |= kUpstreamRetryLimitExceeded;
    return false;
  }
  retry_admission_ = std::move(admission);
  return true;
}

// Starts the copies of the route's mirrors that sample in (mirror.h). Each gets the request as
// prepared for the primary's upstream, and its body as the primary reads it (read_client_body).
void Forwarder::start_mirrors() {
  const auto& clusters = table_->snapshot().clusters;
  for (const auto& m : action_.mirrors) {
    if (m.cluster == policy::kNoCluster || m.cluster >= clusters.size() || !policy::decide_mirror(m, ctx_.rng().next()))
      continue;
    const auto timeout = action_.timeout.count() > 0
                             ? std::chrono::duration_cast<std::chrono::milliseconds>(action_.timeout)
                             : kMirrorTimeout;
    auto copy = std::make_shared<MirrorStream>(ctx_, head_, m.cluster, timeout, down_, options_);
    mirrors_.push_back(copy);
    MirrorStream::start(std::move(copy), table_);
  }
}

// Every read of the client's body goes through here, so the mirrors carry the same bytes.
asio::awaitable<BodyPiece> Forwarder::read_client_body() {
  BodyPiece piece = co_await down_.read_body();
  for (const auto& m : mirrors_) {
    if (piece.error) m->primary_done();
    else m->feed(piece.data, piece.end, piece.end ? &down_.request_trailers() : nullptr);
  }
  co_return piece;
}

Forwarder::~Forwarder() {
  for (const auto& m : mirrors_) m->primary_done();
}

// The destination (weighted split) and its cluster, checked for anything that makes every attempt
// futile. False when the request was answered here.
asio::awaitable<bool> Forwarder::choose_cluster() {
  auto choice = action_.split.pick(ctx_.rng().next());
  if (!choice) {
    info_.flags |= kNoClusterFound;
    co_await fail(503, {});
    co_return false;
  }
  destination_ = &action_.destinations[*choice];
  info_.cluster = destination_->cluster;
  rt_ = table_->runtime(destination_->cluster);
  state_ = &table_->state(destination_->cluster);
  if (rt_->cluster->discovery == snapshot::Discovery::kOriginalDst && options_.original_destination)
    rt_ = upstream::original_destination_runtime(*rt_->cluster, *options_.original_destination);
  // A fault delay before the router is not counted; a request without a body to upload is
  // complete already, so its route timeout starts now (see start_route_timer).
  if (!has_request_body(head_) || down_.body_complete()) start_route_timer();
  if (rt_->dns_pending) co_await await_first_resolution();
  if (rt_->cluster->missing()) {
    info_.flags |= kNoClusterFound;
    co_await fail(503, {});
    co_return false;
  }
  if (rt_->eligible_count == 0) {
    info_.flags |= kNoHealthyUpstream;
    co_await fail(503, "no healthy upstream");
    co_return false;
  }
  state_->outlier().sweep_if_due(SteadyClock::now());
  co_return true;
}

// Everything about the upstream request that every attempt shares: the hash key, the rewritten
// head and its bytes, the mirrors. False when the client went away while a mirrored body was read.
asio::awaitable<bool> Forwarder::prepare_request() {
  const upstream::ClusterRuntime& rt = *rt_;
  // The hash key is read from the request as the client sent it, before header operations.
  if (rt.cluster->policy.load_balancer.algorithm == policy::LbAlgorithm::kConsistentHash) {
    const std::string peer_ip = down_.peer().address().to_string();
    const std::string peer = peer_ip + ":" + std::to_string(down_.peer().port());
    HashKey key = extract_hash_key(rt.cluster->policy.load_balancer.hash, head_, peer_ip, peer);
    hash_ = key.hash;
    set_cookie_ = std::move(key.set_cookie);
  }
  if (!options_.mirror) {  // a mirror's head comes prepared by its primary's route
    EndpointText peer_address;
    format_address(down_.peer().address(), peer_address);
    prepare_upstream_request(head_, action_, *destination_, peer_address.view, ctx_.rng(), options_.edge,
                             down_.forwarded_client_cert());
    if (!action_.mirrors.empty()) start_mirrors();
  }
  stamp_attempt(1);
  non_idempotent_ = is_non_idempotent(head_);
  avoid_tried_ = action_.retry.retry_ignore_previous_hosts &&
                 rt.cluster->policy.load_balancer.algorithm != policy::LbAlgorithm::kConsistentHash;
  scratch_->tried.assign(rt.eligible.size(), 0);
  parser_.expect_response_to(head_.method);
  co_return true;
}

asio::awaitable<void> Forwarder::run() {
  if (!co_await choose_cluster()) co_return;
  if (!co_await prepare_request()) co_return;
  policy::RetryState retry(action_.retry, non_idempotent_);
  for (;;) {
    const Step step = co_await attempt(retry);
    if (step == Step::kDone) co_return;
    // The attempt failed, or its response asked for a retry that was admitted: a new exchange.
    begin_ = end_ = 0;
    parser_ = http::h1::ResponseParser();
    parser_.expect_response_to(head_.method);
    if (step == Step::kStaleConnection) continue;  // costs no attempt and no back-off
    stamp_attempt(info_.attempts + 1);
    co_await backoff(retry.retrying());
    if (SteadyClock::now() >= route_deadline_) {
      co_await route_timeout();
      co_return;
    }
  }
}

// Istio turns on include_request_attempt_count on every virtual host: the upstream sees which
// attempt this is (1 for the first). The head is serialized again for each retry.
void Forwarder::stamp_attempt(uint32_t attempt) {
  char digits[16];
  const auto end = std::to_chars(digits, digits + sizeof(digits), attempt).ptr;
  head_.headers.set("x-envoy-attempt-count", std::string_view(digits, static_cast<size_t>(end - digits)));
  head_bytes_.clear();
  http::h1::append_request_head(head_, http::h1::HeadOptions{.tunnel = head_.upgrade}, head_bytes_);
}

// Envoy's route timeout runs from the end of the client's request to the end of the response, so
// a slow upload is left to the stream idle timeout and a stalled response body is a timeout too.
// Per-try timeouts count from the same point (attempt_deadline).
void Forwarder::start_route_timer() {
  if (request_complete_ != SteadyClock::time_point::min()) return;
  request_complete_ = SteadyClock::now();
  auto timeout = std::chrono::duration_cast<SteadyClock::duration>(action_.timeout);
  // A gRPC client's grpc-timeout is honoured, capped by the route's timeout when it has one
  // (Istio sets Envoy's max_grpc_timeout to the VirtualService timeout, 0 = no cap, without one).
  if (info_.grpc) {
    const auto header = head_.headers.get("grpc-timeout");
    if (auto asked = header ? http::parse_grpc_timeout(*header) : std::nullopt) {
      const auto grpc = std::chrono::duration_cast<SteadyClock::duration>(*asked);
      timeout = timeout.count() > 0 ? std::min(timeout, grpc) : grpc;
    }
  }
  if (timeout.count() > 0) route_deadline_ = request_complete_ + timeout;
}

asio::awaitable<void> Forwarder::route_timeout() {
  info_.flags |= kUpstreamRequestTimeout;
  policy::ClusterCounters::bump(state_->counters().rq_timeout);
  co_await fail(504, "upstream request timeout");
}

// The endpoint of one attempt (skipping those tried before when the policy asks), or nullopt
// when none is left; the request is then answered 503 UH.
std::optional<size_t> Forwarder::pick_endpoint() {
  upstream::ClusterRuntime& rt = *rt_;
  auto eligible = eligible_endpoints(rt);
  if (!eligible) return std::nullopt;
  std::vector<uint64_t>& tried = scratch_->tried;
  lb::PickContext pick{.random = ctx_.rng().next(),
                       .hash = hash_,
                       .active_requests = rt.active,
                       .eligible = *eligible,
                       .tried = avoid_tried_ ? std::span<const uint64_t>(tried) : std::span<const uint64_t>(),
                       .now = rt.pick_time()};
  auto index = rt.balancer->pick(pick);
  if (index) tried[*index / 64] |= uint64_t{1} << (*index % 64);
  return index;
}

// After an attempt: whether another follows (the policy wants it, the request can be sent again,
// the budget admits it). Sets URX when the policy wanted a retry that may not happen.
bool Forwarder::retry_after(const AttemptOutcome& outcome, policy::RetryState& retry) {
  const bool replayable = !body_started_ || replayable_;
  switch (retry.evaluate(outcome, replayable, SteadyClock::now() >= route_deadline_)) {
    case policy::RetryState::Verdict::kNoRetry:
      return false;
    case policy::RetryState::Verdict::kLimitExceeded:
      info_.flags |= kUpstreamRetryLimitExceeded;
      return false;
    case policy::RetryState::Verdict::kRetry:
      return admit_retry();
  }
  return false;
}

// One attempt: endpoint, circuit-breaker slots, connection, exchange up to the response head, then
// the response delivered or the verdict on a retry.
asio::awaitable<Forwarder::Step> Forwarder::attempt(policy::RetryState& retry) {
  ++info_.attempts;
  try_started_ = SteadyClock::now();
  const auto index = pick_endpoint();
  if (!index) {
    info_.flags |= kNoHealthyUpstream;
    co_await fail(503, "no healthy upstream");
    co_return Step::kDone;
  }
  upstream::ClusterRuntime& rt = *rt_;
  const tcp::endpoint& ep = rt.addresses[*index];
  EndpointText upstream_text;
  format_endpoint(ep, upstream_text);
  info_.upstream_host.assign(upstream_text.view);
  if (upstream_http2()) co_return co_await attempt_h2(*index, retry);

  SlotGuard slot{ctx_.pool(), {}, {}};
  std::optional<Slot> got = try_acquire_slot(slot);
  if (!got) got = co_await wait_for_slot(slot);
  if (*got == Slot::kOverflow) {
    co_await overflow();
    co_return Step::kDone;
  }
  if (*got == Slot::kTimeout) {
    co_await route_timeout();
    co_return Step::kDone;
  }
  policy::ClusterCounters& counters = state_->counters();
  policy::ClusterCounters::bump(counters.rq_total);
  ++rt.active[*index];
  struct ActiveGuard {
    uint32_t& n;
    ~ActiveGuard() { --n; }
  } guard{rt.active[*index]};

  upstream::PooledConnection conn{tcp::socket(ctx_.io())};
  const auto idle_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(rt.cluster->policy.connection_pool.http_idle_timeout);
  const bool have_conn = !retry.needs_fresh_connection() &&
                         ctx_.pool().take_idle(ep, conn, idle_timeout, non_idempotent_, pool_key());
  if (!have_conn) policy::ClusterCounters::bump(counters.cx_total);
  const Connected connected = have_conn ? Connected::kOk : co_await connect(conn, ep);
  watch_.watch(&conn.tcp());
  if (connected != Connected::kOk) co_return co_await connection_failed(connected, *index, retry);
  if (!have_conn) report(*index, {policy::EndpointResult::Kind::kConnectSuccess, 0});
  co_return co_await exchange(conn, *index, retry);
}

// A connection that could not be had: out of local resources (not the endpoint's fault, so
// outlier detection hears nothing and no retry makes it better), or a connect failure; a failed
// TLS handshake or name check is one too, as in Envoy (never a fallback to plaintext), and the
// body names the TLS error.
asio::awaitable<Forwarder::Step> Forwarder::connection_failed(Connected connected, size_t index,
                                                              policy::RetryState& retry) {
  if (connected == Connected::kLocalError) {
    info_.flags |= kResourceExhausted;
    spdlog::debug("upstream connect to {}: out of local resources (descriptors or memory)", info_.upstream_host);
    co_await fail(503, "local resource exhaustion");
    co_return Step::kDone;
  }
  policy::ClusterCounters::bump(state_->counters().cx_connect_fail);
  report(index, {policy::EndpointResult::Kind::kConnectFailure, 0});
  info_.flags |= kUpstreamConnectionFailure;
  const Failure failure{SteadyClock::now() >= route_deadline_ ? 504 : 503,
                        connected == Connected::kTlsFailed ? std::string_view(tls_failure_) : "connection failure"};
  co_return co_await conclude_failure({.kind = AttemptOutcome::Kind::kConnectFailure}, failure, retry);
}

// The request on a connected connection, up to the response head (or the attempt's failure).
// A send that failed on the client's side: a malformed body (400, as nginx and haproxy answer,
// then close) or a client that went away. True when the request ended here.
asio::awaitable<bool> Forwarder::ended_by_client(Sent sent) {
  bool ended = false;
  if (sent == Sent::kMalformedBody) {
    info_.flags |= kDownstreamProtocolError;
    co_await fail(400, "malformed request body");
    ended = true;
  } else if (sent == Sent::kClientGone) {
    info_.flags |= kDownstreamConnectionTermination;
    down_.close_after_response();
    ended = true;
  }
  co_return ended;
}

asio::awaitable<Forwarder::Step> Forwarder::exchange(upstream::PooledConnection& conn, size_t index,
                                                     policy::RetryState& retry) {
  const bool replayable = !body_started_ || replayable_;
  const Sent sent = co_await send_request(conn);
  if (co_await stopped_by_watch()) co_return Step::kDone;
  if (co_await ended_by_client(sent)) co_return Step::kDone;
  switch (sent) {
    case Sent::kOk:
    case Sent::kMalformedBody:  // answered by ended_by_client
    case Sent::kClientGone:
      break;
    case Sent::kFailedBeforeBytes:
    case Sent::kFailed:
      // The upstream closed an idle connection as we reused it: it never saw this request.
      if (sent == Sent::kFailedBeforeBytes && conn.reused && retry.take_stale_connection_retry(true, replayable))
        co_return stale_connection(index);
      report(index, {policy::EndpointResult::Kind::kReset, 0});
      info_.flags |= kUpstreamConnectionTermination;
      co_return co_await conclude_failure(
          {.kind = sent == Sent::kFailedBeforeBytes ? AttemptOutcome::Kind::kResetBeforeSend
                                                    : AttemptOutcome::Kind::kReset},
          {503, "connection termination"}, retry);
  }

  const HeadRead got = co_await read_response_head(conn);
  if (got != HeadRead::kHead && co_await stopped_by_watch()) co_return Step::kDone;
  switch (got) {
    case HeadRead::kHead:
      break;
    case HeadRead::kClientGone:
      info_.flags |= kDownstreamConnectionTermination;
      co_return Step::kDone;
    case HeadRead::kProtocolError:
      co_return co_await upstream_protocol_error(index);
    case HeadRead::kTimedOut:
      co_return co_await head_timed_out(index, retry);
    case HeadRead::kClosed:
      // A reused connection closed without a byte of response: the classic keep-alive race.
      if (conn.reused && end_ == begin_ && retry.take_stale_connection_retry(false, replayable))
        co_return stale_connection(index);
      report(index, {policy::EndpointResult::Kind::kReset, 0});
      info_.flags |= kUpstreamConnectionTermination;
      co_return co_await conclude_failure({.kind = AttemptOutcome::Kind::kReset}, {503, "connection termination"},
                                          retry);
  }

  if (response_wants_retry(parser_.head(), index, retry)) {
    conn.close();
    co_return Step::kRetry;
  }
  co_await deliver(std::move(conn), rt_->addresses[index], *rt_);
  co_return Step::kDone;
}

// The free retry after a stale pooled connection: this attempt does not count, and the endpoint
// may be picked again.
Forwarder::Step Forwarder::stale_connection(size_t index) {
  --info_.attempts;
  scratch_->tried[index / 64] &= ~(uint64_t{1} << (index % 64));
  return Step::kStaleConnection;
}

// A failed attempt: retried when the verdict allows, else answered with the failure.
asio::awaitable<Forwarder::Step> Forwarder::conclude_failure(const AttemptOutcome& outcome, Failure failure,
                                                             policy::RetryState& retry) {
  if (retry_after(outcome, retry)) co_return Step::kRetry;
  if (failure.status == 504) {
    co_await fail(504, "upstream request timeout");
  } else {
    co_await fail(failure.status, std::string(kResetPrefix) + std::string(failure.reason));
  }
  co_return Step::kDone;
}

// The endpoint answered a head that is not HTTP (either upstream protocol): 502 UPE, no retry.
asio::awaitable<Forwarder::Step> Forwarder::upstream_protocol_error(size_t index) {
  report(index, policy::EndpointResult::response(502));
  info_.flags |= kUpstreamProtocolError;
  co_await fail(502, std::string(kResetPrefix) + "protocol error");
  co_return Step::kDone;
}

// No response head by the attempt's deadline: the route timeout (504 UT, final) when that is
// what passed, else the per-try timeout, which a retry may follow.
asio::awaitable<Forwarder::Step> Forwarder::head_timed_out(size_t index, policy::RetryState& retry) {
  report(index, {policy::EndpointResult::Kind::kTimeout, 0});
  if (SteadyClock::now() >= route_deadline_) {
    co_await route_timeout();
    co_return Step::kDone;
  }
  policy::ClusterCounters::bump(state_->counters().rq_per_try_timeout);
  info_.flags |= kUpstreamRequestTimeout;
  co_return co_await conclude_failure({.kind = AttemptOutcome::Kind::kPerTryTimeout}, {504, {}}, retry);
}

// A response head arrived: reported to outlier detection, then the retry verdict on it.
bool Forwarder::response_wants_retry(const http::ResponseHead& head, size_t index, policy::RetryState& retry) {
  AttemptOutcome outcome{.kind = AttemptOutcome::Kind::kResponse, .status = head.status};
  outcome.header = [](const void* c, std::string_view n) { return static_cast<const http::HeaderMap*>(c)->get(n); };
  outcome.header_ctx = &head.headers;
  report(index, policy::EndpointResult::response(static_cast<uint16_t>(outcome.status)));
  return retry_after(outcome, retry);
}

asio::awaitable<void> forward(WorkerContext& ctx, std::shared_ptr<upstream::ClusterTable> table,
                              const snapshot::RouteEntry& entry, http::RequestHead& head, Downstream& down,
                              RequestInfo& info, const ForwardOptions& options) {
  Forwarder f(ctx, std::move(table), entry, head, down, info, options);
  co_await f.run();
}

}  // namespace sy::proxy
