// Holds the Snapshot currently in force. The config thread publishes a new one with a single
// atomic store (docs/architecture.md, habit: compile once, publish once; one swap, never two);
// worker threads load() once per request and keep the shared_ptr until the request ends, so old
// snapshots die when their last request does.
// The only cross-thread shared state in the routing path; no locks on the read side beyond the
// atomic shared_ptr's own.
#pragma once

#include <atomic>
#include <memory>

#include "snapshot/snapshot.h"

namespace sy::snapshot {

class SnapshotStore {
 public:
  SnapshotStore() = default;
  explicit SnapshotStore(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {}
  SnapshotStore(const SnapshotStore&) = delete;
  SnapshotStore& operator=(const SnapshotStore&) = delete;

  // Any thread. May return null before the first publish.
  std::shared_ptr<const Snapshot> load() const { return current_.load(std::memory_order_acquire); }
  // Config thread. Replaces the current snapshot; the previous one lives on in readers' hands.
  void publish(std::shared_ptr<const Snapshot> next) { current_.store(std::move(next), std::memory_order_release); }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace sy::snapshot
