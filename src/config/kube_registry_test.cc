// Kubernetes Service -> registry entry: port protocols as Istio names them, endpoints from
// EndpointSlices or DNS, headless and ExternalName Services, exportTo.
#include "config/kube_registry.h"

#include <gtest/gtest.h>

#include "config/loader.h"

namespace sy::config {
namespace {

// Scenario: Istio's protocol rules for Service ports, one row each: appProtocol first, then the
// port name (prefix before '-', grpc-web whole), case-insensitive; UDP wins; unknown names are
// sniffed ("") except on the server-first well-known ports.
TEST(KubeRegistry, PortProtocol) {
  struct Row {
    std::string name;
    std::optional<std::string> app_protocol;
    std::string l4;
    uint32_t port;
    std::string want;
  } rows[] = {
      {"http", {}, "TCP", 9080, "HTTP"},
      {"http-web", {}, "TCP", 80, "HTTP"},
      {"HTTP2", {}, "TCP", 80, "HTTP2"},
      {"grpc", {}, "TCP", 80, "GRPC"},
      {"grpc-web", {}, "TCP", 80, "GRPC-WEB"},
      {"grpc-web-x", {}, "TCP", 80, "GRPC-WEB"},
      {"grpcx", {}, "TCP", 80, ""},
      {"https-admin", {}, "TCP", 443, "HTTPS"},
      {"tls", {}, "TCP", 443, "TLS"},
      {"tcp-db", {}, "TCP", 5432, "TCP"},
      {"mongo", {}, "TCP", 27017, "MONGO"},
      {"redis", {}, "TCP", 6379, "REDIS"},
      {"mysql", {}, "TCP", 3306, "MYSQL"},
      {"web", {}, "TCP", 80, ""},
      {"", {}, "TCP", 80, ""},
      {"database", {}, "TCP", 3306, "TCP"},
      {"smtp", {}, "TCP", 25, "TCP"},
      {"web", "http", "TCP", 80, "HTTP"},
      {"http", "tcp", "TCP", 80, "TCP"},
      {"web", "kubernetes.io/h2c", "TCP", 80, "HTTP2"},
      {"web", "kubernetes.io/ws", "TCP", 80, "HTTP"},
      {"web", "kubernetes.io/wss", "TCP", 443, "HTTPS"},
      {"web", "example.com/custom", "TCP", 80, ""},
      {"http", {}, "UDP", 80, "UDP"},
  };
  for (const Row& r : rows) {
    KubeServicePort p;
    p.name = r.name;
    p.app_protocol = r.app_protocol;
    p.protocol = r.l4;
    p.port = r.port;
    EXPECT_EQ(kube_port_protocol(p), r.want) << r.name << " / " << r.app_protocol.value_or("-") << " / " << r.l4;
  }
}

ConfigSet load(const std::string& yaml) {
  LoadResult r = load_string(yaml, "k.yaml");
  EXPECT_FALSE(r.diagnostics.has_errors());
  for (const auto& d : r.diagnostics.items()) ADD_FAILURE() << d.to_string();
  return r.config;
}

const char* kReviews = R"(apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop, annotations: {networking.istio.io/exportTo: "., istio-system"}}
spec:
  ports:
  - {name: http, port: 9080, targetPort: 8080}
  - {name: grpc-api, port: 9090, targetPort: grpc}
  - {name: dns, port: 53, protocol: UDP}
)";

// Scenario: with EndpointSlices the Service is STATIC: one endpoint per ready address (absent
// `ready` counts as ready, a terminating one does not), each at the slice port of the same name;
// an address listed by two slices at the same ports is used once; FQDN slices are left out.
TEST(KubeRegistry, EndpointsFromSlices) {
  ConfigSet c = load(std::string(kReviews) + R"(---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-a, namespace: shop, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
endpoints:
- addresses: [10.1.0.1]
  conditions: {ready: true}
- addresses: [10.1.0.2]
- addresses: [10.1.0.3]
  conditions: {ready: false, terminating: true}
ports: [{name: http, port: 8080}, {name: grpc-api, port: 7070}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-b, namespace: shop, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
endpoints: [{addresses: [10.1.0.2, 10.1.0.4]}]
ports: [{name: http, port: 8080}, {name: grpc-api, port: 7070}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-c, namespace: shop, labels: {kubernetes.io/service-name: reviews}}
addressType: FQDN
endpoints: [{addresses: [r.example.com]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: other, namespace: default, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
endpoints: [{addresses: [10.9.9.9]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-d, namespace: shop, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
endpoints: [{addresses: [10.1.0.1]}]
ports: [{name: http, port: 9999}]
)");
  auto reg = kube_registry(c);
  ASSERT_EQ(reg.size(), 1u);
  const ServiceEntry& se = reg[0].entry;
  EXPECT_TRUE(reg[0].from_slices);
  EXPECT_EQ(se.hosts, std::vector<std::string>{"reviews.shop.svc.cluster.local"});
  EXPECT_EQ(se.meta.namespace_, "shop");
  EXPECT_EQ(se.source.file, "k.yaml");
  EXPECT_EQ(se.export_to, (std::vector<std::string>{".", "istio-system"}));
  EXPECT_EQ(se.resolution, ServiceEntry::Resolution::kStatic);
  EXPECT_EQ(se.location, ServiceEntry::Location::kMeshInternal);
  ASSERT_EQ(se.ports.size(), 2u);  // UDP left out
  EXPECT_EQ(se.ports[0].protocol, "HTTP");
  EXPECT_EQ(se.ports[0].target_port, 8080u);
  EXPECT_EQ(se.ports[1].protocol, "GRPC");
  EXPECT_EQ(se.ports[1].target_port, std::nullopt);  // named: only a slice port says where
  ASSERT_EQ(se.endpoints.size(), 4u);
  EXPECT_EQ(se.endpoints[0].address, "10.1.0.1");
  EXPECT_EQ(se.endpoints[0].ports, (std::map<std::string, uint32_t>{{"http", 8080}, {"grpc-api", 7070}}));
  EXPECT_EQ(se.endpoints[1].address, "10.1.0.2");
  EXPECT_EQ(se.endpoints[2].address, "10.1.0.4");
  EXPECT_EQ(se.endpoints[3].address, "10.1.0.1");  // the same address at another port is another endpoint
  EXPECT_EQ(se.endpoints[3].ports, (std::map<std::string, uint32_t>{{"http", 9999}}));
  for (const auto& e : se.endpoints) EXPECT_TRUE(e.labels.empty());
}

// Scenario: publishNotReadyAddresses makes every address of the slices an endpoint, as the
// Kubernetes endpoint controller would have marked them ready.
TEST(KubeRegistry, PublishNotReadyAddresses) {
  ConfigSet c = load(R"(apiVersion: v1
kind: Service
metadata: {name: db}
spec: {publishNotReadyAddresses: true, ports: [{name: tcp, port: 5432}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: db-1, labels: {kubernetes.io/service-name: db}}
addressType: IPv4
endpoints: [{addresses: [10.2.0.1], conditions: {ready: false}}]
ports: [{name: tcp, port: 5432}]
)");
  auto reg = kube_registry(c);
  ASSERT_EQ(reg.size(), 1u);
  ASSERT_EQ(reg[0].entry.endpoints.size(), 1u);
  EXPECT_EQ(reg[0].entry.ports[0].protocol, "TCP");
}

// Scenario: without slices the Service's FQDN is resolved by DNS: a cluster IP answers on the
// Service port, a headless Service's pods on the targetPort, an ExternalName Service is its
// externalName on the Service port.
TEST(KubeRegistry, DnsWithoutSlices) {
  ConfigSet c = load(R"(apiVersion: v1
kind: Service
metadata: {name: ratings}
spec: {ports: [{name: http, port: 9080, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: data}
spec: {clusterIP: None, ports: [{name: redis, port: 6379, targetPort: 7000}]}
---
apiVersion: v1
kind: Service
metadata: {name: payments}
spec: {type: ExternalName, externalName: pay.example.com, ports: [{name: https, port: 443, targetPort: 8443}]}
)");
  auto reg = kube_registry(c);
  ASSERT_EQ(reg.size(), 3u);
  for (const auto& k : reg) {
    EXPECT_FALSE(k.from_slices);
    EXPECT_EQ(k.entry.resolution, ServiceEntry::Resolution::kDns);
  }
  EXPECT_EQ(reg[0].entry.hosts.front(), "ratings.default.svc.cluster.local");
  EXPECT_TRUE(reg[0].entry.endpoints.empty());
  EXPECT_EQ(reg[0].entry.ports[0].target_port, std::nullopt);
  EXPECT_EQ(reg[1].entry.hosts.front(), "cache.data.svc.cluster.local");
  EXPECT_EQ(reg[1].entry.ports[0].target_port, 7000u);
  EXPECT_EQ(reg[1].entry.ports[0].protocol, "REDIS");
  ASSERT_EQ(reg[2].entry.endpoints.size(), 1u);
  EXPECT_EQ(reg[2].entry.endpoints[0].address, "pay.example.com");
  EXPECT_EQ(reg[2].entry.ports[0].target_port, std::nullopt);
  EXPECT_EQ(reg[2].entry.location, ServiceEntry::Location::kMeshExternal);
}

}  // namespace
}  // namespace sy::config
