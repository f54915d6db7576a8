// Passes 1-2: the service registry (ServiceEntry hosts and Kubernetes Services visible to this
// proxy, see config/kube_registry.h) and one cluster
// per (host, port) plus one per (host, port, DR subset), with endpoints and merged policy.
#include <fmt/format.h>

#include "config/hostname.h"
#include "snapshot/compile_context.h"

namespace sy::snapshot::detail {

namespace {

// Kubernetes Services first: Istio keeps a Service's host when a ServiceEntry names it too
// (pilot/pkg/model push_context.go initServiceRegistry), so a ServiceEntry never takes it over.
void add_kube_services(CompileContext& ctx) {
  ctx.kube_registry = config::kube_registry(ctx.config);
  for (const config::KubeRegistryEntry& k : ctx.kube_registry) {
    const config::ServiceEntry& se = k.entry;
    if (!policy::exported_to(se.export_to, se.meta.namespace_, ctx.options.proxy_namespace)) continue;
    const std::string& host = se.hosts.front();
    ServiceInfo info{host, se.meta.namespace_, &se, host, &k};
    if (ctx.services.emplace(host, std::move(info)).second) ctx.service_order.push_back(host);
  }
}

}  // namespace

void build_services(CompileContext& ctx) {
  add_kube_services(ctx);
  std::vector<const config::ServiceEntry*> entries;
  for (const auto& se : ctx.config.service_entries) entries.push_back(&se);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto* a, const auto* b) { return a->source.index < b->source.index; });
  for (const config::ServiceEntry* se : entries) {
    const std::string& ns = se->meta.namespace_;
    std::string object = ns + "/" + se->meta.name;
    if (!policy::exported_to(se->export_to, ns, ctx.options.proxy_namespace)) continue;
    for (size_t hi = 0; hi < se->hosts.size(); ++hi) {
      const std::string& h = se->hosts[hi];
      ServiceInfo info{config::resolve_short_name(h, ns), ns, se, config::lower(h)};
      if (config::is_wildcard(info.host)) {
        ctx.wildcard_services.push_back(std::move(info));
        continue;
      }
      std::string host = info.host;
      auto [it, inserted] = ctx.services.emplace(host, std::move(info));
      if (!inserted && it->second.kube) {
        ctx.warn("ServiceEntry", object, se->source, fmt::format("spec.hosts[{}]", hi),
                 config::kube_host_conflict_message(host, *it->second.kube->service));
        continue;
      }
      if (!inserted) {
        ctx.warn(
            "ServiceEntry", object, se->source, "spec.hosts",
            fmt::format("host \"{}\" is already defined by an earlier ServiceEntry; this one is ignored for it", host));
        continue;
      }
      ctx.service_order.push_back(host);
    }
  }
}

std::vector<const config::WorkloadEntrySpec*> workloads_of(const CompileContext& ctx, const config::ServiceEntry& se) {
  std::vector<const config::WorkloadEntrySpec*> out;
  for (const auto& ep : se.endpoints) out.push_back(&ep);
  if (se.workload_selector) {
    for (const auto& we : ctx.config.workload_entries) {
      if (we.meta.namespace_ == se.meta.namespace_ && labels_select(*se.workload_selector, we.spec.labels))
        out.push_back(&we.spec);
    }
  }
  return out;
}

