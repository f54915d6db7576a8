// The 64-bit hash used for consistent-hash keys and endpoint identities. Written here (not a
// library) so its output is fixed forever: ring and Maglev positions must agree across workers,
// restarts and gateway replicas, or sticky sessions move on every deploy.
#pragma once

#include <cstdint>
#include <string_view>

namespace sy::lb {

// Bijective 64-bit finaliser (the splitmix64 output function). Cheap; spreads low-entropy inputs.
constexpr uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Hash of arbitrary bytes. Stable across platforms (reads little-endian). Not cryptographic:
// a client choosing its own header value can pick its endpoint, which consistent hashing allows anyway.
uint64_t hash_bytes(std::string_view data, uint64_t seed = 0);

// Hash of a consistent-hash key (header value, cookie value, source IP, query parameter value).
// The proxy computes it once per request and passes it in PickContext::hash.
inline uint64_t hash_key(std::string_view key) { return hash_bytes(key, 0); }

}  // namespace sy::lb
