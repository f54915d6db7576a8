// Entry points that run the per-object validators and the analyzers over a whole ConfigSet.
#include "config/validate.h"

#include "config/analyze_index.h"

namespace sy::config {

void analyze(const ConfigSet& config, Diagnostics& out) {
  detail::ConfigIndex index(config);
  detail::analyze_references(index, out);
  detail::analyze_conflicts(index, out);
  detail::analyze_unreachable_rules(index, out);
  detail::analyze_kube_services(index, out);
}

void validate(const ConfigSet& config, Diagnostics& out) {
  for (const auto& gw : config.gateways) validate_gateway(gw, out);
  for (const auto& vs : config.virtual_services) validate_virtual_service(vs, out);
  for (const auto& dr : config.destination_rules) validate_destination_rule(dr, out);
  for (const auto& se : config.service_entries) validate_service_entry(se, out);
  for (const auto& we : config.workload_entries) validate_workload_entry(we, out);
  for (const auto& s : config.secrets) validate_secret(s, out);
  for (const auto& s : config.services) validate_kube_service(s, out);
  for (const auto& s : config.endpoint_slices) validate_endpoint_slice(s, out);
  analyze(config, out);
}

}  // namespace sy::config
