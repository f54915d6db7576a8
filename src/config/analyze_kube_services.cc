// Cross-object analysis of Kubernetes Services and EndpointSlices: a host both a Service and a
// ServiceEntry define, slices that belong to no Service, and Service ports whose endpoint port
// cannot be known from the config. Subsets on Service hosts are checked with the other
// DestinationRule subsets (analyze_references.cc).
#include <fmt/format.h>

#include "config/analyze_index.h"
#include "config/hostname.h"
#include "config/validate_common.h"

namespace sy::config::detail {
namespace {

// Istio keeps the Kubernetes Service when a ServiceEntry names the same host, so that nobody can
// take over a Service's name by creating a ServiceEntry first (pilot/pkg/model push_context.go,
// initServiceRegistry; sidecar.go does the same per proxy).
void check_host_conflicts(const ConfigIndex& index, Diagnostics& out) {
  for (const auto& se : index.config().service_entries) {
    for (size_t i = 0; i < se.hosts.size(); ++i) {
      const std::string host = resolved_host(se.hosts[i], se.meta.namespace_);
      for (const auto& k : index.kube_entries()) {
        if (k.entry.hosts.front() != host) continue;
        Reporter r(out, "ServiceEntry", se.meta, se.source);
        r.warning(indexed("spec.hosts", i), kube_host_conflict_message(host, *k.service));
        break;
      }
    }
  }
}

void check_orphan_slices(const ConfigIndex& index, Diagnostics& out) {
  for (const auto& slice : index.config().endpoint_slices) {
    if (slice.service_name().empty()) continue;  // validate_endpoint_slice says so
    bool found = false;
    for (const auto& svc : index.config().services)
      found = found || (svc.meta.name == slice.service_name() && svc.meta.namespace_ == slice.meta.namespace_);
    if (found) continue;
    Reporter r(out, "EndpointSlice", slice.meta, slice.source);
    r.warning("metadata.labels", fmt::format("Service {}/{} (label kubernetes.io/service-name) is not in the config: "
                                             "these endpoints are unused",
                                             slice.meta.namespace_, slice.service_name()));
  }
}

// Where a Service port's endpoints listen when the config cannot say: a named targetPort is a
// container port name, which only a slice port (or the pod) resolves.
void check_endpoint_ports(const ConfigIndex& index, const KubeRegistryEntry& k, Diagnostics& out) {
  const KubeService& svc = *k.service;
  if (svc.type == "ExternalName") return;
  std::vector<const EndpointSlice*> slices = slices_of(index.config(), svc);
  Reporter r(out, "Service", svc.meta, svc.source);
  for (size_t i = 0; i < svc.ports.size(); ++i) {
    const KubeServicePort& p = svc.ports[i];
    if (p.protocol == "UDP" || p.protocol == "SCTP") continue;
    const std::string path = indexed("spec.ports", i);
    if (k.from_slices) {
      bool named = false;
      for (const EndpointSlice* s : slices)
        for (const SlicePort& sp : s->ports) named = named || (sp.name == p.name && sp.port);
      if (named) continue;
      r.warning(path,
                fmt::format("no EndpointSlice of this Service has a port named \"{}\": its endpoints are reached "
                            "at {} {}",
                            p.name, p.target_port_name ? "port" : "targetPort", p.target_port_number.value_or(p.port)));
    } else if (svc.headless() && p.target_port_name) {
      r.warning(keyed(path, "targetPort"),
                fmt::format("a headless Service without EndpointSlices resolves to its pods' addresses, but the "
                            "named targetPort \"{}\" is only known to the pods: switchyard connects to port {}",
                            *p.target_port_name, p.port));
    }
  }
}

}  // namespace

void analyze_kube_services(const ConfigIndex& index, Diagnostics& out) {
  check_host_conflicts(index, out);
  check_orphan_slices(index, out);
  for (const auto& k : index.kube_entries()) check_endpoint_ports(index, k, out);
}

}  // namespace sy::config::detail
