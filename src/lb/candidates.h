// The endpoints one pick may choose from: eligible and not yet tried, or, when every eligible
// endpoint has been tried, the eligible ones again (a retry to a tried endpoint beats no retry,
// as in Envoy's host-selection retries). A view over the caller's bitsets; built per pick on the
// stack, cheap to build (usually one word is read), no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sy::lb {

class Candidates {
 public:
  Candidates(size_t size, std::span<const uint64_t> eligible, std::span<const uint64_t> tried);

  size_t size() const { return size_; }  // endpoints in the set, candidates or not
  // Candidates; counted on first use (O(words)), since most picks only need contains().
  size_t count() const;
  bool empty() const { return empty_; }
  // Fast path: the caller passed no bitsets, so every endpoint is a candidate and algorithms may
  // skip filtering entirely. (A bitset with every bit set is still correct, just not this path.)
  bool all() const { return all_; }
  // True when the tried set had to be ignored because it covered every eligible endpoint.
  bool tried_ignored() const { return !use_tried_ && !tried_.empty(); }

  bool contains(size_t i) const {
    if (all_) return i < size_;
    return i < size_ && ((word(i / 64) >> (i % 64)) & 1) != 0;
  }
  // The k-th candidate in index order; requires k < count().
  size_t nth(size_t k) const;
  // First candidate at index >= i, wrapping past the end; requires !empty().
  size_t next_from(size_t i) const;

 private:
  uint64_t word(size_t w) const;  // candidate bits of word w
  size_t words() const { return (size_ + 63) / 64; }

  size_t size_;
  bool all_ = false;
  bool empty_ = false;
  mutable size_t count_ = SIZE_MAX;  // SIZE_MAX: not counted yet
  std::span<const uint64_t> eligible_;
  std::span<const uint64_t> tried_;
  bool use_tried_ = true;
};

}  // namespace sy::lb
