#include "policy/cluster_policy.h"

#include <gtest/gtest.h>

namespace sy::policy {
namespace {

using namespace std::chrono_literals;
using Simple = config::LoadBalancerSettings::Simple;

config::LoadBalancerSettings lb(Simple s) {
  config::LoadBalancerSettings l;
  l.simple = s;
  return l;
}
config::ConnectionPoolSettings pool_connect(Duration d) {
  config::ConnectionPoolSettings p;
  p.tcp.emplace().connect_timeout = d;
  return p;
}

// Scenario: with no DestinationRule everything is Istio's default.
TEST(ClusterPolicy, Defaults) {
  ClusterPolicy p = effective_cluster_policy(nullptr, nullptr, 80, "");
  EXPECT_EQ(p.load_balancer.algorithm, LbAlgorithm::kLeastRequest);
  EXPECT_EQ(p.connection_pool.max_connections, 4294967295u);
  EXPECT_EQ(p.connection_pool.http1_max_pending_requests, 4294967295u);
  EXPECT_EQ(p.connection_pool.http2_max_requests, 4294967295u);
  EXPECT_EQ(p.connection_pool.max_retries, 4294967295u);
  EXPECT_EQ(p.connection_pool.connect_timeout, 10s);
  EXPECT_EQ(p.connection_pool.http_idle_timeout, 1h);
  EXPECT_EQ(p.connection_pool.max_requests_per_connection, 0u);
  EXPECT_FALSE(p.outlier.enabled);
  EXPECT_EQ(p.tls.mode, config::ClientTLSSettings::Mode::kDisable);
  EXPECT_EQ(p.sources.load_balancer, "default");
}

// Scenario: outlier detection with only some fields set fills the rest with Envoy defaults.
TEST(ClusterPolicy, OutlierDefaults) {
  config::TrafficPolicy tp;
  tp.outlier_detection.emplace().consecutive_5xx_errors = 1;
  ClusterPolicy p = effective_cluster_policy(&tp, nullptr, 80, "ns/dr");
  EXPECT_TRUE(p.outlier.enabled);
  EXPECT_EQ(p.outlier.consecutive_5xx, 1u);
  EXPECT_EQ(p.outlier.interval, 10s);
  EXPECT_EQ(p.outlier.base_ejection_time, 30s);
  EXPECT_EQ(p.outlier.max_ejection_percent, 10u);
  EXPECT_EQ(p.outlier.min_health_percent, 0u);
  EXPECT_EQ(p.outlier.consecutive_gateway, 0u);
}

// Scenario: precedence subset portLevel > subset > DR portLevel > DR > defaults, per section,
// and a port-level entry replaces all four sections (unset ones revert to defaults).
TEST(ClusterPolicy, MergePrecedence) {
  config::TrafficPolicy dr;
  dr.load_balancer = lb(Simple::kRoundRobin);
  dr.connection_pool = pool_connect(1s);
  dr.outlier_detection.emplace();
  config::TrafficPolicy::PortTrafficPolicy p9080;
  p9080.port = config::PortSelector{9080};
  p9080.load_balancer = lb(Simple::kRandom);
  dr.port_level_settings.push_back(p9080);

  config::Subset v1;
  v1.name = "v1";
  v1.traffic_policy.emplace().connection_pool = pool_connect(2s);
  config::TrafficPolicy::PortTrafficPolicy s8080;
  s8080.port = config::PortSelector{8080};
  s8080.connection_pool = pool_connect(3s);
  v1.traffic_policy->port_level_settings.push_back(s8080);

  struct Case {
    const char* what;
    const config::Subset* subset;
    uint32_t port;
    LbAlgorithm lb;
    Duration connect;
    bool outlier;
  } cases[] = {
      {"DR top level", nullptr, 80, LbAlgorithm::kRoundRobin, 1s, true},
      {"DR port level replaces all four", nullptr, 9080, LbAlgorithm::kRandom, 10s, false},
      {"subset overrides one section only", &v1, 80, LbAlgorithm::kRoundRobin, 2s, true},
      {"subset over DR port level", &v1, 9080, LbAlgorithm::kRandom, 2s, false},
      {"subset port level replaces all four", &v1, 8080, LbAlgorithm::kLeastRequest, 3s, false},
  };
  for (const auto& c : cases) {
    ClusterPolicy p = effective_cluster_policy(&dr, c.subset, c.port, "default/reviews");
    EXPECT_EQ(p.load_balancer.algorithm, c.lb) << c.what;
    EXPECT_EQ(p.connection_pool.connect_timeout, c.connect) << c.what;
    EXPECT_EQ(p.outlier.enabled, c.outlier) << c.what;
  }
  ClusterPolicy p = effective_cluster_policy(&dr, &v1, 8080, "default/reviews");
  EXPECT_EQ(p.sources.connection_pool, "DestinationRule default/reviews subset v1 portLevelSettings[8080]");
  EXPECT_EQ(p.sources.load_balancer, "default");
}

// Scenario: consistent hash keys and table defaults.
TEST(ClusterPolicy, ConsistentHash) {
  config::LoadBalancerSettings l;
  l.consistent_hash.emplace().http_header_name = "x-user";
  LoadBalancerPolicy p = to_policy(l);
  EXPECT_EQ(p.algorithm, LbAlgorithm::kConsistentHash);
  EXPECT_EQ(p.hash.key, ConsistentHashPolicy::Key::kHeader);
  EXPECT_EQ(p.hash.name, "x-user");
  EXPECT_EQ(p.hash.minimum_ring_size, 1024u);
  config::LoadBalancerSettings c;
  auto& ch = c.consistent_hash.emplace();
  ch.http_cookie.emplace().name = "s";
  ch.http_cookie->ttl = Duration{0};
  ch.maglev.emplace();
  LoadBalancerPolicy cp = to_policy(c);
  EXPECT_EQ(cp.hash.key, ConsistentHashPolicy::Key::kCookie);
  EXPECT_TRUE(cp.hash.cookie_generate);
  EXPECT_EQ(cp.hash.table, ConsistentHashPolicy::Table::kMaglev);
  EXPECT_EQ(cp.hash.maglev_table_size, 65537u);
}

}  // namespace
}  // namespace sy::policy
