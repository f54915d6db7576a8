// Compiling Kubernetes Services: clusters from EndpointSlices or DNS of the Service FQDN,
// precedence over a ServiceEntry for the same host, subsets that cannot be resolved, mesh aliases.
#include <gtest/gtest.h>

#include "snapshot/compile.h"
#include "snapshot/test_support.h"

namespace sy::snapshot {
namespace {

using testing::compile_yaml;
using testing::gw;
using testing::mesh;
using testing::Request;

const std::string kGateway = R"(apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: front}
spec:
  hosts: [shop.example.com]
  gateways: [gw]
  http:
  - match: [{uri: {prefix: /reviews}}]
    route: [{destination: {host: reviews}}]
  - match: [{uri: {prefix: /v1}}]
    route: [{destination: {host: reviews, subset: v1}}]
  - route: [{destination: {host: ratings.data.svc.cluster.local}}]
---
)";

const std::string kServices = R"(apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  ports: [{name: http, port: 9080, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: reviews-1, labels: {kubernetes.io/service-name: reviews}}
addressType: IPv4
endpoints:
- {addresses: [127.0.0.1]}
- {addresses: [127.0.0.2], conditions: {ready: false}}
ports: [{name: http, port: 18080}]
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: data}
spec:
  ports: [{name: http-api, port: 9080, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: data}
spec:
  clusterIP: None
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews}
spec:
  host: reviews
  subsets:
  - name: v1
    labels: {version: v1}
)";

const Cluster& cluster(const Snapshot& s, std::string_view name) {
  const Cluster* c = s.find_cluster(name);
  EXPECT_NE(c, nullptr) << name;
  static const Cluster kNone;
  return c ? *c : kNone;
}

// Scenario: a gateway route to a Service with an EndpointSlice goes to a STATIC cluster whose
// endpoints are the slice's ready addresses at the slice port; a Service without slices is a DNS
// cluster resolving its FQDN at the Service port (the cluster IP's), or at the targetPort when
// headless (the name resolves to the pods).
TEST(CompileKube, ClustersFromSlicesOrDns) {
  auto snap = compile_yaml(kGateway + kServices);
  EXPECT_EQ(gw(*snap, 8080, {"shop.example.com", "/reviews/1"}),
            " -> outbound|9080||reviews.default.svc.cluster.local");
  EXPECT_EQ(gw(*snap, 8080, {"shop.example.com", "/"}), " -> outbound|9080||ratings.data.svc.cluster.local");

  const Cluster& reviews = cluster(*snap, "outbound|9080||reviews.default.svc.cluster.local");
  EXPECT_EQ(reviews.discovery, Discovery::kStatic);
  EXPECT_EQ(reviews.protocol, "HTTP");
  ASSERT_EQ(reviews.endpoints.size(), 1u);
  EXPECT_EQ(reviews.endpoints[0].address, "127.0.0.1");
  EXPECT_EQ(reviews.endpoints[0].port, 18080u);

  const Cluster& ratings = cluster(*snap, "outbound|9080||ratings.data.svc.cluster.local");
  EXPECT_EQ(ratings.discovery, Discovery::kDns);
  EXPECT_EQ(ratings.service_namespace, "data");
  ASSERT_EQ(ratings.endpoints.size(), 1u);
  EXPECT_EQ(ratings.endpoints[0].address, "ratings.data.svc.cluster.local");
  EXPECT_EQ(ratings.endpoints[0].port, 9080u);

  const Cluster& cache = cluster(*snap, "outbound|80||cache.data.svc.cluster.local");
  EXPECT_EQ(cache.discovery, Discovery::kDns);
  ASSERT_EQ(cache.endpoints.size(), 1u);
  EXPECT_EQ(cache.endpoints[0].address, "cache.data.svc.cluster.local");
  EXPECT_EQ(cache.endpoints[0].port, 8080u);
}

// Scenario: a subset selecting pods by label on a Service host keeps no endpoint (503 UH) instead
// of taking every endpoint, and the compile says so at the DestinationRule's subset line.
TEST(CompileKube, LabelledSubsetHasNoEndpoints) {
  auto snap = compile_yaml(kGateway + kServices);
  EXPECT_EQ(gw(*snap, 8080, {"shop.example.com", "/v1"}), " -> outbound|9080|v1|reviews.default.svc.cluster.local");
  const Cluster& v1 = cluster(*snap, "outbound|9080|v1|reviews.default.svc.cluster.local");
  EXPECT_FALSE(v1.missing());
  EXPECT_TRUE(v1.endpoints.empty());
  size_t said = 0;
  for (const auto& d : snap->diagnostics.items()) {
    if (d.message.find("subset \"v1\" cannot be resolved on Kubernetes Service default/reviews") == std::string::npos)
      continue;
    ++said;
    EXPECT_EQ(d.kind, "DestinationRule");
    EXPECT_EQ(d.path, "spec.subsets[0]");
    EXPECT_EQ(d.line, 57);
  }
  EXPECT_EQ(said, 1u);
}

// Scenario: a ServiceEntry for a Service's host, earlier in load order, is ignored for that host
// (Istio prefers the Kubernetes registry) with a warning naming the Service in use.
TEST(CompileKube, ServiceWinsOverServiceEntry) {
  auto snap = compile_yaml(R"(apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: squat}
spec:
  hosts: [reviews.default.svc.cluster.local]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  resolution: STATIC
  endpoints: [{address: 10.9.9.9}]
---
)" + kGateway + kServices);
  const Cluster& reviews = cluster(*snap, "outbound|9080||reviews.default.svc.cluster.local");
  ASSERT_EQ(reviews.endpoints.size(), 1u);
  EXPECT_EQ(reviews.endpoints[0].address, "127.0.0.1");
  bool said = false;
  for (const auto& d : snap->diagnostics.items())
    said = said || (d.kind == "ServiceEntry" && d.path == "spec.hosts[0]" &&
                    d.message.find("also defined by Kubernetes Service default/reviews (test.yaml:32); the Service is "
                                   "the one in use") != std::string::npos);
  EXPECT_TRUE(said);
}

// Scenario: the mesh listener serves a Service on its http port with Istio's default route and
// answers the short forms a client in the proxy's namespace writes (name, name.ns, name.ns.svc).
TEST(CompileKube, MeshDefaultRouteAndShortNames) {
  auto snap = compile_yaml(kServices);
  for (const char* host : {"reviews", "reviews.default", "reviews.default.svc", "reviews.default.svc.cluster.local"})
    EXPECT_EQ(mesh(*snap, 9080, {host}), "default -> outbound|9080||reviews.default.svc.cluster.local") << host;
  EXPECT_EQ(mesh(*snap, 9080, {"ratings.data"}), "default -> outbound|9080||ratings.data.svc.cluster.local");
  EXPECT_EQ(mesh(*snap, 9080, {"ratings"}), "no virtual host");  // another namespace's short name
}

}  // namespace
}  // namespace sy::snapshot
