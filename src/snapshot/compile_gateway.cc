// Pass 3: Gateway servers -> listeners (one per bind+port) -> virtual hosts. A VS attaches to a
// server when it names the gateway, lives in a namespace the server host allows and is exported
// to the gateway's namespace; each (server host, VS host) pair that intersects gives the more
// specific of the two as a domain. VSs sharing a domain merge in the order documented in compile.h.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "config/hostname.h"
#include "snapshot/compile_context.h"
#include "snapshot/server_certificates.h"

namespace sy::snapshot::detail {
namespace {

bool routes_http(const config::Server& s, bool* tls_terminated) {
  const std::string& p = s.port.protocol;
  *tls_terminated = false;
  if (p == "HTTP" || p == "HTTP2" || p == "GRPC" || p == "GRPC-WEB") return true;
  if (p == "HTTPS" && s.tls) {
    using M = config::ServerTLSSettings::Mode;
    M m = s.tls->mode;
    *tls_terminated = m == M::kSimple || m == M::kMutual || m == M::kOptionalMutual || m == M::kIstioMutual;
    return *tls_terminated;
  }
  return false;
}

// Adds a terminating server's certificates to its listener's SNI table. A server whose
// certificates cannot be had stays closed (its hosts' handshakes are refused) with a warning;
// the listener and its other servers keep serving.
void add_tls_server(CompileContext& ctx, Listener& l, const config::Gateway& g, const config::Server& s,
                    const std::string& path) {
  if (!l.tls) l.tls = std::make_shared<tls::ServerTls>();
  ResolvedServerTls resolved =
      resolve_server_tls(*s.tls, g.source.file, ctx.config, ctx.options.proxy_namespace, ctx.options.workload);
  std::vector<std::string> hosts;
  for (const auto& h : s.hosts) hosts.push_back(h.substr(h.find('/') + 1));  // "ns/host" -> "host"
  std::string error = resolved.error;
  if (error.empty()) error = l.tls->add_server(hosts, resolved.settings);
  // The certificate bytes count as config: a rotated file or Secret makes a new snapshot.
  for (const auto& [cert, key] : resolved.settings.key_pairs) ctx.snap.content_hash ^= std::hash<std::string>{}(cert);
  ctx.snap.content_hash ^= std::hash<std::string>{}(resolved.settings.client_ca_pem) * 31;
  if (!error.empty())
    ctx.warn("Gateway", g.meta.namespace_ + "/" + g.meta.name, g.source, path + ".tls",
             fmt::format("port {}: this server stays closed (TLS handshakes for its hosts are refused): {}",
                         s.port.number, error));
}

// Server host namespace part: "*" any, "." the gateway's namespace, else a namespace name.
bool namespace_allowed(const std::string& server_ns, const std::string& gateway_ns, const std::string& vs_ns) {
  return server_ns == "*" || (server_ns == "." && vs_ns == gateway_ns) || server_ns == vs_ns;
}

// A domain being assembled: which VSs (by load index) and gateways feed it.
struct DomainBuild {
  std::vector<uint32_t> vs;  // indices into ctx.virtual_services, kept sorted and unique
  std::vector<std::string> gateways;
  bool https_redirect = false;
};

void build_virtual_hosts(CompileContext& ctx, Listener& l,
                         const std::vector<const config::Gateway*>& gateways_of_server) {
  std::vector<std::string> order;  // domains in discovery order, for deterministic output
  std::map<std::string, DomainBuild> domains;
  auto touch = [&](const std::string& d) -> DomainBuild& {
    auto [it, inserted] = domains.try_emplace(d);
    if (inserted) order.push_back(d);
    return it->second;
  };
  for (size_t si = 0; si < l.servers.size(); ++si) {
    const GatewayServer& gs = l.servers[si];
    const config::Gateway& g = *gateways_of_server[si];
    const std::string& gw_ns = g.meta.namespace_;
    for (uint32_t vi = 0; vi < ctx.virtual_services.size(); ++vi) {
      const config::VirtualService& vs = *ctx.virtual_services[vi];
      if (!vs_binds_to(vs, gs.gateway)) continue;
      if (!policy::exported_to(vs.export_to, vs.meta.namespace_, gw_ns)) continue;
      for (const std::string& raw : gs.hosts) {
        config::ServerHost sh = config::split_server_host(raw);
        if (!namespace_allowed(sh.ns, gw_ns, vs.meta.namespace_)) continue;
        for (const std::string& vh : vs.hosts) {
          std::string h = config::resolve_short_name(vh, vs.meta.namespace_);
          if (!config::hosts_intersect(sh.host, h)) continue;
          DomainBuild& d = touch(config::more_specific_host(sh.host, h));
          if (std::find(d.vs.begin(), d.vs.end(), vi) == d.vs.end()) d.vs.push_back(vi);
          if (std::find(d.gateways.begin(), d.gateways.end(), gs.gateway) == d.gateways.end())
            d.gateways.push_back(gs.gateway);
          d.https_redirect = d.https_redirect || gs.https_redirect;
        }
      }
    }
    // httpsRedirect answers every request of the server's hosts, with or without a VS.
    if (gs.https_redirect)
      for (const std::string& raw : gs.hosts) touch(config::split_server_host(raw).host).https_redirect = true;
  }
  for (const std::string& name : order) {
    DomainBuild& d = domains[name];
    std::sort(d.vs.begin(), d.vs.end());  // load order (file path, then position in file)
    VirtualHost vh;
    vh.name = name;
    vh.domains = {name};
    vh.https_redirect = d.https_redirect;
    route::BuildScope scope{l.port, &d.gateways, &ctx.options.proxy_labels, ctx.options.proxy_namespace};
    for (uint32_t vi : d.vs) {
      vh.virtual_services.push_back(vi);
      append_vs_routes(ctx, vi, scope, 0, vh);
    }
    move_catch_alls_last(vh);
    vh.routes.shrink_to_fit();  // a route entry is ~1 KiB; a 10,000-host table kept ~1 spare each
    l.hosts.add(name, static_cast<uint32_t>(l.virtual_hosts.size()));
    l.virtual_hosts.push_back(std::move(vh));
  }
}

}  // namespace

bool gateway_applies(const config::Gateway& g, const CompileOptions& o) {
  return o.proxy_labels.empty() || labels_select(g.selector, o.proxy_labels);
}

bool vs_binds_to(const config::VirtualService& vs, const std::string& gateway_ref) {
  return std::any_of(vs.gateways.begin(), vs.gateways.end(), [&](const std::string& g) {
    return config::resolve_gateway_ref(g, vs.meta.namespace_) == gateway_ref;
  });
}

bool is_l4_server(const config::Server& s) {
  using M = config::ServerTLSSettings::Mode;
  const std::string& p = s.port.protocol;
  if (p == "TCP") return true;
  return (p == "TLS" || p == "HTTPS") && s.tls && s.tls->mode == M::kPassthrough;
}

void build_gateway_listeners(CompileContext& ctx) {
  std::vector<const config::Gateway*> gateways;
  for (const auto& g : ctx.config.gateways) gateways.push_back(&g);
  std::stable_sort(gateways.begin(), gateways.end(),
                   [](const auto* a, const auto* b) { return a->source.index < b->source.index; });

  std::map<std::pair<uint32_t, std::string>, size_t> by_key;  // (port, bind) -> listener
  std::vector<Listener> listeners;
  std::vector<std::vector<const config::Gateway*>> server_gateways;  // parallel to listeners[i].servers
  for (const config::Gateway* g : gateways) {
    if (!gateway_applies(*g, ctx.options)) continue;
    const std::string ref = g->meta.namespace_ + "/" + g->meta.name;
    for (size_t i = 0; i < g->servers.size(); ++i) {
      const config::Server& s = g->servers[i];
      const std::string path = fmt::format("spec.servers[{}]", i);
      bool terminated = false;
      if (is_l4_server(s)) continue;  // build_l4_listeners
      if (!routes_http(s, &terminated)) {
        ctx.warn("Gateway", ref, g->source, path + ".port.protocol",
                 fmt::format("{} server on port {} is not routed by HTTP rules yet; skipped", s.port.protocol,
                             s.port.number));
        continue;
      }
      auto [it, inserted] = by_key.try_emplace({s.port.number, s.bind}, listeners.size());
      if (inserted) {
        Listener l;
        l.bind = s.bind;
        l.port = s.port.number;
        l.protocol = terminated ? "HTTPS" : "HTTP";
        listeners.push_back(std::move(l));
        server_gateways.emplace_back();
      }
      Listener& l = listeners[it->second];
      if ((l.protocol == "HTTPS") != terminated) {
        ctx.warn("Gateway", ref, g->source, path + ".port",
                 fmt::format("port {} already serves {}; this {} server is skipped", s.port.number, l.protocol,
                             s.port.protocol));
        continue;
      }
      GatewayServer gs;
      gs.gateway = ref;
      gs.server_index = static_cast<uint32_t>(i);
      gs.name = s.name;
      gs.port_name = s.port.name;
      gs.protocol = s.port.protocol;
      gs.hosts = s.hosts;
      gs.https_redirect = s.tls && s.tls->https_redirect && !terminated;
      gs.tls_terminated = terminated;
      gs.file = g->source.file;
      gs.line = g->source.line_of(path);
      l.servers.push_back(std::move(gs));
      server_gateways[it->second].push_back(g);
      if (terminated) add_tls_server(ctx, l, *g, s, path);
    }
  }
  for (size_t i = 0; i < listeners.size(); ++i) build_virtual_hosts(ctx, listeners[i], server_gateways[i]);
  std::vector<size_t> idx(listeners.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
    return std::tie(listeners[a].port, listeners[a].bind) < std::tie(listeners[b].port, listeners[b].bind);
  });
  for (size_t i : idx) {
    listeners[i].virtual_hosts.shrink_to_fit();
    ctx.snap.listeners.push_back(std::move(listeners[i]));
  }
}

}  // namespace sy::snapshot::detail
