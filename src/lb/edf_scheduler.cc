#include "lb/edf_scheduler.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "lb/random_stream.h"

namespace sy::lb {
namespace {

// Weights are < 2^32, so every stride is >= 2^8: integer rounding skews shares by < 0.4%.
constexpr uint64_t kStrideScale = uint64_t{1} << 40;
// Deadlines grow by up to 2^40 per turn; rebase long before uint64 would wrap.
constexpr uint64_t kRebaseAt = uint64_t{1} << 62;

}  // namespace

EdfScheduler::EdfScheduler(std::span<const uint32_t> weights, std::shared_ptr<const SlowStart> slow_start)
    : slow_start_(std::move(slow_start)) {
  stride_.reserve(weights.size());
  for (uint32_t w : weights) {
    assert(w >= 1);
    stride_.push_back(kStrideScale / w);
  }
  heap_.reserve(weights.size());
  set_aside_.reserve(weights.size());
  seen_eligible_.assign((weights.size() + 63) / 64, 0);
  rebuild({});
}

uint64_t EdfScheduler::stride(size_t i) const {
  if (!slow_start_ || pick_time_ == std::chrono::steady_clock::time_point{} || !slow_start_->warming(pick_time_))
    return stride_[i];
  // factor >= 1e-6 and stride_ <= 2^40, so this stays far below kRebaseAt.
  return static_cast<uint64_t>(static_cast<double>(stride_[i]) / slow_start_->factor(i, pick_time_));
}

void EdfScheduler::reseed(uint64_t random) {
  phase_seed_ = random;
  seen_all_ ? rebuild({}) : rebuild(seen_eligible_);
}

bool EdfScheduler::eligibility_changed(std::span<const uint64_t> eligible) const {
  if (eligible.empty()) return !seen_all_;
  if (seen_all_) return true;
  const size_t words = std::min(eligible.size(), seen_eligible_.size());
  return std::memcmp(eligible.data(), seen_eligible_.data(), words * sizeof(uint64_t)) != 0;
}

void EdfScheduler::rebuild(std::span<const uint64_t> eligible) {
  seen_all_ = eligible.empty();
  if (!seen_all_ && eligible.data() != seen_eligible_.data()) {
    std::fill(seen_eligible_.begin(), seen_eligible_.end(), 0);
    std::copy_n(eligible.begin(), std::min(eligible.size(), seen_eligible_.size()), seen_eligible_.begin());
  }
  heap_.clear();
  RandomStream phase(phase_seed_);
  for (size_t i = 0; i < stride_.size(); ++i) {
    if (!seen_all_ && ((seen_eligible_[i / 64] >> (i % 64)) & 1) == 0) continue;
    // Without a seed everyone is due one stride from now; with one, a random part of the first
    // stride is skipped so copies on different workers interleave differently.
    const uint64_t first = stride(i);
    const uint64_t skip = phase_seed_ == 0 ? 0 : phase.below(first);
    heap_.push_back(Entry{now_ + first - skip, static_cast<uint32_t>(i)});
  }
  std::make_heap(heap_.begin(), heap_.end(), later);
}

void EdfScheduler::sift_down_top() {
  // Same layout as the std heap functions (children of i at 2i+1, 2i+2), so they stay usable.
  const size_t n = heap_.size();
  const Entry moving = heap_[0];
  size_t i = 0;
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && later(heap_[child], heap_[child + 1])) ++child;  // the earlier child
    if (!later(moving, heap_[child])) break;
    heap_[i] = heap_[child];
    i = child;
  }
  heap_[i] = moving;
}

size_t EdfScheduler::pick(const Candidates& candidates, std::span<const uint64_t> eligible,
                          std::chrono::steady_clock::time_point now) {
  assert(!candidates.empty());
  pick_time_ = now;
  if (eligibility_changed(eligible)) rebuild(eligible);
  // Tried endpoints keep their deadline: they are skipped this once, not sent to the back.
  while (!candidates.contains(heap_.front().index)) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    set_aside_.push_back(heap_.back());
    heap_.pop_back();
    assert(!heap_.empty());
  }
  // The top is the pick: push its deadline one stride on and let it sink (one sift instead of
  // pop_heap + push_heap, about half the comparisons).
  Entry& chosen = heap_.front();
  now_ = chosen.deadline;
  chosen.deadline += stride(chosen.index);
  const size_t index = chosen.index;
  sift_down_top();
  for (const Entry& e : set_aside_) {
    heap_.push_back(e);
    std::push_heap(heap_.begin(), heap_.end(), later);
  }
  set_aside_.clear();
  if (heap_.front().deadline >= kRebaseAt) {
    // Shift everything by the earliest deadline: order is unchanged and no entry goes negative
    // (set-aside entries may be due before now_, so now_ itself is not a safe base).
    const uint64_t base = heap_.front().deadline;
    for (Entry& e : heap_) e.deadline -= base;
    now_ = now_ > base ? now_ - base : 0;
  }
  return index;
}

}  // namespace sy::lb
