#include "server/memory_guard.h"

#include <gtest/gtest.h>

namespace sy::server {
namespace {

// Scenario: shedding starts at 95 % of the limit and stops only below 90 % (no flapping).
TEST(MemoryGuard, Hysteresis) {
  constexpr uint64_t kLimit = 1000 * 100;
  struct Case {
    const char* name;
    bool shedding;
    uint64_t resident;
    uint64_t limit;
    bool want;
  } cases[] = {
      {"well below", false, 50'000, kLimit, false},
      {"between the marks, not shedding", false, 92'000, kLimit, false},
      {"at the start mark", false, 95'000, kLimit, true},
      {"over the limit", false, 120'000, kLimit, true},
      {"between the marks, shedding", true, 92'000, kLimit, true},
      {"at the stop mark, shedding", true, 90'000, kLimit, true},
      {"below the stop mark", true, 89'999, kLimit, false},
      {"guard off", false, 1'000'000, 0, false},
      {"guard off while shedding", true, 1'000'000, 0, false},
      {"huge limit does not overflow", false, uint64_t{1} << 62, UINT64_MAX, false},
  };
  for (const auto& c : cases) EXPECT_EQ(next_shedding(c.shedding, c.resident, c.limit), c.want) << c.name;
}

// Scenario: the cgroup limit as v2 and v1 write it, and the spellings of "no limit".
TEST(MemoryGuard, CgroupLimitText) {
  struct Case {
    const char* text;
    std::optional<uint64_t> want;
  } cases[] = {
      {"536870912\n", 536870912}, {"max\n", std::nullopt}, {"9223372036854771712\n", std::nullopt},  // v1 unlimited
      {"", std::nullopt},         {"0\n", std::nullopt},   {"12abc\n", std::nullopt},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_cgroup_memory_limit(c.text), c.want) << c.text;
}

// Scenario: the resident set of this test process is readable and plausible.
TEST(MemoryGuard, ResidentBytes) {
  const uint64_t rss = resident_bytes();
  EXPECT_GT(rss, 64u * 1024);
  EXPECT_LT(rss, uint64_t{64} << 30);
}

}  // namespace
}  // namespace sy::server
