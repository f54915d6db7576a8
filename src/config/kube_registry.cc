// Kubernetes Service + EndpointSlices -> ServiceEntry-shaped registry entry (see kube_registry.h).
#include "config/kube_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "config/hostname.h"

namespace sy::config {
namespace {

std::string lower_copy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Istio's protocol.Parse: the names it knows, spelled as ServiceEntry ports spell them.
std::string parse_protocol(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"tcp", "TCP"},     {"udp", "UDP"},     {"grpc", "GRPC"},   {"grpc-web", "GRPC-WEB"},
      {"http", "HTTP"},   {"http2", "HTTP2"}, {"https", "HTTPS"}, {"tls", "TLS"},
      {"mongo", "MONGO"}, {"redis", "REDIS"}, {"mysql", "MYSQL"}};
  const std::string l = lower_copy(name);
  for (const auto& [k, v] : kNames)
    if (l == k) return std::string(v);
  return "";
}

}  // namespace

std::vector<std::string> kube_export_to(const ObjectMeta& meta) {
  std::vector<std::string> out;
  auto it = meta.annotations.find("networking.istio.io/exportTo");
  if (it == meta.annotations.end()) return out;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

namespace {

bool endpoint_ready(const KubeService& svc, const SliceEndpoint& e) {
  // Kubernetes marks every endpoint ready for publishNotReadyAddresses; Istio routes to ready
  // endpoints only (an absent `ready` means ready).
  return svc.publish_not_ready_addresses || e.ready.value_or(true);
}

// The ready addresses of the Service's slices, each with the slice's port numbers under the
// Service port names they serve. The same address at the same ports counts once (an endpoint
// moving between slices shows up in both for a moment); at other ports it is another endpoint.
std::vector<WorkloadEntrySpec> slice_endpoints(const KubeService& svc,
                                               const std::vector<const EndpointSlice*>& slices) {
  std::vector<WorkloadEntrySpec> out;
  std::set<std::string> seen;
  for (const EndpointSlice* slice : slices) {
    std::map<std::string, uint32_t> ports;
    for (const SlicePort& sp : slice->ports) {
      if (!sp.port) continue;  // a port without a number restricts nothing we could connect to
      for (const KubeServicePort& p : svc.ports)
        if (p.name == sp.name) ports[p.name.empty() ? std::string("-") : p.name] = *sp.port;
    }
    for (const SliceEndpoint& e : slice->endpoints) {
      if (!endpoint_ready(svc, e)) continue;
      for (const std::string& a : e.addresses) {
        std::string key = a;
        for (const auto& [name, number] : ports) key += "|" + name + ":" + std::to_string(number);
        if (!seen.insert(key).second) continue;
        WorkloadEntrySpec w;
        w.address = a;
        w.ports = ports;
        out.push_back(std::move(w));
      }
    }
  }
  return out;
}

}  // namespace

std::string kube_service_host(const KubeService& svc) {
  return lower(svc.meta.name + "." + svc.meta.namespace_ + ".svc." + std::string(kDefaultDomainSuffix));
}

std::string kube_port_protocol(const KubeServicePort& port) {
  if (port.protocol == "UDP") return "UDP";
  std::string_view name = port.app_protocol ? *port.app_protocol : port.name;
  if (port.app_protocol) {
    // Kubernetes' own appProtocol names (ServicePort.appProtocol), honoured by Istio.
    if (name == "kubernetes.io/h2c") return "HTTP2";
    if (name == "kubernetes.io/ws") return "HTTP";
    if (name == "kubernetes.io/wss") return "HTTPS";
  }
  constexpr std::string_view kGrpcWeb = "grpc-web";
  if (name.size() >= kGrpcWeb.size() && lower_copy(name.substr(0, kGrpcWeb.size())) == kGrpcWeb) return "GRPC-WEB";
  std::string p = parse_protocol(name.substr(0, name.find('-')));
  if (p.empty() && (port.port == 25 || port.port == 53 || port.port == 3306 || port.port == 27017)) return "TCP";
  return p;
}

std::vector<const EndpointSlice*> slices_of(const ConfigSet& config, const KubeService& svc) {
  std::vector<const EndpointSlice*> out;
  for (const EndpointSlice& s : config.endpoint_slices)
    if (s.meta.namespace_ == svc.meta.namespace_ && s.service_name() == svc.meta.name) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto* a, const auto* b) { return a->source.index < b->source.index; });
  return out;
}

