// TrafficPolicy checks (DestinationRule top level, subsets and port-level settings). Internal.
#pragma once

#include <string>

#include "config/model/destination_rule.h"
#include "config/validate_common.h"

namespace sy::config::detail {

void check_traffic_policy(Reporter& r, const std::string& path, const TrafficPolicy& tp);

}  // namespace sy::config::detail
