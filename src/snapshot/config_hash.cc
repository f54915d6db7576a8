#include "snapshot/config_hash.h"

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace sy::snapshot {
namespace {

// Field-by-field FNV-1a. Every value is framed (a tag before optionals and containers, the
// length before strings) so {"ab",""} and {"a","b"} hash differently. Source locations are
// left out: moving an object inside a file does not change what it means.
class Hasher {
 public:
  uint64_t value() const { return h_; }

  void bytes(const void* p, size_t n) {
    auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h_ = (h_ ^ b[i]) * 1099511628211ull;
  }
  template <typename T>
  requires std::is_arithmetic_v<T> || std::is_enum_v<T>
  void add(T v) { bytes(&v, sizeof v); }
  void add(const std::string& s) {
    add(s.size());
    bytes(s.data(), s.size());
  }
  void add(Duration d) { add(d.count()); }
  template <typename T>
  void add(const std::optional<T>& o) {
    add(o.has_value());
    if (o) add(*o);
  }
  template <typename T>
  void add(const std::vector<T>& v) {
    add(v.size());
    for (const auto& e : v) add(e);
  }
  template <typename K, typename V>
  void add(const std::map<K, V>& m) {
    add(m.size());
    for (const auto& [k, v] : m) {
      add(k);
      add(v);
    }
  }
  template <typename... Ts>
  void all(const Ts&... vs) {
    (add(vs), ...);
  }

  // === config model ===
  void add(const config::ObjectMeta& m) { all(m.name, m.namespace_, m.labels, m.annotations); }
  void add(const config::StringMatch& m) { all(m.kind, m.value); }
  void add(const config::Percent& p) { add(p.value); }
  void add(const config::PortSelector& p) { add(p.number); }
  void add(const config::Destination& d) { all(d.host, d.subset, d.port); }
  void add(const config::HeaderOperations& h) { all(h.set, h.add, h.remove); }
  void add(const config::Headers& h) { all(h.request, h.response); }
  void add(const config::WorkloadEntrySpec& w) {
    all(w.address, w.ports, w.labels, w.network, w.locality, w.weight, w.service_account);
  }
  // Gateway
  void add(const config::GatewayPort& p) { all(p.number, p.protocol, p.name, p.target_port); }
  void add(const config::ServerTLSSettings::Certificate& c) {
    all(c.server_certificate, c.private_key, c.ca_certificates);
  }
  void add(const config::ServerTLSSettings& t) {
    all(t.https_redirect, t.mode, t.server_certificate, t.private_key, t.ca_certificates, t.ca_crl, t.credential_name,
        t.credential_names, t.tls_certificates, t.ca_cert_credential_name, t.subject_alt_names,
        t.verify_certificate_spki, t.verify_certificate_hash, t.min_protocol_version, t.max_protocol_version,
        t.cipher_suites, t.ecdh_curves, t.insecure_skip_verify);
  }
  void add(const config::Server& s) { all(s.port, s.bind, s.hosts, s.tls, s.default_endpoint, s.name); }
  void add(const config::Gateway& g) { all(g.meta, g.servers, g.selector); }
  // VirtualService
  void add(const config::HTTPMatchRequest& m) {
    all(m.name, m.uri, m.scheme, m.method, m.authority, m.headers, m.port, m.source_labels, m.gateways, m.query_params,
        m.ignore_uri_case, m.without_headers, m.source_namespace, m.stat_prefix);
  }
  void add(const config::HTTPRouteDestination& d) { all(d.destination, d.weight, d.headers); }
  void add(const config::HTTPRedirect& r) {
    all(r.uri, r.prefix_rewrite, r.authority, r.port, r.derive_port, r.scheme, r.redirect_code);
  }
  void add(const config::HTTPBody& b) { all(b.string, b.bytes); }
  void add(const config::HTTPDirectResponse& d) { all(d.status, d.body); }
  void add(const config::Delegate& d) { all(d.name, d.namespace_); }
  void add(const config::RegexRewrite& r) { all(r.match, r.rewrite); }
  void add(const config::HTTPRewrite& r) { all(r.uri, r.authority, r.uri_regex_rewrite); }
  void add(const config::HTTPRetry& r) {
    all(r.attempts, r.per_try_timeout, r.retry_on, r.retry_remote_localities, r.retry_ignore_previous_hosts, r.backoff);
  }
  void add(const config::HTTPFaultInjection::Delay& d) {
    all(d.fixed_delay, d.exponential_delay, d.percentage, d.percent);
  }
  void add(const config::HTTPFaultInjection::Abort& a) {
    all(a.http_status, a.grpc_status, a.http2_error, a.percentage);
  }
  void add(const config::HTTPFaultInjection& f) { all(f.delay, f.abort); }
  void add(const config::HTTPMirrorPolicy& m) { all(m.destination, m.percentage); }
  void add(const config::CorsPolicy& c) {
    all(c.allow_origin, c.allow_origins, c.allow_methods, c.allow_headers, c.expose_headers, c.max_age,
        c.allow_credentials, c.unmatched_preflights);
  }
  void add(const config::HTTPRoute& r) {
    all(r.name, r.match, r.route, r.redirect, r.direct_response, r.delegate, r.rewrite, r.timeout, r.retries, r.fault,
        r.mirror, r.mirrors, r.mirror_percent, r.mirror_percentage, r.cors_policy, r.headers);
  }
  void add(const config::RouteDestination& d) { all(d.destination, d.weight); }
  void add(const config::TLSMatchAttributes& m) {
    all(m.sni_hosts, m.destination_subnets, m.port, m.source_labels, m.gateways, m.source_namespace);
  }
  void add(const config::TLSRoute& r) { all(r.match, r.route); }
  void add(const config::L4MatchAttributes& m) {
    all(m.destination_subnets, m.port, m.source_subnet, m.source_labels, m.gateways, m.source_namespace);
  }
  void add(const config::TCPRoute& r) { all(r.match, r.route); }
  void add(const config::VirtualService& v) { all(v.meta, v.hosts, v.gateways, v.http, v.tls, v.tcp, v.export_to); }
  // DestinationRule
  void add(const config::LoadBalancerSettings::ConsistentHash::HTTPCookie::Attribute& a) { all(a.name, a.value); }
  void add(const config::LoadBalancerSettings::ConsistentHash::HTTPCookie& c) {
    all(c.name, c.path, c.ttl, c.attributes);
  }
  void add(const config::LoadBalancerSettings::ConsistentHash::RingHash& r) { add(r.minimum_ring_size); }
  void add(const config::LoadBalancerSettings::ConsistentHash::MagLev& m) { add(m.table_size); }
  void add(const config::LoadBalancerSettings::ConsistentHash& c) {
    all(c.http_header_name, c.http_cookie, c.use_source_ip, c.http_query_parameter_name, c.ring_hash, c.maglev,
        c.minimum_ring_size);
  }
  void add(const config::LoadBalancerSettings::LocalityLbSetting::Distribute& d) { all(d.from, d.to); }
  void add(const config::LoadBalancerSettings::LocalityLbSetting::Failover& f) { all(f.from, f.to); }
  void add(const config::LoadBalancerSettings::LocalityLbSetting& l) {
    all(l.distribute, l.failover, l.failover_priority, l.enabled);
  }
  void add(const config::LoadBalancerSettings::Warmup& w) { all(w.duration, w.minimum_percent, w.aggression); }
  void add(const config::LoadBalancerSettings::ZoneAwareLbSetting& z) {
    all(z.enabled, z.failover, z.failover_priority, z.min_cluster_size);
  }
  void add(const config::LoadBalancerSettings::BackendUtilization&) {}
  void add(const config::LoadBalancerSettings& lb) {
    all(lb.simple, lb.consistent_hash, lb.backend_utilization, lb.locality_lb_setting, lb.zone_aware_lb_setting,
        lb.warmup_duration_secs, lb.warmup);
  }
  void add(const config::ConnectionPoolSettings::TCPSettings::TcpKeepalive& k) { all(k.probes, k.time, k.interval); }
  void add(const config::ConnectionPoolSettings::TCPSettings& t) {
    all(t.max_connections, t.connect_timeout, t.tcp_keepalive, t.max_connection_duration, t.idle_timeout);
  }
  void add(const config::ConnectionPoolSettings::HTTPSettings::Http2KeepAlive& k) { all(k.interval, k.timeout); }
  void add(const config::ConnectionPoolSettings::HTTPSettings& h) {
    all(h.http1_max_pending_requests, h.http2_max_requests, h.max_requests_per_connection, h.max_retries,
        h.idle_timeout, h.h2_upgrade_policy, h.use_client_protocol, h.max_concurrent_streams, h.http2_keep_alive);
  }
  void add(const config::ConnectionPoolSettings& c) { all(c.tcp, c.http); }
  void add(const config::OutlierDetection& o) {
    all(o.split_external_local_origin_errors, o.consecutive_local_origin_failures, o.consecutive_gateway_errors,
        o.consecutive_5xx_errors, o.consecutive_errors, o.interval, o.base_ejection_time, o.max_ejection_percent,
        o.min_health_percent, o.http_error_codes);
  }
  void add(const config::ClientTLSSettings& t) {
    all(t.mode, t.client_certificate, t.private_key, t.ca_certificates, t.credential_name, t.subject_alt_names, t.sni,
        t.insecure_skip_verify, t.ca_crl);
  }
  void add(const config::TrafficPolicy::PortTrafficPolicy& p) {
    all(p.port, p.load_balancer, p.connection_pool, p.outlier_detection, p.tls);
  }
  void add(const config::TrafficPolicy::TunnelSettings& t) { all(t.protocol, t.target_host, t.target_port); }
  void add(const config::TrafficPolicy::ProxyProtocol& p) { add(p.version); }
  void add(const config::TrafficPolicy::RetryBudget& r) { all(r.percent, r.min_retry_concurrency, r.budget_interval); }
  void add(const config::TrafficPolicy& t) {
    all(t.load_balancer, t.connection_pool, t.outlier_detection, t.tls, t.port_level_settings, t.tunnel,
        t.proxy_protocol, t.retry_budget);
  }
  void add(const config::Subset& s) { all(s.name, s.labels, s.traffic_policy); }
  void add(const config::DestinationRule& d) {
    all(d.meta, d.host, d.traffic_policy, d.subsets, d.export_to, d.workload_selector);
  }
  // ServiceEntry / WorkloadEntry
  void add(const config::ServicePort& p) { all(p.number, p.protocol, p.name, p.target_port); }
  void add(const config::ServiceEntry& s) {
    all(s.meta, s.hosts, s.addresses, s.ports, s.location, s.resolution, s.endpoints, s.workload_selector, s.export_to,
        s.subject_alt_names);
  }
  void add(const config::WorkloadEntry& w) { all(w.meta, w.spec); }
  void add(const config::Secret& s) { all(s.meta, s.type, s.data); }
  // Kubernetes Service / EndpointSlice
  void add(const config::KubeServicePort& p) {
    all(p.name, p.port, p.protocol, p.app_protocol, p.target_port_number, p.target_port_name);
  }
  void add(const config::KubeService& s) {
    all(s.meta, s.type, s.cluster_ip, s.external_name, s.ports, s.publish_not_ready_addresses, s.session_affinity,
        s.internal_traffic_policy, s.traffic_distribution);
  }
  void add(const config::SliceEndpoint& e) { all(e.addresses, e.ready, e.serving, e.terminating); }
  void add(const config::SlicePort& p) { all(p.name, p.port, p.protocol, p.app_protocol); }
  void add(const config::EndpointSlice& s) { all(s.meta, s.address_type, s.endpoints, s.ports); }

 private:
  uint64_t h_ = 14695981039346656037ull;
};

}  // namespace

uint64_t hash_config(const config::ConfigSet& c) {
  Hasher h;
  h.all(c.gateways, c.virtual_services, c.destination_rules, c.service_entries, c.workload_entries, c.secrets,
        c.services, c.endpoint_slices);
  return h.value();
}

}  // namespace sy::snapshot
