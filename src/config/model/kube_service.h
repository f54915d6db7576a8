// Kubernetes Services (apiVersion v1) and EndpointSlices (discovery.k8s.io/v1) read from the
// --config paths, as kubectl writes them (Bookinfo's platform manifest sits next to its
// networking files). A Service is a registry entry like a ServiceEntry: its host is
// `name.namespace.svc.cluster.local` (config/kube_registry.h turns it into one). Only the fields
// a client of the Service acts on are kept; the rest (node ports, load-balancer settings, IP
// families) say how traffic from outside reaches the cluster and are read and skipped.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/model/common.h"

namespace sy::config {

// One entry of Service.spec.ports.
struct KubeServicePort {
  std::string name;  // required when the Service has more than one port
  uint32_t port = 0;
  std::string protocol = "TCP";  // L4: TCP, UDP or SCTP
  std::optional<std::string> app_protocol;
  // targetPort is an int-or-string: a number, or the name of a container port.
  std::optional<uint32_t> target_port_number;
  std::optional<std::string> target_port_name;
};

struct KubeService {
  ObjectMeta meta;
  Source source;
  std::string type = "ClusterIP";  // ClusterIP, NodePort, LoadBalancer, ExternalName
  std::string cluster_ip;          // "None" for a headless Service
  std::string external_name;       // type ExternalName
  std::vector<KubeServicePort> ports;
  bool publish_not_ready_addresses = false;
  std::string session_affinity;         // None, ClientIP
  std::string internal_traffic_policy;  // Cluster, Local
  std::string traffic_distribution;     // PreferClose, ...

  bool headless() const { return cluster_ip == "None"; }
};

// One endpoint of an EndpointSlice: the addresses of one pod (or other backend).
struct SliceEndpoint {
  std::vector<std::string> addresses;
  std::optional<bool> ready;  // absent means ready
  std::optional<bool> serving;
  std::optional<bool> terminating;
};

struct SlicePort {
  std::string name;  // matches the Service port's name ("" for an unnamed single port)
  std::optional<uint32_t> port;
  std::string protocol = "TCP";
  std::optional<std::string> app_protocol;
};

struct EndpointSlice {
  ObjectMeta meta;  // labels["kubernetes.io/service-name"] names the Service it belongs to
  Source source;
  std::string address_type;  // IPv4, IPv6, FQDN
  std::vector<SliceEndpoint> endpoints;
  std::vector<SlicePort> ports;

  // The Service this slice serves (the kubernetes.io/service-name label), "" when unlabelled.
  const std::string& service_name() const {
    static const std::string kNone;
    auto it = meta.labels.find("kubernetes.io/service-name");
    return it == meta.labels.end() ? kNone : it->second;
  }
};

}  // namespace sy::config
