// Istio's locality load balancing for one cluster, as a pure function of the proxy's locality,
// the DestinationRule localityLbSetting in effect and the endpoints' localities. Mirrors
// istio/istio pilot/pkg/networking/core/loadbalancer/loadbalancer.go:
//  * distribute (applyLocalityWeights): the first rule whose `from` matches the proxy's locality
//    gives each `to` locality pattern its weight; the weight is split among the endpoints that
//    pattern claims in proportion to their own weights; endpoints no pattern claims get no
//    traffic. Applies whether or not outlier detection is set.
//  * failover (applyLocalityFailover), only with outlierDetection (otherwise Envoy would never
//    move off a priority): same region/zone/subzone = 0, same region/zone = 1, same region = 2,
//    other regions 3, and when a `failover` rule's `from` is the proxy's region, regions other
//    than its `to` drop to 4. Used priorities are then renumbered 0..N without gaps.
//  * failoverPriority (applyPriorityFailover), only with outlierDetection, replaces the locality
//    failover: an endpoint's priority is how early its labels stop agreeing with the proxy's
//    (all n labels agree: 0; the first already differs: n); an entry `key=value` compares the
//    endpoint's label with that value instead. Labels include the topology labels Istio adds
//    from localities and networks (topology.kubernetes.io/region and /zone,
//    topology.istio.io/subzone, topology.istio.io/network). A proxy without labels gets none.
// A proxy without a locality (no `serve --locality`) gets no distribute or locality failover, as
// Istio skips those for a proxy with no locality; `enabled: false` turns everything off.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/model/destination_rule.h"

namespace sy::lb {

struct Locality {
  std::string_view region, zone, subzone;
  // "region/zone/subzone", any suffix may be missing.
  static Locality parse(std::string_view text);
};

// Istio's util.LocalityMatch: each rule segment is "*" (matches anything) or equal to the
// locality's; a missing zone/subzone segment matches any.
bool locality_match(const Locality& locality, std::string_view rule);

// Istio's util.LbPriority before failover rules: 0 same subzone, 1 same zone, 2 same region, 3 other.
uint32_t locality_priority(const Locality& proxy, const Locality& endpoint);

struct LocalityEndpoint {
  std::string_view locality;
  uint32_t weight = 1;                      // >= 1
  const config::Labels* labels = nullptr;   // for failoverPriority
  std::string_view network = {};            // topology.istio.io/network for failoverPriority
};

// Labels with the topology labels Istio derives from a locality and a network added (labels
// already set keep their values).
config::Labels topology_labels(const config::Labels* labels, std::string_view locality, std::string_view network);

struct LocalityPlan {
  enum class Mode { kNone, kDistribute, kFailover };
  Mode mode = Mode::kNone;
  std::vector<uint32_t> priority;  // per endpoint, 0 = first choice
  // Per endpoint: the weight the balancer uses. kDistribute scales every weight to parts of
  // kDistributeScale per rule weight point; 0 = not claimed by any `to`, never picked.
  std::vector<uint32_t> weight;
  size_t distribute_rule = 0;  // kDistribute: index of the rule applied
};

inline constexpr uint64_t kDistributeScale = 1'000'000;

using LocalitySetting = config::LoadBalancerSettings::LocalityLbSetting;

// `setting` may be null (the mesh default: enabled, no rules). `outlier_detection`: the cluster's
// effective policy has outlierDetection.
// `proxy_labels`: this proxy's own labels (serve --selector), for failoverPriority.
LocalityPlan plan_locality(std::string_view proxy_locality, const LocalitySetting* setting, bool outlier_detection,
                           std::span<const LocalityEndpoint> endpoints, const config::Labels* proxy_labels = nullptr);

}  // namespace sy::lb
