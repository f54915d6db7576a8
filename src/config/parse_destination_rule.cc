// DestinationRule spec: host, traffic policy (load balancing, connection pool, outlier
// detection, TLS origination, per-port overrides) and subsets.
#include <limits>

#include "config/parse_common.h"

namespace sy::config::parse {
namespace {

using LB = LoadBalancerSettings;
using CH = LB::ConsistentHash;

void consistent_hash(Cursor& c, CH& out) {
  c.oneof({"httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"});
  c.oneof({"ringHash", "maglev"});
  c.read("httpHeaderName", out.http_header_name);
  c.read_object("httpCookie", out.http_cookie, [](Cursor& k, CH::HTTPCookie& cookie) {
    k.read("name", cookie.name);
    k.read("path", cookie.path);
    k.read("ttl", cookie.ttl);
    k.read_list("attributes", cookie.attributes, [](Cursor& a, CH::HTTPCookie::Attribute& attr) {
      a.read("name", attr.name);
      a.read("value", attr.value);
    });
  });
  c.read("useSourceIp", out.use_source_ip);
  c.read("httpQueryParameterName", out.http_query_parameter_name);
  c.read_object("ringHash", out.ring_hash,
                [](Cursor& r, CH::RingHash& ring) { r.read("minimumRingSize", ring.minimum_ring_size); });
  c.read_object("maglev", out.maglev, [](Cursor& m, CH::MagLev& maglev) { m.read("tableSize", maglev.table_size); });
  c.read("minimumRingSize", out.minimum_ring_size);
}

void locality_lb(Cursor& c, LB::LocalityLbSetting& out) {
  c.read_list("distribute", out.distribute, [](Cursor& d, LB::LocalityLbSetting::Distribute& dist) {
    d.read("from", dist.from);
    d.read("to", dist.to);
  });
  c.read_list("failover", out.failover, [](Cursor& f, LB::LocalityLbSetting::Failover& fo) {
    f.read("from", fo.from);
    f.read("to", fo.to);
  });
  c.read("failoverPriority", out.failover_priority);
  c.read("enabled", out.enabled);
}

void zone_aware_lb(Cursor& c, LB::ZoneAwareLbSetting& out) {
  c.read("enabled", out.enabled);
  c.read_list("failover", out.failover, [](Cursor& f, LB::LocalityLbSetting::Failover& fo) {
    f.read("from", fo.from);
    f.read("to", fo.to);
  });
  c.read("failoverPriority", out.failover_priority);
  c.read("minClusterSize", out.min_cluster_size);
}

void warmup(Cursor& c, LB::Warmup& out) {
  c.read("duration", out.duration);
  // minimumPercent is a DoubleValue (a bare number); the `{value: n}` Percent form is accepted too.
  if (auto f = c.field("minimumPercent")) {
    if (!f->is_map()) {
      if (auto v = f->as_double()) out.minimum_percent = Percent{*v};
    } else {
      out.minimum_percent = f->object<Percent>([](Cursor& p, Percent& pct) {
        std::optional<double> v;
        p.read("value", v);
        pct.value = v.value_or(0);
      });
    }
  }
  c.read("aggression", out.aggression);
}

void load_balancer(Cursor& c, LB& out) {
  c.oneof({"simple", "consistentHash", "backendUtilization"});
  c.read_enum("simple", out.simple,
              {{"UNSPECIFIED", LB::Simple::kUnspecified},
               {"LEAST_CONN", LB::Simple::kLeastConn},
               {"RANDOM", LB::Simple::kRandom},
               {"PASSTHROUGH", LB::Simple::kPassthrough},
               {"ROUND_ROBIN", LB::Simple::kRoundRobin},
               {"LEAST_REQUEST", LB::Simple::kLeastRequest}});
  c.read_object("consistentHash", out.consistent_hash, consistent_hash);
  // Not enforced (validate says so): only the shape is checked, its settings are not read.
  if (auto b = c.field("backendUtilization"))
    if (b->expect_map()) out.backend_utilization = LB::BackendUtilization{};
  c.read_object("localityLbSetting", out.locality_lb_setting, locality_lb);
  c.read_object("zoneAwareLbSetting", out.zone_aware_lb_setting, zone_aware_lb);
  c.read("warmupDurationSecs", out.warmup_duration_secs);
  c.read_object("warmup", out.warmup, warmup);
}

void connection_pool(Cursor& c, ConnectionPoolSettings& out) {
  using TCP = ConnectionPoolSettings::TCPSettings;
  using HTTP = ConnectionPoolSettings::HTTPSettings;
  c.read_object("tcp", out.tcp, [](Cursor& t, TCP& tcp) {
    t.read("maxConnections", tcp.max_connections);
    t.read("connectTimeout", tcp.connect_timeout);
    t.read_object("tcpKeepalive", tcp.tcp_keepalive, [](Cursor& k, TCP::TcpKeepalive& ka) {
      k.read("probes", ka.probes);
      k.read("time", ka.time);
      k.read("interval", ka.interval);
    });
    t.read("maxConnectionDuration", tcp.max_connection_duration);
    t.read("idleTimeout", tcp.idle_timeout);
  });
  c.read_object("http", out.http, [](Cursor& h, HTTP& http) {
    h.read("http1MaxPendingRequests", http.http1_max_pending_requests);
    h.read("http2MaxRequests", http.http2_max_requests);
    h.read("maxRequestsPerConnection", http.max_requests_per_connection);
    h.read("maxRetries", http.max_retries);
    h.read("idleTimeout", http.idle_timeout);
    h.read_enum("h2UpgradePolicy", http.h2_upgrade_policy,
                {{"DEFAULT", HTTP::H2UpgradePolicy::kDefault},
                 {"DO_NOT_UPGRADE", HTTP::H2UpgradePolicy::kDoNotUpgrade},
                 {"UPGRADE", HTTP::H2UpgradePolicy::kUpgrade}});
    h.read("useClientProtocol", http.use_client_protocol);
    h.read("maxConcurrentStreams", http.max_concurrent_streams);
    h.read_object("http2KeepAlive", http.http2_keep_alive, [](Cursor& k, HTTP::Http2KeepAlive& ka) {
      k.read("interval", ka.interval);
      k.read("timeout", ka.timeout);
    });
  });
}

void outlier_detection(Cursor& c, OutlierDetection& out) {
  c.read("splitExternalLocalOriginErrors", out.split_external_local_origin_errors);
  c.read("consecutiveLocalOriginFailures", out.consecutive_local_origin_failures);
  c.read("consecutiveGatewayErrors", out.consecutive_gateway_errors);
  c.read("consecutive5xxErrors", out.consecutive_5xx_errors);
  c.read("consecutiveErrors", out.consecutive_errors);
  c.read("interval", out.interval);
  c.read("baseEjectionTime", out.base_ejection_time);
  c.read("maxEjectionPercent", out.max_ejection_percent);
  c.read("minHealthPercent", out.min_health_percent);
  if (auto codes = c.field("outlierDetectionHttpErrorCodes"))
    for (const Cursor& item : codes->items())
      if (auto v = item.as_int(0, std::numeric_limits<uint32_t>::max()))
        out.http_error_codes.push_back(static_cast<uint32_t>(*v));
}

void client_tls(Cursor& c, ClientTLSSettings& out) {
  using Mode = ClientTLSSettings::Mode;
  c.read_enum("mode", out.mode,
              {{"DISABLE", Mode::kDisable},
               {"SIMPLE", Mode::kSimple},
               {"MUTUAL", Mode::kMutual},
               {"ISTIO_MUTUAL", Mode::kIstioMutual}});
  c.read("clientCertificate", out.client_certificate);
  c.read("privateKey", out.private_key);
  c.read("caCertificates", out.ca_certificates);
  c.read("credentialName", out.credential_name);
  c.read("subjectAltNames", out.subject_alt_names);
  c.read("sni", out.sni);
  c.read("insecureSkipVerify", out.insecure_skip_verify);
  c.read("caCrl", out.ca_crl);
}

void port_selector(Cursor& c, PortSelector& out) { c.read("number", out.number); }

void port_traffic_policy(Cursor& c, TrafficPolicy::PortTrafficPolicy& out) {
  c.read_object("port", out.port, port_selector);
  c.read_object("loadBalancer", out.load_balancer, load_balancer);
  c.read_object("connectionPool", out.connection_pool, connection_pool);
  c.read_object("outlierDetection", out.outlier_detection, outlier_detection);
  c.read_object("tls", out.tls, client_tls);
}

void subset(Cursor& c, Subset& out) {
  c.read("name", out.name);
  c.read("labels", out.labels);
  c.read_object("trafficPolicy", out.traffic_policy, traffic_policy);
}

}  // namespace

void traffic_policy(Cursor& c, TrafficPolicy& out) {
  c.read_object("loadBalancer", out.load_balancer, load_balancer);
  c.read_object("connectionPool", out.connection_pool, connection_pool);
  c.read_object("outlierDetection", out.outlier_detection, outlier_detection);
  c.read_object("tls", out.tls, client_tls);
  c.read_list("portLevelSettings", out.port_level_settings, port_traffic_policy);
  c.read_object("tunnel", out.tunnel, [](Cursor& t, TrafficPolicy::TunnelSettings& tunnel) {
    t.read("protocol", tunnel.protocol);
    t.read("targetHost", tunnel.target_host);
    t.read("targetPort", tunnel.target_port);
  });
  c.read_object("proxyProtocol", out.proxy_protocol, [](Cursor& p, TrafficPolicy::ProxyProtocol& pp) {
    if (auto f = p.field("version"))
      if (f->as_enum<int>({{"V1", 1}, {"V2", 2}})) pp.version = *f->as_string();
  });
  c.read_object("retryBudget", out.retry_budget, [](Cursor& r, TrafficPolicy::RetryBudget& budget) {
    r.read("percent", budget.percent);
    r.read("minRetryConcurrency", budget.min_retry_concurrency);
    r.read("budgetInterval", budget.budget_interval);
  });
}

void destination_rule_spec(Cursor& spec, DestinationRule& out) {
  spec.read("host", out.host);
  spec.read_object("trafficPolicy", out.traffic_policy, traffic_policy);
  spec.read_list("subsets", out.subsets, subset);
  spec.read("exportTo", out.export_to);
  spec.read_object("workloadSelector", out.workload_selector,
                   [](Cursor& w, Labels& labels) { w.read("matchLabels", labels); });
}

}  // namespace sy::config::parse
