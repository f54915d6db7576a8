// Stretches the one random value a pick receives into as many independent-looking values as an
// algorithm needs (P2C needs two, rejection sampling a few more). Lives on the stack of one pick.
#pragma once

#include <cstdint>

#include "lb/hash.h"

namespace sy::lb {

class RandomStream {
 public:
  explicit RandomStream(uint64_t seed) : state_(seed) {}

  // Successive outputs of the splitmix64 sequence; the seed itself is never returned raw, so a
  // weak caller value (a counter in tests) still gives well-spread picks.
  uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }

  // Uniform integer in [0, n) by multiply-shift; bias is at most n / 2^64, irrelevant here.
  uint64_t below(uint64_t n) { return scale(next(), n); }

  static uint64_t scale(uint64_t r, uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(r) * n) >> 64);
  }

 private:
  uint64_t state_;
};

}  // namespace sy::lb
