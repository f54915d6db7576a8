// DestinationRule webhook checks: host, subsets and traffic policies.
#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// Scenario: subset names, duplicates and labels; host required.
TEST(ValidateDestinationRule, Subsets) {
  run_table(
      {
          {"clean",
           dr(R"y(
host: reviews
trafficPolicy:
  loadBalancer: {simple: ROUND_ROBIN}
subsets:
- name: v1
  labels: {version: v1}
- name: v2
  labels: {version: v2}
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 10, connectTimeout: 500ms, idleTimeout: 0s}
)y"),
           {}},
          {"missing host",
           dr("subsets:\n- name: v1\n  labels: {version: v1}\n"),
           {{"spec.host", "destination rule must have a host"}}},
          {"duplicate and invalid subset names",
           dr(R"y(
host: reviews
subsets:
- name: v1
- name: v1
- name: V_2
- labels: {"bad key!": x, version: "-bad"}
)y"),
           {{"spec.subsets[1].name", "duplicate subset names: v1"},
            {"spec.subsets[2].name", "subset name is invalid: V_2"},
            {"spec.subsets[3].name", "subset name cannot be empty"},
            {"spec.subsets[3].labels.bad key!", "invalid label key"},
            {"spec.subsets[3].labels.version", "invalid label value \"-bad\""}}},
      },
      Run::kObjects);
}

