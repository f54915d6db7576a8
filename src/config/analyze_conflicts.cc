// Conflict and reachability analysis (istioctl analyze): mesh VirtualServices sharing a host
// (IST0109), Gateways claiming the same selector/port/host (IST0145), and http rules shadowed
// by an earlier catch-all rule of the same VirtualService (IST0130).
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "config/analyze_index.h"
#include "config/hostname.h"
#include "config/validate_common.h"

namespace sy::config::detail {
namespace {

void check_mesh_host_conflicts(const ConfigSet& config, Diagnostics& out) {
  // host -> mesh VirtualServices defining it, in load order.
  std::map<std::string, std::vector<const VirtualService*>> by_host;
  for (const auto& vs : config.virtual_services) {
    if (vs.hosts.empty() || !binds_mesh(vs)) continue;
    for (const auto& h : vs.hosts) {
      auto& list = by_host[resolved_host(h, vs.meta.namespace_)];
      if (list.empty() || list.back() != &vs) list.push_back(&vs);
    }
  }
  for (const auto& [host, list] : by_host) {
    // One object applied twice (two files with the same namespace/name) is a duplicate, reported
    // by check_duplicate_names; IST0109 is about distinct VirtualServices.
    std::vector<std::string> distinct;
    for (const auto* vs : list)
      if (std::find(distinct.begin(), distinct.end(), object_name(vs->meta)) == distinct.end())
        distinct.push_back(object_name(vs->meta));
    if (distinct.size() < 2) continue;
    const std::string names = fmt::format("{}", fmt::join(distinct, ","));
    for (const auto* vs : list) {
      Reporter r(out, "VirtualService", vs->meta, vs->source);
      std::string path = "spec.hosts";
      for (size_t i = 0; i < vs->hosts.size(); ++i)
        if (resolved_host(vs->hosts[i], vs->meta.namespace_) == host) path = indexed("spec.hosts", i);
      r.error(path, fmt::format("IST0109 The VirtualServices {} associated with mesh gateway define the same host {} "
                                "which can lead to undefined behavior. This can be fixed by merging the conflicting "
                                "VirtualServices into a single resource.",
                                names, host));
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

void check_gateway_conflicts(const ConfigSet& config, Diagnostics& out) {
  const auto& gws = config.gateways;
  for (size_t j = 0; j < gws.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      if (!selectors_overlap(gws[i].selector, gws[j].selector)) continue;
      for (size_t sj = 0; sj < gws[j].servers.size(); ++sj) {
        const Server& b = gws[j].servers[sj];
        for (const Server& a : gws[i].servers) {
          if (a.port.number != b.port.number || a.port.number == 0) continue;
          for (size_t hj = 0; hj < b.hosts.size(); ++hj) {
            std::string hb = split_server_host(b.hosts[hj]).host;
            bool same = false;
            for (const auto& ha : a.hosts) same = same || split_server_host(ha).host == hb;
            if (!same) continue;
            Reporter r(out, "Gateway", gws[j].meta, gws[j].source);
            r.error(indexed(keyed(indexed("spec.servers", sj), "hosts"), hj),
                    fmt::format("IST0145 Conflict with gateways {} (workload selector {}, port {}, hosts {}).",
                                object_name(gws[i].meta), format_selector(gws[j].selector), b.port.number, hb));
          }
        }
      }
    }
  }
}

bool is_catch_all_uri(const std::optional<StringMatch>& uri) {
  if (!uri) return true;
  switch (uri->kind) {
    case StringMatch::Kind::kPrefix:
      return uri->value == "/";
    case StringMatch::Kind::kRegex:
      return uri->value == ".*" || uri->value == "/.*";
    case StringMatch::Kind::kPresent:
      return true;
    case StringMatch::Kind::kExact:
      return false;
  }
  return false;
}

bool is_catch_all(const HTTPMatchRequest& m) {
  return is_catch_all_uri(m.uri) && !m.scheme && !m.method && !m.authority && m.headers.empty() &&
         m.without_headers.empty() && m.query_params.empty() && !m.port && m.source_labels.empty() &&
         m.gateways.empty() && m.source_namespace.empty();
}

void check_unreachable_rules(const VirtualService& vs, Diagnostics& out) {
  for (size_t j = 0; j + 1 < vs.http.size(); ++j) {
    const HTTPRoute& rule = vs.http[j];
    bool no_match = rule.match.empty();
    bool catch_all = no_match;
    for (const auto& m : rule.match) catch_all = catch_all || is_catch_all(m);
    if (!catch_all) continue;
    Reporter r(out, "VirtualService", vs.meta, vs.source);
    for (size_t i = j + 1; i < vs.http.size(); ++i) {
      std::string reason = no_match ? "only the last rule can have no matches"
                                    : fmt::format("rule {} matches every request", j);
      r.warning(indexed("spec.http", i), fmt::format("IST0130 VirtualService rule {} not used ({}).", i, reason));
    }
    return;  // later rules are all reported against the first catch-all
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
  for (const auto& vs : index.config().virtual_services) check_unreachable_rules(vs, out);
}

}  // namespace sy::config::detail
