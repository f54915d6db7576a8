#include "upstream/cluster_runtime.h"

#include <string>

namespace sy::upstream {

namespace asio = boost::asio;

lb::LbPolicy to_lb_policy(const policy::LoadBalancerPolicy& p) {
  lb::LbPolicy out;
  switch (p.algorithm) {
    case policy::LbAlgorithm::kLeastRequest: out.algorithm = lb::LbPolicy::Algorithm::kLeastRequest; break;
    case policy::LbAlgorithm::kRoundRobin: out.algorithm = lb::LbPolicy::Algorithm::kRoundRobin; break;
    case policy::LbAlgorithm::kRandom: out.algorithm = lb::LbPolicy::Algorithm::kRandom; break;
    case policy::LbAlgorithm::kPassthrough:
      out.algorithm = lb::LbPolicy::Algorithm::kLeastRequest;
      out.passthrough = true;
      break;
    case policy::LbAlgorithm::kConsistentHash:
      out.algorithm = p.hash.table == policy::ConsistentHashPolicy::Table::kMaglev ? lb::LbPolicy::Algorithm::kMaglev
                                                                                   : lb::LbPolicy::Algorithm::kRingHash;
      out.minimum_ring_size = p.hash.minimum_ring_size;
      out.maglev_table_size = p.hash.maglev_table_size;
      break;
  }
  return out;
}

ClusterTable::ClusterTable(std::shared_ptr<const snapshot::Snapshot> snap, uint64_t seed)
    : snapshot_(std::move(snap)), clusters_(snapshot_->clusters.size()), seed_(seed) {}

ClusterRuntime& ClusterTable::at(uint32_t id) {
  auto& slot = clusters_[id];
  if (slot) return *slot;
  slot = std::make_unique<ClusterRuntime>();
  ClusterRuntime& rt = *slot;
  const snapshot::Cluster& c = snapshot_->clusters[id];
  rt.cluster = &c;
  const size_t n = c.endpoints.size();
  rt.addresses.resize(n);
  rt.active.assign(n, 0);
  rt.eligible.assign((n + 63) / 64, 0);
  std::vector<lb::Endpoint> lb_endpoints;
  lb_endpoints.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& ep = c.endpoints[i];
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(ep.address, ec);
    if (!ec && ep.port > 0 && ep.port <= 65535) {
      rt.addresses[i] = asio::ip::tcp::endpoint(ip, static_cast<uint16_t>(ep.port));
      rt.eligible[i / 64] |= uint64_t{1} << (i % 64);
      ++rt.eligible_count;
    }
    lb_endpoints.push_back(lb::Endpoint::from_address(ep.address + ":" + std::to_string(ep.port), ep.weight));
  }
  if (n > 0) {
    rt.balancer = lb::Balancer::build(to_lb_policy(c.policy.load_balancer), lb_endpoints);
    rt.balancer->reseed(seed_ ^ (uint64_t{id} * 0x9E3779B97F4A7C15ull));
  }
  return rt;
}

}  // namespace sy::upstream
