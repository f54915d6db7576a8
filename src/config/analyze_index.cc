#include "config/analyze_index.h"

#include <algorithm>

#include "config/hostname.h"
#include "config/validate_common.h"

namespace sy::config::detail {

std::string resolved_host(std::string_view host, std::string_view ns) { return resolve_short_name(host, ns); }

bool binds_mesh(const VirtualService& vs) {
  return vs.gateways.empty() || std::find(vs.gateways.begin(), vs.gateways.end(), "mesh") != vs.gateways.end();
}

bool labels_include(const Labels& labels, const Labels& selector) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

ConfigIndex::ConfigIndex(const ConfigSet& config) : config_(config), kube_(kube_registry(config)) {
  for (const auto& se : config.service_entries) registry_.push_back(&se);
  for (const auto& k : kube_) registry_.push_back(&k.entry);
  // First definition wins, as in load order.
  for (const auto& gw : config.gateways) gateways_.emplace(object_name(gw.meta), &gw);
  for (const auto& vs : config.virtual_services) virtual_services_.emplace(object_name(vs.meta), &vs);
}

std::vector<const ServiceEntry*> ConfigIndex::services_for(std::string_view host, std::string_view from_ns) const {
  std::vector<const ServiceEntry*> out;
  for (const ServiceEntry* se : registry_) {
    if (!visible_from(se->export_to, se->meta.namespace_, from_ns)) continue;
    for (const auto& h : se->hosts) {
      if (host_covers(resolved_host(h, se->meta.namespace_), host)) {
        out.push_back(se);
        break;
      }
    }
  }
  return out;
}

bool ConfigIndex::any_service_intersects(std::string_view host) const {
  for (const ServiceEntry* se : registry_)
    for (const auto& h : se->hosts)
      if (hosts_intersect(resolved_host(h, se->meta.namespace_), host)) return true;
  return false;
}

std::vector<const DestinationRule*> ConfigIndex::rules_for(std::string_view host, std::string_view from_ns) const {
  std::vector<const DestinationRule*> out;
  for (const auto& dr : config_.destination_rules) {
    if (!visible_from(dr.export_to, dr.meta.namespace_, from_ns)) continue;
    if (host_covers(resolved_host(dr.host, dr.meta.namespace_), host)) out.push_back(&dr);
  }
  return out;
}

const Gateway* ConfigIndex::gateway(const std::string& ns_name) const {
  auto it = gateways_.find(ns_name);
  return it == gateways_.end() ? nullptr : it->second;
}

const VirtualService* ConfigIndex::virtual_service(const std::string& ns_name) const {
  auto it = virtual_services_.find(ns_name);
  return it == virtual_services_.end() ? nullptr : it->second;
}

std::vector<const WorkloadEntrySpec*> ConfigIndex::endpoints_of(const ServiceEntry& se) const {
  std::vector<const WorkloadEntrySpec*> out;
  for (const auto& ep : se.endpoints) out.push_back(&ep);
  if (se.workload_selector) {
    for (const auto& we : config_.workload_entries)
      if (we.meta.namespace_ == se.meta.namespace_ && labels_include(we.spec.labels, *se.workload_selector))
        out.push_back(&we.spec);
  }
  return out;
}

}  // namespace sy::config::detail
