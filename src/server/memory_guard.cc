#include "server/memory_guard.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace sy::server {

bool next_shedding(bool shedding, uint64_t resident, uint64_t limit) {
  if (limit == 0) return false;
  // In percent of the limit, without overflowing for limits near 2^64 / 100.
  const uint64_t start = limit / 100 * kShedStartPercent;
  const uint64_t stop = limit / 100 * kShedStopPercent;
  return shedding ? resident >= stop : resident >= start;
}

std::optional<uint64_t> parse_cgroup_memory_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0) return std::nullopt;
  if (value >= (uint64_t{1} << 62)) return std::nullopt;  // "unlimited" as cgroup v1 spells it
  return value;
}

namespace {

std::optional<std::string> read_small_file(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::optional<uint64_t> cgroup_memory_limit() {
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    if (auto text = read_small_file(path)) return parse_cgroup_memory_limit(*text);
  }
  return std::nullopt;
}

uint64_t resident_bytes() {
  auto text = read_small_file("/proc/self/statm");
  if (!text) return 0;
  uint64_t size_pages = 0, resident_pages = 0;
  std::istringstream in(*text);
  if (!(in >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

void MemoryGuard::sample() {
  if (limit_ == 0) return;
  const uint64_t resident = resident_bytes();
  const bool before = shedding();
  const bool after = next_shedding(before, resident, limit_);
  if (after == before) return;
  shedding_.store(after, std::memory_order_relaxed);
  if (after)
    spdlog::warn("overload: resident memory {} MiB is at least {}% of the {} MiB limit; new connections are closed",
                 resident >> 20, kShedStartPercent, limit_ >> 20);
  else
    spdlog::info("overload over: resident memory {} MiB is below {}% of the {} MiB limit; accepting again",
                 resident >> 20, kShedStopPercent, limit_ >> 20);
}

}  // namespace sy::server
