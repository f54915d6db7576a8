// DestinationRule checks: host, subsets (names, duplicates, labels) and traffic policies.
#include <fmt/format.h>

#include <set>

#include "config/hostname.h"
#include "config/validate.h"
#include "config/validate_traffic_policy.h"

namespace sy::config {

void validate_destination_rule(const DestinationRule& dr, Diagnostics& out) {
  using detail::indexed;
  using detail::keyed;
  detail::Reporter r(out, "DestinationRule", dr.meta, dr.source);
  // Istio's webhook checks the host with ValidateWildcardDomain, which takes `*`: such a rule
  // applies to every host that no more specific rule covers.
  if (dr.host.empty()) r.error("spec.host", "destination rule must have a host");
  else if (auto p = detail::wildcard_domain_problem(dr.host); p && !is_ip_address(dr.host)) r.error("spec.host", *p);

  if (dr.traffic_policy) detail::check_traffic_policy(r, "spec.trafficPolicy", *dr.traffic_policy);

  std::set<std::string> names;
  for (size_t i = 0; i < dr.subsets.size(); ++i) {
    const Subset& s = dr.subsets[i];
    const std::string path = indexed("spec.subsets", i);
    if (s.name.empty()) r.error(keyed(path, "name"), "subset name cannot be empty");
    else if (!detail::is_dns1123_label(s.name))
      r.error(keyed(path, "name"), fmt::format("subset name is invalid: {}", s.name));
    if (!s.name.empty() && !names.insert(s.name).second)
      r.error(keyed(path, "name"), fmt::format("duplicate subset names: {}", s.name));
    detail::check_labels(r, keyed(path, "labels"), s.labels);
    if (s.traffic_policy) detail::check_traffic_policy(r, keyed(path, "trafficPolicy"), *s.traffic_policy);
  }
  detail::check_export_to(r, "spec.exportTo", dr.export_to, false);
  if (dr.workload_selector) {
    detail::check_labels(r, "spec.workloadSelector.matchLabels", *dr.workload_selector);
    if (dr.workload_selector->empty())
      r.warning("spec.workloadSelector", "empty workloadSelector selects every workload in the namespace");
  }
}

}  // namespace sy::config
