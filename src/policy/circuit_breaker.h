// Per-cluster circuit breaker limits shared by every worker (Envoy circuit breakers as Istio
// configures them from DestinationRule `connectionPool`, docs/semantics.md §8.2). One CircuitBreaker per
// cluster name lives in ClusterState; workers call the try_* methods concurrently. Atomics only,
// no locks: a refused try_* fails fast, never waits.
//
// How the proxy uses it for one upstream attempt (HTTP/1.1 pool, Envoy's semantics):
//   1. admit(idle_connection_available) — the combined pool decision below:
//        kAttach: reuse the idle connection now, holding `request`.
//        kConnect: open a new connection (hold `connection` for the connection's life) and wait
//                  for it as a pending request (hold `pending` until it is attached).
//        kWait: maxConnections reached; wait for a busy connection to free up as a pending
//               request (hold `pending`); counted as upstream_cx_overflow.
//        kOverflow: answer 503 UO, `x-envoy-overloaded: true`, body "...reset reason: overflow".
//      When a pending request gets its connection, call try_start_request() (or keep the request
//      token admit already took for kAttach).
//   2. Before each retry: try_retry() (see also RetryBudget); refused => return the last upstream
//      response (Envoy marks the request UO and counts upstream_rq_retry_overflow).
// Tokens are RAII: releasing is destroying (or reset()). A token points into the breaker, so its
// holder must keep the owning ClusterState alive (requests pin their bound ClusterState vector).
#pragma once

#include <atomic>
#include <cstdint>

#include "policy/cluster_policy.h"

namespace sy::policy {

// One counted resource with a limit (connections, pending requests, requests, retries).
// Thread-safe; the limit may change at reload without disturbing tokens already handed out.
class LimitedResource {
 public:
  explicit LimitedResource(uint64_t limit = kUnlimited) : limit_(limit) {}
  LimitedResource(const LimitedResource&) = delete;
  LimitedResource& operator=(const LimitedResource&) = delete;

  // Takes one unit if fewer than `limit` are in use. Exact under contention (CAS loop).
  bool try_acquire() { return try_acquire_below(limit()); }
  bool try_acquire_below(uint64_t limit);
  void release() { count_.fetch_sub(1, std::memory_order_relaxed); }

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_.load(std::memory_order_relaxed); }
  void set_limit(uint64_t limit) { limit_.store(limit, std::memory_order_relaxed); }
  // Envoy's circuit_breakers.*.{cx,rq_pending,rq,rq_retry}_open gauge: 1 while at the limit.
  bool open() const { return count() >= limit(); }
  uint64_t remaining() const {
    const uint64_t c = count(), l = limit();
    return c >= l ? 0 : l - c;
  }

 private:
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> limit_;
};

// One unit of a LimitedResource, released on destruction. Move-only; empty when refused.
class ResourceToken {
 public:
  ResourceToken() = default;
  explicit ResourceToken(LimitedResource* r) : resource_(r) {}
  ResourceToken(ResourceToken&& o) noexcept : resource_(o.resource_) { o.resource_ = nullptr; }
  ResourceToken& operator=(ResourceToken&& o) noexcept {
    if (this != &o) {
      reset();
      resource_ = o.resource_;
      o.resource_ = nullptr;
    }
    return *this;
  }
  ResourceToken(const ResourceToken&) = delete;
  ResourceToken& operator=(const ResourceToken&) = delete;
  ~ResourceToken() { reset(); }

  explicit operator bool() const { return resource_ != nullptr; }
  void reset() {
    if (resource_) resource_->release();
    resource_ = nullptr;
  }

 private:
  LimitedResource* resource_ = nullptr;
};

struct CircuitBreakerLimits {
  uint64_t max_connections = kUnlimited;
  uint64_t max_pending_requests = kUnlimited;
  uint64_t max_requests = kUnlimited;
  uint64_t max_retries = kUnlimited;

  static CircuitBreakerLimits from(const ConnectionPoolPolicy& p) {
    return {p.max_connections, p.http1_max_pending_requests, p.http2_max_requests, p.max_retries};
  }
  bool operator==(const CircuitBreakerLimits&) const = default;
};

// Counters and gauges for stats/admin (Envoy names in comments).
struct CircuitBreakerStats {
  uint64_t cx_active = 0, rq_pending_active = 0, rq_active = 0, rq_retry_active = 0;
  bool cx_open = false, rq_pending_open = false, rq_open = false, rq_retry_open = false;
  uint64_t cx_overflow = 0;          // upstream_cx_overflow: a new connection was needed but refused
  uint64_t rq_pending_overflow = 0;  // upstream_rq_pending_overflow: pending queue full => 503 UO
  uint64_t rq_overflow = 0;          // max concurrent requests reached => 503 UO (Envoy folds this
                                     // into upstream_rq_pending_overflow)
  uint64_t rq_retry_overflow = 0;    // upstream_rq_retry_overflow: maxRetries reached, retry skipped
};

class CircuitBreaker {
 public:
  explicit CircuitBreaker(const CircuitBreakerLimits& limits = {});

  // Reload: new limits apply to future acquisitions; held tokens stay valid. Any thread.
  void set_limits(const CircuitBreakerLimits& limits);
  CircuitBreakerLimits limits() const;

  // "May I start a request?" (http2MaxRequests, both HTTP versions). Hold for the attempt.
  ResourceToken try_start_request();
  // "May I open a connection?" (maxConnections). Hold for the connection's life. A refusal is
  // counted as cx_overflow but is not a failure: the request may still wait as pending.
  ResourceToken try_open_connection();
  // The same for a pending request trying again; its cx_overflow was counted on the first try.
  ResourceToken retry_open_connection();
  // "May I queue as pending?" (http1MaxPendingRequests). Hold until a connection is assigned.
  ResourceToken try_queue_pending();
  // "May I retry?" (maxRetries, concurrent retries). Hold from the retry decision until that
  // retry attempt finishes (back-off included).
  ResourceToken try_retry();

  struct Admission {
    enum class Kind { kAttach, kConnect, kWait, kOverflow };
    Kind kind = Kind::kOverflow;
    ResourceToken request;     // kAttach
    ResourceToken pending;     // kConnect, kWait
    ResourceToken connection;  // kConnect
  };
  // The pool decision for one attempt, given whether this worker has an idle connection to the
  // chosen endpoint. Envoy order: an idle connection is used if the request limit allows; else the
  // request must fit in the pending queue, and a new connection is opened if maxConnections allows.
  Admission admit(bool idle_connection_available);

  uint64_t active_requests() const { return requests_.count(); }
  uint64_t pending_requests() const { return pending_.count(); }
  CircuitBreakerStats stats() const;

 private:
  LimitedResource connections_, pending_, requests_, retries_;
  std::atomic<uint64_t> cx_overflow_{0}, rq_pending_overflow_{0}, rq_overflow_{0}, rq_retry_overflow_{0};
};

}  // namespace sy::policy
