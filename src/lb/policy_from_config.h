// DestinationRule trafficPolicy.loadBalancer -> LbPolicy, applying Istio's defaults. Called by
// the snapshot compiler after it has resolved which policy level (subset/port/DR) applies.
#pragma once

#include "config/model/destination_rule.h"
#include "lb/policy.h"

namespace sy::lb {

// nullptr (no loadBalancer section) gives the Istio default, LEAST_REQUEST.
LbPolicy policy_from_config(const config::LoadBalancerSettings* settings);

}  // namespace sy::lb
