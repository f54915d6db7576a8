// networking.istio.io DestinationRule: subsets and traffic policy for a service host.
#pragma once

#include "config/model/common.h"

namespace sy::config {

struct LoadBalancerSettings {
  enum class Simple { kUnspecified, kLeastConn, kRandom, kPassthrough, kRoundRobin, kLeastRequest };
  struct ConsistentHash {
    struct HTTPCookie {
      struct Attribute {
        std::string name;
        std::string value;
      };
      std::string name;
      std::string path;
      std::optional<Duration> ttl;
      std::vector<Attribute> attributes;
    };
    struct RingHash {
      std::optional<uint64_t> minimum_ring_size;
    };
    struct MagLev {
      std::optional<uint64_t> table_size;
    };
    // Exactly one hash key.
    std::string http_header_name;
    std::optional<HTTPCookie> http_cookie;
    std::optional<bool> use_source_ip;
    std::string http_query_parameter_name;
    std::optional<RingHash> ring_hash;
    std::optional<MagLev> maglev;
    std::optional<uint64_t> minimum_ring_size;  // deprecated
  };
  struct LocalityLbSetting {
    struct Distribute {
      std::string from;
      std::map<std::string, uint32_t> to;
    };
    struct Failover {
      std::string from;
      std::string to;
    };
    std::vector<Distribute> distribute;
    std::vector<Failover> failover;
    std::vector<std::string> failover_priority;
    std::optional<bool> enabled;
  };
  struct Warmup {
    std::optional<Duration> duration;
    std::optional<Percent> minimum_percent;
    std::optional<double> aggression;
  };
  // Envoy's zone-aware routing (istio/api ZoneAwareLoadBalancerSetting); not enforced.
  struct ZoneAwareLbSetting {
    std::optional<bool> enabled;
    std::vector<LocalityLbSetting::Failover> failover;
    std::vector<std::string> failover_priority;
    std::optional<uint32_t> min_cluster_size;
  };
  // Envoy's client-side weighted round robin from ORCA load reports (istio/api
  // BackendUtilizationLB, part of the simple/consistentHash oneof); not enforced, so only its
  // presence is kept.
  struct BackendUtilization {};
  Simple simple = Simple::kUnspecified;
  std::optional<ConsistentHash> consistent_hash;
  std::optional<BackendUtilization> backend_utilization;
  std::optional<LocalityLbSetting> locality_lb_setting;
  std::optional<ZoneAwareLbSetting> zone_aware_lb_setting;
  std::optional<Duration> warmup_duration_secs;  // deprecated
  std::optional<Warmup> warmup;
};

struct ConnectionPoolSettings {
  struct TCPSettings {
    struct TcpKeepalive {
      std::optional<uint32_t> probes;
      std::optional<Duration> time;
      std::optional<Duration> interval;
    };
    std::optional<int32_t> max_connections;
    std::optional<Duration> connect_timeout;
    std::optional<TcpKeepalive> tcp_keepalive;
    std::optional<Duration> max_connection_duration;
    std::optional<Duration> idle_timeout;
  };
  struct HTTPSettings {
    enum class H2UpgradePolicy { kDefault, kDoNotUpgrade, kUpgrade };
    std::optional<int32_t> http1_max_pending_requests;
    std::optional<int32_t> http2_max_requests;
    std::optional<int32_t> max_requests_per_connection;
    std::optional<int32_t> max_retries;
    std::optional<Duration> idle_timeout;
    H2UpgradePolicy h2_upgrade_policy = H2UpgradePolicy::kDefault;
    std::optional<bool> use_client_protocol;
    std::optional<int32_t> max_concurrent_streams;
    struct Http2KeepAlive {  // HTTP/2 PING on upstream connections
      std::optional<Duration> interval;
      std::optional<Duration> timeout;
    };
    std::optional<Http2KeepAlive> http2_keep_alive;
  };
  std::optional<TCPSettings> tcp;
  std::optional<HTTPSettings> http;
};

struct OutlierDetection {
  std::optional<bool> split_external_local_origin_errors;
  std::optional<uint32_t> consecutive_local_origin_failures;
  std::optional<uint32_t> consecutive_gateway_errors;
  std::optional<uint32_t> consecutive_5xx_errors;
  std::optional<int32_t> consecutive_errors;  // deprecated, ignored
  std::optional<Duration> interval;
  std::optional<Duration> base_ejection_time;
  std::optional<int32_t> max_ejection_percent;
  std::optional<int32_t> min_health_percent;
  std::vector<uint32_t> http_error_codes;  // outlierDetectionHttpErrorCodes: statuses that count as errors
};

struct ClientTLSSettings {
  enum class Mode { kDisable, kSimple, kMutual, kIstioMutual };
  Mode mode = Mode::kDisable;
  std::string client_certificate;
  std::string private_key;
  std::string ca_certificates;
  std::string credential_name;
  std::vector<std::string> subject_alt_names;
  std::string sni;
  std::optional<bool> insecure_skip_verify;
  std::string ca_crl;
};

struct TrafficPolicy {
  struct PortTrafficPolicy {
    std::optional<PortSelector> port;
    std::optional<LoadBalancerSettings> load_balancer;
    std::optional<ConnectionPoolSettings> connection_pool;
    std::optional<OutlierDetection> outlier_detection;
    std::optional<ClientTLSSettings> tls;
  };
  struct TunnelSettings {
    std::string protocol;
    std::string target_host;
    uint32_t target_port = 0;
  };
  struct ProxyProtocol {
    std::string version;  // V1|V2
  };
  struct RetryBudget {
    std::optional<double> percent;
    std::optional<uint32_t> min_retry_concurrency;
    std::optional<Duration> budget_interval;
  };
  std::optional<LoadBalancerSettings> load_balancer;
  std::optional<ConnectionPoolSettings> connection_pool;
  std::optional<OutlierDetection> outlier_detection;
  std::optional<ClientTLSSettings> tls;
  std::vector<PortTrafficPolicy> port_level_settings;
  std::optional<TunnelSettings> tunnel;
  std::optional<ProxyProtocol> proxy_protocol;
  std::optional<RetryBudget> retry_budget;
};

struct Subset {
  std::string name;
  Labels labels;
  std::optional<TrafficPolicy> traffic_policy;
};

struct DestinationRule {
  ObjectMeta meta;
  Source source;
  std::string host;
  std::optional<TrafficPolicy> traffic_policy;
  std::vector<Subset> subsets;
  std::vector<std::string> export_to;
  std::optional<Labels> workload_selector;  // matchLabels
};

}  // namespace sy::config
