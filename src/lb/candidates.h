// The endpoints one pick may choose from: eligible and not yet tried, or, when every eligible
// endpoint has been tried, the eligible ones again (a retry to a tried endpoint beats no retry,
// as in Envoy's host-selection retries). A view over the caller's bitsets; built per pick on the
// stack, O(words) to build, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace sy::lb {

class Candidates {
 public:
  Candidates(size_t size, std::span<const uint64_t> eligible, std::span<const uint64_t> tried);

  size_t size() const { return size_; }    // endpoints in the set, candidates or not
  size_t count() const { return count_; }  // candidates
  bool empty() const { return count_ == 0; }
  // Fast path: every endpoint is a candidate, so algorithms may skip filtering entirely.
  bool all() const { return count_ == size_; }
  // True when the tried set had to be ignored because it covered every eligible endpoint.
  bool tried_ignored() const { return !use_tried_ && !tried_.empty(); }

  bool contains(size_t i) const {
    if (all()) return i < size_;
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
  size_t count_ = 0;
  std::span<const uint64_t> eligible_;
  std::span<const uint64_t> tried_;
  bool use_tried_ = true;
};

}  // namespace sy::lb
