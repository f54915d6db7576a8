#include <gtest/gtest.h>

#include "snapshot/test_support.h"

namespace sy::snapshot {
namespace {

using testing::compile_yaml;

// db: a TCP service reached at its addresses, with versioned endpoints and subsets; cache: a TCP
// service without addresses (found by port); web: HTTP; secure: a TLS port (opaque TCP on the
// mesh); legacy: port 80 is web's HTTP port too; dup: a second address-less service on cache's port.
constexpr const char* kMeshTcp = R"y(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec:
  hosts: [db.internal]
  addresses: [10.1.0.10, 10.2.0.0/16]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 5432, name: tcp-pg, protocol: TCP}]
  endpoints:
  - {address: 10.0.0.1, labels: {version: v1}}
  - {address: 10.0.0.2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cache, namespace: default}
spec:
  hosts: [cache.internal]
  resolution: STATIC
  ports: [{number: 6379, name: redis, protocol: REDIS}]
  endpoints: [{address: 10.0.1.1}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: web, namespace: default}
spec:
  hosts: [web.internal]
  resolution: STATIC
  ports: [{number: 80, name: http, protocol: HTTP}]
  endpoints: [{address: 10.0.2.1}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: secure, namespace: default}
spec:
  hosts: [secure.internal]
  resolution: STATIC
  ports: [{number: 8443, name: tls, protocol: TLS}]
  endpoints: [{address: 10.0.3.1}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: legacy, namespace: default}
spec:
  hosts: [legacy.internal]
  resolution: STATIC
  ports: [{number: 80, name: tcp, protocol: TCP}]
  endpoints: [{address: 10.0.4.1}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: dup, namespace: default}
spec:
  hosts: [dup.internal]
  resolution: STATIC
  ports: [{number: 6379, name: tcp, protocol: TCP}]
  endpoints: [{address: 10.0.5.1}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: db, namespace: default}
spec:
  host: db.internal
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: db, namespace: default}
spec:
  hosts: [db.internal]
  tcp:
  - match:
    - {port: 9999}
    route:
    - destination: {host: cache.internal}
  - match:
    - {sourceLabels: {app: other}}
    route:
    - destination: {host: cache.internal}
  - match:
    - {destinationSubnets: [10.2.0.0/16]}
    route:
    - destination: {host: db.internal, subset: v2}
  - match:
    - {port: 5432, gateways: [mesh], sourceLabels: {app: client}, sourceNamespace: default}
    route:
    - destination: {host: db.internal, subset: v1}
      weight: 80
    - destination: {host: db.internal, subset: v2}
      weight: 20
  - route:
    - destination: {host: cache.internal}
)y";

CompileOptions client_proxy() {
  CompileOptions o;
  o.proxy_labels = {{"app", "client"}};
  return o;
}

std::string warnings_of(const Snapshot& snap) {
  std::string all;
  for (const auto& d : snap.diagnostics.items()) all += d.to_string() + "\n";
  return all;
}

// Scenario: a connection is matched to a TCP service by its original destination (an address of
// the service first, else the port's address-less service), then to the first tcp[] rule that
// exists for this proxy and takes the destination; a service without a VirtualService goes to
// its own cluster; HTTP ports and unknown ports have no TCP service.
TEST(CompileMeshTcp, RoutesByOriginalDestination) {
  auto snap = compile_yaml(kMeshTcp, client_proxy());
  struct Case {
    uint32_t port;
    const char* destination;  // nullptr: not redirected
    const char* host;         // "" = not a TCP service (HTTP handles it)
    std::vector<std::string> clusters;
  };
  const Case cases[] = {
      // 10.1.0.10 is db's own address: the rule for this proxy's labels (80/20 over v1 and v2).
      {5432, "10.1.0.10", "db.internal", {"outbound|5432|v1|db.internal", "outbound|5432|v2|db.internal"}},
      // Inside db's 10.2.0.0/16: the destinationSubnets rule comes first.
      {5432, "10.2.3.4", "db.internal", {"outbound|5432|v2|db.internal"}},
      // Not an address of db, and db has addresses: no TCP service on this port for it.
      {5432, "10.9.9.9", "", {}},
      {5432, nullptr, "", {}},
      // cache has no addresses: found by port, whatever the address; no VirtualService: its cluster.
      {6379, "192.0.2.1", "cache.internal", {"outbound|6379||cache.internal"}},
      {6379, nullptr, "cache.internal", {"outbound|6379||cache.internal"}},
      {8443, "192.0.2.1", "secure.internal", {"outbound|8443||secure.internal"}},  // TLS: opaque TCP
      {80, "192.0.2.1", "", {}},    // web's HTTP port: legacy's TCP port is not found by port there
      {7000, "192.0.2.1", "", {}},  // no service at all
  };
  for (const Case& c : cases) {
    std::optional<route::IpAddress> dst;
    if (c.destination) dst = route::IpAddress::parse(c.destination);
    const MeshTcpService* s = snap->find_mesh_tcp(c.port, dst ? &*dst : nullptr);
    const std::string where = std::to_string(c.port) + " " + (c.destination ? c.destination : "-");
    if (std::string(c.host).empty()) {
      EXPECT_EQ(s, nullptr) << where << " -> " << (s ? s->host : "");
      continue;
    }
    ASSERT_NE(s, nullptr) << where;
    EXPECT_EQ(s->host, c.host) << where;
    const L4Route& r = s->route(dst ? &*dst : nullptr);
    std::vector<std::string> names;
    for (uint32_t id : r.clusters) names.push_back(snap->clusters[id].name);
    EXPECT_EQ(names, c.clusters) << where;
  }
}

