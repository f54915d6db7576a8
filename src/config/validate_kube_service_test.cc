// Kubernetes Services and EndpointSlices: what validate refuses or warns about on each object,
// and what the analyzers say across objects (references, conflicts with ServiceEntries, subsets).
#include <gtest/gtest.h>

#include "config/validate_test_support.h"

namespace sy::config::testing {
namespace {

// A v1 Service `name` in `ns` whose spec is `spec` (flow or block YAML written at column 2).
std::string svc(std::string_view spec, std::string_view name = "reviews", std::string_view ns = "default",
                std::string_view annotations = "") {
  std::string out = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: " + std::string(name) +
                    "\n  namespace: " + std::string(ns) + "\n";
  if (!annotations.empty()) out += "  annotations: " + std::string(annotations) + "\n";
  return out + "spec: " + std::string(spec) + "\n";
}

// An EndpointSlice of Service `service` (empty: no service-name label).
std::string slice(std::string_view body, std::string_view service = "reviews", std::string_view ns = "default") {
  std::string out = "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: " +
                    std::string(service.empty() ? "orphan" : service) + "-abc\n  namespace: " + std::string(ns) + "\n";
  if (!service.empty()) out += "  labels: {kubernetes.io/service-name: " + std::string(service) + "}\n";
  return out + std::string(body);
}

const std::string kHttp = "{ports: [{name: http, port: 9080}]}";
const std::string kGateway =
    gw("selector: {istio: ingressgateway}\nservers:\n- port: {number: 80, name: http, "
       "protocol: HTTP}\n  hosts: [\"*\"]\n",
       "gw");
std::string route_to(std::string_view destination, std::string_view ns = "default") {
  return vs(
      "hosts: [\"*\"]\ngateways: [default/gw]\nhttp:\n- route:\n  - destination: " + std::string(destination) + "\n",
      "front", ns);
}

TEST(ValidateKubeService, Objects) {
  run_table(
      {
          {"a ClusterIP Service with a named http port is clean", svc(kHttp), {}},
          {"kubectl output fields are accepted",
           svc("{type: ClusterIP, clusterIP: 10.96.0.12, clusterIPs: [10.96.0.12], ipFamilies: [IPv4], ipFamilyPolicy: "
               "SingleStack, sessionAffinity: None, internalTrafficPolicy: Cluster, selector: {app: reviews}, ports: "
               "[{name: http, port: 9080, protocol: TCP, targetPort: 9080}]}\nstatus: {loadBalancer: {}}"),
           {}},
          {"port out of range",
           svc("{ports: [{name: http, port: 0}]}"),
           {{"spec.ports[0].port", "between 1 and 65535"}}},
          {"several ports need names",
           svc("{ports: [{port: 80}, {name: grpc, port: 81}]}"),
           {{"spec.ports[0].name", "must name each"}}},
          {"L7 protocol in the L4 protocol field",
           svc("{ports: [{name: http, port: 80, protocol: HTTP}]}"),
           {{"spec.ports[0].protocol", "must be TCP, UDP or SCTP"}}},
          {"UDP ports are not proxied",
           svc("{ports: [{name: dns, port: 53, protocol: UDP}, {name: http, port: 80}]}"),
           {warn("spec.ports[0].protocol", "UDP is not proxied")}},
          {"named targetPort must be an IANA service name",
           svc("{ports: [{name: http, port: 80, targetPort: Http_Port}]}"),
           {{"spec.ports[0].targetPort", "IANA service name"}}},
          {"duplicate port names and numbers",
           svc("{ports: [{name: http, port: 80}, {name: http, port: 80}]}"),
           {{"spec.ports[1].name", "used twice"}, {"spec.ports[1].port", "defined twice"}}},
          {"ExternalName needs a name to resolve",
           svc("{type: ExternalName}"),
           {{"spec.externalName", "needs spec.externalName"}}},
          {"a headless Service may have no ports", svc("{clusterIP: None}"), {}},
          {"a ClusterIP Service needs a port", svc("{}"), {{"spec.ports", "at least one port"}}},
          {"client-side settings not enforced are said",
           svc("{sessionAffinity: ClientIP, internalTrafficPolicy: Local, trafficDistribution: PreferClose, ports: "
               "[{name: http, port: 80}]}"),
           {warn("spec.sessionAffinity", "not enforced"), warn("spec.internalTrafficPolicy", "not enforced"),
            warn("spec.trafficDistribution", "not enforced")}},
          {"exportTo annotation mixing * with a namespace",
           svc(kHttp, "reviews", "default", "{networking.istio.io/exportTo: \"*,shop\"}"),
           {{"metadata.annotations", "cannot have both public (*)"}}},
          {"an IPv4 slice with a ready endpoint is clean",
           slice("addressType: IPv4\nendpoints:\n- addresses: [10.1.0.7]\n  conditions: {ready: true, serving: true, "
                 "terminating: false}\n  nodeName: node-1\n  zone: us-east-1a\n  targetRef: {kind: Pod, name: r-1}\n"
                 "ports: [{name: http, port: 9080, protocol: TCP}]\n"),
           {}},
          {"FQDN slices are not used",
           slice("addressType: FQDN\nendpoints: [{addresses: [a.example.com]}]\n"),
           {warn("addressType", "FQDN EndpointSlices are not used")}},
          {"a slice without the service-name label belongs to nothing",
           slice("addressType: IPv4\nendpoints: [{addresses: [10.1.0.7]}]\n", ""),
           {warn("metadata.labels", "belongs to no Service")}},
          {"addresses must match the address type",
           slice("addressType: IPv4\nendpoints: [{addresses: [\"fd00::1\"]}, {addresses: []}]\n"),
           {{"endpoints[0].addresses[0]", "not an IPv4 address"}, {"endpoints[1].addresses", "at least one address"}}},
          {"a slice port without a number is unused",
           slice("addressType: IPv4\nendpoints: [{addresses: [10.1.0.7]}]\nports: [{name: http}]\n"),
           {warn("ports[0]", "without a number")}},
      },
      Run::kObjects);
}

TEST(AnalyzeKubeService, References) {
  run_table(
      {
          {"a VirtualService routing to a Service by short name finds it (no IST0101)",
           svc(kHttp) + kGateway + route_to("{host: reviews}"),
           {}},
          {"the FQDN and a Service in another namespace by FQDN resolve too",
           svc(kHttp, "ratings", "shop") + kGateway + route_to("{host: ratings.shop.svc.cluster.local}"),
           {}},
          {"a name the registry does not know is still IST0101",
           svc(kHttp) + kGateway + route_to("{host: details}"),
           {{"spec.http[0].route[0].destination.host", "IST0101 Referenced host not found"}}},
          {"a port the Service does not expose",
           svc(kHttp) + kGateway + route_to("{host: reviews, port: {number: 80}}"),
           {{"port.number", "IST0101 Referenced host:port not found: \"reviews.default.svc.cluster.local:80\""}}},
          {"a multi-port Service needs the destination port",
           svc("{ports: [{name: http, port: 80}, {name: grpc, port: 81}]}") + kGateway + route_to("{host: reviews}"),
           {{"spec.http[0].route[0].destination", "IST0112"}}},
          {"exportTo \".\" hides the Service from other namespaces",
           svc(kHttp, "reviews", "default", "{networking.istio.io/exportTo: \".\"}") + kGateway +
               route_to("{host: reviews.default.svc.cluster.local}", "shop"),
           {{"destination.host", "IST0101 Referenced host not found"}}},
          {"a DestinationRule for a Service host is not IST0174",
           svc(kHttp) + dr("host: reviews\ntrafficPolicy: {loadBalancer: {simple: RANDOM}}\n"),
           {}},
          {"a labelled subset on a Service host cannot be resolved",
           svc(kHttp) + dr("host: reviews\nsubsets:\n- name: all\n- name: v1\n  labels: {version: v1}\n"),
           {warn("spec.subsets[1]", "subset \"v1\" cannot be resolved on Kubernetes Service default/reviews")}},
          {"the same with EndpointSlices: slices carry no pod labels either",
           svc(kHttp) +
               slice("addressType: IPv4\nendpoints: [{addresses: [10.1.0.7]}]\nports: [{name: http, port: "
                     "9080}]\n") +
               dr("host: reviews\nsubsets:\n- name: v1\n  labels: {version: v1}\n"),
           {warn("spec.subsets[0]", "carry no pod labels")}},
      },
      Run::kAnalyze);
}

TEST(AnalyzeKubeService, RegistryConflictsAndEndpoints) {
  run_table(
      {
          {"a ServiceEntry for a Service's host loses to the Service",
           svc(kHttp) + se("hosts: [reviews.default.svc.cluster.local]\nports: [{number: 9080, name: http, protocol: "
                           "HTTP}]\nresolution: DNS\n"),
           {warn("spec.hosts[0]",
                 "also defined by Kubernetes Service default/reviews (case.yaml:2); the Service is "
                 "the one in use")}},
          {"a slice for a Service the config lacks",
           slice("addressType: IPv4\nendpoints: [{addresses: [10.1.0.7]}]\n", "details"),
           {warn("metadata.labels",
                 "Service default/details (label kubernetes.io/service-name) is not in the config")}},
          {"slices without the Service's port name fall back to targetPort",
           svc("{ports: [{name: http, port: 80, targetPort: 9080}]}") +
               slice("addressType: IPv4\nendpoints: [{addresses: [10.1.0.7]}]\nports: [{name: web, port: 9080}]\n"),
           {warn("spec.ports[0]",
                 "no EndpointSlice of this Service has a port named \"http\": its endpoints are "
                 "reached at targetPort 9080")}},
          {"a headless Service without slices cannot resolve a named targetPort",
           svc("{clusterIP: None, ports: [{name: http, port: 80, targetPort: web}]}"),
           {warn("spec.ports[0].targetPort", "switchyard connects to port 80")}},
          {"the same Service twice",
           svc(kHttp) + svc(kHttp),
           {warn("metadata.name", "Service default/reviews is also defined at case.yaml:5")}},
      },
      Run::kAnalyze);
}

}  // namespace
}  // namespace sy::config::testing
