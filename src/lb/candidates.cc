#include "lb/candidates.h"

#include <bit>
#include <cassert>
#include <cstdint>

namespace sy::lb {

Candidates::Candidates(size_t size, std::span<const uint64_t> eligible, std::span<const uint64_t> tried)
    : size_(size), eligible_(eligible), tried_(tried) {
  // A bitset shorter than the endpoint set is a caller bug; missing words read as zero.
  assert(eligible.empty() || eligible.size() >= words());
  assert(tried.empty() || tried.size() >= words());
  if (eligible_.empty() && tried_.empty()) {
    all_ = true;
    empty_ = size_ == 0;
    count_ = size_;
    return;
  }
  auto any = [&] {
    for (size_t w = 0; w < words(); ++w) {
      if (word(w) != 0) return true;
    }
    return false;
  };
  empty_ = !any();
  if (empty_ && !tried_.empty()) {
    use_tried_ = false;
    empty_ = !any();
  }
}

size_t Candidates::count() const {
  if (count_ == SIZE_MAX) {
    count_ = 0;
    for (size_t w = 0; w < words(); ++w) count_ += static_cast<size_t>(std::popcount(word(w)));
  }
  return count_;
}

uint64_t Candidates::word(size_t w) const {
  uint64_t bits = ~uint64_t{0};
  if (!eligible_.empty()) bits = w < eligible_.size() ? eligible_[w] : 0;
  if (use_tried_ && !tried_.empty() && w < tried_.size()) bits &= ~tried_[w];
  const size_t tail = size_ % 64;
  if (tail != 0 && w == words() - 1) bits &= (uint64_t{1} << tail) - 1;
  return bits;
}

size_t Candidates::nth(size_t k) const {
  assert(k < count());
  if (all_) return k;
  for (size_t w = 0; w < words(); ++w) {
    uint64_t bits = word(w);
    const auto pop = static_cast<size_t>(std::popcount(bits));
    if (k < pop) {
      for (; k > 0; --k) bits &= bits - 1;  // drop the k lowest set bits
      return w * 64 + static_cast<size_t>(std::countr_zero(bits));
    }
    k -= pop;
  }
  assert(false && "nth past count");
  return 0;
}

size_t Candidates::next_from(size_t i) const {
  assert(!empty_);
  if (i >= size_) i = 0;
  if (all_) return i;
  const size_t n = words();
  size_t w = i / 64;
  uint64_t bits = word(w) & (~uint64_t{0} << (i % 64));
  // n + 1 steps: the start word is visited twice, first its high part, then in full after wrapping.
  for (size_t step = 0; step <= n; ++step) {
    if (bits != 0) return w * 64 + static_cast<size_t>(std::countr_zero(bits));
    w = (w + 1) % n;
    bits = word(w);
  }
  assert(false && "no candidate although count > 0");
  return 0;
}

}  // namespace sy::lb
