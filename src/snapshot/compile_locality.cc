// Locality load balancing, decided at compile time: the proxy's locality (CompileOptions) is
// fixed for the process, and endpoint localities come from the config, so each endpoint's
// priority level and balancer weight are part of the snapshot (lb/locality.h has the rules).
#include <fmt/format.h>

#include "lb/locality.h"
#include "snapshot/compile_context.h"

namespace sy::snapshot::detail {

void apply_locality(CompileContext& ctx, Cluster& c) {
  std::vector<lb::LocalityEndpoint> in;
  in.reserve(c.endpoints.size());
  for (const Endpoint& e : c.endpoints) in.push_back({e.locality, e.weight, &e.labels, e.network});
  const auto& setting = c.policy.load_balancer.locality;
  const lb::LocalityPlan plan = lb::plan_locality(ctx.options.locality, setting ? &*setting : nullptr,
                                                  c.policy.outlier.enabled, in, &ctx.options.proxy_labels);
  for (size_t i = 0; i < c.endpoints.size(); ++i) {
    c.endpoints[i].priority = plan.priority[i];
    if (plan.mode != lb::LocalityPlan::Mode::kDistribute) continue;
    c.endpoints[i].lb_weight = plan.weight[i];
    c.endpoints[i].distribute_excluded = plan.weight[i] == 0;
  }
}

namespace {

// Rules that need the proxy's locality: distribute and locality failover (failoverPriority ranks
// by labels and needs none when the proxy has labels).
bool has_rules(const config::TrafficPolicy& tp) {
  if (!tp.load_balancer || !tp.load_balancer->locality_lb_setting) return false;
  const auto& l = *tp.load_balancer->locality_lb_setting;
  return (!l.enabled || *l.enabled) &&
         (!l.distribute.empty() || (!l.failover.empty() && l.failover_priority.empty()));
}

void warn_levels(CompileContext& ctx, const config::DestinationRule& dr, const config::TrafficPolicy& tp,
                 const std::string& path) {
  auto warn = [&](const std::string& lb_path) {
    ctx.warn("DestinationRule", dr.meta.namespace_ + "/" + dr.meta.name, dr.source,
             lb_path + ".loadBalancer.localityLbSetting",
             "has no effect: this proxy has no locality (serve --locality region/zone/subzone), and Istio applies "
             "locality distribute/failover only for a proxy with one");
  };
  if (has_rules(tp)) warn(path);
  for (size_t i = 0; i < tp.port_level_settings.size(); ++i) {
    const auto& p = tp.port_level_settings[i];
    if (p.load_balancer && p.load_balancer->locality_lb_setting) {
      config::TrafficPolicy only;
      only.load_balancer = p.load_balancer;
      if (has_rules(only)) warn(fmt::format("{}.portLevelSettings[{}]", path, i));
    }
  }
}

}  // namespace

// Without a proxy locality every localityLbSetting rule is inert; say so at each rule rather
// than let a DestinationRule that asks for failover look enforced.
void warn_locality_without_proxy_locality(CompileContext& ctx) {
  if (!ctx.options.locality.empty()) return;
  for (const config::DestinationRule& dr : ctx.config.destination_rules) {
    if (dr.traffic_policy) warn_levels(ctx, dr, *dr.traffic_policy, "spec.trafficPolicy");
    for (size_t s = 0; s < dr.subsets.size(); ++s) {
      if (dr.subsets[s].traffic_policy)
        warn_levels(ctx, dr, *dr.subsets[s].traffic_policy, fmt::format("spec.subsets[{}].trafficPolicy", s));
    }
  }
}

}  // namespace sy::snapshot::detail
