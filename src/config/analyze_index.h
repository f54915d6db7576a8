// Read-only lookup tables over one ConfigSet for the cross-object analyzers (istioctl analyze).
// Borrows the ConfigSet, which must outlive the index; built and used inside one analyze() call.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostics.h"
#include "config/kube_registry.h"
#include "config/model/config_set.h"

namespace sy::config::detail {

class ConfigIndex {
 public:
  explicit ConfigIndex(const ConfigSet& config);

  // Registry entries (ServiceEntries and Kubernetes Services, see registry()) visible from
  // namespace `from_ns` with a host covering `host` (an FQDN as produced by resolve_short_name).
  // Wildcard SE hosts cover deeper names.
  std::vector<const ServiceEntry*> services_for(std::string_view host, std::string_view from_ns) const;
  // True when some registry host (any namespace) intersects `host`.
  bool any_service_intersects(std::string_view host) const;
  // Every registry entry: the ServiceEntries in load order, then one per Kubernetes Service.
  const std::vector<const ServiceEntry*>& registry() const { return registry_; }
  const std::vector<KubeRegistryEntry>& kube_entries() const { return kube_; }
  // DestinationRules visible from `from_ns` whose host covers `host`.
  std::vector<const DestinationRule*> rules_for(std::string_view host, std::string_view from_ns) const;

  const Gateway* gateway(const std::string& ns_name) const;  // "ns/name"
  const VirtualService* virtual_service(const std::string& ns_name) const;

  // Endpoints of a ServiceEntry: inline endpoints, or the WorkloadEntries of the SE's namespace
  // whose labels include its workloadSelector.
  std::vector<const WorkloadEntrySpec*> endpoints_of(const ServiceEntry& se) const;

  const ConfigSet& config() const { return config_; }

 private:
  const ConfigSet& config_;
  std::vector<KubeRegistryEntry> kube_;  // never resized after construction: registry_ points into it
  std::vector<const ServiceEntry*> registry_;
  std::map<std::string, const Gateway*> gateways_;
  std::map<std::string, const VirtualService*> virtual_services_;
};

// SE and DR hosts as FQDNs: short names expanded in the owner's namespace.
std::string resolved_host(std::string_view host, std::string_view ns);

// True when the VirtualService applies to sidecars (no gateways, or `mesh` listed).
bool binds_mesh(const VirtualService& vs);

// True when every label of `selector` is present with the same value in `labels`.
bool labels_include(const Labels& labels, const Labels& selector);

// Analysis passes, each adding its findings to `out`.
void analyze_references(const ConfigIndex& index, Diagnostics& out);         // analyze_references.cc
void analyze_conflicts(const ConfigIndex& index, Diagnostics& out);          // analyze_conflicts.cc
void analyze_kube_services(const ConfigIndex& index, Diagnostics& out);      // analyze_kube_services.cc
void analyze_unreachable_rules(const ConfigIndex& index, Diagnostics& out);  // analyze_unreachable_rules.cc

}  // namespace sy::config::detail
