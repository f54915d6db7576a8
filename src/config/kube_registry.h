// Kubernetes Services as registry entries. Istio's Kubernetes registry turns a Service into the
// same model a ServiceEntry gives (pilot/pkg/serviceregistry/kube/conversion.go); here each
// Service becomes a ServiceEntry-shaped entry, so the analyzers and snapshot::compile treat both
// registries alike. Pure; built on the thread that validates or compiles, borrowing the ConfigSet.
//
//   host        `name.namespace.svc.cluster.local` (short forms resolve as for any registry host)
//   ports       protocol from appProtocol, else the port name (`http`, `http-web`, `grpc-web-x`, ...)
//   endpoints   the ready addresses of the Service's EndpointSlices (label kubernetes.io/service-name)
//               at the slice port of the same name; without slices, DNS of the Service's FQDN (how a
//               gateway inside a cluster reaches a Service without API access) at `port` (the
//               cluster IP's port), or at `targetPort` for a headless Service (its name resolves to
//               the pods); an ExternalName Service resolves its externalName
//   exportTo    the `networking.istio.io/exportTo` annotation (comma-separated), default everywhere
//   addresses   the cluster IP (none for a headless or ExternalName Service)
//
// Endpoints carry no labels: an EndpointSlice lists addresses, not the pods' labels, so a
// DestinationRule subset that selects by label has no endpoints on a Service host.
#pragma once

#include <string>
#include <vector>

#include "config/model/config_set.h"

namespace sy::config {

struct KubeRegistryEntry {
  const KubeService* service = nullptr;
  ServiceEntry entry;        // meta and source are the Service's, so findings point at its file
  bool from_slices = false;  // endpoints from EndpointSlices; otherwise DNS
};

// `name.namespace.svc.cluster.local`.
std::string kube_service_host(const KubeService& svc);

// Istio's protocol for a Service port (pkg/config/kube ConvertProtocol): UDP for UDP ports;
// else appProtocol when set (kubernetes.io/h2c is HTTP2, kubernetes.io/ws HTTP, kubernetes.io/wss
// HTTPS), else the port name; `grpc-web` or the part before the first '-' names the protocol
// (case-insensitive). Upper-case as ServiceEntry ports spell it; "" when unknown (Istio sniffs),
// except TCP for the well-known server-first ports 25, 53, 3306 and 27017.
std::string kube_port_protocol(const KubeServicePort& port);

// The `networking.istio.io/exportTo` annotation as a list (empty when absent: visible everywhere).
std::vector<std::string> kube_export_to(const ObjectMeta& meta);

// The EndpointSlices of `svc` (same namespace, kubernetes.io/service-name label), in load order.
std::vector<const EndpointSlice*> slices_of(const ConfigSet& config, const KubeService& svc);

// One entry per Service, in load order.
std::vector<KubeRegistryEntry> kube_registry(const ConfigSet& config);

// What validate (the analyzers) and serve (the compile) both say, word for word, so `validate`,
// which prints both, says it once: a ServiceEntry host a Service also defines, and a subset that
// selects by labels on a Service host.
std::string kube_host_conflict_message(const std::string& host, const KubeService& svc);
std::string kube_subset_message(const Subset& subset, const KubeRegistryEntry& kube);

}  // namespace sy::config
