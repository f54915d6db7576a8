// Priority levels of one cluster (Envoy's priority set, filled by Istio's locality failover):
// each pick first chooses a level by Envoy's priority load, then picks only among that level's
// endpoints. A level's health is min(100, 1.4 x healthy% ) (overprovisioning factor 140); levels
// take load in order until 100% is handed out, and when the levels together are less than 100%
// healthy the load is scaled up so all of it still goes somewhere (Envoy's normalized total
// availability). Health is by endpoint count, as Envoy's is without locality weights.
// Built with the balancer, read-only afterwards; pick-time work is a popcount per level.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "lb/endpoint.h"

namespace sy::lb {

inline constexpr size_t kMaxPriorityLevels = 8;  // locality failover makes at most 5
inline constexpr uint32_t kOverprovisioningFactor = 140;  // Envoy's default, in percent

// Envoy's healthy priority load: percent of traffic per level (sums to 100 when any level has a
// healthy endpoint, else all 0). `healthy` and `total` are endpoint counts per level.
std::array<uint32_t, kMaxPriorityLevels> priority_load(std::span<const uint32_t> healthy,
                                                       std::span<const uint32_t> total);

class PriorityLevels {
 public:
  // nullopt when every endpoint is at priority 0 (nothing to choose). Priorities past the last
  // level are folded into it.
  static std::optional<PriorityLevels> build(std::span<const Endpoint> endpoints);

  size_t levels() const { return masks_.size(); }
  // The level of this pick: `eligible` as in PickContext (empty = all), `random` any 64-bit value
  // (the request hash for consistent hashing, so a key sticks to its level as in Envoy).
  uint32_t choose(std::span<const uint64_t> eligible, uint64_t random) const;
  // eligible AND the level's endpoints, into `out` (words() long).
  void narrow(uint32_t level, std::span<const uint64_t> eligible, std::span<uint64_t> out) const;
  size_t words() const { return (size_ + 63) / 64; }

 private:
  explicit PriorityLevels(size_t size) : size_(size) {}
  size_t size_;
  std::vector<std::vector<uint64_t>> masks_;  // per level: bitset of its endpoints
  std::vector<uint32_t> totals_;              // per level: endpoint count
};

}  // namespace sy::lb