std::vector<KubeRegistryEntry> kube_registry(const ConfigSet& config) {
  std::vector<const KubeService*> services;
  for (const KubeService& s : config.services) services.push_back(&s);
  std::stable_sort(services.begin(), services.end(),
                   [](const auto* a, const auto* b) { return a->source.index < b->source.index; });
  std::vector<KubeRegistryEntry> out;
  for (const KubeService* svc : services) {
    KubeRegistryEntry k;
    k.service = svc;
    ServiceEntry& se = k.entry;
    se.meta = svc->meta;
    se.source = svc->source;
    se.hosts = {kube_service_host(*svc)};
    se.export_to = kube_export_to(svc->meta);
    const bool external = svc->type == "ExternalName";
    // The cluster IP is where clients reach the Service (a sidecar's TCP listener is VIP:PORT).
    if (!external && !svc->cluster_ip.empty() && !svc->headless()) se.addresses = {svc->cluster_ip};
    se.location = external ? ServiceEntry::Location::kMeshExternal : ServiceEntry::Location::kMeshInternal;

    // FQDN slices are skipped, as Istio's endpoint controller skips them.
    std::vector<const EndpointSlice*> slices;
    if (!external)
      for (const EndpointSlice* s : slices_of(config, *svc))
        if (s->address_type == "IPv4" || s->address_type == "IPv6") slices.push_back(s);
    k.from_slices = !slices.empty();

    for (const KubeServicePort& p : svc->ports) {
      if (p.protocol == "UDP" || p.protocol == "SCTP") continue;  // not proxied (validate says so)
      ServicePort sp;
      sp.number = p.port;
      sp.protocol = kube_port_protocol(p);
      sp.name = p.name.empty() ? "-" : p.name;  // a registry port needs a name; "-" is no DNS label
      // Where an endpoint listens when its slice names no port for this one: the pod port. A
      // cluster IP (DNS of a non-headless Service) and an externalName take the Service port.
      if ((k.from_slices || svc->headless()) && !external) sp.target_port = p.target_port_number;
      se.ports.push_back(std::move(sp));
    }
    if (k.from_slices) {
      se.resolution = ServiceEntry::Resolution::kStatic;
      se.endpoints = slice_endpoints(*svc, slices);
    } else {
      se.resolution = ServiceEntry::Resolution::kDns;
      if (external) {
        se.endpoints.emplace_back();
        se.endpoints.back().address = svc->external_name;
      }
    }
    out.push_back(std::move(k));
  }
  return out;
}

std::string kube_host_conflict_message(const std::string& host, const KubeService& svc) {
  return fmt::format(
      "host \"{}\" is also defined by Kubernetes Service {}/{} ({}:{}); the Service is the one in use (Istio "
      "prefers the Kubernetes registry) and this ServiceEntry is ignored for it",
      host, svc.meta.namespace_, svc.meta.name, svc.source.file, svc.source.line);
}

std::string kube_subset_message(const Subset& subset, const KubeRegistryEntry& kube) {
  std::string labels;
  for (const auto& [k, v] : subset.labels) labels += (labels.empty() ? "" : ",") + k + "=" + v;
  return fmt::format(
      "subset \"{}\" cannot be resolved on Kubernetes Service {}/{}: it selects pods by labels {} and the Service's "
      "endpoints ({}) carry no pod labels, so the subset has no endpoints (requests to it get 503 no healthy upstream)",
      subset.name, kube.service->meta.namespace_, kube.service->meta.name, labels,
      kube.from_slices ? "from EndpointSlices" : "from DNS");
}

}  // namespace sy::config
