// compile(): runs the passes of compile_*.cc in order and seals the result. See compile.h for
// the VirtualService merge order.
#include "snapshot/compile.h"

#include <fmt/format.h>

#include <algorithm>

#include "config/hostname.h"
#include "snapshot/compile_context.h"
#include "snapshot/config_hash.h"

namespace sy::snapshot {

const char* discovery_name(Discovery d) {
  switch (d) {
    case Discovery::kStatic:
      return "STATIC";
    case Discovery::kDns:
      return "DNS";
    case Discovery::kDnsRoundRobin:
      return "DNS_ROUND_ROBIN";
    case Discovery::kOriginalDst:
      return "ORIGINAL_DST";
    case Discovery::kDynamicDns:
      return "DYNAMIC_DNS";
    case Discovery::kMissing:
      return "MISSING";
  }
  return "?";
}

const Listener* Snapshot::find_listener(uint32_t port, std::string_view bind) const {
  const Listener* any = nullptr;
  for (const Listener& l : listeners) {
    if (l.port != port) continue;
    if (l.bind == bind) return &l;
    if (!any && (bind.empty() || l.bind.empty())) any = &l;
  }
  return any;
}

const L4Listener* Snapshot::find_l4(uint32_t port, std::string_view bind) const {
  const L4Listener* any = nullptr;
  for (const L4Listener& l : l4) {
    if (l.port != port) continue;
    if (l.bind == bind) return &l;
    if (!any && (bind.empty() || l.bind.empty())) any = &l;
  }
  return any;
}

const L4Route* L4Listener::route(std::string_view sni) const {
  for (const L4Route& r : routes) {
    if (!passthrough) return &r;
    for (const std::string& h : r.sni_hosts) {
      if (h == "*" || h == sni) return &r;
      if (h.starts_with("*.") && sni.size() > h.size() - 1 && sni.ends_with(std::string_view(h).substr(1))) return &r;
    }
  }
  return nullptr;
}

const Listener* Snapshot::find_mesh(uint32_t port) const {
  auto it = std::lower_bound(mesh.begin(), mesh.end(), port, [](const Listener& l, uint32_t p) { return l.port < p; });
  return it != mesh.end() && it->port == port ? &*it : nullptr;
}

const MeshTcpService* Snapshot::find_mesh_tcp(uint32_t port, const route::IpAddress* destination) const {
  auto it = std::lower_bound(mesh_tcp.begin(), mesh_tcp.end(), port,
                             [](const MeshTcpService& s, uint32_t p) { return s.port < p; });
  const MeshTcpService* by_port = nullptr;
  for (; it != mesh_tcp.end() && it->port == port; ++it) {
    if (it->by_port && !by_port) by_port = &*it;
    if (destination == nullptr) continue;
    for (const route::IpPrefix& a : it->addresses)
      if (a.contains(*destination)) return &*it;
  }
  return by_port;
}

const L4Route& MeshTcpService::route(const route::IpAddress* destination) const {
  for (const MeshTcpRule& r : rules) {
    if (r.destination_subnets.empty()) return r.route;
    if (destination == nullptr) continue;
    for (const route::IpPrefix& s : r.destination_subnets)
      if (s.contains(*destination)) return r.route;
  }
  return fallback;
}

const Cluster* Snapshot::find_cluster(std::string_view name) const {
  for (const Cluster& c : clusters)
    if (c.name == name) return &c;
  return nullptr;
}

namespace detail {

std::string cluster_key(std::string_view host, uint32_t port, std::string_view subset) {
  return fmt::format("{}|{}|{}", host, port, subset);
}

std::string cluster_name(std::string_view host, uint32_t port, std::string_view subset) {
  return fmt::format("outbound|{}|{}|{}", port, subset, host);
}

bool labels_select(const config::Labels& selector, const config::Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

bool is_http_protocol(std::string_view p) {
  // Empty = unset (Istio sniffs); treated as HTTP so a plain SE port still gets a default route.
  return p.empty() || p == "HTTP" || p == "HTTP2" || p == "GRPC" || p == "GRPC-WEB";
}

CompileContext::CompileContext(const config::ConfigSet& c, const CompileOptions& o, Snapshot& s)
    : config(c),
      options(o),
      snap(s),
      destination_rules(c.destination_rules, o.proxy_namespace, o.proxy_labels, o.root_namespace) {}

const ServiceInfo* CompileContext::find_service(std::string_view host) const {
  if (auto it = services.find(std::string(host)); it != services.end()) return &it->second;
  const ServiceInfo* best = nullptr;
  for (const auto& w : wildcard_services)
    if (config::host_covers(w.host, host) && (!best || w.host.size() > best->host.size())) best = &w;
  return best;
}

uint32_t CompileContext::add_cluster(Cluster c) {
  c.id = static_cast<uint32_t>(snap.clusters.size());
  cluster_ids.emplace(cluster_key(c.host, c.port, c.subset), c.id);
  snap.clusters.push_back(std::move(c));
  return snap.clusters.back().id;
}

uint32_t CompileContext::resolve_cluster(const std::string& host, const std::optional<config::PortSelector>& port,
                                         const std::string& subset, uint32_t context_port, uint32_t* resolved_port) {
  const ServiceInfo* svc = find_service(host);
  uint32_t p = port ? port->number : 0;
  std::string reason;
  if (!svc) {
    reason = fmt::format("host \"{}\" is not a known service (no ServiceEntry or Service visible in namespace {})",
                         host, options.proxy_namespace);
  } else {
    const auto& ports = svc->entry->ports;
    auto has_port = [&](uint32_t n) {
      return std::any_of(ports.begin(), ports.end(), [&](const config::ServicePort& sp) { return sp.number == n; });
    };
    if (port) {
      if (!has_port(p)) reason = fmt::format("port {} is not defined by service \"{}\"", p, svc->host);
    } else if (ports.size() == 1) {
      p = ports.front().number;
    } else if (context_port && has_port(context_port)) {
      p = context_port;
    } else {
      reason =
          fmt::format("IST0112 service \"{}\" has {} ports and the destination names none", svc->host, ports.size());
    }
    if (reason.empty() && !subset.empty()) {
      const auto* dr = destination_rules.find(svc->host, svc->namespace_);
      if (!dr || !dr->subset(subset))
        reason =
            fmt::format("IST0101 subset \"{}\" of host \"{}\" is not defined by any DestinationRule", subset, host);
    }
  }
  if (resolved_port) *resolved_port = reason.empty() ? p : (port ? p : 0);
  std::string key = cluster_key(svc ? svc->host : host, p, subset);
  if (auto it = cluster_ids.find(key); it != cluster_ids.end()) return it->second;
  Cluster c;
  c.host = svc && reason.empty() ? svc->host : host;
  c.port = p;
  c.subset = subset;
  c.name = cluster_name(c.host, p, subset);
  c.discovery = Discovery::kMissing;
  c.missing_reason = reason.empty() ? "cluster was not built" : reason;
  return add_cluster(std::move(c));
}

void CompileContext::warn(const std::string& kind, const std::string& object, const config::Source& src,
                          const std::string& path, const std::string& message) {
  config::Diagnostic d;
  d.severity = config::Severity::kWarning;
  d.file = src.file;
  d.line = path.empty() ? src.line : src.line_of(path);
  d.kind = kind;
  d.object = object;
  d.path = path;
  d.message = message;
  if (!warned.insert(d.to_string()).second) return;
  snap.diagnostics.add(std::move(d));
}

}  // namespace detail

std::shared_ptr<const Snapshot> compile(std::shared_ptr<const config::ConfigSet> config,
                                        const CompileOptions& options) {
  auto snap = std::make_shared<Snapshot>();
  snap->version = options.version;
  snap->options = options;
  snap->config = config;
  snap->content_hash = hash_config(*config);

  detail::CompileContext ctx(*config, options, *snap);
  for (const auto& vs : config->virtual_services) ctx.virtual_services.push_back(&vs);
  std::stable_sort(ctx.virtual_services.begin(), ctx.virtual_services.end(),
                   [](const auto* a, const auto* b) { return a->source.index < b->source.index; });
  for (const auto* vs : ctx.virtual_services)
    snap->virtual_services.push_back(
        {vs->meta.name, vs->meta.namespace_, vs->source.file, vs->source.line, vs->source.index});

  detail::build_services(ctx);
  detail::build_clusters(ctx);
  detail::warn_locality_without_proxy_locality(ctx);
  detail::build_gateway_listeners(ctx);
  detail::build_l4_listeners(ctx);
  detail::build_mesh(ctx);
  detail::build_mesh_tcp(ctx);
  return snap;
}

std::shared_ptr<const Snapshot> compile(const config::ConfigSet& config, const CompileOptions& options) {
  return compile(std::make_shared<const config::ConfigSet>(config), options);
}

}  // namespace sy::snapshot
