#include "upstream/cluster_runtime.h"

#include "lb/from_cluster_policy.h"

#include <algorithm>
#include <string>

namespace sy::upstream {

namespace asio = boost::asio;

bool uses_dns(const snapshot::Cluster& c) {
  return c.discovery == snapshot::Discovery::kDns || c.discovery == snapshot::Discovery::kDnsRoundRobin;
}

ClusterTable::ClusterTable(std::shared_ptr<const snapshot::Snapshot> snap, uint64_t seed, DnsCache* dns,
                           ConnectionPool* pool)
    : snapshot_(std::move(snap)), clusters_(snapshot_->clusters.size()), seed_(seed), dns_(dns), pool_(pool) {}

EndpointSet ClusterTable::known_endpoints() const {
  EndpointSet out;
  for (const auto& c : snapshot_->clusters) {
    const bool dns = uses_dns(c) && dns_ != nullptr;
    for (const auto& ep : c.endpoints) {
      if (ep.port == 0 || ep.port > 65535) continue;
      const auto port = static_cast<uint16_t>(ep.port);
      boost::system::error_code ec;
      auto ip = asio::ip::make_address(ep.address, ec);
      if (!ec) {
        out.emplace(ip, port);
      } else if (dns) {
        for (const auto& a : dns_->resolved(ep.address)) out.emplace(a, port);
      }
    }
  }
  return out;
}

std::shared_ptr<ClusterRuntime> ClusterTable::runtime(uint32_t id) {
  auto& slot = clusters_[id];
  if (!slot || (slot->cluster && uses_dns(*slot->cluster) && dns_ && slot->dns_version != dns_->version()))
    slot = build(id);
  return slot;
}

std::shared_ptr<ClusterRuntime> original_destination_runtime(const snapshot::Cluster& cluster,
                                                             const asio::ip::tcp::endpoint& destination) {
  auto rt = std::make_shared<ClusterRuntime>();
  rt->cluster = &cluster;
  rt->addresses.push_back(destination);
  rt->origin.push_back(0);
  rt->outlier_slot.push_back(policy::OutlierDetector::kNoSlot);
  rt->eligible.push_back(1);
  rt->eligible_count = 1;
  rt->active.assign(1, 0);
  const std::string key = destination.address().to_string() + ":" + std::to_string(destination.port());
  const lb::Endpoint only[] = {lb::Endpoint::from_address(key, 1)};
  rt->balancer = lb::Balancer::build(lb::from_cluster_policy(cluster.policy.load_balancer), only);
  return rt;
}

std::shared_ptr<ClusterRuntime> ClusterTable::build(uint32_t id) {
  auto rt_ptr = std::make_shared<ClusterRuntime>();
  ClusterRuntime& rt = *rt_ptr;
  const snapshot::Cluster& c = snapshot_->clusters[id];
  rt.cluster = &c;
  const bool dns = uses_dns(c) && dns_ != nullptr;
  if (dns) rt.dns_version = dns_->version();
  std::vector<lb::Endpoint> lb_endpoints;
  // Slow start: when the endpoint joined the cluster (kept across reloads by ClusterState), or
  // when a DNS answer first brought this address, whichever is later.
  const std::vector<policy::MonoTime>* joined =
      id < states_.size() && states_[id] ? &states_[id]->joined() : nullptr;
  policy::OutlierDetector* outlier = id < states_.size() && states_[id] ? &states_[id]->outlier() : nullptr;
  // `per_address`: a resolved address of a `resolution: DNS` name, its own host for outlier detection.
  auto add = [&](uint32_t origin, const std::optional<asio::ip::address>& ip, policy::MonoTime dns_joined = {},
                 bool per_address = false) {
    const auto& ep = c.endpoints[origin];
    const size_t i = rt.addresses.size();
    rt.origin.push_back(origin);
    if (!per_address) rt.outlier_slot.push_back(origin);
    else if (outlier == nullptr) rt.outlier_slot.push_back(policy::OutlierDetector::kNoSlot);
    else rt.outlier_slot.push_back(outlier->address_slot(policy::endpoint_key(ip->to_string(), ep.port)));
    rt.addresses.emplace_back();
    if (rt.eligible.size() <= i / 64) rt.eligible.push_back(0);
    if (ip && ep.port > 0 && ep.port <= 65535 && !ep.distribute_excluded) {
      rt.addresses[i] = asio::ip::tcp::endpoint(*ip, static_cast<uint16_t>(ep.port));
      if (dns && pool_) pool_->admit(rt.addresses[i]);
      rt.eligible[i / 64] |= uint64_t{1} << (i % 64);
      ++rt.eligible_count;
    }
    // A resolved address is identified by the address itself, so ring positions follow the
    // address (not the name) and stay put when other records of the name come or go.
    std::string identity = ip && dns ? ip->to_string() : ep.address;
    lb::Endpoint lb_ep = lb::Endpoint::from_address(identity + ":" + std::to_string(ep.port), ep.balancer_weight());
    lb_ep.priority = ep.priority;
    lb_ep.joined = std::max(joined && origin < joined->size() ? (*joined)[origin] : policy::MonoTime{}, dns_joined);
    lb_endpoints.push_back(lb_ep);
  };
  for (uint32_t i = 0; i < c.endpoints.size(); ++i) {
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(c.endpoints[i].address, ec);
    if (!ec) {
      add(i, ip);
    } else if (dns && !c.endpoints[i].address.starts_with("unix://")) {
      const auto& resolved = dns_->lookup(c.endpoints[i].address);
      if (dns_->pending(c.endpoints[i].address)) rt.dns_pending = true;
      if (resolved.empty()) {
        add(i, std::nullopt);
      } else if (c.discovery == snapshot::Discovery::kDnsRoundRobin) {
        // DNS_ROUND_ROBIN: one endpoint per name, at the first address of the latest answer.
        add(i, dns_->first(c.endpoints[i].address).value_or(resolved.front()));
      } else {
        const auto& dns_joined = dns_->joined(c.endpoints[i].address);
        for (size_t k = 0; k < resolved.size(); ++k)
          add(i, resolved[k], k < dns_joined.size() ? dns_joined[k] : policy::MonoTime{}, true);
      }
    } else {
      add(i, std::nullopt);  // a name in a STATIC cluster, or a unix socket: not supported here
    }
  }
  rt.active.assign(rt.addresses.size(), 0);
  if (!lb_endpoints.empty()) {
    rt.balancer = lb::Balancer::build(lb::from_cluster_policy(c.policy.load_balancer), lb_endpoints);
    rt.balancer->reseed(seed_ ^ (uint64_t{id} * 0x9E3779B97F4A7C15ull));
  }
  return rt_ptr;
}

}  // namespace sy::upstream
