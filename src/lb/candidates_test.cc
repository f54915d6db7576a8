#include "lb/candidates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "lb/endpoint_bitset.h"

namespace sy::lb {
namespace {

EndpointBitset bits(size_t n, std::vector<size_t> on) {
  EndpointBitset b(n);
  for (size_t i : on) b.set(i);
  return b;
}

std::vector<size_t> members(const Candidates& c) {
  std::vector<size_t> out;
  for (size_t k = 0; k < c.count(); ++k) out.push_back(c.nth(k));
  return out;
}

// Each row: which endpoints are eligible and tried, and the candidates that result.
struct Row {
  const char* scenario;
  size_t size;
  std::vector<size_t> eligible;  // empty vector + all_eligible => no bitset passed
  bool all_eligible;
  std::vector<size_t> tried;
  std::vector<size_t> expected;
  bool tried_ignored;
};

TEST(CandidatesTest, EligibleMinusTriedWithFallback) {
  const std::vector<Row> rows = {
      {"no bitsets: everyone", 5, {}, true, {}, {0, 1, 2, 3, 4}, false},
      {"ejected endpoints drop out", 5, {0, 2, 4}, false, {}, {0, 2, 4}, false},
      {"tried endpoints drop out", 5, {}, true, {1, 3}, {0, 2, 4}, false},
      {"both", 5, {0, 1, 2}, false, {1}, {0, 2}, false},
      {"all eligible tried: fall back to eligible", 5, {1, 2}, false, {1, 2, 3}, {1, 2}, true},
      {"nothing eligible", 5, {}, false, {}, {}, false},
      {"spans words", 130, {0, 63, 64, 127, 128, 129}, false, {64}, {0, 63, 127, 128, 129}, false},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.scenario);
    const EndpointBitset eligible = bits(row.size, row.eligible);
    const EndpointBitset tried = bits(row.size, row.tried);
    const Candidates c(row.size, row.all_eligible ? std::span<const uint64_t>{} : eligible.words(),
                       row.tried.empty() ? std::span<const uint64_t>{} : tried.words());
    EXPECT_EQ(members(c), row.expected);
    EXPECT_EQ(c.tried_ignored(), row.tried_ignored);
    for (size_t i = 0; i < row.size; ++i) {
      const bool expected = std::find(row.expected.begin(), row.expected.end(), i) != row.expected.end();
      EXPECT_EQ(c.contains(i), expected) << i;
    }
  }
}

TEST(CandidatesTest, NextFromWraps) {
  const EndpointBitset eligible = bits(130, {5, 70, 129});
  const Candidates c(130, eligible.words(), {});
  EXPECT_EQ(c.next_from(0), 5u);
  EXPECT_EQ(c.next_from(5), 5u);
  EXPECT_EQ(c.next_from(6), 70u);
  EXPECT_EQ(c.next_from(71), 129u);
  EXPECT_EQ(c.next_from(130), 5u);  // past the end starts over
  const EndpointBitset one = bits(130, {70});
  const Candidates single(130, one.words(), {});
  EXPECT_EQ(single.next_from(71), 70u);  // wraps through the start word's low half
}

}  // namespace
}  // namespace sy::lb
