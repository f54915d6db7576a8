// Conflict analysis (istioctl analyze): mesh VirtualServices sharing a host (IST0109), Gateways
// claiming the same proxies, port and host (IST0145), and one object defined twice.
#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "config/analyze_index.h"
#include "config/hostname.h"
#include "config/validate_common.h"

namespace sy::config::detail {
namespace {

// One mesh VirtualService host in one export scope: the namespace it is exported to, or "*".
struct ScopedHost {
  std::string scope;
  std::string host;  // resolved in the VirtualService's namespace
  auto operator<=>(const ScopedHost&) const = default;
};

struct HostUse {
  const VirtualService* vs = nullptr;
  size_t host_index = 0;
};

// The export scopes of a VirtualService as Istio's analyzer reads exportTo: "*" when unset or
// listing "*", else each namespace named ("." is its own).
std::vector<std::string> export_scopes(const VirtualService& vs) {
  if (vs.export_to.empty() || std::find(vs.export_to.begin(), vs.export_to.end(), "*") != vs.export_to.end())
    return {"*"};
  std::vector<std::string> out;
  for (const auto& e : vs.export_to) {
    std::string ns = e == "." ? vs.meta.namespace_ : e;
    if (std::find(out.begin(), out.end(), ns) == out.end()) out.push_back(ns);
  }
  return out;
}

// IST0109 as Istio's ConflictingMeshGatewayHostsAnalyzer reports it
// (pkg/config/analysis/analyzers/virtualservice/conflictingmeshgatewayhosts.go): mesh
// VirtualServices conflict when they share a host within one export scope, or when one exported
// to a namespace has a host overlapping (wildcards included) one of a VirtualService exported
// everywhere. Private VirtualServices of different namespaces never meet. Each VirtualService of
// a conflict is reported once, at its conflicting host.
void check_mesh_host_conflicts(const ConfigSet& config, Diagnostics& out) {
  std::map<ScopedHost, std::vector<HostUse>> by_host;
  for (const auto& vs : config.virtual_services) {
    if (vs.hosts.empty() || !binds_mesh(vs)) continue;
    for (const std::string& scope : export_scopes(vs))
      for (size_t i = 0; i < vs.hosts.size(); ++i)
        by_host[{scope, resolved_host(vs.hosts[i], vs.meta.namespace_)}].push_back({&vs, i});
  }
  std::set<std::string> reported;
  for (const auto& [key, direct] : by_host) {
    std::vector<HostUse> uses = direct;
    if (key.scope != "*")
      for (const auto& [other, list] : by_host)
        if (other.scope == "*" && hosts_intersect(key.host, other.host))
          uses.insert(uses.end(), list.begin(), list.end());
    // One object applied twice (two files with the same namespace/name) is a duplicate, reported
    // by check_duplicate_names; IST0109 is about distinct VirtualServices.
    std::vector<std::string> names;
    for (const HostUse& u : uses)
      if (std::find(names.begin(), names.end(), object_name(u.vs->meta)) == names.end())
        names.push_back(object_name(u.vs->meta));
    if (names.size() < 2) continue;
    for (const HostUse& u : uses) {
      if (!reported.insert(object_name(u.vs->meta)).second) continue;
      Reporter r(out, "VirtualService", u.vs->meta, u.vs->source);
      r.error(indexed("spec.hosts", u.host_index),
              fmt::format("IST0109 The VirtualServices {} associated with mesh gateway define the same host {}/{} "
                          "which can lead to undefined behavior. This can be fixed by merging the conflicting "
                          "VirtualServices into a single resource.",
                          fmt::join(names, ","), key.scope, key.host));
    }
  }
}

// The same kind/namespace/name twice (say, two Bookinfo samples that both define VirtualService
// reviews): `kubectl apply` keeps only the last one, while switchyard would load both.
template <class T>
void check_duplicate_names(const std::vector<T>& objects, std::string_view kind, Diagnostics& out) {
  std::map<std::string, const T*> first;
  for (const T& o : objects) {
    auto [it, inserted] = first.try_emplace(object_name(o.meta), &o);
    if (inserted) continue;
    Reporter r(out, kind, o.meta, o.source);
    r.warning(
        "metadata.name",
        fmt::format("{} {} is also defined at {}:{}; Kubernetes keeps one object per kind, namespace and name, "
                    "so applying both leaves only the last one",
                    kind, object_name(o.meta), it->second->source.file, it->second->source.line_of("metadata.name")));
  }
}

// Two selectors can pick the same proxy when one is empty or one includes the other.
bool selectors_overlap(const Labels& a, const Labels& b) { return labels_include(a, b) || labels_include(b, a); }

std::string format_selector(const Labels& s) {
  if (s.empty()) return "<all>";
  std::string out;
  for (const auto& [k, v] : s) out += (out.empty() ? "" : ",") + k + "=" + v;
  return out;
}

// IST0145 as Istio's ConflictingGatewayAnalyzer reports it
// (pkg/config/analysis/analyzers/gateway/conflictinggateway.go): a server conflicts with another
// Gateway's server on the same port whose hosts overlap (wildcards included) when both Gateways
// select the same proxies. Reported on every Gateway of the conflict, once per server, naming the
// others. Istio compares selectors as strings; overlapping ones (an empty selector takes every
// proxy) conflict on a proxy just the same, so they are reported too.
void check_gateway_conflicts(const ConfigSet& config, Diagnostics& out) {
  const auto& gws = config.gateways;
  for (const Gateway& g : gws) {
    for (size_t si = 0; si < g.servers.size(); ++si) {
      const Server& s = g.servers[si];
      if (s.port.number == 0) continue;
      std::vector<std::string> others;
      std::optional<size_t> first_host;
      for (const Gateway& o : gws) {
        if (object_name(o.meta) == object_name(g.meta) || !selectors_overlap(g.selector, o.selector)) continue;
        for (const Server& os : o.servers) {
          if (os.port.number != s.port.number) continue;
          for (size_t hi = 0; hi < s.hosts.size(); ++hi) {
            bool overlap = false;
            for (const auto& oh : os.hosts)
              overlap = overlap || hosts_intersect(split_server_host(s.hosts[hi]).host, split_server_host(oh).host);
            if (!overlap) continue;
            if (!first_host || hi < *first_host) first_host = hi;
            if (std::find(others.begin(), others.end(), object_name(o.meta)) == others.end())
              others.push_back(object_name(o.meta));
          }
        }
      }
      if (others.empty()) continue;
      Reporter r(out, "Gateway", g.meta, g.source);
      r.error(indexed(keyed(indexed("spec.servers", si), "hosts"), *first_host),
              fmt::format("IST0145 Conflict with gateways {} (workload selector {}, port {}, hosts {}).",
                          fmt::join(others, ","), format_selector(g.selector), s.port.number, fmt::join(s.hosts, ",")));
    }
  }
}

}  // namespace

void analyze_conflicts(const ConfigIndex& index, Diagnostics& out) {
  const ConfigSet& c = index.config();
  check_duplicate_names(c.gateways, "Gateway", out);
  check_duplicate_names(c.virtual_services, "VirtualService", out);
  check_duplicate_names(c.destination_rules, "DestinationRule", out);
  check_duplicate_names(c.service_entries, "ServiceEntry", out);
  check_duplicate_names(c.workload_entries, "WorkloadEntry", out);
  check_duplicate_names(c.services, "Service", out);
  check_duplicate_names(c.endpoint_slices, "EndpointSlice", out);
  check_mesh_host_conflicts(index.config(), out);
  check_gateway_conflicts(index.config(), out);
}

}  // namespace sy::config::detail
