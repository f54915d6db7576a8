// Everything loaded from the --config paths, in load order (file path, then position in file).
// Built once per load by config::load(); read-only afterwards.
#pragma once

#include "config/model/destination_rule.h"
#include "config/model/gateway.h"
#include "config/model/kube_service.h"
#include "config/model/secret.h"
#include "config/model/service_entry.h"
#include "config/model/virtual_service.h"

namespace sy::config {

struct ConfigSet {
  std::vector<Gateway> gateways;
  std::vector<VirtualService> virtual_services;
  std::vector<DestinationRule> destination_rules;
  std::vector<ServiceEntry> service_entries;
  std::vector<WorkloadEntry> workload_entries;
  std::vector<Secret> secrets;                 // certificates for Gateway credentialName
  std::vector<KubeService> services;           // Kubernetes Services: registry entries (config/kube_registry.h)
  std::vector<EndpointSlice> endpoint_slices;  // their endpoints
  std::vector<std::string> files;              // every file read, sorted
};

}  // namespace sy::config
