#include "policy/cluster_policy.h"

#include <fmt/format.h>

namespace sy::policy {
namespace {

uint32_t limit(const std::optional<int32_t>& v, uint32_t def) { return v && *v > 0 ? static_cast<uint32_t>(*v) : def; }

}  // namespace

LoadBalancerPolicy to_policy(const config::LoadBalancerSettings& lb) {
  using Simple = config::LoadBalancerSettings::Simple;
  LoadBalancerPolicy out;
  switch (lb.simple) {
    case Simple::kRoundRobin:
      out.algorithm = LbAlgorithm::kRoundRobin;
      break;
    case Simple::kRandom:
      out.algorithm = LbAlgorithm::kRandom;
      break;
    case Simple::kPassthrough:
      out.algorithm = LbAlgorithm::kPassthrough;
      break;
    case Simple::kLeastConn:  // deprecated alias
    case Simple::kLeastRequest:
    case Simple::kUnspecified:
      out.algorithm = LbAlgorithm::kLeastRequest;
      break;
  }
  if (const auto& ch = lb.consistent_hash) {
    out.algorithm = LbAlgorithm::kConsistentHash;
    ConsistentHashPolicy& h = out.hash;
    if (!ch->http_header_name.empty()) {
      h.key = ConsistentHashPolicy::Key::kHeader;
      h.name = ch->http_header_name;
    } else if (ch->http_cookie) {
      h.key = ConsistentHashPolicy::Key::kCookie;
      h.name = ch->http_cookie->name;
      h.cookie_path = ch->http_cookie->path;
      h.cookie_generate = ch->http_cookie->ttl.has_value();
      h.cookie_ttl = ch->http_cookie->ttl.value_or(Duration{0});
      for (const auto& a : ch->http_cookie->attributes) h.cookie_attributes.emplace_back(a.name, a.value);
    } else if (ch->use_source_ip.value_or(false)) {
      h.key = ConsistentHashPolicy::Key::kSourceIp;
    } else if (!ch->http_query_parameter_name.empty()) {
      h.key = ConsistentHashPolicy::Key::kQueryParameter;
      h.name = ch->http_query_parameter_name;
    }
    if (ch->maglev) {
      h.table = ConsistentHashPolicy::Table::kMaglev;
      if (ch->maglev->table_size) h.maglev_table_size = *ch->maglev->table_size;
    } else if (ch->ring_hash && ch->ring_hash->minimum_ring_size) {
      h.minimum_ring_size = *ch->ring_hash->minimum_ring_size;
    } else if (ch->minimum_ring_size) {
      h.minimum_ring_size = *ch->minimum_ring_size;
    }
  }
  if (lb.locality_lb_setting && lb.locality_lb_setting->enabled)
    out.locality_lb_enabled = *lb.locality_lb_setting->enabled;
  out.locality = lb.locality_lb_setting;
  if (lb.warmup && lb.warmup->duration) {
    out.warmup = *lb.warmup->duration;
    if (lb.warmup->minimum_percent) out.warmup_minimum_percent = lb.warmup->minimum_percent->value;
    if (lb.warmup->aggression) out.warmup_aggression = *lb.warmup->aggression;
  } else if (lb.warmup_duration_secs) {
    out.warmup = *lb.warmup_duration_secs;
  }
  return out;
}

ConnectionPoolPolicy to_policy(const config::ConnectionPoolSettings& cp) {
  ConnectionPoolPolicy out;
  if (const auto& t = cp.tcp) {
    out.max_connections = limit(t->max_connections, out.max_connections);
    if (t->connect_timeout) out.connect_timeout = *t->connect_timeout;
    if (t->tcp_keepalive) {
      out.tcp_keepalive = true;
      out.keepalive_probes = t->tcp_keepalive->probes.value_or(0);
      out.keepalive_time = t->tcp_keepalive->time.value_or(Duration{0});
      out.keepalive_interval = t->tcp_keepalive->interval.value_or(Duration{0});
    }
    if (t->max_connection_duration) out.max_connection_duration = *t->max_connection_duration;
    if (t->idle_timeout) out.tcp_idle_timeout = *t->idle_timeout;
  }
  if (const auto& h = cp.http) {
    out.http1_max_pending_requests = limit(h->http1_max_pending_requests, out.http1_max_pending_requests);
    out.http2_max_requests = limit(h->http2_max_requests, out.http2_max_requests);
    out.max_requests_per_connection = limit(h->max_requests_per_connection, 0);
    out.max_retries = limit(h->max_retries, out.max_retries);
    if (h->idle_timeout) out.http_idle_timeout = *h->idle_timeout;
    out.h2_upgrade = h->h2_upgrade_policy == config::ConnectionPoolSettings::HTTPSettings::H2UpgradePolicy::kUpgrade;
    out.use_client_protocol = h->use_client_protocol.value_or(false);
    out.max_concurrent_streams = limit(h->max_concurrent_streams, out.max_concurrent_streams);
    if (h->http2_keep_alive && h->http2_keep_alive->interval) {
      out.h2_ping_interval = *h->http2_keep_alive->interval;
      // Envoy requires a timeout; without one, gRPC's own keepalive default (20 s).
      out.h2_ping_timeout = h->http2_keep_alive->timeout ? *h->http2_keep_alive->timeout : std::chrono::seconds(20);
    }
  }
  return out;
}

OutlierPolicy to_policy(const config::OutlierDetection& od) {
  OutlierPolicy out;
  out.enabled = true;
  if (od.consecutive_5xx_errors) out.consecutive_5xx = *od.consecutive_5xx_errors;
  if (od.consecutive_gateway_errors) out.consecutive_gateway = *od.consecutive_gateway_errors;
  if (od.consecutive_local_origin_failures) out.consecutive_local_origin = *od.consecutive_local_origin_failures;
  out.split_local_origin = od.split_external_local_origin_errors.value_or(false);
  if (od.interval) out.interval = *od.interval;
  if (od.base_ejection_time) out.base_ejection_time = *od.base_ejection_time;
  if (od.max_ejection_percent && *od.max_ejection_percent >= 0)
    out.max_ejection_percent = static_cast<uint32_t>(*od.max_ejection_percent);
  if (od.min_health_percent && *od.min_health_percent >= 0)
    out.min_health_percent = static_cast<uint32_t>(*od.min_health_percent);
  return out;
}

TlsOriginationPolicy to_policy(const config::ClientTLSSettings& tls) {
  TlsOriginationPolicy out;
  out.mode = tls.mode;
  out.client_certificate = tls.client_certificate;
  out.private_key = tls.private_key;
  out.ca_certificates = tls.ca_certificates;
  out.credential_name = tls.credential_name;
  out.sni = tls.sni;
  out.ca_crl = tls.ca_crl;
  out.subject_alt_names = tls.subject_alt_names;
  out.insecure_skip_verify = tls.insecure_skip_verify.value_or(false);
  return out;
}

namespace {

// The four sections of one level, as pointers into config (null = not set at that level).
struct Sections {
  const config::LoadBalancerSettings* lb = nullptr;
  const config::ConnectionPoolSettings* pool = nullptr;
  const config::OutlierDetection* outlier = nullptr;
  const config::ClientTLSSettings* tls = nullptr;
  PolicySources src;
};

template <typename T>
void override_if_set(const std::optional<T>& v, const T*& slot, std::string& src, const std::string& label) {
  if (v) {
    slot = &*v;
    src = label;
  }
}

// Istio: a port-level entry for `port` replaces all four sections, unset ones reverting to defaults.
void apply_port_level(const config::TrafficPolicy& tp, uint32_t port, Sections& s, const std::string& label) {
  for (const auto& p : tp.port_level_settings) {
    if (!p.port || p.port->number != port) continue;
    std::string l = fmt::format("{}portLevelSettings[{}]", label, port);
    auto take = [&](const auto& opt, auto*& slot, std::string& src) {
      slot = opt ? &*opt : nullptr;
      src = opt ? l : "default";
    };
    take(p.load_balancer, s.lb, s.src.load_balancer);
    take(p.connection_pool, s.pool, s.src.connection_pool);
    take(p.outlier_detection, s.outlier, s.src.outlier_detection);
    take(p.tls, s.tls, s.src.tls);
    return;
  }
}

}  // namespace

ClusterPolicy effective_cluster_policy(const config::TrafficPolicy* dr_policy, const config::Subset* subset,
                                       uint32_t port, const std::string& dr_name) {
  Sections s;
  ClusterPolicy out;
  const config::TrafficPolicy::RetryBudget* budget = nullptr;
  const config::TrafficPolicy::ProxyProtocol* proxy_protocol = nullptr;
  if (dr_policy) {
    std::string l = fmt::format("DestinationRule {}", dr_name);
    override_if_set(dr_policy->load_balancer, s.lb, s.src.load_balancer, l);
    override_if_set(dr_policy->connection_pool, s.pool, s.src.connection_pool, l);
    override_if_set(dr_policy->outlier_detection, s.outlier, s.src.outlier_detection, l);
    override_if_set(dr_policy->tls, s.tls, s.src.tls, l);
    apply_port_level(*dr_policy, port, s, l + " ");
    if (dr_policy->retry_budget) budget = &*dr_policy->retry_budget;
    if (dr_policy->proxy_protocol) proxy_protocol = &*dr_policy->proxy_protocol;
  }
  if (subset && subset->traffic_policy) {
    const config::TrafficPolicy& sp = *subset->traffic_policy;
    std::string l = fmt::format("DestinationRule {} subset {}", dr_name, subset->name);
    override_if_set(sp.load_balancer, s.lb, s.src.load_balancer, l);
    override_if_set(sp.connection_pool, s.pool, s.src.connection_pool, l);
    override_if_set(sp.outlier_detection, s.outlier, s.src.outlier_detection, l);
    override_if_set(sp.tls, s.tls, s.src.tls, l);
    apply_port_level(sp, port, s, l + " ");
    if (sp.retry_budget) budget = &*sp.retry_budget;
    if (sp.proxy_protocol) proxy_protocol = &*sp.proxy_protocol;
  }
  if (s.lb) out.load_balancer = to_policy(*s.lb);
  if (s.pool) out.connection_pool = to_policy(*s.pool);
  if (s.outlier) out.outlier = to_policy(*s.outlier);
  if (s.tls) out.tls = to_policy(*s.tls);
  if (budget) {
    out.retry_budget_percent = budget->percent.value_or(20.0);
    out.retry_budget_min_concurrency = budget->min_retry_concurrency.value_or(3);
  }
  if (proxy_protocol) out.proxy_protocol = proxy_protocol->version;
  out.sources = std::move(s.src);
  return out;
}

const char* lb_algorithm_name(LbAlgorithm a) {
  switch (a) {
    case LbAlgorithm::kLeastRequest:
      return "LEAST_REQUEST";
    case LbAlgorithm::kRoundRobin:
      return "ROUND_ROBIN";
    case LbAlgorithm::kRandom:
      return "RANDOM";
    case LbAlgorithm::kPassthrough:
      return "PASSTHROUGH";
    case LbAlgorithm::kConsistentHash:
      return "CONSISTENT_HASH";
  }
  return "?";
}

}  // namespace sy::policy
