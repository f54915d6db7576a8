#include "lb/hash.h"

#include <bit>
#include <cstring>

namespace sy::lb {
namespace {

// Odd constants with well-mixed bits (fractional parts of irrational numbers and primes used by
// common 64-bit mixers); any odd, dense constants would do.
constexpr uint64_t kSeedSalt = 0x9e3779b97f4a7c15ULL;
constexpr uint64_t kBlockSalt = 0xc2b2ae3d27d4eb4fULL;
constexpr uint64_t kChainSalt = 0x165667b19e3779f9ULL;
constexpr uint64_t kLengthSalt = 0xd6e8feb86659fd93ULL;

uint64_t load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

// Full 64x64->128 multiply folded back to 64 bits: every input bit reaches every output bit.
uint64_t fold_multiply(uint64_t a, uint64_t b) {
  const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(product) ^ static_cast<uint64_t>(product >> 64);
}

}  // namespace

uint64_t hash_bytes(std::string_view data, uint64_t seed) {
  const char* p = data.data();
  size_t n = data.size();
  uint64_t state = mix64(seed ^ kSeedSalt) ^ (static_cast<uint64_t>(n) * kLengthSalt);
  // 16-byte blocks; the running state enters each block so block order matters.
  while (n > 16) {
    state = fold_multiply(load64(p) ^ kBlockSalt, load64(p + 8) ^ state ^ kChainSalt);
    p += 16;
    n -= 16;
  }
  // 0..16 remaining bytes, zero-padded. Length is already folded into the state, so "a" and
  // "a\0" differ.
  char tail[16] = {};
  std::memcpy(tail, p, n);
  state = fold_multiply(load64(tail) ^ kBlockSalt, load64(tail + 8) ^ state ^ kChainSalt);
  return mix64(state);
}

}  // namespace sy::lb
