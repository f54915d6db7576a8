// Cross-worker runtime state of one upstream cluster: circuit breaker, retry budget, outlier
// detector and request counters, plus the registry that keeps this state across config reloads
// (keyed by cluster name, since Cluster::id may change between snapshots).
//
// Ownership and threads (docs/architecture.md, habit: share nothing between workers; this is the
// marked shared struct, atomics only on the request path):
//  * ClusterStateRegistry: one per server, owned by the main thread. bind() is called by each
//    worker once per snapshot it adopts (takes a mutex; never per request); sweep_all() by the
//    main thread's outlier timer; view() by the admin endpoint.
//  * ClusterState: reached through the vector bind() returns, indexed by Cluster::id. Workers call
//    its members concurrently. A request keeps that vector (shared_ptrs) alive for its whole life,
//    so tokens and endpoint indices stay valid across a reload.
//  * A reload that keeps a cluster name keeps its breaker, budget and counters (the same objects).
//    When the endpoint set or the outlier policy changes, bind() gives a new ClusterState with a
//    new OutlierDetector whose endpoints keep their state by "address:port".
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "policy/circuit_breaker.h"
#include "policy/outlier_detector.h"
#include "policy/retry_budget.h"

namespace sy::snapshot {
struct Snapshot;
struct Cluster;
}  // namespace sy::snapshot

namespace sy::policy {

// Monotonic counters the proxy bumps (Envoy cluster stat names). Active gauges come from the
// breaker: a request is active while it holds a request token, a connection while it holds a
// connection token.
struct ClusterCounters {
  std::atomic<uint64_t> rq_total{0};            // upstream_rq_total: attempts started
  std::atomic<uint64_t> rq_retry{0};            // upstream_rq_retry: retries admitted
  std::atomic<uint64_t> rq_timeout{0};          // upstream_rq_timeout: route timeout fired
  std::atomic<uint64_t> rq_per_try_timeout{0};  // upstream_rq_per_try_timeout
  std::atomic<uint64_t> cx_total{0};            // upstream_cx_total: connections opened
  std::atomic<uint64_t> cx_connect_fail{0};     // upstream_cx_connect_fail

  static void bump(std::atomic<uint64_t>& c) { c.fetch_add(1, std::memory_order_relaxed); }
};

// The parts of a cluster's state that survive every reload under the same name.
struct ClusterShared {
  explicit ClusterShared(std::string n) : name(std::move(n)) {}
  const std::string name;
  CircuitBreaker breaker;
  RetryBudget retry_budget;
  ClusterCounters counters;
};

struct ClusterStats {
  std::string name;
  CircuitBreakerStats breaker;
  uint64_t retry_budget_active = 0, retry_budget_refused = 0;
  OutlierStats outlier;
  uint64_t rq_total = 0, rq_retry = 0, rq_timeout = 0, rq_per_try_timeout = 0, cx_total = 0, cx_connect_fail = 0;
};

// Outcome of "may I retry?" for one request.
struct RetryAdmission {
  enum class Refusal { kNone, kBudget, kMaxRetries };
  Refusal refusal = Refusal::kNone;
  ResourceToken budget;       // hold both until the retry attempt finishes
  ResourceToken max_retries;  // empty when a DestinationRule retryBudget replaces maxRetries
  explicit operator bool() const { return refusal == Refusal::kNone; }
};

class ClusterState {
 public:
  // `joined`: when each endpoint (indexed like Cluster::endpoints) joined the cluster, for slow
  // start; immutable afterwards, so workers read it without synchronisation.
  ClusterState(std::shared_ptr<ClusterShared> shared, std::unique_ptr<OutlierDetector> outlier,
               std::vector<MonoTime> joined = {});

  const std::string& name() const { return shared_->name; }
  CircuitBreaker& breaker() { return shared_->breaker; }
  RetryBudget& retry_budget() { return shared_->retry_budget; }
  ClusterCounters& counters() { return shared_->counters; }
  // Indexed like this snapshot's Cluster::endpoints.
  OutlierDetector& outlier() { return *outlier_; }
  const OutlierDetector& outlier() const { return *outlier_; }
  // When endpoint i joined the cluster: the cluster's creation for its first endpoints (Envoy
  // starts the slow-start window of every host when it first sees it, so they warm together),
  // the reload that added it for later ones. Kept by "address:port" across reloads. Empty for
  // states built without times (tests).
  const std::vector<MonoTime>& joined() const { return joined_; }

  // "May I retry?": the retry budget (always), then the maxRetries breaker unless a DR
  // retryBudget replaces it. Counts rq_retry when admitted; refusals are counted by the budget
  // (retry_budget_refused) or the breaker (rq_retry_overflow). Worker threads.
  RetryAdmission try_retry();

  ClusterStats stats() const;
  const std::shared_ptr<ClusterShared>& shared() const { return shared_; }

 private:
  std::shared_ptr<ClusterShared> shared_;
  std::unique_ptr<OutlierDetector> outlier_;
  std::vector<MonoTime> joined_;
};

// "address:port", the identity of an endpoint across reloads.
std::string endpoint_key(const std::string& address, uint32_t port);

class ClusterStateRegistry {
 public:
  using Bound = std::vector<std::shared_ptr<ClusterState>>;

  // States for every cluster of `snap`, indexed by Cluster::id. Workers adopting the same snapshot
  // get the same objects. Reload rules in the header comment; limits and budget settings are
  // updated in place. Binding a newer snapshot forgets clusters it no longer has.
  Bound bind(const snapshot::Snapshot& snap, MonoTime now);

  // Main thread, every outlier interval (cheap for clusters whose interval has not passed).
  void sweep_all(MonoTime now);

  struct ClusterView {
    ClusterStats stats;
    std::vector<EndpointOutlierView> endpoints;
  };
  // Admin: every known cluster, sorted by name.
  std::vector<ClusterView> view() const;
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<ClusterShared> shared;
    std::shared_ptr<ClusterState> current;  // never null
  };
  std::shared_ptr<ClusterState> bind_cluster(const snapshot::Cluster& c, bool newest, MonoTime now);

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  // The last binding, so N workers adopting one snapshot build it once.
  const snapshot::Snapshot* last_snapshot_ = nullptr;
  uint64_t last_version_ = 0, last_hash_ = 0;
  Bound last_bound_;
  uint64_t newest_version_ = 0;
};

}  // namespace sy::policy
