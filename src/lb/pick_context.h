// Everything one pick needs that changes per request. Built by the proxy on the worker thread,
// on the stack; all spans are borrowed for the duration of the pick only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace sy::lb {

struct PickContext {
  // One fresh 64-bit random value per pick from the worker's RNG. Algorithms that need more
  // randomness stretch it with RandomStream, so tests pass a fixed value and get a fixed pick.
  uint64_t random = 0;
  // hash_key(key) for consistent hashing. Absent (no header/cookie/...): pick at random, as Envoy does.
  std::optional<uint64_t> hash{};
  // In-flight requests per endpoint, indexed like the endpoint set (LEAST_REQUEST only).
  // Empty means "all zero".
  std::span<const uint32_t> active_requests{};
  // Bitset (bit i of word i/64) of endpoints the caller allows now: not ejected by outlier detection,
  // not failing health checks. Empty means every endpoint is eligible.
  std::span<const uint64_t> eligible{};
  // Bitset of endpoints already tried by earlier attempts of this request. A retry avoids them while
  // any other eligible endpoint exists, then falls back to them. Empty means none tried.
  std::span<const uint64_t> tried{};
  // Time of the pick, for slow start. Epoch (the default) turns slow start off for this pick.
  std::chrono::steady_clock::time_point now{};
  // Priority level the pick is restricted to; set by Balancer after choosing it, not by callers.
  uint32_t level = 0;
};

}  // namespace sy::lb
