// Loading Kubernetes Services and EndpointSlices: kubectl output as it comes, int-or-string
// targetPort, and strict-decoder errors at the field's line.
#include <gtest/gtest.h>

#include "config/loader.h"

namespace sy::config {
namespace {

std::string report(const LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics.items()) out += d.to_string() + "\n";
  return out;
}

// Scenario: `kubectl get svc,endpointslice -o yaml` of one Service: bookkeeping, status and the
// outside-in fields load without a word; the fields a client acts on are kept.
TEST(ParseKubeService, KubectlOutput) {
  auto r = load_string(R"(apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: reviews
    namespace: bookinfo
    uid: 6b1c9a4e-0000-4000-8000-000000000001
    resourceVersion: "1234"
    creationTimestamp: "2026-01-01T00:00:00Z"
    labels: {app: reviews}
  spec:
    type: ClusterIP
    clusterIP: 10.96.14.2
    clusterIPs: [10.96.14.2]
    ipFamilies: [IPv4]
    ipFamilyPolicy: SingleStack
    internalTrafficPolicy: Cluster
    sessionAffinity: None
    selector: {app: reviews}
    ports:
    - name: http
      port: 9080
      protocol: TCP
      targetPort: 9080
    - name: grpc-web
      port: 9090
      appProtocol: kubernetes.io/h2c
      targetPort: grpc
  status:
    loadBalancer: {}
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata:
    name: reviews-x7k2p
    namespace: bookinfo
    labels: {kubernetes.io/service-name: reviews, endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io}
    ownerReferences: [{apiVersion: v1, kind: Service, name: reviews, uid: 6b1c9a4e-0000-4000-8000-000000000001}]
  addressType: IPv4
  endpoints:
  - addresses: [10.244.1.5]
    conditions: {ready: true, serving: true, terminating: false}
    nodeName: kind-worker
    zone: zone-a
    targetRef: {kind: Pod, name: reviews-v1-abc, namespace: bookinfo, uid: 1}
  ports:
  - {name: http, port: 9080, protocol: TCP}
  - {name: grpc-web, port: 7070, protocol: TCP, appProtocol: kubernetes.io/h2c}
)",
                       "dump.yaml");
  ASSERT_TRUE(r.diagnostics.items().empty()) << report(r);
  ASSERT_EQ(r.config.services.size(), 1u);
  const KubeService& s = r.config.services[0];
  EXPECT_EQ(s.meta.namespace_, "bookinfo");
  EXPECT_EQ(s.cluster_ip, "10.96.14.2");
  EXPECT_FALSE(s.headless());
  ASSERT_EQ(s.ports.size(), 2u);
  EXPECT_EQ(s.ports[0].target_port_number, 9080u);
  EXPECT_EQ(s.ports[0].target_port_name, std::nullopt);
  EXPECT_EQ(s.ports[1].target_port_name, "grpc");
  EXPECT_EQ(s.ports[1].app_protocol, "kubernetes.io/h2c");
  EXPECT_EQ(s.source.path_lines.at("spec.ports[1].targetPort"), 30);
  ASSERT_EQ(r.config.endpoint_slices.size(), 1u);
  const EndpointSlice& e = r.config.endpoint_slices[0];
  EXPECT_EQ(e.service_name(), "reviews");
  EXPECT_EQ(e.address_type, "IPv4");
  ASSERT_EQ(e.endpoints.size(), 1u);
  EXPECT_EQ(e.endpoints[0].ready, true);
  EXPECT_EQ(e.ports[1].port, 7070u);
}

// Scenario: mistakes the API server's strict decoder refuses are errors at the field's line; the
// object is left out of the config.
TEST(ParseKubeService, StrictErrors) {
  struct Case {
    const char* doc;
    const char* path;
    const char* message;
  } cases[] = {
      {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, nodeport: 30080}]}\n",
       "spec.ports[0].nodeport", "unknown field \"nodeport\""},
      {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: \"80\"}]}\n", "spec.ports[0].port",
       "expected an integer"},
      {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, targetPort: [80]}]}\n",
       "spec.ports[0].targetPort", "expected a string"},
      {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {publishNotReadyAddresses: yes, ports: [{port: "
       "80}]}\n",
       "spec.publishNotReadyAddresses", "expected a boolean"},
      {"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints: "
       "[{addresses: [10.0.0.1], conditions: {healthy: true}}]\n",
       "endpoints[0].conditions.healthy", "unknown field \"healthy\""},
      {"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nspec: {}\n",
       "spec", "unknown field \"spec\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.doc);
    auto r = load_string(c.doc, "bad.yaml");
    ASSERT_EQ(r.diagnostics.error_count(), 1u) << report(r);
    const Diagnostic& d = r.diagnostics.items()[0];
    EXPECT_EQ(d.path, c.path);
    EXPECT_NE(d.message.find(c.message), std::string::npos) << d.to_string();
    EXPECT_GT(d.line, 0);
    EXPECT_TRUE(r.config.services.empty());
    EXPECT_TRUE(r.config.endpoint_slices.empty());
  }
}

// Scenario: v1beta1 EndpointSlices (removed in Kubernetes 1.25) and v1 Endpoints keep today's
// handling of foreign kinds: skipped with a warning.
TEST(ParseKubeService, OtherEndpointKindsAreSkipped) {
  auto r = load_string(R"(apiVersion: discovery.k8s.io/v1beta1
kind: EndpointSlice
metadata: {name: old}
---
apiVersion: v1
kind: Endpoints
metadata: {name: reviews}
)",
                       "old.yaml");
  EXPECT_EQ(r.diagnostics.error_count(), 0u) << report(r);
  EXPECT_EQ(r.diagnostics.warning_count(), 2u) << report(r);
  EXPECT_TRUE(r.config.endpoint_slices.empty());
}

}  // namespace
}  // namespace sy::config
