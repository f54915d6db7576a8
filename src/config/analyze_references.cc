// Reference analysis (istioctl analyze): destinations, subsets and ports against ServiceEntries
// and DestinationRules (IST0101, IST0112), gateways (IST0101, IST0132), delegates, DestinationRule
// hosts (IST0174) and subsets that select no endpoint (IST0173).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include <set>

#include "config/analyze_index.h"
#include "config/hostname.h"
#include "config/validate_common.h"

namespace sy::config::detail {
namespace {

void check_subset_ref(Reporter& r, const ConfigIndex& index, const VirtualService& vs, const std::string& path,
                      const Destination& d, bool mirror) {
  if (d.subset.empty()) return;
  for (const auto* dr : index.rules_for(resolved_host(d.host, vs.meta.namespace_), vs.meta.namespace_))
    for (const auto& s : dr->subsets)
      if (s.name == d.subset) return;
  r.error(keyed(path, "subset"), fmt::format("IST0101 Referenced {}+subset in destinationrule not found: \"{}+{}\"",
                                             mirror ? "mirror" : "host", d.host, d.subset));
}

void check_destination_ref(Reporter& r, const ConfigIndex& index, const VirtualService& vs, const std::string& path,
                           const Destination& d, bool mirror) {
  if (d.host.empty() || d.host == "*") return;  // reported by validate_virtual_service
  const std::string& ns = vs.meta.namespace_;
  std::string host = resolved_host(d.host, ns);
  auto services = index.services_for(host, ns);
  if (services.empty())
    r.error(keyed(path, "host"),
            fmt::format("IST0101 Referenced {} not found: \"{}\"", mirror ? "mirror host" : "host", host));
  // The subset is looked up whether or not the host is known, as Istio's DestinationRule analyzer
  // does: a DestinationRule may define it for a host the registry lacks.
  check_subset_ref(r, index, vs, path, d, mirror);
  if (services.empty()) return;
  std::set<uint32_t> ports;
  for (const auto* se : services)
    for (const auto& p : se->ports) ports.insert(p.number);
  if (!d.port && ports.size() > 1) {
    r.error(path, fmt::format("IST0112 This VirtualService routes to a service \"{}\" that exposes multiple ports "
                              "[{}]. Specifying a port in the destination is required to disambiguate.",
                              host, fmt::join(ports, " ")));
  } else if (d.port && !ports.empty() && !ports.contains(d.port->number)) {
    r.error(keyed(path, "port.number"),
            fmt::format("IST0101 Referenced host:port not found: \"{}:{}\"", host, d.port->number));
  }
}

bool server_host_allows(const std::string& server_host, const Gateway& gw, const VirtualService& vs,
                        const std::string& vs_host) {
  ServerHost sh = split_server_host(server_host);
  if (sh.ns == "." && gw.meta.namespace_ != vs.meta.namespace_) return false;
  if (sh.ns != "*" && sh.ns != "." && sh.ns != vs.meta.namespace_) return false;
  return hosts_intersect(sh.host, vs_host);
}

// IST0132 as Istio's GatewayAnalyzer reports it (pkg/config/analysis/analyzers/virtualservice/
// gateways.go): once per VirtualService and gateway it lists, when none of its hosts is one the
// gateway's servers expose to the VirtualService's namespace. A host exposed by another of its
// gateways is fine.
void check_gateway_hosts(Reporter& r, const Gateway* gw, const VirtualService& vs, const std::string& path,
                         const std::string& gw_ref) {
  for (const auto& h : vs.hosts) {
    const std::string host = resolved_host(h, vs.meta.namespace_);
    if (!gw) break;
    for (const auto& s : gw->servers)
      for (const auto& sh : s.hosts)
        if (server_host_allows(sh, *gw, vs, host)) return;
  }
  r.warning(path, fmt::format("IST0132 one or more host [{}] defined in VirtualService {} not found in Gateway {}.",
                              fmt::join(vs.hosts, " "), object_name(vs.meta), gw_ref));
}

void check_gateway_ref(Reporter& r, const ConfigIndex& index, const VirtualService& vs, const std::string& path,
                       const std::string& ref, bool check_hosts) {
  std::string resolved = resolve_gateway_ref(ref, vs.meta.namespace_);
  if (resolved == "mesh") return;
  const Gateway* gw = index.gateway(resolved);
  if (!gw) r.error(path, fmt::format("IST0101 Referenced gateway not found: \"{}\"", resolved));
  // Istio says both for a missing gateway: it is not found, and so exposes none of the hosts.
  if (check_hosts && !vs.hosts.empty()) check_gateway_hosts(r, gw, vs, path, resolved);
}

void check_virtual_service(const ConfigIndex& index, const VirtualService& vs, const std::set<std::string>& delegates,
                           Diagnostics& out) {
  Reporter r(out, "VirtualService", vs.meta, vs.source);
  const std::string self = object_name(vs.meta);
  if (vs.hosts.empty()) {
    if (!delegates.contains(self))
      r.warning("spec",
                "delegate VirtualService (no hosts) is not referenced by any root VirtualService; it is "
                "never used");
  } else if (binds_mesh(vs) && vs.gateways.size() <= 1) {
    r.warning("spec.gateways",
              "VirtualService is bound to no gateway (mesh only); it does not apply to switchyard's "
              "gateway listeners");
  }
  for (size_t i = 0; i < vs.gateways.size(); ++i)
    check_gateway_ref(r, index, vs, indexed("spec.gateways", i), vs.gateways[i], true);

  for (size_t i = 0; i < vs.http.size(); ++i) {
    const HTTPRoute& h = vs.http[i];
    const std::string path = indexed("spec.http", i);
    for (size_t m = 0; m < h.match.size(); ++m)
      for (size_t g = 0; g < h.match[m].gateways.size(); ++g)
        check_gateway_ref(r, index, vs, indexed(keyed(indexed(keyed(path, "match"), m), "gateways"), g),
                          h.match[m].gateways[g], false);
    for (size_t d = 0; d < h.route.size(); ++d)
      check_destination_ref(r, index, vs, keyed(indexed(keyed(path, "route"), d), "destination"),
                            h.route[d].destination, false);
    if (h.mirror) check_destination_ref(r, index, vs, keyed(path, "mirror"), *h.mirror, true);
    for (size_t m = 0; m < h.mirrors.size(); ++m)
      check_destination_ref(r, index, vs, keyed(indexed(keyed(path, "mirrors"), m), "destination"),
                            h.mirrors[m].destination, true);
    if (h.delegate && !h.delegate->name.empty()) {
      std::string ns = h.delegate->namespace_.empty() ? vs.meta.namespace_ : h.delegate->namespace_;
      std::string target = ns + "/" + h.delegate->name;
      const VirtualService* d = index.virtual_service(target);
      if (!d) {
        r.error(keyed(path, "delegate"),
                fmt::format("IST0101 Referenced delegate virtualservice not found: \"{}\"", target));
      } else if (!d->hosts.empty()) {
        r.error(keyed(path, "delegate"),
                fmt::format("delegate VirtualService {} must not have hosts (it is a root VirtualService)", target));
      } else if (!visible_from(d->export_to, d->meta.namespace_, vs.meta.namespace_)) {
        r.error(keyed(path, "delegate"),
                fmt::format("delegate VirtualService {} is not exported to namespace {}", target, vs.meta.namespace_));
      }
    }
  }
  auto l4_routes = [&](const char* field, const auto& rules) {
    for (size_t i = 0; i < rules.size(); ++i)
      for (size_t d = 0; d < rules[i].route.size(); ++d)
        check_destination_ref(r, index, vs, keyed(indexed(keyed(indexed(field, i), "route"), d), "destination"),
                              rules[i].route[d].destination, false);
  };
  l4_routes("spec.tls", vs.tls);
  l4_routes("spec.tcp", vs.tcp);
}

std::string format_labels(const Labels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

void check_destination_rule(const ConfigIndex& index, const DestinationRule& dr, Diagnostics& out) {
  if (dr.host.empty() || dr.host == "*") return;
  Reporter r(out, "DestinationRule", dr.meta, dr.source);
  std::string host = resolved_host(dr.host, dr.meta.namespace_);
  if (!index.any_service_intersects(host)) {
    r.warning("spec.host", fmt::format("IST0174 DestinationRule host \"{}\" matches no service in the registry (no "
                                       "ServiceEntry or Service defines it); the rule is ignored",
                                       host));
    return;
  }
  // Endpoints reachable through this host; unknowable for NONE/DYNAMIC_DNS resolution.
  // A Kubernetes Service for the host is the one in use (see analyze_kube_services.cc).
  std::vector<const WorkloadEntrySpec*> endpoints;
  const KubeRegistryEntry* kube = nullptr;
  for (const auto& k : index.kube_entries())
    if (!kube && hosts_intersect(k.entry.hosts.front(), host)) kube = &k;
  for (const auto& se : index.config().service_entries) {
    bool matches = false;
    for (const auto& h : se.hosts) matches = matches || hosts_intersect(resolved_host(h, se.meta.namespace_), host);
    if (!matches || kube) continue;
    if (se.resolution == ServiceEntry::Resolution::kNone || se.resolution == ServiceEntry::Resolution::kDynamicDns)
      return;
    auto eps = index.endpoints_of(se);
    endpoints.insert(endpoints.end(), eps.begin(), eps.end());
  }
  for (size_t i = 0; i < dr.subsets.size(); ++i) {
    const Subset& s = dr.subsets[i];
    if (s.labels.empty()) continue;
    if (kube) {
      // Istio reads the pods' labels; the config holds no pods, and neither EndpointSlices nor DNS
      // answers carry labels. Routing such a subset to every endpoint would ignore it silently.
      r.warning(indexed("spec.subsets", i), kube_subset_message(s, *kube));
      continue;
    }
    bool selected = false;
    for (const auto* ep : endpoints) selected = selected || labels_include(ep->labels, s.labels);
    if (!selected)
      r.warning(indexed("spec.subsets", i),
                fmt::format("IST0173 subset \"{}\" selects no endpoints: no ServiceEntry endpoint or WorkloadEntry of "
                            "\"{}\" has labels {} (requests to it get 503 no healthy upstream)",
                            s.name, host, format_labels(s.labels)));
  }
}

}  // namespace

// A credentialName whose Secret is not in the config: accepted (Istio's webhook does, Secrets are
// often applied separately), but said, since `serve` keeps that server closed until it appears.
static void check_credentials(const ConfigSet& config, const Gateway& gw, Diagnostics& out) {
  Reporter r(out, "Gateway", gw.meta, gw.source);
  for (size_t i = 0; i < gw.servers.size(); ++i) {
    const auto& tls = gw.servers[i].tls;
    if (!tls) continue;
    std::vector<std::string> names = tls->credential_names;
    if (!tls->credential_name.empty()) names.push_back(tls->credential_name);
    if (!tls->ca_cert_credential_name.empty()) names.push_back(tls->ca_cert_credential_name);
    for (const auto& name : names) {
      const std::string bare = name.substr(name.find('/') + 1);
      const bool found = std::any_of(config.secrets.begin(), config.secrets.end(),
                                     [&](const Secret& s) { return s.meta.name == bare; });
      if (!found)
        r.warning(fmt::format("spec.servers[{}].tls", i),
                  fmt::format("Secret \"{}\" is not in the config: serve keeps this server closed until it appears "
                              "in the proxy's namespace",
                              name));
    }
  }
}

void analyze_references(const ConfigIndex& index, Diagnostics& out) {
  for (const auto& gw : index.config().gateways) check_credentials(index.config(), gw, out);
  std::set<std::string> delegates;
  for (const auto& vs : index.config().virtual_services)
    for (const auto& h : vs.http)
      if (h.delegate)
        delegates.insert((h.delegate->namespace_.empty() ? vs.meta.namespace_ : h.delegate->namespace_) + "/" +
                         h.delegate->name);
  for (const auto& vs : index.config().virtual_services) check_virtual_service(index, vs, delegates, out);
  for (const auto& dr : index.config().destination_rules) check_destination_rule(index, dr, out);
}

}  // namespace sy::config::detail
