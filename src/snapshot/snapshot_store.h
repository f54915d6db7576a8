// Holds the Snapshot currently in force. The config thread publishes a new one with a single swap
// (docs/architecture.md, habit: compile once, publish once; one swap, never two); worker threads
// keep the snapshot they use in their own cluster table and look at `generation()` — one acquire
// load, no lock, no reference count touched — on every request, taking the snapshot itself only
// when a new one was published. Requests keep theirs (shared_ptr) until they end, so old
// snapshots die when their last request does.
//
// Why not std::atomic<std::shared_ptr>: libstdc++ 12's load() releases its internal lock with a
// relaxed store, so a later store()'s write of the pointer is not ordered after the read — a data
// race in the C++ memory model (ThreadSanitizer reports it), however unlikely to bite on x86. A
// mutex taken only when the generation changed is correct, and cheaper per request than the
// atomic shared_ptr's lock-and-count.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

#include "snapshot/snapshot.h"

namespace sy::snapshot {

class SnapshotStore {
 public:
  SnapshotStore() = default;
  explicit SnapshotStore(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {}
  SnapshotStore(const SnapshotStore&) = delete;
  SnapshotStore& operator=(const SnapshotStore&) = delete;

  // Any thread. May return null before the first publish.
  std::shared_ptr<const Snapshot> load() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  // Any thread: changes with every publish. A reader that caches the snapshot compares it first.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Config thread. Replaces the current snapshot; the previous one lives on in readers' hands and
  // is released here, outside the lock, when no reader has it.
  void publish(std::shared_ptr<const Snapshot> next) {
    std::shared_ptr<const Snapshot> previous;
    {
      std::lock_guard lock(mu_);
      previous = std::exchange(current_, std::move(next));
    }
    generation_.fetch_add(1, std::memory_order_release);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Snapshot> current_;
  std::atomic<uint64_t> generation_{0};
};

}  // namespace sy::snapshot
