// The effective upstream policy of one cluster (host, port, subset) with every Istio default
// filled in, so workers never branch on "unset". Computed at snapshot compile time from the
// DestinationRule levels (docs/semantics.md §8); immutable afterwards and read by all workers.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "config/model/destination_rule.h"
#include "core/duration.h"

namespace sy::policy {

using namespace std::chrono_literals;

inline constexpr uint32_t kUnlimited = std::numeric_limits<uint32_t>::max();  // Istio's 2^32−1

enum class LbAlgorithm { kLeastRequest, kRoundRobin, kRandom, kPassthrough, kConsistentHash };

struct ConsistentHashPolicy {
  enum class Key { kHeader, kCookie, kSourceIp, kQueryParameter };
  enum class Table { kRingHash, kMaglev };
  Key key = Key::kHeader;
  std::string name;              // header, cookie or query parameter name
  std::string cookie_path;       // kCookie only
  Duration cookie_ttl{0};        // kCookie: 0 = session cookie
  bool cookie_generate = false;  // ttl was set: the proxy creates the cookie when missing
  // kCookie: extra Set-Cookie attributes (SameSite, Secure...), written as Envoy writes them.
  std::vector<std::pair<std::string, std::string>> cookie_attributes;
  Table table = Table::kRingHash;
  uint64_t minimum_ring_size = 1024;
  uint64_t maglev_table_size = 65537;
};

struct LoadBalancerPolicy {
  LbAlgorithm algorithm = LbAlgorithm::kLeastRequest;  // unset `simple` => LEAST_REQUEST
  ConsistentHashPolicy hash;                           // meaningful for kConsistentHash
  bool locality_lb_enabled = true;                     // mesh default
  // The localityLbSetting in effect (absent: the mesh default, enabled with no rules); applied at
  // compile time against the proxy's locality (lb/locality.h, snapshot/compile_locality.cc).
  std::optional<config::LoadBalancerSettings::LocalityLbSetting> locality;
  Duration warmup{0};                                  // 0 = no slow start
  double warmup_minimum_percent = 10;
  double warmup_aggression = 1.0;
};

struct ConnectionPoolPolicy {
  uint32_t max_connections = kUnlimited;
  Duration connect_timeout = 10s;
  bool tcp_keepalive = false;  // SO_KEEPALIVE only when configured; OS values for unset fields
  uint32_t keepalive_probes = 0;
  Duration keepalive_time{0}, keepalive_interval{0};
  Duration max_connection_duration{0};  // 0 = none
  Duration tcp_idle_timeout = 1h;       // 0 = disabled
  uint32_t http1_max_pending_requests = kUnlimited;
  uint32_t http2_max_requests = kUnlimited;
  uint32_t max_requests_per_connection = 0;  // 0 = unlimited
  uint32_t max_retries = kUnlimited;         // concurrent retries cluster-wide
  Duration http_idle_timeout = 1h;
  bool h2_upgrade = false;  // mesh default: do not upgrade
  bool use_client_protocol = false;
  uint32_t max_concurrent_streams = 2147483647u;
  // http2KeepAlive: a PING every interval on HTTP/2 upstream connections; no answer within the
  // timeout closes the connection. 0 = off (Istio's default).
  Duration h2_ping_interval{0};
  Duration h2_ping_timeout{0};
};

struct OutlierPolicy {
  bool enabled = false;              // only when the DR level in effect sets outlierDetection
  uint32_t consecutive_5xx = 5;      // 0 disables this detector
  uint32_t consecutive_gateway = 0;  // 0 = disabled
  uint32_t consecutive_local_origin = 5;
  bool split_local_origin = false;
  Duration interval = 10s;
  Duration base_ejection_time = 30s;
  uint32_t max_ejection_percent = 10;
  uint32_t min_health_percent = 0;  // 0 => no panic mode: all ejected => 503 UH
};

struct TlsOriginationPolicy {
  using Mode = config::ClientTLSSettings::Mode;
  Mode mode = Mode::kDisable;
  std::string client_certificate, private_key, ca_certificates, credential_name, sni, ca_crl;
  std::vector<std::string> subject_alt_names;
  bool insecure_skip_verify = false;
};

// Which DR level each section came from, for explain ("default", "DestinationRule ns/name",
// "subset v1", "portLevelSettings[8080]", "subset v1 portLevelSettings[8080]").
struct PolicySources {
  std::string load_balancer = "default";
  std::string connection_pool = "default";
  std::string outlier_detection = "default";
  std::string tls = "default";
};

struct ClusterPolicy {
  LoadBalancerPolicy load_balancer;
  ConnectionPoolPolicy connection_pool;
  OutlierPolicy outlier;
  TlsOriginationPolicy tls;
  double retry_budget_percent = 0;  // 0 = no budget (maxRetries applies)
  uint32_t retry_budget_min_concurrency = 0;
  std::string proxy_protocol;  // "", "V1", "V2"
  PolicySources sources;
};

// Merges the levels for (port, subset) as Istio does: subset portLevelSettings[port] > subset
// trafficPolicy > DR portLevelSettings[port] > DR trafficPolicy > defaults; per top-level
// section, not deep; a matching port-level entry replaces all four sections (unset ones fall
// back to defaults). `dr_policy`/`subset_policy` may be null. `dr_name` labels the sources.
ClusterPolicy effective_cluster_policy(const config::TrafficPolicy* dr_policy, const config::Subset* subset,
                                       uint32_t port, const std::string& dr_name);

// Section converters with defaults (exposed for tests and for explain of raw levels).
LoadBalancerPolicy to_policy(const config::LoadBalancerSettings& lb);
ConnectionPoolPolicy to_policy(const config::ConnectionPoolSettings& cp);
OutlierPolicy to_policy(const config::OutlierDetection& od);
TlsOriginationPolicy to_policy(const config::ClientTLSSettings& tls);

const char* lb_algorithm_name(LbAlgorithm a);

}  // namespace sy::policy
