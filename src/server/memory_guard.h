// The memory side of the overload guard (`serve --overload-memory-mb`): while the process's
// resident memory is near the limit, every listener accepts new connections and closes them at
// once, as over --max-connections. Connections already open are never shed: an idle keep-alive
// connection costs about a kilobyte, and closing it would only turn memory pressure into
// reconnects. Envoy's overload manager does the same with a fixed_heap monitor and the
// reject_incoming_connections action; the default limit is the container's (cgroup) memory
// limit, so the guard acts before the kernel's OOM killer does.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sy::server {

// Shedding starts at 95 % of the limit and stops below 90 %: the gap keeps a process hovering
// at the threshold from flapping between the two states on every sample.
inline constexpr uint64_t kShedStartPercent = 95;
inline constexpr uint64_t kShedStopPercent = 90;

// Whether to shed new connections after a sample of `resident` bytes, given the state before.
// A limit of 0 turns the guard off. Pure.
bool next_shedding(bool shedding, uint64_t resident, uint64_t limit);

// The cgroup memory limit from the text of cgroup v2's memory.max or v1's memory.limit_in_bytes;
// nullopt for "max", an unreadable value or one too large to be a real limit (v1 writes a
// page-rounded 2^63 when unlimited). Pure.
std::optional<uint64_t> parse_cgroup_memory_limit(std::string_view text);

// The limit of the cgroup this process runs in (v2, then v1), if it has one.
std::optional<uint64_t> cgroup_memory_limit();

// This process's resident set size in bytes (/proc/self/statm), 0 when unreadable.
uint64_t resident_bytes();

class MemoryGuard {
 public:
  explicit MemoryGuard(uint64_t limit) : limit_(limit) {}

  // Samples the resident set and updates the state; logs each change. Control thread.
  void sample();
  // Read by every accept loop.
  bool shedding() const { return shedding_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }

 private:
  const uint64_t limit_;
  std::atomic<bool> shedding_{false};
};

}  // namespace sy::server