// Scenario: a Kubernetes Service's TCP port (named tcp-*) is reached at its cluster IP, and its
// connections go to the Service's own cluster.
TEST(CompileMeshTcp, KubernetesServiceByClusterIp) {
  std::string yaml = kMeshTcp;
  yaml += R"y(
---
apiVersion: v1
kind: Service
metadata: {name: redis, namespace: default}
spec:
  clusterIP: 10.96.0.10
  ports: [{name: tcp-redis, port: 6380, targetPort: 6379}]
)y";
  auto snap = compile_yaml(yaml, client_proxy());
  auto vip = route::IpAddress::parse("10.96.0.10");
  auto other = route::IpAddress::parse("10.96.0.11");
  const MeshTcpService* s = snap->find_mesh_tcp(6380, &*vip);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->host, "redis.default.svc.cluster.local");
  EXPECT_EQ(snap->clusters[s->route(&*vip).clusters.at(0)].name, "outbound|6380||redis.default.svc.cluster.local");
  EXPECT_EQ(snap->find_mesh_tcp(6380, &*other), nullptr);
}

// Scenario: a wildcard ServiceEntry host's TLS port (Istio's egress pattern) takes its port's
// connections and forwards them to the original destination (resolution NONE).
TEST(CompileMeshTcp, WildcardHostByPort) {
  std::string yaml = kMeshTcp;
  yaml += R"y(
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: wiki, namespace: default}
spec:
  hosts: ["*.wikipedia.org"]
  ports: [{number: 443, name: tls, protocol: TLS}]
)y";
  auto snap = compile_yaml(yaml, client_proxy());
  auto dst = route::IpAddress::parse("198.51.100.7");
  const MeshTcpService* s = snap->find_mesh_tcp(443, &*dst);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->host, "*.wikipedia.org");
  const Cluster& c = snap->clusters[s->route(&*dst).clusters.at(0)];
  EXPECT_EQ(c.name, "outbound|443||*.wikipedia.org");
  EXPECT_EQ(c.discovery, Discovery::kOriginalDst);
}

// Scenario: the weights of a tcp[] rule carry over to its destinations (80/20 over 10000 picks).
TEST(CompileMeshTcp, Weights) {
  auto snap = compile_yaml(kMeshTcp, client_proxy());
  auto dst = route::IpAddress::parse("10.1.0.10");
  const L4Route& r = snap->find_mesh_tcp(5432, &*dst)->route(&*dst);
  ASSERT_EQ(r.clusters.size(), 2u);
  int first = 0;
  for (uint64_t i = 0; i < 10000; ++i)
    if (r.split.pick(i * 0x9E3779B97F4A7C15ull) == 0u) ++first;
  EXPECT_NEAR(first, 8000, 300);
}

// Scenario: a proxy whose labels the sourceLabels rule does not select falls through to the rule
// without a match (every connection of this proxy to db then goes to cache).
TEST(CompileMeshTcp, SourceLabelsAreThisProxys) {
  auto snap = compile_yaml(kMeshTcp);  // no proxy labels
  auto dst = route::IpAddress::parse("10.1.0.10");
  const L4Route& r = snap->find_mesh_tcp(5432, &*dst)->route(&*dst);
  ASSERT_EQ(r.clusters.size(), 1u);
  EXPECT_EQ(snap->clusters[r.clusters[0]].name, "outbound|6379||cache.internal");
}

// Scenario: what is enforced is no longer warned about; conflicts and unused rules are, with
// the field that causes them.
TEST(CompileMeshTcp, Warnings) {
  std::string yaml = kMeshTcp;
  yaml += R"y(
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: http-only-host, namespace: default}
spec:
  hosts: [nowhere.internal]
  tcp:
  - match: [{sourceSubnet: 10.0.0.0/8}]
    route: [{destination: {host: cache.internal}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cache, namespace: default}
spec:
  hosts: [cache.internal]
  tcp:
  - match: [{sourceSubnet: 10.0.0.0/8}]
    route: [{destination: {host: cache.internal}}]
)y";
  auto snap = compile_yaml(yaml, client_proxy());
  const std::string all = warnings_of(*snap);
  EXPECT_EQ(all.find("tcp[] rules are routed on Gateway TCP servers only"), std::string::npos) << all;
  EXPECT_NE(all.find("ServiceEntry default/legacy: spec.ports[0]: warning: TCP port 80 is also an HTTP port"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("ServiceEntry default/dup: spec.ports[0]: warning: TCP port 6379 on the mesh listener already "
                     "goes to cache.internal"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("VirtualService default/http-only-host: spec.tcp: warning: on the mesh listener tcp[] rules"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("VirtualService default/cache: spec.tcp[0].match[0].sourceSubnet: warning: not evaluated"),
            std::string::npos)
      << all;
}

// Scenario: a TCP service whose DestinationRule originates TLS is warned about at its port
// (L4 routes close such connections rather than send plaintext).
TEST(CompileMeshTcp, TlsOriginationIsWarned) {
  std::string yaml = kMeshTcp;
  yaml += R"y(
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cache, namespace: default}
spec:
  host: cache.internal
  trafficPolicy: {tls: {mode: SIMPLE}}
)y";
  auto snap = compile_yaml(yaml, client_proxy());
  const std::string all = warnings_of(*snap);
  EXPECT_NE(all.find("ServiceEntry default/cache: spec.ports[0]: warning: TCP port 6379 on the mesh listener: "
                     "DestinationRule default/cache originates TLS"),
            std::string::npos)
      << all;
}

}  // namespace
}  // namespace sy::snapshot
