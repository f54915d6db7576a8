// The process-wide cap on client connections (`serve --max-connections`). Every worker's accept
// loop takes a place before it serves a connection and the connection gives it back when it ends
// (parked in between or not). Over the cap, a connection is accepted and closed at once: leaving
// it in the listen backlog would let a flood of idle sockets hold the backlog and starve real
// clients, and would let descriptors run out — after which upstream connects fail with EMFILE.
// The default leaves a reserve of descriptors for upstream connections, files and the admin API.
#pragma once

#include <atomic>
#include <cstdint>

namespace sy::server {

class ConnectionLimit {
 public:
  explicit ConnectionLimit(uint64_t max) : max_(max) {}

  bool try_acquire() {
    if (open_.fetch_add(1, std::memory_order_relaxed) < max_) return true;
    open_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  void release() { open_.fetch_sub(1, std::memory_order_relaxed); }
  uint64_t max() const { return max_; }
  uint64_t open() const { return open_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> open_{0};
  const uint64_t max_;
};

// The default cap for a descriptor limit of `nofile`: half of it is kept for upstream
// connections and files, at most 4096 descriptors; at least 1 connection.
uint64_t default_max_connections(uint64_t nofile);

// Raises this process's soft descriptor limit to its hard limit (what haproxy and nginx do at
// start) and returns the soft limit then in force.
uint64_t raise_descriptor_limit();

}  // namespace sy::server
