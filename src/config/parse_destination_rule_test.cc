#include <gtest/gtest.h>

#include "config/loader.h"

namespace sy::config {
namespace {

using namespace std::chrono_literals;
using Simple = LoadBalancerSettings::Simple;

LoadResult load_fixture(const std::string& name) { return load_paths({std::string(SY_TESTDATA) + "/" + name}); }

std::string report(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics.items()) out += d.to_string() + "\n";
  return out;
}

// Scenario: Bookinfo's destination-rule-all.yaml: four rules, subsets by version label, trailing `---`.
TEST(ParseDestinationRule, BookinfoAll) {
  auto r = load_fixture("bookinfo/destination-rule-all.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  ASSERT_EQ(r.config.destination_rules.size(), 4u);
  const DestinationRule& reviews = r.config.destination_rules[1];
  EXPECT_EQ(reviews.host, "reviews");
  ASSERT_EQ(reviews.subsets.size(), 3u);
  EXPECT_EQ(reviews.subsets[2].name, "v3");
  EXPECT_EQ(reviews.subsets[2].labels, (Labels{{"version", "v3"}}));
  EXPECT_FALSE(reviews.traffic_policy);
  EXPECT_EQ(r.config.destination_rules[2].subsets[3].name, "v2-mysql-vm");
  EXPECT_EQ(r.config.destination_rules[3].source.line, 50);
  EXPECT_EQ(r.config.destination_rules[3].source.index, 3);
}

// Scenario: the httpbin circuit-breaking task's tiny pool and outlier detection (v1alpha3).
TEST(ParseDestinationRule, HttpbinCircuitBreaker) {
  auto r = load_fixture("httpbin/httpbin-circuit-breaker.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  const TrafficPolicy& tp = *r.config.destination_rules.at(0).traffic_policy;
  EXPECT_EQ(tp.connection_pool->tcp->max_connections, 1);
  EXPECT_EQ(tp.connection_pool->http->http1_max_pending_requests, 1);
  EXPECT_EQ(tp.connection_pool->http->max_requests_per_connection, 1);
  EXPECT_FALSE(tp.connection_pool->http->http2_max_requests);
  EXPECT_EQ(tp.outlier_detection->consecutive_5xx_errors, 1u);
  EXPECT_EQ(tp.outlier_detection->interval, Duration(1s));
  EXPECT_EQ(tp.outlier_detection->base_ejection_time, Duration(3min));
  EXPECT_EQ(tp.outlier_detection->max_ejection_percent, 100);
}

// Scenario: every TrafficPolicy field (and its nested messages) is filled from its Istio key.
TEST(ParseDestinationRule, AllFields) {
  auto r = load_fixture("loader/destination-rule-all-fields.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  const DestinationRule& dr = r.config.destination_rules.at(0);
  EXPECT_EQ(dr.host, "users.shop.svc.cluster.local");
  EXPECT_EQ(dr.export_to, std::vector<std::string>{"*"});
  EXPECT_EQ(dr.workload_selector, (Labels{{"app", "gateway"}}));
  const TrafficPolicy& tp = *dr.traffic_policy;

  const auto& lb = *tp.load_balancer;
  EXPECT_EQ(lb.simple, Simple::kUnspecified);
  const auto& ch = *lb.consistent_hash;
  EXPECT_EQ(ch.http_cookie->name, "session");
  EXPECT_EQ(ch.http_cookie->path, "/");
  EXPECT_EQ(ch.http_cookie->ttl, Duration(30min));
  ASSERT_EQ(ch.http_cookie->attributes.size(), 1u);
  EXPECT_EQ(ch.http_cookie->attributes[0].name, "SameSite");
  EXPECT_EQ(ch.http_cookie->attributes[0].value, "Strict");
  EXPECT_EQ(ch.ring_hash->minimum_ring_size, 1024u);
  const auto& loc = *lb.locality_lb_setting;
  EXPECT_EQ(loc.enabled, true);
  EXPECT_EQ(loc.distribute.at(0).from, "us-west/zone1/*");
  EXPECT_EQ(loc.distribute.at(0).to.at("us-west/zone2/*"), 20u);
  EXPECT_EQ(loc.failover.at(0).from, "us-east");
  EXPECT_EQ(loc.failover.at(0).to, "eu-west");
  EXPECT_EQ(loc.failover_priority, std::vector<std::string>{"topology.kubernetes.io/region"});
  const auto& zone = *lb.zone_aware_lb_setting;
  EXPECT_EQ(zone.enabled, true);
  EXPECT_EQ(zone.failover.at(0).from, "us-east");
  EXPECT_EQ(zone.failover.at(0).to, "us-west");
  EXPECT_EQ(zone.failover_priority, std::vector<std::string>{"topology.istio.io/network"});
  EXPECT_EQ(zone.min_cluster_size, 3u);
  EXPECT_FALSE(lb.backend_utilization);

  const auto& tcp = *tp.connection_pool->tcp;
  EXPECT_EQ(tcp.max_connections, 100);
  EXPECT_EQ(tcp.connect_timeout, Duration(30ms));
  EXPECT_EQ(tcp.tcp_keepalive->probes, 9u);
  EXPECT_EQ(tcp.tcp_keepalive->time, Duration(7200s));
  EXPECT_EQ(tcp.tcp_keepalive->interval, Duration(75s));
  EXPECT_EQ(tcp.max_connection_duration, Duration(1h));
  EXPECT_EQ(tcp.idle_timeout, Duration(0s));
  const auto& http = *tp.connection_pool->http;
  EXPECT_EQ(http.http1_max_pending_requests, 10);
  EXPECT_EQ(http.http2_max_requests, 1000);
  EXPECT_EQ(http.max_requests_per_connection, 1);
  EXPECT_EQ(http.max_retries, 3);
  EXPECT_EQ(http.idle_timeout, Duration(1min));
  EXPECT_EQ(http.h2_upgrade_policy, ConnectionPoolSettings::HTTPSettings::H2UpgradePolicy::kUpgrade);
  EXPECT_EQ(http.use_client_protocol, false);
  EXPECT_EQ(http.max_concurrent_streams, 100);
  EXPECT_EQ(http.http2_keep_alive->interval, Duration(30s));
  EXPECT_EQ(http.http2_keep_alive->timeout, Duration(5s));

  const OutlierDetection& od = *tp.outlier_detection;
  EXPECT_EQ(od.split_external_local_origin_errors, true);
  EXPECT_EQ(od.consecutive_local_origin_failures, 2u);
  EXPECT_EQ(od.consecutive_gateway_errors, 3u);
  EXPECT_EQ(od.consecutive_5xx_errors, 5u);
  EXPECT_EQ(od.consecutive_errors, 7);
  EXPECT_EQ(od.interval, Duration(10s));
  EXPECT_EQ(od.base_ejection_time, Duration(30s));
  EXPECT_EQ(od.max_ejection_percent, 50);
  EXPECT_EQ(od.min_health_percent, 25);
  EXPECT_EQ(od.http_error_codes, (std::vector<uint32_t>{500, 503, 429}));

  const ClientTLSSettings& tls = *tp.tls;
  EXPECT_EQ(tls.mode, ClientTLSSettings::Mode::kMutual);
  EXPECT_EQ(tls.client_certificate, "/etc/client.pem");
  EXPECT_EQ(tls.private_key, "/etc/client.key");
  EXPECT_EQ(tls.ca_certificates, "/etc/ca.pem");
  EXPECT_EQ(tls.credential_name, "");
  EXPECT_EQ(tls.subject_alt_names, std::vector<std::string>{"users.shop"});
  EXPECT_EQ(tls.sni, "users.shop.example");
  EXPECT_EQ(tls.insecure_skip_verify, false);
  EXPECT_EQ(tls.ca_crl, "/etc/crl.pem");

  ASSERT_EQ(tp.port_level_settings.size(), 1u);
  const auto& port = tp.port_level_settings[0];
  EXPECT_EQ(port.port->number, 8080u);
  EXPECT_EQ(port.load_balancer->simple, Simple::kLeastConn);
  EXPECT_EQ(port.connection_pool->tcp->max_connections, 5);
  EXPECT_EQ(port.outlier_detection->consecutive_5xx_errors, 1u);
  EXPECT_EQ(port.tls->mode, ClientTLSSettings::Mode::kIstioMutual);
  EXPECT_EQ(tp.tunnel->protocol, "CONNECT");
  EXPECT_EQ(tp.tunnel->target_host, "egress.example.com");
  EXPECT_EQ(tp.tunnel->target_port, 8443u);
  EXPECT_EQ(tp.proxy_protocol->version, "V2");
  EXPECT_DOUBLE_EQ(*tp.retry_budget->percent, 25.5);
  EXPECT_EQ(tp.retry_budget->min_retry_concurrency, 4u);
  EXPECT_EQ(tp.retry_budget->budget_interval, Duration(10s));

  ASSERT_EQ(dr.subsets.size(), 5u);
  const auto& v1 = *dr.subsets[0].traffic_policy->load_balancer;
  EXPECT_EQ(v1.simple, Simple::kRoundRobin);
  EXPECT_EQ(v1.warmup_duration_secs, Duration(60s));
  EXPECT_EQ(v1.warmup->duration, Duration(90s));
  EXPECT_DOUBLE_EQ(v1.warmup->minimum_percent->value, 10);
  EXPECT_DOUBLE_EQ(*v1.warmup->aggression, 1.5);
  const auto& v2 = *dr.subsets[1].traffic_policy->load_balancer->consistent_hash;
  EXPECT_EQ(v2.http_header_name, "x-user");
  EXPECT_EQ(v2.maglev->table_size, 65537u);
  const auto& v3 = *dr.subsets[2].traffic_policy->load_balancer->consistent_hash;
  EXPECT_EQ(v3.use_source_ip, true);
  EXPECT_EQ(v3.minimum_ring_size, 512u);
  EXPECT_EQ(dr.subsets[3].traffic_policy->load_balancer->consistent_hash->http_query_parameter_name, "user");
  EXPECT_TRUE(dr.subsets[4].traffic_policy->load_balancer->backend_utilization);
}

// Scenario: every LoadBalancer `simple` name maps to its enum; unknown names and oneof clashes are errors.
TEST(ParseDestinationRule, LoadBalancerNames) {
  struct Case {
    const char* lb;
    std::optional<Simple> want;
    const char* message;
  } cases[] = {
      {"{simple: LEAST_CONN}", Simple::kLeastConn, ""},
      {"{simple: LEAST_REQUEST}", Simple::kLeastRequest, ""},
      {"{simple: RANDOM}", Simple::kRandom, ""},
      {"{simple: PASSTHROUGH}", Simple::kPassthrough, ""},
      {"{simple: ROUND_ROBIN}", Simple::kRoundRobin, ""},
      {"{simple: UNSPECIFIED}", Simple::kUnspecified, ""},
      {"{simple: FASTEST}", std::nullopt,
       "unknown value \"FASTEST\", allowed: UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST"},
      {"{simple: RANDOM, consistentHash: {useSourceIp: true}}", std::nullopt,
       "only one of simple, consistentHash may be set"},
      {"{consistentHash: {httpHeaderName: a, useSourceIp: true}}", std::nullopt,
       "only one of httpHeaderName, useSourceIp may be set"},
      // backendUtilization is the third member of istio/api's lb_policy oneof.
      {"{backendUtilization: {blackoutPeriod: 5s}}", Simple::kUnspecified, ""},
      {"{simple: ROUND_ROBIN, backendUtilization: {}}", std::nullopt,
       "only one of simple, backendUtilization may be set"},
      {"{backendUtilization: 5}", std::nullopt, "expected a map"},
      {"{zoneAwareLbSetting: {enabled: true, minClusterSize: 6}}", Simple::kUnspecified, ""},
      {"{zoneAwareLbSetting: {minClustersize: 6}}", std::nullopt, "unknown field \"minClustersize\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.lb);
    auto r = load_string(std::string("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\n"
                                     "spec:\n  host: a\n  trafficPolicy:\n    loadBalancer: ") +
                             c.lb + "\n",
                         "d.yaml");
    if (c.want) {
      ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
      EXPECT_EQ(r.config.destination_rules.at(0).traffic_policy->load_balancer->simple, *c.want);
    } else {
      ASSERT_EQ(r.diagnostics.error_count(), 1u) << report(r);
      EXPECT_EQ(r.diagnostics.items()[0].line, 7);
      EXPECT_NE(r.diagnostics.items()[0].message.find(c.message), std::string::npos) << report(r);
    }
  }
}

}  // namespace
}  // namespace sy::config
