#include <gtest/gtest.h>

#include "snapshot/test_support.h"

namespace sy::snapshot {
namespace {

using testing::compile_yaml;

constexpr const char* kL4 = R"y(
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: tls, protocol: TLS}
    hosts: ["*.example.com"]
    tls: {mode: PASSTHROUGH}
  - port: {number: 8443, name: https-pass, protocol: HTTPS}
    hosts: ["*"]
    tls: {mode: PASSTHROUGH}
  - port: {number: 5432, name: tcp, protocol: TCP}
    hosts: ["*"]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: backends, namespace: default}
spec:
  hosts: [a.backend, b.backend, db.backend]
  resolution: STATIC
  ports:
  - {number: 9000, name: tcp, protocol: TCP}
  endpoints:
  - address: 10.0.0.1
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: vs, namespace: default}
spec:
  hosts: ["*"]
  gateways: [edge]
  tls:
  - match:
    - {sniHosts: [a.example.com], port: 443}
    route:
    - destination: {host: a.backend}
  - match:
    - sniHosts: ["*.example.com"]
    route:
    - destination: {host: b.backend}
  tcp:
  - match:
    - port: 5432
    route:
    - destination: {host: db.backend}
      weight: 80
    - destination: {host: a.backend}
      weight: 20
  - match:
    - port: 1111
    route:
    - destination: {host: b.backend}
)y";

// Scenario: TLS passthrough and TCP servers become L4 listeners whose routes pick by SNI (exact,
// then wildcard, in rule order, honouring match.port) or take the first tcp[] rule for the port.
TEST(CompileL4, RoutesBySniAndPort) {
  auto snap = compile_yaml(kL4);
  ASSERT_EQ(snap->l4.size(), 3u);
  EXPECT_TRUE(snap->listeners.empty());  // none of these is routed by HTTP rules
  const L4Listener* tls = snap->find_l4(443);
  ASSERT_NE(tls, nullptr);
  EXPECT_TRUE(tls->passthrough);
  struct Case {
    uint32_t port;
    std::string sni;
    std::string cluster;  // "" = no route
  };
  const Case cases[] = {
      {443, "a.example.com", "outbound|9000||a.backend"},
      {443, "x.example.com", "outbound|9000||b.backend"},
      {443, "example.com", ""},
      {443, "", ""},
      {8443, "a.example.com", "outbound|9000||b.backend"},  // the first rule is for port 443 only
      {5432, "", "outbound|9000||db.backend"},
  };
  for (const Case& c : cases) {
    const L4Listener* l = snap->find_l4(c.port);
    ASSERT_NE(l, nullptr) << c.port;
    const L4Route* r = l->route(c.sni);
    if (c.cluster.empty()) {
      EXPECT_EQ(r, nullptr) << c.port << " " << c.sni;
      continue;
    }
    ASSERT_NE(r, nullptr) << c.port << " " << c.sni;
    EXPECT_EQ(snap->clusters[r->clusters.at(0)].name, c.cluster) << c.port << " " << c.sni;
  }
  const L4Listener* tcp = snap->find_l4(5432);
  ASSERT_EQ(tcp->routes.size(), 1u);  // the port-1111 rule is not for this server
  EXPECT_EQ(tcp->routes[0].clusters.size(), 2u);
  EXPECT_FALSE(tcp->passthrough);
}

// Scenario: L4 match conditions that are not evaluated yet are warned about with their path.
TEST(CompileL4, WarnsAboutUnevaluatedMatches) {
  std::string yaml = kL4;
  const std::string from = "    - port: 5432\n";
  yaml.replace(yaml.find(from), from.size(),
               "    - port: 5432\n      sourceSubnet: 10.0.0.0/8\n      sourceLabels: {app: x}\n");
  auto snap = compile_yaml(yaml);
  std::string all;
  for (const auto& d : snap->diagnostics.items()) all += d.to_string() + "\n";
  EXPECT_NE(all.find("spec.tcp[0].match[0].sourceSubnet: warning: not evaluated on L4 routes yet"), std::string::npos)
      << all;
  EXPECT_NE(all.find("spec.tcp[0].match[0].sourceLabels"), std::string::npos) << all;
}

}  // namespace
}  // namespace sy::snapshot
