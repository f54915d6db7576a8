// ServiceEntry and WorkloadEntry checks: hosts, addresses, ports, resolution vs endpoints.
#include <fmt/format.h>

#include <set>

#include "config/hostname.h"
#include "config/validate.h"
#include "config/validate_common.h"

namespace sy::config {
namespace {

using detail::indexed;
using detail::keyed;
using detail::Reporter;
using Resolution = ServiceEntry::Resolution;

constexpr std::string_view kServiceProtocols[] = {"HTTP", "HTTPS", "GRPC", "GRPC-WEB", "HTTP2", "MONGO",
                                                  "TCP",  "TLS",   "UDP",  "REDIS",    "MYSQL"};

// Common to standalone WorkloadEntry specs and SE inline endpoints. `ports` of the enclosing
// SE (nullptr for a standalone entry) restricts the endpoint port names.
void check_workload(Reporter& r, const std::string& path, const WorkloadEntrySpec& w, Resolution resolution,
                    const std::set<std::string>* se_ports) {
  const std::string apath = keyed(path, "address");
  if (w.address.empty()) {
    if (w.network.empty()) r.error(apath, "address is required");
  } else if (w.address.starts_with("unix://") && se_ports &&
             (resolution == Resolution::kDns || resolution == Resolution::kDnsRoundRobin)) {
    r.error(apath, fmt::format("endpoint address \"{}\" is not a valid FQDN or an IP address", w.address));
  } else if (w.address.starts_with("unix://")) {
    if (auto p = detail::unix_address_problem(std::string_view(w.address).substr(7))) r.error(apath, *p);
    if (!w.ports.empty())
      r.error(keyed(path, "ports"), fmt::format("unix endpoint {} must not include ports", w.address));
    if (se_ports && se_ports->size() != 1) r.error(apath, "exactly 1 service port required for unix endpoints");
    // The upstream side connects over TCP only (upstream/cluster_runtime skips unix addresses).
    r.warning(apath, "unix:// endpoints are not supported yet: this endpoint is never used");
  } else if (!is_ip_address(w.address)) {
    bool dns = resolution == Resolution::kDns || resolution == Resolution::kDnsRoundRobin;
    if (!dns) {
      r.error(apath, fmt::format("endpoint address \"{}\" is not a valid IP address", w.address));
    } else if (auto p = detail::fqdn_problem(w.address)) {
      r.error(apath, *p);
    }
  }
  for (const auto& [name, number] : w.ports) {
    const std::string ppath = keyed(keyed(path, "ports"), name);
    if (!detail::is_dns1123_label(name)) r.error(ppath, fmt::format("invalid port name: {}", name));
    if (se_ports && !se_ports->contains(name))
      r.error(ppath, fmt::format("endpoint port {} is not defined by the service entry", name));
    detail::check_port_number(r, ppath, number);
  }
  detail::check_labels(r, keyed(path, "labels"), w.labels);
  if (!w.locality.empty()) {
    size_t segments = 1;
    for (char c : w.locality) segments += c == '/';
    if (segments > 3 || w.locality.find("//") != std::string::npos)
      r.error(keyed(path, "locality"), fmt::format("locality \"{}\" must be region/zone/subzone", w.locality));
  }
}

}  // namespace

void validate_service_entry(const ServiceEntry& se, Diagnostics& out) {
  Reporter r(out, "ServiceEntry", se.meta, se.source);
  if (se.hosts.empty()) r.error("spec.hosts", "service entry must have at least one host");
  for (size_t i = 0; i < se.hosts.size(); ++i) {
    const std::string& h = se.hosts[i];
    if (h == "*") {
      r.error(indexed("spec.hosts", i), "invalid host *");
    } else if (auto p = detail::wildcard_domain_problem(h, /*allow_partial_wildcard=*/true)) {
      r.error(indexed("spec.hosts", i), *p);
    } else if (h.find('*') != std::string::npos && !h.starts_with("*.")) {
      // Istio's ValidatePartialWildCard, reported as a warning by its ServiceEntry webhook.
      r.warning(indexed("spec.hosts", i), fmt::format("partial wildcard \"{}\" not allowed", h));
    }
  }
  for (size_t i = 0; i < se.addresses.size(); ++i) {
    const std::string& a = se.addresses[i];
    if (!detail::is_cidr(a)) r.error(indexed("spec.addresses", i), fmt::format("invalid address {}", a));
    else if (a.find('/') != std::string::npos && se.resolution != Resolution::kNone &&
             se.resolution != Resolution::kStatic)
      r.error(indexed("spec.addresses", i), "CIDR addresses are allowed only for NONE/STATIC resolution types");
  }

  std::set<uint32_t> numbers;
  std::set<std::string> names;
  for (size_t i = 0; i < se.ports.size(); ++i) {
    const ServicePort& p = se.ports[i];
    const std::string path = indexed("spec.ports", i);
    if (p.number == 0) r.error(keyed(path, "number"), "port number is required");
    else detail::check_port_number(r, keyed(path, "number"), p.number);
    if (p.number != 0 && !numbers.insert(p.number).second)
      r.error(keyed(path, "number"), fmt::format("service entry port {} already defined", p.number));
    if (p.name.empty()) {
      r.error(keyed(path, "name"), "port name must be set");
    } else {
      if (!detail::is_dns1123_label(p.name)) r.error(keyed(path, "name"), fmt::format("invalid port name: {}", p.name));
      if (!names.insert(p.name).second)
        r.error(keyed(path, "name"), fmt::format("service entry port name \"{}\" already defined", p.name));
    }
    if (!p.protocol.empty()) {
      bool known = false;
      for (auto k : kServiceProtocols) known = known || k == p.protocol;
      if (!known) r.error(keyed(path, "protocol"), fmt::format("invalid protocol \"{}\"", p.protocol));
    }
    if (p.target_port) detail::check_port_number(r, keyed(path, "targetPort"), *p.target_port);
  }

  if (!se.endpoints.empty() && se.workload_selector)
    r.error("spec", "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
  switch (se.resolution) {
    case Resolution::kNone:
      if (!se.endpoints.empty()) r.error("spec.endpoints", "no endpoints should be provided for resolution type none");
      break;
    case Resolution::kStatic:
      if (se.endpoints.empty() && !se.workload_selector)
        r.warning("spec.endpoints", "resolution STATIC without endpoints or workloadSelector has no endpoints");
      break;
    case Resolution::kDnsRoundRobin:
      if (se.endpoints.size() > 1)
        r.error("spec.endpoints", "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN");
      [[fallthrough]];
    case Resolution::kDns:
      if (se.endpoints.empty())
        for (size_t i = 0; i < se.hosts.size(); ++i)
          if (se.hosts[i] != "*" && (is_wildcard(se.hosts[i]) || detail::fqdn_problem(se.hosts[i])))
            r.error(indexed("spec.hosts", i),
                    "hosts must be FQDN if no endpoints are provided for resolution mode DNS");
      break;
    case Resolution::kDynamicDns:
      if (!se.endpoints.empty())
        r.error("spec.endpoints", "no endpoints should be provided for resolution type DYNAMIC_DNS");
      for (size_t i = 0; i < se.hosts.size(); ++i)
        if (!is_wildcard(se.hosts[i]))
          r.error(indexed("spec.hosts", i), "resolution DYNAMIC_DNS requires wildcard hosts");
      break;
  }

  uint64_t total_weight = 0;
  for (size_t i = 0; i < se.endpoints.size(); ++i) {
    check_workload(r, indexed("spec.endpoints", i), se.endpoints[i], se.resolution, &names);
    total_weight += se.endpoints[i].weight.value_or(1) == 0 ? 1 : se.endpoints[i].weight.value_or(1);
  }
  if (total_weight > UINT32_MAX) r.error("spec.endpoints", "sum of endpoint weights must not exceed 4294967295");
  if (se.workload_selector) detail::check_labels(r, "spec.workloadSelector.labels", *se.workload_selector);
  detail::check_export_to(r, "spec.exportTo", se.export_to, true);
  for (size_t i = 0; i < se.subject_alt_names.size(); ++i)
    if (se.subject_alt_names[i].empty()) r.error(indexed("spec.subjectAltNames", i), "subjectAltName cannot be empty");
}

void validate_workload_entry(const WorkloadEntry& we, Diagnostics& out) {
  Reporter r(out, "WorkloadEntry", we.meta, we.source);
  // A standalone entry may carry an FQDN address (used by DNS-resolved ServiceEntries).
  check_workload(r, "spec", we.spec, Resolution::kDns, nullptr);
}

}  // namespace sy::config
