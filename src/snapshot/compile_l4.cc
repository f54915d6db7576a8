// Pass 3b: Gateway TCP servers and TLS PASSTHROUGH servers -> L4 listeners (one per bind+port),
// each with the tcp[] or tls[] rules of the VirtualServices bound to its gateways, in merge order
// (file path, then position), as Envoy's filter chains would take them. A rule's match applies
// when its `port` (if set) is the server's port and its `gateways` (if set) name the gateway.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "config/hostname.h"
#include "snapshot/compile_context.h"

namespace sy::snapshot::detail {
namespace {

bool applies(const std::optional<uint32_t>& port, const std::vector<std::string>& gateways, uint32_t server_port,
             const std::string& gateway_ref, const std::string& vs_ns) {
  if (port && *port != server_port) return false;
  if (gateways.empty()) return true;
  return std::any_of(gateways.begin(), gateways.end(),
                     [&](const std::string& g) { return config::resolve_gateway_ref(g, vs_ns) == gateway_ref; });
}

}  // namespace

L4Route make_l4_route(CompileContext& ctx, const config::VirtualService& vs,
                      const std::vector<config::RouteDestination>& route, const std::string& name,
                      const std::string& path, uint32_t context_port) {
  L4Route r;
  r.name = name;
  std::vector<std::optional<int32_t>> weights;
  for (size_t i = 0; i < route.size(); ++i) {
    const config::RouteDestination& d = route[i];
    const std::string host = config::resolve_short_name(d.destination.host, vs.meta.namespace_);
    const uint32_t cluster = ctx.resolve_cluster(host, d.destination.port, d.destination.subset, context_port);
    if (const Cluster& c = ctx.snap.clusters[cluster]; c.missing())
      ctx.warn("VirtualService", vs.meta.namespace_ + "/" + vs.meta.name, vs.source,
               fmt::format("{}.route[{}].destination", path, i),
               fmt::format("{} (connections are closed)", c.missing_reason));
    else if (c.tls)
      ctx.warn("VirtualService", vs.meta.namespace_ + "/" + vs.meta.name, vs.source,
               fmt::format("{}.route[{}].destination", path, i),
               "its DestinationRule originates TLS, which L4 routes do not do yet: connections to it are closed");
    r.clusters.push_back(cluster);
    weights.push_back(d.weight);
  }
  r.split = split::WeightedChoice::build(weights);
  return r;
}

namespace {

// Match conditions L4 routes do not evaluate yet: said (FILE:LINE), never silently ignored.
template <class Match>
void warn_unenforced(CompileContext& ctx, const config::VirtualService& vs, const std::string& path, const Match& m) {
  std::vector<std::string> fields;
  if (!m.destination_subnets.empty()) fields.push_back("destinationSubnets");
  if (!m.source_labels.empty()) fields.push_back("sourceLabels");
  if (!m.source_namespace.empty()) fields.push_back("sourceNamespace");
  if constexpr (requires { m.source_subnet; })
    if (!m.source_subnet.empty()) fields.push_back("sourceSubnet");
  for (const auto& f : fields)
    ctx.warn("VirtualService", vs.meta.namespace_ + "/" + vs.meta.name, vs.source, path + "." + f,
             "not evaluated on L4 routes yet: this match applies as if it were unset");
}

void add_rules(CompileContext& ctx, L4Listener& l, const std::string& gateway_ref) {
  for (const config::VirtualService* vs : ctx.virtual_services) {
    if (!vs_binds_to(*vs, gateway_ref)) continue;
    if (!policy::exported_to(vs->export_to, vs->meta.namespace_, gateway_ref.substr(0, gateway_ref.find('/'))))
      continue;
    const std::string object = vs->meta.namespace_ + "/" + vs->meta.name;
    if (l.passthrough) {
      for (size_t i = 0; i < vs->tls.size(); ++i) {
        const config::TLSRoute& rule = vs->tls[i];
        for (size_t mi = 0; mi < rule.match.size(); ++mi) {
          const auto& m = rule.match[mi];
          if (!applies(m.port, m.gateways, l.port, gateway_ref, vs->meta.namespace_)) continue;
          warn_unenforced(ctx, *vs, fmt::format("spec.tls[{}].match[{}]", i, mi), m);
          L4Route r = make_l4_route(ctx, *vs, rule.route, fmt::format("{} tls[{}]", object, i),
                                    fmt::format("spec.tls[{}]", i), 0);
          r.sni_hosts = m.sni_hosts;
          l.routes.push_back(std::move(r));
        }
      }
      continue;
    }
    for (size_t i = 0; i < vs->tcp.size(); ++i) {
      const config::TCPRoute& rule = vs->tcp[i];
      const bool any = rule.match.empty() || std::any_of(rule.match.begin(), rule.match.end(), [&](const auto& m) {
                         return applies(m.port, m.gateways, l.port, gateway_ref, vs->meta.namespace_);
                       });
      if (!any) continue;
      for (size_t mi = 0; mi < rule.match.size(); ++mi)
        warn_unenforced(ctx, *vs, fmt::format("spec.tcp[{}].match[{}]", i, mi), rule.match[mi]);
      l.routes.push_back(make_l4_route(ctx, *vs, rule.route, fmt::format("{} tcp[{}]", object, i),
                                       fmt::format("spec.tcp[{}]", i), 0));
    }
  }
}

}  // namespace

void build_l4_listeners(CompileContext& ctx) {
  std::map<std::pair<uint32_t, std::string>, L4Listener> by_key;
  std::set<std::pair<std::pair<uint32_t, std::string>, std::string>> gateways_added;  // (listener, gateway)
  std::vector<const config::Gateway*> gateways;
  for (const auto& g : ctx.config.gateways) gateways.push_back(&g);
  std::stable_sort(gateways.begin(), gateways.end(),
                   [](const auto* a, const auto* b) { return a->source.index < b->source.index; });
  for (const config::Gateway* g : gateways) {
    if (!gateway_applies(*g, ctx.options)) continue;
    const std::string ref = g->meta.namespace_ + "/" + g->meta.name;
    for (size_t i = 0; i < g->servers.size(); ++i) {
      const config::Server& s = g->servers[i];
      if (!is_l4_server(s)) continue;
      const bool passthrough = s.port.protocol != "TCP";
      auto [it, inserted] = by_key.try_emplace({s.port.number, s.bind});
      L4Listener& l = it->second;
      if (inserted) {
        l.bind = s.bind;
        l.port = s.port.number;
        l.passthrough = passthrough;
      } else if (l.passthrough != passthrough) {
        ctx.warn("Gateway", ref, g->source, fmt::format("spec.servers[{}].port", i),
                 fmt::format("port {} already serves {}; this server is skipped", s.port.number,
                             l.passthrough ? "TLS passthrough" : "TCP"));
        continue;
      }
      if (gateways_added.insert({it->first, ref}).second) add_rules(ctx, l, ref);
    }
  }
  for (auto& [key, l] : by_key) ctx.snap.l4.push_back(std::move(l));
}

}  // namespace sy::snapshot::detail
