// Scenario: coroutine frames are reused by size class, and the per-thread cache stays bounded.
#include "net/coroutine_frame_pool.h"

#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <vector>

namespace sy::net::frame_pool {
namespace {

TEST(CoroutineFramePool, ReusesABlockOfTheSameClass) {
  struct Case {
    size_t freed, asked;
    bool reused;
  };
  const Case cases[] = {
      {100, 100, true},     // same size
      {100, 128, true},     // same 64-byte class (65..128)
      {100, 129, false},    // next class
      {200, 100, false},    // a smaller frame never takes a bigger class's block
      {9000, 9000, false},  // beyond 8 KiB: malloc each time
  };
  for (const Case& c : cases) {
    ThreadFrames frames;
    void* first = frames.take(c.freed);
    frames.give(first, c.freed);
    const size_t cached = frames.cached_bytes();
    void* second = frames.take(c.asked);
    // Reuse shows as the block leaving the cache (malloc may return a freed address too).
    EXPECT_EQ(frames.cached_bytes() < cached, c.reused) << c.freed << " then " << c.asked;
    if (c.reused) {
      EXPECT_EQ(second, first);
    }
    frames.give(second, c.asked);
  }
}

TEST(CoroutineFramePool, KeepsAtMostTheClassLimit) {
  ThreadFrames frames;
  std::vector<void*> blocks;
  for (size_t i = 0; i < kMaxCachedPerClass + 10; ++i) blocks.push_back(frames.take(64));
  for (void* b : blocks) frames.give(b, 64);
  // The first kMaxCachedPerClass come back (last given, first taken); the extra ten went to malloc.
  size_t reused = 0;
  std::vector<void*> again;
  for (size_t i = 0; i < kMaxCachedPerClass + 10; ++i) {
    void* b = frames.take(64);
    for (size_t j = 0; j < kMaxCachedPerClass; ++j) reused += (b == blocks[j]);
    again.push_back(b);
  }
  EXPECT_EQ(reused, kMaxCachedPerClass);
  for (void* b : again) frames.give(b, 64);
}

TEST(CoroutineFramePool, KeepsAtMostTheByteLimit) {
  ThreadFrames frames;
  const size_t size = 8192;  // the largest class: 256 of them would be 2 MiB
  const size_t fit = kMaxCachedBytes / size;
  std::vector<void*> blocks;
  for (size_t i = 0; i < fit + 5; ++i) blocks.push_back(frames.take(size));
  for (void* b : blocks) frames.give(b, size);
  size_t reused = 0;
  std::vector<void*> again;
  for (size_t i = 0; i < fit + 5; ++i) {
    void* b = frames.take(size);
    for (void* old : blocks) reused += (b == old);
    again.push_back(b);
  }
  // Blocks given beyond the limit were freed, and malloc may hand the same addresses out again,
  // so only a lower bound holds for the count of reused addresses.
  EXPECT_GE(reused, fit);
  for (void* b : again) frames.give(b, size);
}

boost::asio::awaitable<int> leaf(int v) { co_return v + 1; }

boost::asio::awaitable<void> chain(int& out) {
  int v = 0;
  for (int i = 0; i < 1000; ++i) v = co_await leaf(v);
  out = v;
}

TEST(CoroutineFramePool, AsioCoroutinesRunOnIt) {
  boost::asio::io_context io;
  int result = 0;
  boost::asio::co_spawn(io, chain(result), boost::asio::detached);
  io.run();
  EXPECT_EQ(result, 1000);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  EXPECT_GT(this_thread_frames().cached_bytes(), 0u);  // the frames came back to this thread's lists
#endif
}

}  // namespace
}  // namespace sy::net::frame_pool
