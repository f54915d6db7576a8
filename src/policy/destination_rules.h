// DestinationRule lookup for one proxy (docs/semantics.md §8): DRs for the same host in the same
// namespace merge (subsets unioned, first definition of a name wins; first top-level
// trafficPolicy wins); lookup tries the proxy's namespace, then the service's namespace, then
// the root namespace, taking the most specific host (exact, then longest wildcard) in each.
// Built at snapshot compile time; holds pointers into the ConfigSet it was built from, which
// must outlive it. Not used by workers (they read the resolved ClusterPolicy).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/model/destination_rule.h"

namespace sy::policy {

struct MergedDestinationRule {
  std::string host;  // resolved (short names expanded in the DR's namespace)
  std::string namespace_;
  std::string name;                       // "ns/name" of the first DR; further contributors in `contributors`
  std::vector<std::string> contributors;  // "ns/name (file:line)", load order
  const config::TrafficPolicy* traffic_policy = nullptr;  // first DR that set one
  std::vector<const config::Subset*> subsets;             // union, first definition wins
  std::vector<std::string> export_to;                     // union of the contributors'

  const config::Subset* subset(std::string_view name) const;
};

class DestinationRuleIndex {
 public:
  // Only DRs that apply to this proxy are indexed: a DR with a workloadSelector applies only to
  // a proxy in its namespace whose labels it selects.
  DestinationRuleIndex(const std::vector<config::DestinationRule>& rules, std::string proxy_namespace,
                       const config::Labels& proxy_labels, std::string root_namespace = "istio-system");

  // The DR for a service `host` living in `service_namespace`, or null.
  const MergedDestinationRule* find(std::string_view host, std::string_view service_namespace) const;
  // Every merged DR, for diagnostics (e.g. DRs whose host matches no service).
  const std::vector<MergedDestinationRule>& all() const { return merged_; }

 private:
  struct NamespaceRules {
    std::unordered_map<std::string, size_t> exact;  // host -> index into merged_
    std::vector<size_t> wildcards;                  // longest host first
  };
  const MergedDestinationRule* find_in(const NamespaceRules& ns, std::string_view host) const;
  bool visible(const MergedDestinationRule& dr) const;

  std::vector<MergedDestinationRule> merged_;
  std::unordered_map<std::string, NamespaceRules> by_namespace_;
  std::string proxy_namespace_;
  std::string root_namespace_;
};

// Istio exportTo: empty or "*" = everywhere, "." = own namespace, "~" = nowhere, else names.
bool exported_to(const std::vector<std::string>& export_to, std::string_view own_namespace,
                 std::string_view target_namespace);

}  // namespace sy::policy
