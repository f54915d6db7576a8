// Pass 5: the services' TCP ports on the mesh listener, as istiod builds a sidecar's outbound TCP
// listeners (pilot networking/core listener.go, buildSidecarOutboundTCPFilterChainOpts): for each
// service port of a TCP-carried protocol, the tcp[] rules of the mesh VirtualServices whose hosts
// cover the service, in merge order, up to the first rule that takes every destination; a
// connection no rule takes goes to the service's own cluster. What istiod decides when it builds
// the listener is decided here (match port, gateways, sourceLabels and sourceNamespace against
// this proxy); destinationSubnets wait for the connection's original destination.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "config/hostname.h"
#include "snapshot/compile_context.h"

namespace sy::snapshot::detail {
namespace {

// Protocols a sidecar carries below HTTP (Istio's IsTCP()): TCP, TLS and HTTPS (opaque when no
// tls[] rule takes them, and switchyard routes no tls[] rule on the mesh), MONGO, REDIS, MYSQL.
bool is_mesh_tcp_protocol(std::string_view p) {
  return p == "TCP" || p == "TLS" || p == "HTTPS" || p == "MONGO" || p == "REDIS" || p == "MYSQL";
}

std::vector<route::IpPrefix> parse_prefixes(const std::vector<std::string>& texts) {
  std::vector<route::IpPrefix> out;
  for (const std::string& t : texts)
    if (auto p = route::IpPrefix::parse(t)) out.push_back(*p);  // validation refused the others
  return out;
}

// Whether a tcp[] match block exists on this proxy's mesh listener for `port` (Istio's matchTCP):
// its port, its own gateways (must name mesh), sourceLabels (a subset of this proxy's labels) and
// sourceNamespace (this proxy's namespace). These describe the client, which is this sidecar.
bool block_applies(const config::L4MatchAttributes& m, uint32_t port, const CompileOptions& o) {
  if (m.port && *m.port != port) return false;
  if (!m.gateways.empty() && std::find(m.gateways.begin(), m.gateways.end(), "mesh") == m.gateways.end()) return false;
  if (!labels_select(m.source_labels, o.proxy_labels)) return false;
  return m.source_namespace.empty() || m.source_namespace == o.proxy_namespace;
}

bool vs_covers(const config::VirtualService& vs, const std::string& host) {
  return std::any_of(vs.hosts.begin(), vs.hosts.end(), [&](const std::string& h) {
    const std::string resolved = config::resolve_short_name(h, vs.meta.namespace_);
    return resolved == host || (config::is_wildcard(resolved) && config::host_covers(resolved, host));
  });
}

struct ServiceRef {
  const ServiceInfo* info = nullptr;
  size_t port_index = 0;
  std::string kind() const { return info->kube ? "Service" : "ServiceEntry"; }
  std::string object() const { return info->entry->meta.namespace_ + "/" + info->entry->meta.name; }
  const config::Source& source() const { return info->entry->source; }
  std::string path() const { return fmt::format("spec.ports[{}]", port_index); }
};

// The rules of one VirtualService for one service port, appended to `out`. True when one of them
// takes every destination: later rules (and VirtualServices) are never reached, as in istiod.
bool add_vs_rules(CompileContext& ctx, const config::VirtualService& vs, uint32_t port, MeshTcpService& out) {
  const std::string object = vs.meta.namespace_ + "/" + vs.meta.name;
  for (size_t i = 0; i < vs.tcp.size(); ++i) {
    const config::TCPRoute& rule = vs.tcp[i];
    MeshTcpRule r;
    bool terminal = rule.match.empty();
    for (size_t mi = 0; mi < rule.match.size() && !terminal; ++mi) {
      const config::L4MatchAttributes& m = rule.match[mi];
      if (!m.source_subnet.empty())
        ctx.warn("VirtualService", object, vs.source, fmt::format("spec.tcp[{}].match[{}].sourceSubnet", i, mi),
                 "not evaluated on L4 routes yet: this match applies as if it were unset");
      if (!block_applies(m, port, ctx.options)) continue;
      if (m.destination_subnets.empty()) {
        terminal = true;  // this block takes every destination
        r.destination_subnets.clear();
      } else {
        for (auto& p : parse_prefixes(m.destination_subnets)) r.destination_subnets.push_back(p);
      }
    }
    if (!terminal && r.destination_subnets.empty()) continue;  // no block of this rule applies here
    r.route = make_l4_route(ctx, vs, rule.route, fmt::format("{} tcp[{}]", object, i),
                            fmt::format("spec.tcp[{}]", i), port);
    out.rules.push_back(std::move(r));
    if (terminal) return true;
  }
  return false;
}

MeshTcpService build_service(CompileContext& ctx, const ServiceRef& ref, std::set<uint32_t>& used_vs) {
  const config::ServicePort& sp = ref.info->entry->ports[ref.port_index];
  MeshTcpService s;
  s.host = ref.info->host;
  s.port = sp.number;
  s.addresses = parse_prefixes(ref.info->entry->addresses);
  for (uint32_t vi = 0; vi < ctx.virtual_services.size(); ++vi) {
    const config::VirtualService& vs = *ctx.virtual_services[vi];
    if (vs.tcp.empty() || !vs_bound_to_mesh(vs) || !vs_covers(vs, s.host) ||
        !policy::exported_to(vs.export_to, vs.meta.namespace_, ctx.options.proxy_namespace))
      continue;
    used_vs.insert(vi);
    if (add_vs_rules(ctx, vs, s.port, s)) break;
  }
  s.fallback.name = "default";
  s.fallback.clusters = {ctx.resolve_cluster(s.host, config::PortSelector{s.port}, "", s.port)};
  s.fallback.split = split::WeightedChoice::build({std::nullopt});
  const Cluster& c = ctx.snap.clusters[s.fallback.clusters.front()];
  if (c.tls && !c.missing())
    ctx.warn(ref.kind(), ref.object(), ref.source(), ref.path(),
             fmt::format("TCP port {} on the mesh listener: DestinationRule {} originates TLS to it, which L4 routes do "
                         "not do yet; connections to it are closed",
                         s.port, c.destination_rule));
  return s;
}

// Which service takes a port's connections by port alone: the first without addresses, unless
// an HTTP service has the port (then connections to it are HTTP). Said at each one left out.
void decide_by_port(CompileContext& ctx, std::vector<std::pair<ServiceRef, MeshTcpService>>& built) {
  std::map<uint32_t, std::string> taken;  // port -> host that has it
  for (auto& [ref, s] : built) {
    if (!s.addresses.empty()) continue;  // reached at its addresses (Istio's VIP:PORT listener)
    if (ctx.snap.find_mesh(s.port) != nullptr) {
      ctx.warn(ref.kind(), ref.object(), ref.source(), ref.path(),
               fmt::format("TCP port {} is also an HTTP port on the mesh listener: connections to it are routed as "
                           "HTTP, so this service's TCP traffic is not; give the service `addresses` to route it "
                           "by address",
                           s.port));
      continue;
    }
    auto [it, inserted] = taken.emplace(s.port, s.host);
    if (inserted) {
      s.by_port = true;
      continue;
    }
    ctx.warn(ref.kind(), ref.object(), ref.source(), ref.path(),
             fmt::format("TCP port {} on the mesh listener already goes to {} (neither has addresses); this service "
                         "is not reached on it",
                         s.port, it->second));
  }
}

}  // namespace

void build_mesh_tcp(CompileContext& ctx) {
  // Exact hosts in load order, then wildcard ones (`*.example.com`: found by port or address
  // only, their cluster forwarding as their resolution says, usually to the original destination).
  std::vector<const ServiceInfo*> services;
  for (const std::string& host : ctx.service_order) services.push_back(&ctx.services.at(host));
  for (const ServiceInfo& w : ctx.wildcard_services) services.push_back(&w);
  std::vector<std::pair<ServiceRef, MeshTcpService>> built;
  std::set<uint32_t> used_vs;
  for (const ServiceInfo* service : services) {
    const ServiceInfo& info = *service;
    for (size_t pi = 0; pi < info.entry->ports.size(); ++pi) {
      if (!is_mesh_tcp_protocol(info.entry->ports[pi].protocol)) continue;
      ServiceRef ref{&info, pi};
      built.emplace_back(ref, build_service(ctx, ref, used_vs));
    }
  }
  decide_by_port(ctx, built);
  for (auto& [ref, s] : built) ctx.snap.mesh_tcp.push_back(std::move(s));
  std::stable_sort(ctx.snap.mesh_tcp.begin(), ctx.snap.mesh_tcp.end(),
                   [](const MeshTcpService& a, const MeshTcpService& b) { return a.port < b.port; });

  // tcp[] rules the mesh listener never uses: said, not dropped quietly.
  for (uint32_t vi = 0; vi < ctx.virtual_services.size(); ++vi) {
    const config::VirtualService& vs = *ctx.virtual_services[vi];
    if (vs.tcp.empty() || used_vs.count(vi) || !vs_bound_to_mesh(vs) ||
        !policy::exported_to(vs.export_to, vs.meta.namespace_, ctx.options.proxy_namespace))
      continue;
    ctx.warn("VirtualService", vs.meta.namespace_ + "/" + vs.meta.name, vs.source, "spec.tcp",
             "on the mesh listener tcp[] rules route connections to the TCP ports of the services named in hosts; "
             "no host here is a service with a TCP port, so they are not used there");
  }
}

}  // namespace sy::snapshot::detail
