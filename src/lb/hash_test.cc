#include "lb/hash.h"

#include <gtest/gtest.h>

#include <bit>
#include <set>
#include <string>
#include <vector>

namespace sy::lb {
namespace {

// Ring and Maglev positions are persisted implicitly (clients stay stuck to endpoints across
// restarts and gateway replicas), so the hash output must never change. Pinned values.
TEST(HashTest, OutputIsPinned) {
  // Values recorded when the function was written; a change here moves every sticky session.
  EXPECT_EQ(hash_key("10.0.0.1:8080"), 0x7f7e9325e51a3e73ULL);
  EXPECT_EQ(hash_key("a fairly long session cookie value spanning several blocks"), 0x3b8d160e5fbdd7baULL);
}

// Lengths around the 16-byte block boundary, and keys differing only by a trailing zero byte.
TEST(HashTest, DistinguishesLengthsAndPadding) {
  std::set<uint64_t> seen;
  std::string key;
  for (int len = 0; len <= 40; ++len) {
    EXPECT_TRUE(seen.insert(hash_key(key)).second) << "collision at length " << len;
    key.push_back('\0');
  }
  EXPECT_NE(hash_key("abc"), hash_key(std::string("abc\0", 4)));
  EXPECT_NE(hash_bytes("abc", 1), hash_bytes("abc", 2));
}

// Flipping one input bit flips about half the output bits (checked on average).
TEST(HashTest, Avalanche) {
  const std::vector<std::string> keys = {"x", "session", "0123456789abcdef", "0123456789abcdef0123456789"};
  for (const std::string& base : keys) {
    double total = 0;
    int flips = 0;
    for (size_t byte = 0; byte < base.size(); ++byte) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string changed = base;
        changed[byte] = static_cast<char>(changed[byte] ^ (1 << bit));
        total += std::popcount(hash_key(base) ^ hash_key(changed));
        ++flips;
      }
    }
    EXPECT_NEAR(total / flips, 32.0, 4.0) << base;
  }
}

// Sequential keys ("user-0", "user-1", ...) spread evenly over buckets.
TEST(HashTest, SequentialKeysSpreadEvenly) {
  constexpr int kBuckets = 16;
  constexpr int kKeys = 64000;
  std::vector<int> counts(kBuckets, 0);
  for (int i = 0; i < kKeys; ++i) ++counts[hash_key("user-" + std::to_string(i)) % kBuckets];
  for (int c : counts) EXPECT_NEAR(c, kKeys / kBuckets, kKeys / kBuckets * 0.05);
}

}  // namespace
}  // namespace sy::lb