namespace {

Discovery discovery_of(const config::ServiceEntry& se) {
  using R = config::ServiceEntry::Resolution;
  switch (se.resolution) {
    case R::kStatic:
      return Discovery::kStatic;
    case R::kDns:
      return Discovery::kDns;
    case R::kDnsRoundRobin:
      return Discovery::kDnsRoundRobin;
    case R::kDynamicDns:
      return Discovery::kDynamicDns;
    case R::kNone:
      return Discovery::kOriginalDst;
  }
  return Discovery::kStatic;
}

std::vector<Endpoint> endpoints_for(const CompileContext& ctx, const ServiceInfo& svc, const config::ServicePort& port,
                                    Discovery discovery) {
  std::vector<Endpoint> out;
  uint32_t default_port = port.target_port.value_or(port.number);
  if (discovery == Discovery::kOriginalDst || discovery == Discovery::kDynamicDns) return out;
  auto workloads = workloads_of(ctx, *svc.entry);
  for (const config::WorkloadEntrySpec* w : workloads) {
    Endpoint e;
    e.address = w->address;
    auto it = w->ports.find(port.name);
    e.port = it != w->ports.end() ? it->second : default_port;
    e.labels = w->labels;
    e.weight = w->weight && *w->weight > 0 ? *w->weight : 1;
    e.locality = w->locality;
    e.network = w->network;
    out.push_back(std::move(e));
  }
  // DNS without endpoints: the service host itself is the name to resolve.
  if (workloads.empty() && (discovery == Discovery::kDns || discovery == Discovery::kDnsRoundRobin)) {
    Endpoint e;
    e.address = svc.dns_name;  // not the short-name expansion: that is a registry key, not a DNS name
    e.port = default_port;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

namespace {

// A subset that selects by labels cannot be resolved on a Kubernetes Service: its endpoints
// (EndpointSlice addresses or DNS answers) carry no pod labels. The subset's cluster keeps no
// endpoints (503 UH) rather than silently taking all of them; said once per subset.
void warn_unresolvable_subset(CompileContext& ctx, const ServiceInfo& svc, const config::Subset& subset) {
  for (const auto& dr : ctx.config.destination_rules) {
    for (size_t i = 0; i < dr.subsets.size(); ++i) {
      if (&dr.subsets[i] != &subset) continue;
      ctx.warn("DestinationRule", dr.meta.namespace_ + "/" + dr.meta.name, dr.source,
               fmt::format("spec.subsets[{}]", i), config::kube_subset_message(subset, *svc.kube));
    }
  }
}

// resolution NONE (forward to the address the client connected to: Envoy's ORIGINAL_DST) works
// only for connections iptables redirected to a mesh listener; DYNAMIC_DNS (resolve each
// request's host) is not built. Such clusters have no endpoints of their own and otherwise
// answer 503 UH. Said once per ServiceEntry, at its resolution line, never left silent.
void warn_unbuilt_discovery(CompileContext& ctx, const ServiceInfo& svc, Discovery discovery) {
  if (svc.kube != nullptr || (discovery != Discovery::kOriginalDst && discovery != Discovery::kDynamicDns)) return;
  const config::ServiceEntry& se = *svc.entry;
  const std::string key = "unbuilt-discovery/" + se.meta.namespace_ + "/" + se.meta.name;
  if (!ctx.warned.insert(key).second) return;
  ctx.warn("ServiceEntry", se.meta.namespace_ + "/" + se.meta.name, se.source, "spec.resolution",
           discovery == Discovery::kOriginalDst
               ? "resolution NONE (also the default) forwards to the address the client connected to, which "
                 "switchyard knows only for connections iptables redirected to a --mesh-listen listener; "
                 "through a Gateway or without redirection it answers 503 UH (use STATIC or DNS there)"
               : "not enforced yet: DYNAMIC_DNS (resolve each request's host) is not built; switchyard answers 503 UH");
}

}  // namespace

void build_clusters(CompileContext& ctx) {
  std::vector<const ServiceInfo*> services;
  for (const std::string& host : ctx.service_order) services.push_back(&ctx.services.at(host));
  for (const ServiceInfo& w : ctx.wildcard_services) services.push_back(&w);
  for (const ServiceInfo* svc_ptr : services) {
    const ServiceInfo& svc = *svc_ptr;
    const policy::MergedDestinationRule* dr = ctx.destination_rules.find(svc.host, svc.namespace_);
    Discovery discovery = discovery_of(*svc.entry);
    warn_unbuilt_discovery(ctx, svc, discovery);
    for (const config::ServicePort& port : svc.entry->ports) {
      std::vector<Endpoint> all = endpoints_for(ctx, svc, port, discovery);
      auto make = [&](const config::Subset* subset) {
        Cluster c;
        c.host = svc.host;
        c.port = port.number;
        c.subset = subset ? subset->name : "";
        c.name = cluster_name(c.host, c.port, c.subset);
        c.service_namespace = svc.namespace_;
        c.protocol = port.protocol;
        c.discovery = discovery;
        for (const Endpoint& e : all)
          if (!subset || labels_select(subset->labels, e.labels)) c.endpoints.push_back(e);
        if (subset && svc.kube && !subset->labels.empty()) warn_unresolvable_subset(ctx, svc, *subset);
        c.policy = policy::effective_cluster_policy(dr ? dr->traffic_policy : nullptr, subset, port.number,
                                                    dr ? dr->name : "");
        c.destination_rule = dr ? dr->name : "";
        c.http2 = c.protocol == "HTTP2" || c.protocol == "GRPC" || c.protocol == "GRPC-WEB" ||
                  c.policy.connection_pool.h2_upgrade;
        attach_client_tls(ctx, c);
        apply_locality(ctx, c);
        ctx.add_cluster(std::move(c));
      };
      make(nullptr);
      if (dr)
        for (const config::Subset* s : dr->subsets) make(s);
    }
  }
}

}  // namespace sy::snapshot::detail
