// Which of a cluster runtime's endpoints a new attempt may pick: those with a usable address,
// less the ones outlier detection has ejected. Shared by the HTTP forwarder and L4 connections.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "policy/outlier_detector.h"
#include "upstream/cluster_runtime.h"

namespace sy::proxy {

// A bit set over rt's endpoints (rt.eligible itself, or a narrowed copy built in the scratch
// vectors); nullopt when outlier detection leaves none.
std::optional<std::span<const uint64_t>> eligible_endpoints(const upstream::ClusterRuntime& rt,
                                                            const policy::OutlierDetector& outlier,
                                                            std::vector<uint64_t>& outlier_bits,
                                                            std::vector<uint64_t>& combined_bits);

}  // namespace sy::proxy
