// Per-worker runtime state of the clusters of one Snapshot: resolved socket addresses, the
// worker's own balancer copy and in-flight request counts. Built lazily per cluster on first use
// and owned by one worker thread (never shared), so picks take no locks. A request keeps the
// table it started with alive (shared_ptr) so a reload mid-request cannot free its counters, and
// keeps its ClusterRuntime alive the same way (a DNS change rebuilds a cluster's runtime).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include "lb/balancer.h"
#include "policy/cluster_state.h"
#include "snapshot/snapshot.h"
#include "upstream/connection_pool.h"
#include "upstream/dns_cache.h"

namespace sy::upstream {

// Runtime endpoints: for STATIC clusters, runtime endpoint i is cluster->endpoints[i]. For DNS
// clusters every address a name resolved to is its own runtime endpoint (all A records are used,
// as Istio's `resolution: DNS` does); `origin` maps each back to its configured endpoint.
struct ClusterRuntime {
  const snapshot::Cluster* cluster = nullptr;
  std::vector<boost::asio::ip::tcp::endpoint> addresses;
  std::vector<uint32_t> origin;    // index into cluster->endpoints, parallel to addresses
  // The outlier detector's slot of each runtime endpoint: its configured endpoint's, or under
  // `resolution: DNS` the resolved address's own (policy::OutlierDetector::address_slot), so a
  // failing address is ejected alone; kNoSlot: not watched.
  std::vector<uint32_t> outlier_slot;
  std::vector<uint64_t> eligible;  // bitset over runtime endpoints: has a usable address
  std::vector<uint32_t> active;    // in-flight requests per runtime endpoint (LEAST_REQUEST)
  std::optional<lb::Balancer> balancer;
  // The time for a pick: only clusters with slow start read the clock (PickContext::now).
  std::chrono::steady_clock::time_point pick_time() const {
    return cluster && cluster->policy.load_balancer.warmup.count() > 0 ? std::chrono::steady_clock::now()
                                                                      : std::chrono::steady_clock::time_point{};
  }
  size_t eligible_count = 0;
  // DNS clusters only: the DnsCache version this was built from, and whether some name had no
  // resolution attempt yet (a request then waits briefly instead of failing with 503 UH).
  uint64_t dns_version = 0;
  bool dns_pending = false;
};

// `resolution: NONE` (Envoy's ORIGINAL_DST): the one endpoint is where the client meant to
// connect. Built per request (such clusters have no configured endpoints); not pooled, not
// watched by outlier detection.
std::shared_ptr<ClusterRuntime> original_destination_runtime(const snapshot::Cluster& cluster,
                                                             const boost::asio::ip::tcp::endpoint& destination);

class ClusterTable {
 public:
  // `dns` (the worker's cache) may be null in tests without DNS clusters. `pool` (the worker's),
  // when given, is told of every address a DNS cluster resolves to, so it pools connections to it.
  ClusterTable(std::shared_ptr<const snapshot::Snapshot> snap, uint64_t seed, DnsCache* dns = nullptr,
               ConnectionPool* pool = nullptr);

  const snapshot::Snapshot& snapshot() const { return *snapshot_; }
  const std::shared_ptr<const snapshot::Snapshot>& snapshot_ptr() const { return snapshot_; }
  // The cluster's current runtime; a DNS cluster's is rebuilt when its names resolved anew.
  // In-flight requests keep the runtime they picked from (LEAST_REQUEST counts restart at 0).
  std::shared_ptr<ClusterRuntime> runtime(uint32_t cluster_id);
  ClusterRuntime& at(uint32_t cluster_id) { return *runtime(cluster_id); }

  // Cross-worker state of each cluster of this snapshot (ClusterStateRegistry::bind), indexed by
  // cluster id. Bound once per snapshot by the worker; a request keeps it alive with the table.
  void set_states(policy::ClusterStateRegistry::Bound states) { states_ = std::move(states); }
  policy::ClusterState& state(uint32_t cluster_id) { return *states_[cluster_id]; }

  // Every endpoint address this snapshot's clusters can pick now: static IP endpoints, and the
  // addresses DNS endpoints last resolved to. What the worker's pool keeps after a reload.
  EndpointSet known_endpoints() const;

 private:
  std::shared_ptr<ClusterRuntime> build(uint32_t id);

  std::shared_ptr<const snapshot::Snapshot> snapshot_;
  std::vector<std::shared_ptr<ClusterRuntime>> clusters_;
  policy::ClusterStateRegistry::Bound states_;
  uint64_t seed_;
  DnsCache* dns_;
  ConnectionPool* pool_;
};

// True for clusters whose endpoint names are resolved at runtime.
bool uses_dns(const snapshot::Cluster& c);

}  // namespace sy::upstream
