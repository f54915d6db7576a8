#include <gtest/gtest.h>

#include "snapshot/test_support.h"
#include "tls/test_certificates.h"

namespace sy::snapshot {
namespace {

using testing::compile_yaml;

// reviews: two inline endpoints with service accounts (one shared), and subjectAltNames;
// ratings: WorkloadEntries chosen by workloadSelector; details: a DestinationRule naming its own
// subjectAltNames, which replace the service's identities (Istio's override).
constexpr const char* kMesh = R"y(
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews.shop.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  subjectAltNames: ["spiffe://cluster.local/ns/shop/sa/legacy"]
  ports: [{number: 9080, name: http, protocol: HTTP}]
  endpoints:
  - {address: 10.0.0.1, serviceAccount: reviews, labels: {version: v1}}
  - {address: 10.0.0.2, serviceAccount: reviews-v2, labels: {version: v2}}
  - {address: 10.0.0.3, serviceAccount: reviews, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ratings, namespace: shop}
spec:
  hosts: [ratings.shop.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  workloadSelector: {labels: {app: ratings}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-vm, namespace: shop}
spec: {address: 10.0.1.1, serviceAccount: ratings-vm, labels: {app: ratings}}
---
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-other-ns, namespace: elsewhere}
spec: {address: 10.0.1.2, serviceAccount: intruder, labels: {app: ratings}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: details, namespace: shop}
spec:
  hosts: [details.shop.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
  endpoints: [{address: 10.0.2.1, serviceAccount: details}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: mesh-mtls, namespace: shop}
spec:
  host: "*.shop.svc.cluster.local"
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
  subsets:
  - {name: v1, labels: {version: v1}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: details, namespace: shop}
spec:
  host: details.shop.svc.cluster.local
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL, subjectAltNames: ["spiffe://cluster.local/ns/shop/sa/pinned"]}}
)y";

CompileOptions mesh_options(const std::string& trust_domain) {
  CompileOptions o;
  o.proxy_namespace = "shop";
  o.trust_domain = trust_domain;
  auto [cert, key] = tls::testing::self_signed("sidecar");
  o.workload.cert_pem = cert;
  o.workload.key_pem = key;
  o.workload.ca_pem = cert;
  o.workload.error.clear();
  return o;
}

// Scenario: an ISTIO_MUTUAL cluster checks the upstream against the service accounts of all the
// host's endpoints (a subset's cluster too: the list is per service), plus the ServiceEntry's
// subjectAltNames; WorkloadEntries of another namespace do not count; a DestinationRule's own
// subjectAltNames replace the list; the trust domain is the one given.
TEST(ClusterTls, IstioMutualChecksServiceAccounts) {
  struct Case {
    std::string trust_domain;
    std::string cluster;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"cluster.local",
       "outbound|9080||reviews.shop.svc.cluster.local",
       {"spiffe://cluster.local/ns/shop/sa/legacy", "spiffe://cluster.local/ns/shop/sa/reviews",
        "spiffe://cluster.local/ns/shop/sa/reviews-v2"}},
      {"cluster.local",
       "outbound|9080|v1|reviews.shop.svc.cluster.local",
       {"spiffe://cluster.local/ns/shop/sa/legacy", "spiffe://cluster.local/ns/shop/sa/reviews",
        "spiffe://cluster.local/ns/shop/sa/reviews-v2"}},
      {"cluster.local", "outbound|9080||ratings.shop.svc.cluster.local", {"spiffe://cluster.local/ns/shop/sa/ratings-vm"}},
      {"corp.example", "outbound|9080||ratings.shop.svc.cluster.local", {"spiffe://corp.example/ns/shop/sa/ratings-vm"}},
      {"cluster.local", "outbound|9080||details.shop.svc.cluster.local", {"spiffe://cluster.local/ns/shop/sa/pinned"}},
  };
  for (const Case& c : cases) {
    auto snap = compile_yaml(kMesh, mesh_options(c.trust_domain));
    const Cluster* cluster = snap->find_cluster(c.cluster);
    ASSERT_NE(cluster, nullptr) << c.cluster;
    ASSERT_NE(cluster->tls, nullptr) << c.cluster << " " << cluster->missing_reason;
    EXPECT_EQ(cluster->tls->settings().subject_alt_names, c.want) << c.cluster << " in " << c.trust_domain;
  }
}

}  // namespace
}  // namespace sy::snapshot
