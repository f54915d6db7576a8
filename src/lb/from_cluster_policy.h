// A cluster's effective load-balancer policy (policy/cluster_policy.h: Istio's subset > port > DR
// precedence already applied, defaults filled) -> the balancer's own policy.
#pragma once

#include "lb/policy.h"
#include "policy/cluster_policy.h"

namespace sy::lb {

LbPolicy from_cluster_policy(const policy::LoadBalancerPolicy& p);

}  // namespace sy::lb
