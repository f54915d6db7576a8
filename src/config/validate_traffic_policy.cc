// TrafficPolicy: load balancer, connection pool, outlier detection, client TLS, port-level
// settings, tunnel, proxy protocol and retry budget, with Istio's webhook texts.
#include "config/validate_traffic_policy.h"

#include <fmt/format.h>

#include <set>

#include "config/validate_wire.h"

namespace sy::config::detail {
namespace {

using LB = LoadBalancerSettings;

// `region/zone/subzone`, where `*` may only be a whole trailing segment.
void check_locality(Reporter& r, const std::string& path, const std::string& loc) {
  if (loc.empty()) {
    r.error(path, "locality must not be empty");
    return;
  }
  size_t star = loc.find('*');
  if (star != std::string::npos && star + 1 != loc.size())
    r.error(path, fmt::format("locality \"{}\": wildcard * is only allowed as the last segment", loc));
  if (star != std::string::npos && star > 0 && loc[star - 1] != '/')
    r.error(path, fmt::format("locality \"{}\": wildcard * must be a whole segment", loc));
  size_t segments = 1;
  for (char c : loc) segments += c == '/';
  if (segments > 3) r.error(path, fmt::format("locality \"{}\" has more than region/zone/subzone", loc));
}

void check_locality_lb(Reporter& r, const std::string& path, const LB::LocalityLbSetting& l) {
  if (!l.distribute.empty() && (!l.failover.empty() || !l.failover_priority.empty()))
    r.error(path, "can not simultaneously set failover and distribute");
  for (size_t i = 0; i < l.distribute.size(); ++i) {
    const auto& d = l.distribute[i];
    const std::string dpath = indexed(keyed(path, "distribute"), i);
    check_locality(r, keyed(dpath, "from"), d.from);
    uint64_t total = 0;
    for (const auto& [loc, w] : d.to) {
      check_locality(r, keyed(keyed(dpath, "to"), loc), loc);
      if (w == 0 || w > 100)
        r.error(keyed(keyed(dpath, "to"), loc), fmt::format("locality weight must be in range [1, 100], got {}", w));
      total += w;
    }
    if (total != 100) r.error(keyed(dpath, "to"), fmt::format("total locality weight {} != 100", total));
  }
  for (size_t i = 0; i < l.failover.size(); ++i) {
    const auto& f = l.failover[i];
    const std::string fpath = indexed(keyed(path, "failover"), i);
    if (f.from.empty() || f.to.empty()) r.error(fpath, "locality lb failover must set both from and to");
    if (f.from.find('/') != std::string::npos || f.to.find('/') != std::string::npos)
      r.error(fpath, "locality lb failover only specify region");
    if (!f.from.empty() && f.from == f.to)
      r.error(fpath, "locality lb failover settings must specify different regions");
  }
}

void check_load_balancer(Reporter& r, const std::string& path, const LB& lb) {
  if (lb.consistent_hash) {
    const auto& ch = *lb.consistent_hash;
    const std::string cpath = keyed(path, "consistentHash");
    int keys = !ch.http_header_name.empty() + ch.http_cookie.has_value() + ch.use_source_ip.value_or(false) +
               !ch.http_query_parameter_name.empty();
    if (keys != 1)
      r.error(cpath,
              "consistent hash must set exactly one of httpHeaderName, httpCookie, useSourceIp or "
              "httpQueryParameterName");
    if (lb.simple != LB::Simple::kUnspecified) r.error(path, "only one of simple or consistentHash can be set");
    // The header is looked up by name; the cookie is also written into Set-Cookie when generated.
    if (!ch.http_header_name.empty())
      check_header_name(r, keyed(cpath, "httpHeaderName"), ch.http_header_name, "httpHeaderName");
    if (ch.http_cookie) {
      const auto& cookie = *ch.http_cookie;
      const std::string kpath = keyed(cpath, "httpCookie");
      if (cookie.name.empty()) r.error(keyed(kpath, "name"), "name required for HttpCookie");
      else if (!is_http_token(cookie.name))
        r.error(keyed(kpath, "name"),
                fmt::format("cookie name \"{}\" is not a valid cookie name (RFC 6265: token characters only)",
                            printable(cookie.name)));
      check_cookie_attribute(r, keyed(kpath, "path"), cookie.path, "cookie path");
      check_duration(r, keyed(kpath, "ttl"), cookie.ttl, /*allow_zero=*/true);
      for (size_t i = 0; i < cookie.attributes.size(); ++i) {
        const std::string apath = indexed(keyed(kpath, "attributes"), i);
        const auto& a = cookie.attributes[i];
        if (!is_http_token(a.name))
          r.error(keyed(apath, "name"),
                  fmt::format("cookie attribute name \"{}\" is not a valid token", printable(a.name)));
        check_cookie_attribute(r, keyed(apath, "value"), a.value, "cookie attribute value");
      }
    }
    if (ch.ring_hash && ch.maglev) r.error(cpath, "only one of ringHash or maglev can be set");
    if (ch.minimum_ring_size)
      r.warning(keyed(cpath, "minimumRingSize"), "minimumRingSize is deprecated; use ringHash.minimumRingSize");
    if (ch.maglev && ch.maglev->table_size && *ch.maglev->table_size >= 5000011)
      r.error(keyed(cpath, "maglev.tableSize"), "maglev table size must be a prime number smaller than 5000011");
  }
  if (lb.locality_lb_setting) check_locality_lb(r, keyed(path, "localityLbSetting"), *lb.locality_lb_setting);
  if (lb.backend_utilization)
    r.warning(keyed(path, "backendUtilization"),
              "not enforced yet: endpoints are balanced by the default LEAST_REQUEST balancer, not weighted by "
              "their ORCA load reports");
  if (lb.zone_aware_lb_setting && lb.zone_aware_lb_setting->enabled.value_or(true))
    r.warning(keyed(path, "zoneAwareLbSetting"),
              "not enforced yet: endpoints are balanced without preferring the proxy's zone or region");
  if (lb.warmup_duration_secs) {
    check_duration(r, keyed(path, "warmupDurationSecs"), lb.warmup_duration_secs);
    if (lb.warmup) r.error(path, "only one of warmupDurationSecs or warmup can be set");
  }
  if (lb.warmup) {
    const std::string wpath = keyed(path, "warmup");
    if (!lb.warmup->duration) r.error(wpath, "warmup duration is required");
    check_duration(r, keyed(wpath, "duration"), lb.warmup->duration);
    check_percent(r, keyed(wpath, "minimumPercent"), lb.warmup->minimum_percent);
    if (lb.warmup->aggression && *lb.warmup->aggression < 1.0)
      r.error(keyed(wpath, "aggression"), "warmup aggression must be >= 1.0");
  }
  if ((lb.warmup || lb.warmup_duration_secs) &&
      !(lb.simple == LB::Simple::kUnspecified || lb.simple == LB::Simple::kRoundRobin ||
        lb.simple == LB::Simple::kLeastRequest || lb.simple == LB::Simple::kLeastConn))
    r.error(path, "warmup is only supported with ROUND_ROBIN and LEAST_REQUEST load balancers");
}

void check_non_negative(Reporter& r, const std::string& path, const std::optional<int32_t>& v, const char* what) {
  if (v && *v < 0) r.error(path, fmt::format("{} must be non-negative", what));
}

void check_connection_pool(Reporter& r, const std::string& path, const ConnectionPoolSettings& cp) {
  if (!cp.tcp && !cp.http) r.error(path, "must set either http or tcp");
  if (cp.tcp) {
    const auto& t = *cp.tcp;
    const std::string tpath = keyed(path, "tcp");
    check_non_negative(r, keyed(tpath, "maxConnections"), t.max_connections, "max connections");
    check_duration(r, keyed(tpath, "connectTimeout"), t.connect_timeout);
    check_duration(r, keyed(tpath, "maxConnectionDuration"), t.max_connection_duration);
    check_duration(r, keyed(tpath, "idleTimeout"), t.idle_timeout, /*allow_zero=*/true);
    if (t.tcp_keepalive) {
      check_duration(r, keyed(tpath, "tcpKeepalive.time"), t.tcp_keepalive->time);
      check_duration(r, keyed(tpath, "tcpKeepalive.interval"), t.tcp_keepalive->interval);
    }
  }
  if (cp.http) {
    const auto& h = *cp.http;
    const std::string hpath = keyed(path, "http");
    check_non_negative(r, keyed(hpath, "http1MaxPendingRequests"), h.http1_max_pending_requests,
                       "http1 max pending requests");
    check_non_negative(r, keyed(hpath, "http2MaxRequests"), h.http2_max_requests, "http2 max requests");
    check_non_negative(r, keyed(hpath, "maxRequestsPerConnection"), h.max_requests_per_connection,
                       "max requests per connection");
    check_non_negative(r, keyed(hpath, "maxRetries"), h.max_retries, "max retries");
    check_non_negative(r, keyed(hpath, "maxConcurrentStreams"), h.max_concurrent_streams, "max concurrent streams");
    check_duration(r, keyed(hpath, "idleTimeout"), h.idle_timeout);
    if (h.h2_upgrade_policy == ConnectionPoolSettings::HTTPSettings::H2UpgradePolicy::kUpgrade &&
        h.use_client_protocol.value_or(false))
      r.error(hpath, "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
    if (h.http2_keep_alive) {
      const std::string kpath = keyed(hpath, "http2KeepAlive");
      check_duration(r, keyed(kpath, "interval"), h.http2_keep_alive->interval);
      check_duration(r, keyed(kpath, "timeout"), h.http2_keep_alive->timeout);
    }
  }
}

void check_outlier(Reporter& r, const std::string& path, const OutlierDetection& o) {
  if (o.consecutive_errors) {
    r.warning(keyed(path, "consecutiveErrors"),
              "consecutiveErrors is deprecated and ignored; use consecutive5xxErrors");
    if (*o.consecutive_errors < 0)
      r.error(keyed(path, "consecutiveErrors"), "outlier detection consecutive errors cannot be negative");
  }
  if (o.consecutive_local_origin_failures && !o.split_external_local_origin_errors.value_or(false))
    r.error(keyed(path, "consecutiveLocalOriginFailures"),
            "outlier detection consecutive local origin failures is specified, but split external local origin "
            "errors is set to false");
  check_duration(r, keyed(path, "interval"), o.interval);
  check_duration(r, keyed(path, "baseEjectionTime"), o.base_ejection_time);
  if (o.max_ejection_percent && (*o.max_ejection_percent < 0 || *o.max_ejection_percent > 100))
    r.error(keyed(path, "maxEjectionPercent"), "max ejection percent must be in range [0, 100]");
  if (o.min_health_percent && (*o.min_health_percent < 0 || *o.min_health_percent > 100))
    r.error(keyed(path, "minHealthPercent"), "minimum health percent must be in range [0, 100]");
  if (!o.http_error_codes.empty()) {
    // The range is the CRD schema's (list-value-validation 100..599), enforced by the apiserver.
    const std::string cpath = keyed(path, "outlierDetectionHttpErrorCodes");
    for (size_t i = 0; i < o.http_error_codes.size(); ++i)
      if (o.http_error_codes[i] < 100 || o.http_error_codes[i] > 599)
        r.error(indexed(cpath, i), fmt::format("HTTP status {} must be in range [100, 599]", o.http_error_codes[i]));
    r.warning(cpath, "not enforced yet: outlier detection counts 5xx responses as errors, not the listed status codes");
  }
}

void check_client_tls(Reporter& r, const std::string& path, const ClientTLSSettings& t) {
  using Mode = ClientTLSSettings::Mode;
  // SIMPLE, MUTUAL and ISTIO_MUTUAL are originated; ISTIO_MUTUAL with the workload certificate
  // given to serve (without it the cluster answers 503, said when the snapshot compiles); caCrl is
  // checked for SIMPLE and MUTUAL (tls/revocation.h).
  bool has_material = !t.client_certificate.empty() || !t.private_key.empty() || !t.ca_certificates.empty() ||
                      !t.credential_name.empty() || !t.ca_crl.empty();
  switch (t.mode) {
    case Mode::kIstioMutual:
      // Istio's webhook (agent.ValidateTLS) accepts anything here: `sni` and `subjectAltNames`
      // are used with the mesh certificate (pilot buildAutoMtlsSettings), the file and Secret
      // fields are replaced by it.
      if (has_material)
        r.warning(path,
                  "client certificates, CA certificate, CRL, private key and credentialName are ignored with "
                  "ISTIO_MUTUAL (the mesh certificates are used)");
      break;
    case Mode::kMutual:
      if (t.credential_name.empty()) {
        if (t.client_certificate.empty()) r.error(path, "client certificate required for mutual tls");
        if (t.private_key.empty()) r.error(path, "private key required for mutual tls");
      } else if (!t.client_certificate.empty() || !t.private_key.empty() || !t.ca_certificates.empty()) {
        r.error(path, "cannot specify client certificates or CA certificate with credentialName");
      }
      break;
    case Mode::kSimple:
      if (!t.client_certificate.empty() || !t.private_key.empty())
        r.warning(path, "clientCertificate and privateKey are ignored in SIMPLE mode");
      break;
    case Mode::kDisable:
      break;
  }
}

}  // namespace

void check_traffic_policy(Reporter& r, const std::string& path, const TrafficPolicy& tp) {
  if (!tp.load_balancer && !tp.connection_pool && !tp.outlier_detection && !tp.tls && tp.port_level_settings.empty() &&
      !tp.tunnel && !tp.proxy_protocol && !tp.retry_budget)
    r.error(path, "traffic policy must have at least one field");
  if (tp.load_balancer) check_load_balancer(r, keyed(path, "loadBalancer"), *tp.load_balancer);
  if (tp.connection_pool) check_connection_pool(r, keyed(path, "connectionPool"), *tp.connection_pool);
  if (tp.outlier_detection) check_outlier(r, keyed(path, "outlierDetection"), *tp.outlier_detection);
  if (tp.tls) check_client_tls(r, keyed(path, "tls"), *tp.tls);
  std::set<uint32_t> ports;
  for (size_t i = 0; i < tp.port_level_settings.size(); ++i) {
    const auto& p = tp.port_level_settings[i];
    const std::string ppath = indexed(keyed(path, "portLevelSettings"), i);
    if (!p.port) {
      r.error(ppath, "portTrafficPolicy must have valid port");
    } else {
      check_port_number(r, keyed(ppath, "port.number"), p.port->number);
      if (!ports.insert(p.port->number).second)
        r.error(keyed(ppath, "port.number"), fmt::format("duplicate port {} in portLevelSettings", p.port->number));
    }
    if (p.load_balancer) check_load_balancer(r, keyed(ppath, "loadBalancer"), *p.load_balancer);
    if (p.connection_pool) check_connection_pool(r, keyed(ppath, "connectionPool"), *p.connection_pool);
    if (p.outlier_detection) check_outlier(r, keyed(ppath, "outlierDetection"), *p.outlier_detection);
    if (p.tls) check_client_tls(r, keyed(ppath, "tls"), *p.tls);
  }
  if (tp.tunnel) {
    const std::string tpath = keyed(path, "tunnel");
    if (tp.tunnel->protocol != "CONNECT" && tp.tunnel->protocol != "POST" && !tp.tunnel->protocol.empty())
      r.error(keyed(tpath, "protocol"), "tunnel protocol must be CONNECT or POST");
    if (tp.tunnel->target_host.empty()) r.error(keyed(tpath, "targetHost"), "tunnel targetHost is required");
    check_port_number(r, keyed(tpath, "targetPort"), tp.tunnel->target_port);
    r.warning(tpath,
              "not enforced yet: TCP and TLS routes connect to the destination directly; they are not tunneled "
              "through HTTP CONNECT or POST to it");
  }
  if (tp.proxy_protocol && tp.proxy_protocol->version != "V1" && tp.proxy_protocol->version != "V2" &&
      !tp.proxy_protocol->version.empty())
    r.error(keyed(path, "proxyProtocol.version"), "proxy protocol version must be V1 or V2");
  if (tp.retry_budget && tp.retry_budget->percent && (*tp.retry_budget->percent < 0 || *tp.retry_budget->percent > 100))
    r.error(keyed(path, "retryBudget.percent"), "retry budget percent must be in range [0, 100]");
  if (tp.retry_budget && tp.retry_budget->budget_interval) {
    check_duration(r, keyed(path, "retryBudget.budgetInterval"), tp.retry_budget->budget_interval);
    r.warning(keyed(path, "retryBudget.budgetInterval"),
              "not enforced yet: the budget is a share of the requests active when a retry is attempted");
  }
}

}  // namespace sy::config::detail
