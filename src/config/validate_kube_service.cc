// Kubernetes Service and EndpointSlice checks: what the API server refuses (errors) and what a
// client of the Service would do that switchyard does not (warnings). Rules from Kubernetes'
// ValidateService / ValidateEndpointSlice (pkg/apis/core/validation, pkg/apis/discovery/validation).
#include <fmt/format.h>

#include <set>
#include <utility>

#include "config/hostname.h"
#include "config/kube_registry.h"
#include "config/validate.h"
#include "config/validate_common.h"

namespace sy::config {
namespace {

using detail::indexed;
using detail::keyed;
using detail::Reporter;

bool one_of(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (auto a : allowed)
    if (a == v) return true;
  return false;
}

// A named targetPort is an IANA service name: at most 15 characters of a-z, 0-9 and '-', at least
// one letter, no '-' at either end or twice in a row.
bool is_iana_service_name(std::string_view s) {
  if (s.empty() || s.size() > 15 || s.front() == '-' || s.back() == '-' || s.find("--") != std::string_view::npos)
    return false;
  bool letter = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') letter = true;
    else if (!(c >= '0' && c <= '9') && c != '-') return false;
  }
  return letter;
}

void check_service_port(Reporter& r, const std::string& path, const KubeServicePort& p, size_t port_count) {
  if (p.port == 0 || !detail::valid_port_number(p.port))
    r.error(keyed(path, "port"), fmt::format("port {} must be between 1 and 65535", p.port));
  if (p.name.empty() && port_count > 1) r.error(keyed(path, "name"), "a Service with several ports must name each");
  else if (!p.name.empty() && !detail::is_dns1123_label(p.name))
    r.error(keyed(path, "name"), fmt::format("port name \"{}\" must be a DNS-1123 label", p.name));
  if (!one_of(p.protocol, {"TCP", "UDP", "SCTP"}))
    r.error(keyed(path, "protocol"), fmt::format("protocol \"{}\" must be TCP, UDP or SCTP", p.protocol));
  else if (p.protocol != "TCP")
    r.warning(keyed(path, "protocol"),
              fmt::format("{} is not proxied (nor by Istio): this port is not in the registry", p.protocol));
  if (p.target_port_number && (*p.target_port_number == 0 || !detail::valid_port_number(*p.target_port_number)))
    r.error(keyed(path, "targetPort"), fmt::format("targetPort {} must be between 1 and 65535", *p.target_port_number));
  if (p.target_port_name && !is_iana_service_name(*p.target_port_name))
    r.error(keyed(path, "targetPort"),
            fmt::format("targetPort \"{}\" must be a port number or a container port name (IANA service name)",
                        *p.target_port_name));
}

// Settings a client of the Service acts on that switchyard does not: each is said, never ignored quietly.
void check_client_settings(Reporter& r, const KubeService& s) {
  if (s.session_affinity == "ClientIP")
    r.warning("spec.sessionAffinity",
              "sessionAffinity ClientIP is not enforced: requests are balanced by the DestinationRule's loadBalancer "
              "(consistentHash useSourceIp gives the same stickiness)");
  else if (!s.session_affinity.empty() && s.session_affinity != "None")
    r.error("spec.sessionAffinity", fmt::format("sessionAffinity \"{}\" must be None or ClientIP", s.session_affinity));
  if (s.internal_traffic_policy == "Local")
    r.warning("spec.internalTrafficPolicy",
              "internalTrafficPolicy Local is not enforced: switchyard knows no nodes and uses every endpoint");
  else if (!s.internal_traffic_policy.empty() && s.internal_traffic_policy != "Cluster")
    r.error("spec.internalTrafficPolicy",
            fmt::format("internalTrafficPolicy \"{}\" must be Cluster or Local", s.internal_traffic_policy));
  if (!s.traffic_distribution.empty())
    r.warning("spec.trafficDistribution",
              fmt::format("trafficDistribution {} is not enforced: endpoints are balanced without regard to zone",
                          s.traffic_distribution));
}

}  // namespace

