// Owning bitset over endpoint indices, for callers that need an `eligible` or `tried` set to pass
// in PickContext (the health view of a cluster on one worker, the tried set of one request). Not
// thread-safe; its owner's thread only. Allocates once, at construction.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sy::lb {

class EndpointBitset {
 public:
  explicit EndpointBitset(size_t size, bool value = false)
      : size_(size), words_((size + 63) / 64, value ? ~uint64_t{0} : 0) {
    trim();
  }

  size_t size() const { return size_; }
  bool test(size_t i) const { return (words_[i / 64] >> (i % 64)) & 1; }
  void set(size_t i, bool value = true) {
    const uint64_t bit = uint64_t{1} << (i % 64);
    value ? words_[i / 64] |= bit : words_[i / 64] &= ~bit;
  }
  void reset(size_t i) { set(i, false); }
  void clear() { std::fill(words_.begin(), words_.end(), 0); }
  std::span<const uint64_t> words() const { return words_; }

 private:
  void trim() {  // keep bits past size() zero so word comparisons stay meaningful
    if (size_ % 64 != 0) words_.back() &= (uint64_t{1} << (size_ % 64)) - 1;
  }
  size_t size_;
  std::vector<uint64_t> words_;
};

}  // namespace sy::lb
