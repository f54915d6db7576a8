// networking.istio.io ServiceEntry and WorkloadEntry: the service registry switchyard routes to.
#pragma once

#include "config/model/common.h"

namespace sy::config {

struct ServicePort {
  uint32_t number = 0;
  std::string protocol;  // upper-case; empty when unset
  std::string name;
  std::optional<uint32_t> target_port;
};

struct ServiceEntry {
  enum class Location { kMeshExternal, kMeshInternal };
  enum class Resolution { kNone, kStatic, kDns, kDnsRoundRobin, kDynamicDns };
  ObjectMeta meta;
  Source source;
  std::vector<std::string> hosts;
  std::vector<std::string> addresses;
  std::vector<ServicePort> ports;
  Location location = Location::kMeshExternal;
  Resolution resolution = Resolution::kNone;
  std::vector<WorkloadEntrySpec> endpoints;
  std::optional<Labels> workload_selector;  // labels
  std::vector<std::string> export_to;
  std::vector<std::string> subject_alt_names;
};

struct WorkloadEntry {
  ObjectMeta meta;
  Source source;
  WorkloadEntrySpec spec;
};

}  // namespace sy::config
