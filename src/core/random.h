// Fast non-cryptographic random numbers for per-request decisions (weighted splits, LB picks,
// fault/mirror sampling, request ids). One generator per worker thread; never shared.
#pragma once

#include <cstdint>
#include <random>

namespace sy {

// xoshiro256** seeded through splitmix64.
class Random {
 public:
  explicit Random(uint64_t seed) {
    for (auto& s : state_) s = splitmix(seed);
  }
  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint64_t state_[4];
};

// A seed from the operating system's entropy source. Each process (and each worker in it) starts
// its generator from one, so replicas and restarts neither stamp the same x-request-id sequence
// nor repeat each other's split and balancing choices.
inline uint64_t entropy_seed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device();
}

}  // namespace sy
