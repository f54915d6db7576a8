#include "lb/priority_levels.h"

#include <algorithm>
#include <bit>

namespace sy::lb {

std::array<uint32_t, kMaxPriorityLevels> priority_load(std::span<const uint32_t> healthy,
                                                       std::span<const uint32_t> total) {
  std::array<uint32_t, kMaxPriorityLevels> health{}, load{};
  const size_t n = std::min({healthy.size(), total.size(), kMaxPriorityLevels});
  uint32_t sum = 0;
  for (size_t p = 0; p < n; ++p) {
    if (total[p] == 0) continue;
    health[p] = std::min<uint32_t>(100, static_cast<uint32_t>(uint64_t{kOverprovisioningFactor} * healthy[p] / total[p]));
    sum += health[p];
  }
  const uint32_t normalized = std::min<uint32_t>(100, sum);
  if (normalized == 0) {
    // Envoy would enter panic here; the outlier detector owns panic (minHealthPercent), so give
    // everything to the first level that still has a healthy endpoint.
    for (size_t p = 0; p < n; ++p) {
      if (healthy[p] > 0) {
        load[p] = 100;
        break;
      }
    }
    return load;
  }
  uint32_t left = 100;
  for (size_t p = 0; p < n; ++p) {
    load[p] = std::min(left, health[p] * 100 / normalized);
    left -= load[p];
  }
  // Rounding leftovers go to the first level with any health, as Envoy's distributeLoad does.
  for (size_t p = 0; p < n && left > 0; ++p) {
    if (health[p] > 0) {
      load[p] += left;
      left = 0;
    }
  }
  return load;
}

std::optional<PriorityLevels> PriorityLevels::build(std::span<const Endpoint> endpoints) {
  uint32_t top = 0;
  for (const Endpoint& e : endpoints) top = std::max(top, e.priority);
  if (top == 0) return std::nullopt;
  const size_t levels = std::min<size_t>(top + 1, kMaxPriorityLevels);
  PriorityLevels out(endpoints.size());
  out.masks_.assign(levels, std::vector<uint64_t>(out.words(), 0));
  out.totals_.assign(levels, 0);
  for (size_t i = 0; i < endpoints.size(); ++i) {
    const size_t p = std::min<size_t>(endpoints[i].priority, levels - 1);
    out.masks_[p][i / 64] |= uint64_t{1} << (i % 64);
    ++out.totals_[p];
  }
  return out;
}

uint32_t PriorityLevels::choose(std::span<const uint64_t> eligible, uint64_t random) const {
  std::array<uint32_t, kMaxPriorityLevels> healthy{};
  for (size_t p = 0; p < levels(); ++p) {
    if (eligible.empty()) {
      healthy[p] = totals_[p];
      continue;
    }
    for (size_t w = 0; w < words() && w < eligible.size(); ++w)
      healthy[p] += static_cast<uint32_t>(std::popcount(masks_[p][w] & eligible[w]));
  }
  const auto load = priority_load(std::span<const uint32_t>(healthy.data(), levels()), totals_);
  // Envoy: a number in [0, 100) walks the cumulative load.
  const uint64_t draw = random % 100;
  uint64_t acc = 0;
  for (size_t p = 0; p < levels(); ++p) {
    acc += load[p];
    if (draw < acc) return static_cast<uint32_t>(p);
  }
  return 0;  // no healthy endpoint anywhere: level 0, whose pick then finds none
}

void PriorityLevels::narrow(uint32_t level, std::span<const uint64_t> eligible, std::span<uint64_t> out) const {
  const std::vector<uint64_t>& mask = masks_[level];
  for (size_t w = 0; w < words(); ++w) out[w] = mask[w] & (eligible.empty() ? ~uint64_t{0} : eligible[w]);
}

}  // namespace sy::lb
