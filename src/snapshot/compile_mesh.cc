// Pass 4: the mesh tables, one per port, as a sidecar's outbound route configs are. Each holds
// the hosts of VirtualServices bound to `mesh` and, for every known service without one,
// Istio's default route (all endpoints, DR top-level policy, default retries, no timeout).
// Short request hosts work through aliases added the way Istio names sidecar domains:
// `name.ns`, `name.ns.svc`, and bare `name` for services in the proxy's own namespace.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "config/hostname.h"
#include "snapshot/compile_context.h"

namespace sy::snapshot::detail {
bool vs_bound_to_mesh(const config::VirtualService& vs) {
  return vs.gateways.empty() || std::find(vs.gateways.begin(), vs.gateways.end(), "mesh") != vs.gateways.end();
}

namespace {

std::vector<uint32_t> http_ports(const ServiceInfo& s) {
  std::vector<uint32_t> out;
  for (const auto& p : s.entry->ports)
    if (is_http_protocol(p.protocol)) out.push_back(p.number);
  return out;
}

// Aliases of an FQDN `name.ns.svc.cluster.local` as a client in `proxy_ns` may write it.
std::vector<std::string> aliases_of(const std::string& host, const std::string& proxy_ns) {
  std::string suffix = fmt::format(".svc.{}", config::kDefaultDomainSuffix);
  if (host.size() <= suffix.size() || !host.ends_with(suffix)) return {};
  std::string_view stem(host.data(), host.size() - suffix.size());  // "name.ns"
  size_t dot = stem.find('.');
  if (dot == std::string_view::npos || stem.find('.', dot + 1) != std::string_view::npos) return {};
  std::vector<std::string> out = {std::string(stem), std::string(stem) + ".svc"};
  if (stem.substr(dot + 1) == proxy_ns) out.emplace_back(stem.substr(0, dot));
  return out;
}

struct MeshBuild {
  std::vector<std::string> order;            // domains in insertion order
  std::map<std::string, VirtualHost> hosts;  // domain -> vhost
};

}  // namespace

void build_mesh(CompileContext& ctx) {
  const std::vector<std::string> mesh_ref = {"mesh"};
  std::map<uint32_t, MeshBuild> tables;
  std::vector<std::string> wildcard_vs_hosts;  // wildcard mesh VS hosts (they shadow default routes)

  for (uint32_t vi = 0; vi < ctx.virtual_services.size(); ++vi) {
    const config::VirtualService& vs = *ctx.virtual_services[vi];
    if (!vs_bound_to_mesh(vs) || !policy::exported_to(vs.export_to, vs.meta.namespace_, ctx.options.proxy_namespace))
      continue;
    const std::string object = vs.meta.namespace_ + "/" + vs.meta.name;
    // tcp[] rules are compiled by build_mesh_tcp; tls[] rules are not routed on the mesh listener
    // yet: said, never dropped quietly.
    if (!vs.tls.empty())
      ctx.warn("VirtualService", object, vs.source, "spec.tls",
               "tls[] rules are routed on Gateway TLS passthrough servers only; on the mesh listener they are ignored "
               "(a TLS or HTTPS service port there is forwarded as opaque TCP: by tcp[] rules, else to the service)");
    for (size_t hi = 0; hi < vs.hosts.size(); ++hi) {
      std::string h = config::resolve_short_name(vs.hosts[hi], vs.meta.namespace_);
      std::set<uint32_t> ports;
      if (config::is_wildcard(h)) {
        wildcard_vs_hosts.push_back(h);
        for (const auto& [name, svc] : ctx.services)
          if (config::host_covers(h, name))
            for (uint32_t p : http_ports(svc)) ports.insert(p);
      } else if (const ServiceInfo* svc = ctx.find_service(h)) {
        for (uint32_t p : http_ports(*svc)) ports.insert(p);
      }
      if (ports.empty()) ports.insert(80);  // a host with no service: plain HTTP port
      for (uint32_t port : ports) {
        MeshBuild& t = tables[port];
        auto [it, inserted] = t.hosts.try_emplace(h);
        if (!inserted) {
          ctx.warn("VirtualService", object, vs.source, fmt::format("spec.hosts[{}]", hi),
                   fmt::format("IST0109 host \"{}\" is already defined by mesh VirtualService {}; ignored here", h,
                               ctx.snap.virtual_services[it->second.virtual_services.front()].name));
          continue;
        }
        t.order.push_back(h);
        VirtualHost& vh = it->second;
        vh.name = fmt::format("{}:{}", h, port);
        vh.domains = {h};
        vh.virtual_services = {vi};
        route::BuildScope scope{port, &mesh_ref, &ctx.options.proxy_labels, ctx.options.proxy_namespace};
        append_vs_routes(ctx, vi, scope, port, vh);
      }
    }
  }

  // Istio's default route for known services without a VirtualService.
  for (const std::string& host : ctx.service_order) {
    const ServiceInfo& svc = ctx.services.at(host);
    bool shadowed = std::any_of(wildcard_vs_hosts.begin(), wildcard_vs_hosts.end(),
                                [&](const std::string& w) { return config::host_covers(w, host); });
    if (shadowed) continue;
    for (uint32_t port : http_ports(svc)) {
      MeshBuild& t = tables[port];
      auto [it, inserted] = t.hosts.try_emplace(host);
      if (!inserted) continue;
      t.order.push_back(host);
      VirtualHost& vh = it->second;
      vh.name = fmt::format("{}:{}", host, port);
      vh.domains = {host};
      RouteEntry e;
      e.name = "default";
      e.catch_all = true;
      e.virtual_service = kNoVirtualService;
      RouteDestination d;
      d.destination.host = host;
      d.host = host;
      d.port = port;
      d.cluster = ctx.resolve_cluster(host, config::PortSelector{port}, "", port);
      e.action.destinations.push_back(std::move(d));
      e.action.split = split::WeightedChoice::build({std::nullopt});
      vh.routes.push_back(std::move(e));
    }
  }

  for (auto& [port, t] : tables) {
    Listener l;
    l.mesh = true;
    l.port = port;
    l.protocol = "HTTP";
    l.virtual_hosts.reserve(t.order.size());
    for (const std::string& d : t.order) {
      l.hosts.add(d, static_cast<uint32_t>(l.virtual_hosts.size()));
      l.virtual_hosts.push_back(std::move(t.hosts[d]));
      l.virtual_hosts.back().routes.shrink_to_fit();
    }
    // Aliases last, so a real host always wins over another service's short alias.
    for (uint32_t i = 0; i < l.virtual_hosts.size(); ++i) {
      VirtualHost& vh = l.virtual_hosts[i];
      for (std::string& alias : aliases_of(vh.domains.front(), ctx.options.proxy_namespace))
        if (l.hosts.add(alias, i)) vh.domains.push_back(std::move(alias));
    }
    ctx.snap.mesh.push_back(std::move(l));
  }
}

}  // namespace sy::snapshot::detail
