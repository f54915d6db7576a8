#include "server/connection_limit.h"

#include <gtest/gtest.h>

namespace sy::server {
namespace {

// Scenario: the default cap keeps a reserve of descriptors: half of a small limit, 4096 of a large one.
TEST(ConnectionLimit, DefaultReserve) {
  struct Case {
    uint64_t nofile, want;
  };
  for (const Case c : {Case{1024, 512}, Case{8192, 4096}, Case{65536, 61440}, Case{1048576, 1044480}, Case{1, 1}})
    EXPECT_EQ(default_max_connections(c.nofile), c.want) << c.nofile;
}

// Scenario: places are taken up to the cap, refused beyond it, and free again once released.
TEST(ConnectionLimit, TakeAndRelease) {
  ConnectionLimit limit(2);
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_FALSE(limit.try_acquire());
  EXPECT_EQ(limit.open(), 2u);
  limit.release();
  EXPECT_TRUE(limit.try_acquire());
  EXPECT_FALSE(limit.try_acquire());
}

}  // namespace
}  // namespace sy::server