void validate_kube_service(const KubeService& s, Diagnostics& out) {
  Reporter r(out, "Service", s.meta, s.source);
  if (!detail::is_dns1123_label(s.meta.name))
    r.error("metadata.name", fmt::format("Service name \"{}\" must be a DNS-1035 label", s.meta.name));
  if (!one_of(s.type, {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}))
    r.error("spec.type", fmt::format("type \"{}\" must be ClusterIP, NodePort, LoadBalancer or ExternalName", s.type));
  if (s.type == "ExternalName") {
    if (s.external_name.empty()) r.error("spec.externalName", "an ExternalName Service needs spec.externalName");
    else if (auto p = detail::fqdn_problem(s.external_name)) r.error("spec.externalName", *p);
  } else if (s.ports.empty() && !s.headless()) {
    r.error("spec.ports", "a Service needs at least one port (only a headless one may have none)");
  }
  if (!s.cluster_ip.empty() && !s.headless() && !is_ip_address(s.cluster_ip))
    r.error("spec.clusterIP", fmt::format("clusterIP \"{}\" must be an IP address or None", s.cluster_ip));

  std::set<std::string> names;
  std::set<std::pair<uint32_t, std::string>> numbers;
  for (size_t i = 0; i < s.ports.size(); ++i) {
    const KubeServicePort& p = s.ports[i];
    const std::string path = indexed("spec.ports", i);
    check_service_port(r, path, p, s.ports.size());
    if (!p.name.empty() && !names.insert(p.name).second)
      r.error(keyed(path, "name"), fmt::format("port name \"{}\" is used twice", p.name));
    if (p.port != 0 && !numbers.emplace(p.port, p.protocol).second)
      r.error(keyed(path, "port"), fmt::format("port {}/{} is defined twice", p.port, p.protocol));
  }
  check_client_settings(r, s);
  if (s.meta.annotations.contains("networking.istio.io/exportTo"))
    detail::check_export_to(r, "metadata.annotations", kube_export_to(s.meta), true);
}

void validate_endpoint_slice(const EndpointSlice& s, Diagnostics& out) {
  Reporter r(out, "EndpointSlice", s.meta, s.source);
  if (s.address_type.empty()) r.error("addressType", "addressType is required (IPv4, IPv6 or FQDN)");
  else if (s.address_type == "FQDN")
    r.warning("addressType", "FQDN EndpointSlices are not used (Istio skips them too): their endpoints are ignored");
  else if (s.address_type != "IPv4" && s.address_type != "IPv6")
    r.error("addressType", fmt::format("addressType \"{}\" must be IPv4, IPv6 or FQDN", s.address_type));
  if (s.service_name().empty())
    r.warning("metadata.labels",
              "no kubernetes.io/service-name label: the slice belongs to no Service and its endpoints are unused");

  const bool ip = s.address_type == "IPv4" || s.address_type == "IPv6";
  for (size_t i = 0; i < s.endpoints.size(); ++i) {
    const std::string path = keyed(indexed("endpoints", i), "addresses");
    const auto& addresses = s.endpoints[i].addresses;
    if (addresses.empty()) r.error(path, "an endpoint needs at least one address");
    for (size_t a = 0; a < addresses.size() && ip; ++a) {
      const bool v6 = addresses[a].find(':') != std::string::npos;
      if (!is_ip_address(addresses[a]) || v6 != (s.address_type == "IPv6"))
        r.error(indexed(path, a), fmt::format("\"{}\" is not an {} address", addresses[a], s.address_type));
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < s.ports.size(); ++i) {
    const SlicePort& p = s.ports[i];
    const std::string path = indexed("ports", i);
    if (!p.port) r.warning(path, "a port without a number is not used: switchyard connects only to numbered ports");
    else if (*p.port == 0 || !detail::valid_port_number(*p.port))
      r.error(keyed(path, "port"), fmt::format("port {} must be between 1 and 65535", *p.port));
    if (!names.insert(p.name).second)
      r.error(keyed(path, "name"), fmt::format("port name \"{}\" is used twice", p.name));
    if (!one_of(p.protocol, {"TCP", "UDP", "SCTP"}))
      r.error(keyed(path, "protocol"), fmt::format("protocol \"{}\" must be TCP, UDP or SCTP", p.protocol));
  }
}

}  // namespace sy::config
