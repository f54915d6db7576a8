#include "lb/locality.h"

#include <algorithm>
#include <map>

namespace sy::lb {
namespace {

std::string_view next_segment(std::string_view& rest) {
  const size_t slash = rest.find('/');
  std::string_view seg = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  return seg;
}

// Priorities in use renumbered 0..N without gaps (Envoy requires it).
void compact(std::vector<uint32_t>& raw, std::vector<uint32_t>& out) {
  std::vector<uint32_t> used = raw;
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  for (size_t i = 0; i < raw.size(); ++i)
    out[i] = static_cast<uint32_t>(std::lower_bound(used.begin(), used.end(), raw[i]) - used.begin());
}

LocalityPlan identity_plan(std::span<const LocalityEndpoint> endpoints) {
  LocalityPlan plan;
  plan.priority.assign(endpoints.size(), 0);
  for (const LocalityEndpoint& e : endpoints) plan.weight.push_back(std::max<uint32_t>(e.weight, 1));
  return plan;
}

// applyLocalityWeights for one matching rule. Istio walks `to` in Go map order and lets the
// first pattern that matches an endpoint's locality claim it; we walk it sorted (std::map), which
// only matters for overlapping patterns.
void apply_distribute(LocalityPlan& plan, const LocalitySetting::Distribute& rule,
                      std::span<const LocalityEndpoint> endpoints) {
  std::vector<bool> claimed(endpoints.size(), false);
  std::fill(plan.weight.begin(), plan.weight.end(), 0);
  for (const auto& [pattern, share] : rule.to) {
    uint64_t total = 0;
    std::vector<size_t> mine;
    for (size_t i = 0; i < endpoints.size(); ++i) {
      if (claimed[i] || !locality_match(Locality::parse(endpoints[i].locality), pattern)) continue;
      claimed[i] = true;
      mine.push_back(i);
      total += std::max<uint32_t>(endpoints[i].weight, 1);
    }
    for (size_t i : mine) {
      const uint64_t w = uint64_t{share} * std::max<uint32_t>(endpoints[i].weight, 1) * kDistributeScale / total;
      plan.weight[i] = static_cast<uint32_t>(std::max<uint64_t>(w, 1));
    }
  }
}

void apply_failover(LocalityPlan& plan, const Locality& proxy, const LocalitySetting* setting,
                    std::span<const LocalityEndpoint> endpoints) {
  std::vector<uint32_t> raw(endpoints.size());
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const Locality ep = Locality::parse(endpoints[i].locality);
    uint32_t p = locality_priority(proxy, ep);
    if (p == 3 && setting) {
      for (const auto& f : setting->failover) {
        if (f.from != proxy.region) continue;
        if (ep.region != f.to) p = 4;
        break;
      }
    }
    raw[i] = p;
  }
  compact(raw, plan.priority);
}

std::string label_of(const config::Labels& labels, const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? std::string() : it->second;
}

void apply_priority_failover(LocalityPlan& plan, const config::Labels& proxy, const std::vector<std::string>& order,
                             std::span<const LocalityEndpoint> endpoints) {
  std::vector<uint32_t> raw(endpoints.size(), 0);
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const config::Labels mine = topology_labels(endpoints[i].labels, endpoints[i].locality, endpoints[i].network);
    for (size_t j = 0; j < order.size(); ++j) {
      const std::string& entry = order[j];
      const size_t eq = entry.find('=');
      const std::string key = entry.substr(0, eq);
      const std::string want = eq == std::string::npos ? label_of(proxy, key) : entry.substr(eq + 1);
      if (label_of(mine, key) != want) {
        raw[i] = static_cast<uint32_t>(order.size() - j);
        break;
      }
    }
  }
  compact(raw, plan.priority);
}

}  // namespace

config::Labels topology_labels(const config::Labels* labels, std::string_view locality, std::string_view network) {
  config::Labels out = labels ? *labels : config::Labels{};
  const Locality l = Locality::parse(locality);
  if (!l.region.empty()) out.try_emplace("topology.kubernetes.io/region", l.region);
  if (!l.zone.empty()) out.try_emplace("topology.kubernetes.io/zone", l.zone);
  if (!l.subzone.empty()) out.try_emplace("topology.istio.io/subzone", l.subzone);
  if (!network.empty()) out.try_emplace("topology.istio.io/network", network);
  return out;
}

Locality Locality::parse(std::string_view text) {
  Locality l;
  l.region = next_segment(text);
  l.zone = next_segment(text);
  l.subzone = next_segment(text);
  return l;
}

bool locality_match(const Locality& locality, std::string_view rule) {
  const Locality r = Locality::parse(rule);
  const bool region = r.region == "*" || r.region == locality.region;
  const bool zone = r.zone == "*" || r.zone.empty() || r.zone == locality.zone;
  const bool subzone = r.subzone == "*" || r.subzone.empty() || r.subzone == locality.subzone;
  return region && zone && subzone;
}

uint32_t locality_priority(const Locality& proxy, const Locality& endpoint) {
  if (proxy.region != endpoint.region) return 3;
  if (proxy.zone != endpoint.zone) return 2;
  return proxy.subzone == endpoint.subzone ? 0 : 1;
}

LocalityPlan plan_locality(std::string_view proxy_locality, const LocalitySetting* setting, bool outlier_detection,
                           std::span<const LocalityEndpoint> endpoints, const config::Labels* proxy_labels) {
  LocalityPlan plan = identity_plan(endpoints);
  if (setting && setting->enabled && !*setting->enabled) return plan;
  // Label-ranked failover replaces the locality one and needs no locality, only labels.
  if (setting && setting->distribute.empty() && !setting->failover_priority.empty()) {
    const config::Labels proxy = topology_labels(proxy_labels, proxy_locality, {});
    if (!outlier_detection || proxy.empty()) return plan;  // Istio: a proxy without labels gets none
    apply_priority_failover(plan, proxy, setting->failover_priority, endpoints);
    plan.mode = LocalityPlan::Mode::kFailover;
    return plan;
  }
  if (proxy_locality.empty()) return plan;
  const Locality proxy = Locality::parse(proxy_locality);
  if (setting && !setting->distribute.empty()) {
    // Istio applies one of distribute or failover; with distribute set, failover never applies,
    // and a proxy that no `from` matches gets plain weights.
    for (size_t r = 0; r < setting->distribute.size(); ++r) {
      if (!locality_match(proxy, setting->distribute[r].from)) continue;
      apply_distribute(plan, setting->distribute[r], endpoints);
      plan.mode = LocalityPlan::Mode::kDistribute;
      plan.distribute_rule = r;
      break;
    }
    return plan;
  }
  if (!outlier_detection) return plan;
  apply_failover(plan, proxy, setting, endpoints);
  plan.mode = LocalityPlan::Mode::kFailover;
  return plan;
}

}  // namespace sy::lb
