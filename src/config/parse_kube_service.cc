// Kubernetes Service spec and EndpointSlice body, read the way the API server's strict decoder
// would: unknown fields are errors. Fields that only say how traffic from outside the cluster
// reaches the Service (node ports, load balancers, external IPs, IP families) are read and
// skipped: neither a client of the Service nor Istio's proxies act on them.
#include <limits>

#include "config/parse_common.h"

namespace sy::config::parse {
namespace {

// targetPort is Kubernetes' int-or-string: a port number, or the name of a container port.
void target_port(Cursor& port, KubeServicePort& out) {
  auto c = port.field("targetPort");
  if (!c) return;
  if (c->is_integer()) {
    if (auto v = c->as_int(0, std::numeric_limits<uint32_t>::max())) out.target_port_number = static_cast<uint32_t>(*v);
  } else if (auto s = c->as_string()) {
    out.target_port_name = std::move(*s);
  }
}

void service_port(Cursor& c, KubeServicePort& out) {
  c.read("name", out.name);
  c.read("port", out.port);
  c.read("protocol", out.protocol);
  c.read("appProtocol", out.app_protocol);
  target_port(c, out);
  c.skip("nodePort");
}

void slice_endpoint(Cursor& c, SliceEndpoint& out) {
  c.read("addresses", out.addresses);
  if (auto cond = c.field("conditions")) {
    if (cond->expect_map()) {
      cond->read("ready", out.ready);
      cond->read("serving", out.serving);
      cond->read("terminating", out.terminating);
      cond->finish();
    }
  }
  // Where the endpoint runs and what it is (pod name, node, zone, topology hints): state
  // Kubernetes observed, not settings. Subsets would need the pod's labels, which a slice does
  // not carry (validate says so for every subset on a Service host).
  for (std::string_view k : {"hostname", "targetRef", "nodeName", "zone", "hints", "deprecatedTopology"}) c.skip(k);
}

void slice_port(Cursor& c, SlicePort& out) {
  c.read("name", out.name);
  c.read("port", out.port);
  c.read("protocol", out.protocol);
  c.read("appProtocol", out.app_protocol);
}

}  // namespace

void kube_service_spec(Cursor& spec, KubeService& out) {
  spec.read_list("ports", out.ports, service_port);
  spec.read("type", out.type);
  spec.read("clusterIP", out.cluster_ip);
  spec.read("externalName", out.external_name);
  spec.read("publishNotReadyAddresses", out.publish_not_ready_addresses);
  spec.read("sessionAffinity", out.session_affinity);
  spec.read("internalTrafficPolicy", out.internal_traffic_policy);
  spec.read("trafficDistribution", out.traffic_distribution);
  // `selector` picks the pods whose addresses Kubernetes writes into the EndpointSlices: the
  // slices in the config carry its result. The rest is the outside-in path (see the file comment).
  for (std::string_view k : {"selector", "clusterIPs", "externalIPs", "loadBalancerIP", "loadBalancerSourceRanges",
                             "externalTrafficPolicy", "healthCheckNodePort", "sessionAffinityConfig", "ipFamilies",
                             "ipFamilyPolicy", "allocateLoadBalancerNodePorts", "loadBalancerClass"})
    spec.skip(k);
}

void endpoint_slice_body(Cursor& root, EndpointSlice& out) {
  root.read("addressType", out.address_type);
  root.read_list("endpoints", out.endpoints, slice_endpoint);
  root.read_list("ports", out.ports, slice_port);
}

}  // namespace sy::config::parse