// Scenario: traffic-policy durations, limits and one-of rules.
TEST(ValidateDestinationRule, TrafficPolicy) {
  run_table(
      {
          {"durations",
           dr(R"y(
host: reviews
trafficPolicy:
  connectionPool:
    tcp:
      connectTimeout: 0s
      tcpKeepalive: {time: 0.5ms, interval: 75s}
      maxConnectionDuration: 1.0001s
    http: {idleTimeout: 0s}
  outlierDetection: {interval: 0s, baseEjectionTime: 30s}
)y"),
           {{"spec.trafficPolicy.connectionPool.tcp.connectTimeout", "duration must be greater than 1ms"},
            {"spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time", "duration must be greater than 1ms"},
            {"spec.trafficPolicy.connectionPool.tcp.maxConnectionDuration", "only durations to ms precision"},
            {"spec.trafficPolicy.connectionPool.http.idleTimeout", "duration must be greater than 1ms"},
            {"spec.trafficPolicy.outlierDetection.interval", "duration must be greater than 1ms"}}},
          {"negative pool limits, upgrade + client protocol",
           dr(R"y(
host: reviews
trafficPolicy:
  connectionPool:
    tcp: {maxConnections: -1}
    http: {http1MaxPendingRequests: -2, h2UpgradePolicy: UPGRADE, useClientProtocol: true}
)y"),
           {{"spec.trafficPolicy.connectionPool.tcp.maxConnections", "max connections must be non-negative"},
            {"spec.trafficPolicy.connectionPool.http.http1MaxPendingRequests", "must be non-negative"},
            {"spec.trafficPolicy.connectionPool.http", "use client protocol must not be true when H2UpgradePolicy"}}},
          {"outlier detection",
           dr(R"y(
host: reviews
trafficPolicy:
  outlierDetection: {consecutiveLocalOriginFailures: 3, maxEjectionPercent: 120, minHealthPercent: -1}
)y"),
           {{"spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures",
             "split external local origin errors is set to false"},
            {"spec.trafficPolicy.outlierDetection.maxEjectionPercent",
             "max ejection percent must be in range [0, 100]"},
            {"spec.trafficPolicy.outlierDetection.minHealthPercent",
             "minimum health percent must be in range [0, 100]"}}},
          {"consistent hash keys",
           dr(R"y(
host: reviews
trafficPolicy:
  loadBalancer:
    consistentHash: {ringHash: {minimumRingSize: 1024}}
subsets:
- name: v1
  trafficPolicy:
    loadBalancer:
      consistentHash:
        httpCookie: {name: session, ttl: 0s}
)y"),
           {{"spec.trafficPolicy.loadBalancer.consistentHash", "consistent hash must set exactly one of"}}},
          {"locality lb",
           dr(R"y(
host: reviews
trafficPolicy:
  loadBalancer:
    localityLbSetting:
      distribute:
      - from: us-west/zone1/*
        to: {"us-west/zone1/*": 70, "us-west/zone2/*": 20}
      failover:
      - {from: us-east, to: us-east}
)y"),
           {{"spec.trafficPolicy.loadBalancer.localityLbSetting", "can not simultaneously set failover and distribute"},
            {"spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to", "total locality weight 90 != 100"},
            {"spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]", "must specify different regions"}}},
          {"warmup",
           dr(R"y(
host: reviews
trafficPolicy:
  loadBalancer:
    simple: RANDOM
    warmup: {duration: 0s}
)y"),
           {{"spec.trafficPolicy.loadBalancer.warmup.duration", "duration must be greater than 1ms"},
            {"spec.trafficPolicy.loadBalancer", "warmup is only supported with ROUND_ROBIN and LEAST_REQUEST"}}},
          {"client tls",
           dr(R"y(
host: reviews
trafficPolicy:
  tls: {mode: MUTUAL}
  portLevelSettings:
  - port: {number: 9080}
    tls: {mode: ISTIO_MUTUAL, sni: x.com}
)y"),
           {{"spec.trafficPolicy.tls", "client certificate required for mutual tls"},
            {"spec.trafficPolicy.tls", "private key required for mutual tls"}}},
      },
      Run::kObjects);
}

// Scenario: valid Istio DestinationRules that switchyard used to refuse: host "*" (Istio's
// ValidateWildcardDomain takes it), and ISTIO_MUTUAL with `sni` / `subjectAltNames`, which
// Istio uses with the mesh certificate (originated with serve's --workload-* certificate).
TEST(ValidateDestinationRule, IstioAccepts) {
  run_table(
      {
          {"host star", dr("host: \"*\"\ntrafficPolicy:\n  connectionPool: {tcp: {maxConnections: 10}}\n"), {}},
          {"ISTIO_MUTUAL with sni and subjectAltNames",
           dr(R"y(
host: reviews
trafficPolicy:
  tls: {mode: ISTIO_MUTUAL, sni: outbound_.9080_._.reviews.default.svc.cluster.local,
        subjectAltNames: [spiffe://cluster.local/ns/default/sa/reviews]}
)y"),
           {}},
          {"ISTIO_MUTUAL with certificate files: ignored, as in Istio",
           dr(R"y(
host: reviews
trafficPolicy:
  tls: {mode: ISTIO_MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem}
)y"),
           {warn("spec.trafficPolicy.tls", "are ignored with ISTIO_MUTUAL")}},
      },
      Run::kObjects);
}

// Scenario: fields of istio/api master that are parsed but not enforced are accepted with a
// warning at their line, never dropped silently (they used to be refused as unknown fields).
TEST(ValidateDestinationRule, CurrentSchemaFieldsWarned) {
  run_table(
      {
          {"each unenforced field says so",
           dr(R"y(
host: reviews
trafficPolicy:
  loadBalancer:
    backendUtilization: {blackoutPeriod: 10s}
    zoneAwareLbSetting: {enabled: true, minClusterSize: 3}
  connectionPool:
    http:
      http2KeepAlive: {interval: 30s, timeout: 5s}
  outlierDetection:
    consecutive5xxErrors: 3
    outlierDetectionHttpErrorCodes: [503, 429]
  retryBudget: {percent: 20, budgetInterval: 10s}
)y"),
           {warn("spec.trafficPolicy.loadBalancer.backendUtilization", "not enforced yet"),
            warn("spec.trafficPolicy.loadBalancer.zoneAwareLbSetting", "not enforced yet"),
            warn("spec.trafficPolicy.outlierDetection.outlierDetectionHttpErrorCodes", "not enforced yet"),
            warn("spec.trafficPolicy.retryBudget.budgetInterval", "not enforced yet")}},
          {"tunnel is said not to be enforced",
           dr("host: reviews\ntrafficPolicy:\n  tunnel: {protocol: CONNECT, targetHost: x.example, targetPort: 443}\n"),
           {warn("spec.trafficPolicy.tunnel", "not enforced yet")}},
          {"zone-aware balancing switched off is in force",
           dr("host: reviews\ntrafficPolicy:\n  loadBalancer:\n    zoneAwareLbSetting: {enabled: false}\n"),
           {}},
          {"bad values",
           dr(R"y(
host: reviews
trafficPolicy:
  connectionPool:
    http:
      http2KeepAlive: {interval: 0.5ms, timeout: 0s}
  outlierDetection:
    outlierDetectionHttpErrorCodes: [99, 600]
  retryBudget: {budgetInterval: 1.0001s}
)y"),
           {{"spec.trafficPolicy.connectionPool.http.http2KeepAlive.interval", "duration must be greater than 1ms"},
            {"spec.trafficPolicy.connectionPool.http.http2KeepAlive.timeout", "duration must be greater than 1ms"},
            {"spec.trafficPolicy.outlierDetection.outlierDetectionHttpErrorCodes[0]",
             "HTTP status 99 must be in range"},
            {"spec.trafficPolicy.outlierDetection.outlierDetectionHttpErrorCodes[1]",
             "HTTP status 600 must be in range"},
            {"spec.trafficPolicy.retryBudget.budgetInterval", "only durations to ms precision"},
            warn("spec.trafficPolicy.outlierDetection.outlierDetectionHttpErrorCodes", "not enforced yet"),
            warn("spec.trafficPolicy.retryBudget.budgetInterval", "not enforced yet")}},
      },
      Run::kObjects);
}

// Scenario: SIMPLE, MUTUAL and ISTIO_MUTUAL are originated at any of the four levels (top,
// portLevelSettings, subset, subset portLevelSettings); caCrl is checked against the upstream's
// certificate (tls/revocation.h), so it is accepted.
TEST(ValidateDestinationRule, TlsOriginationRefused) {
  run_table(
      {
          {"SIMPLE at the top level is originated",
           dr(R"y(
host: api.example.com
trafficPolicy:
  tls: {mode: SIMPLE, sni: api.example.com}
)y"),
           {}},
          {"a CRL is accepted (and checked)",
           dr(R"y(
host: api.example.com
trafficPolicy:
  tls: {mode: SIMPLE, caCrl: /crl.pem}
)y"),
           {}},
          {"MUTUAL per port, SIMPLE per subset port and ISTIO_MUTUAL per subset are fine",
           dr(R"y(
host: reviews
trafficPolicy:
  portLevelSettings:
  - port: {number: 9080}
    tls: {mode: MUTUAL, clientCertificate: /c.pem, privateKey: /k.pem}
subsets:
- name: v1
  labels: {version: v1}
  trafficPolicy:
    tls: {mode: ISTIO_MUTUAL}
- name: v2
  labels: {version: v2}
  trafficPolicy:
    portLevelSettings:
    - port: {number: 9080}
      tls: {mode: SIMPLE}
)y"),
           {}},
          {"DISABLE anywhere is fine",
           dr(R"y(
host: reviews
trafficPolicy:
  tls: {mode: DISABLE}
  portLevelSettings:
  - port: {number: 9080}
    tls: {mode: DISABLE}
subsets:
- name: v1
  labels: {version: v1}
  trafficPolicy:
    tls: {mode: DISABLE}
)y"),
           {}},
          {"a tls block without mode is DISABLE",
           dr(R"y(
host: reviews
trafficPolicy:
  tls: {sni: reviews.example.com}
)y"),
           {}},
      },
      Run::kObjects);
}

}  // namespace
}  // namespace sy::config::testing
