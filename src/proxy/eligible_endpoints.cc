#include "proxy/eligible_endpoints.h"

namespace sy::proxy {

std::optional<std::span<const uint64_t>> eligible_endpoints(const upstream::ClusterRuntime& rt,
                                                            const policy::OutlierDetector& outlier,
                                                            std::vector<uint64_t>& outlier_bits,
                                                            std::vector<uint64_t>& combined_bits) {
  outlier_bits.assign(outlier.words(), 0);
  const policy::Eligibility e = outlier.eligible(outlier_bits);
  if (e.kind == policy::Eligibility::Kind::kAll || outlier.keys().size() != rt.cluster->endpoints.size())
    return std::span<const uint64_t>(rt.eligible);
  if (e.kind == policy::Eligibility::Kind::kNone) return std::nullopt;
  combined_bits.assign(rt.eligible.begin(), rt.eligible.end());
  for (size_t i = 0; i < rt.outlier_slot.size(); ++i) {
    const uint32_t o = rt.outlier_slot[i];
    if (o >= outlier.size()) continue;  // not watched
    if (((e.bits[o / 64] >> (o % 64)) & 1) == 0) combined_bits[i / 64] &= ~(uint64_t{1} << (i % 64));
  }
  return std::span<const uint64_t>(combined_bits);
}

}  // namespace sy::proxy
