// Per-worker runtime state of the clusters of one Snapshot: resolved socket addresses, the
// worker's own balancer copy and in-flight request counts. Built lazily per cluster on first use
// and owned by one worker thread (never shared), so picks take no locks. A request keeps the
// table it started with alive (shared_ptr) so a reload mid-request cannot free its counters.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <vector>

#include "lb/balancer.h"
#include "snapshot/snapshot.h"

namespace sy::upstream {

struct ClusterRuntime {
  const snapshot::Cluster* cluster = nullptr;
  // Parallel to cluster->endpoints. Endpoints without a usable IP address (DNS names not yet
  // resolved) are excluded from picks through `eligible`.
  std::vector<boost::asio::ip::tcp::endpoint> addresses;
  std::vector<uint64_t> eligible;  // bitset over endpoints
  std::vector<uint32_t> active;    // in-flight requests per endpoint (LEAST_REQUEST)
  std::optional<lb::Balancer> balancer;
  size_t eligible_count = 0;
};

class ClusterTable {
 public:
  ClusterTable(std::shared_ptr<const snapshot::Snapshot> snap, uint64_t seed);

  const snapshot::Snapshot& snapshot() const { return *snapshot_; }
  const std::shared_ptr<const snapshot::Snapshot>& snapshot_ptr() const { return snapshot_; }
  ClusterRuntime& at(uint32_t cluster_id);

 private:
  std::shared_ptr<const snapshot::Snapshot> snapshot_;
  std::vector<std::unique_ptr<ClusterRuntime>> clusters_;
  uint64_t seed_;
};

// Translates the DestinationRule load-balancer policy into the balancer's own policy.
lb::LbPolicy to_lb_policy(const policy::LoadBalancerPolicy& p);

}  // namespace sy::upstream
