// Force-included into every translation unit that uses Asio (CMakeLists.txt, both event loops):
// where coroutine frames come from.
//
// Every `awaitable` function call allocates a frame. Asio 1.81 recycles frames through a per-thread
// cache of BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE slots, taken first fit and never larger than
// 255 chunks (2 KiB with io_uring, 1 KiB with epoll). That holds while one request at a time walks
// its call chain, but not when a worker interleaves many requests of different depths: an HTTP/2
// connection with 100 open streams missed the cache for about 13 frames per request, each a
// `memalign` and a `free` (8% of user-space instructions; docs/performance.md, step 13).
//
// This replaces that cache, for coroutine frames only, with per-thread free lists by size class
// (64-byte steps up to 8 KiB). Bounds: at most kMaxCachedPerClass blocks per class and
// kMaxCachedBytes in all, per thread; anything beyond goes back to malloc. The blocks are plain
// `operator new` memory, so a frame allocated on one thread and freed on another (a coroutine
// started by the main thread and finished by a worker) is still correct: it joins the freeing
// thread's list.
#pragma once

#include <boost/asio/detail/thread_info_base.hpp>

#include <array>
#include <cstddef>
#include <new>

namespace sy::net::frame_pool {

inline constexpr std::size_t kClassBytes = 64;
inline constexpr std::size_t kClasses = 128;  // frames up to 8 KiB
inline constexpr std::size_t kMaxCachedPerClass = 256;
inline constexpr std::size_t kMaxCachedBytes = std::size_t{2} << 20;

struct FreeBlock {
  FreeBlock* next;
};

// One thread's lists. Its destructor returns the cached blocks when the thread ends.
class ThreadFrames {
 public:
  ThreadFrames() = default;
  ThreadFrames(const ThreadFrames&) = delete;
  ThreadFrames& operator=(const ThreadFrames&) = delete;
  ~ThreadFrames() {
    for (FreeBlock* head : heads_)
      while (head) {
        FreeBlock* next = head->next;
        ::operator delete(head);
        head = next;
      }
  }

  void* take(std::size_t size) {
    std::size_t c = size_class(size);
    if (c < kClasses && heads_[c]) {
      FreeBlock* block = heads_[c];
      heads_[c] = block->next;
      --counts_[c];
      cached_bytes_ -= class_bytes(c);
      return block;
    }
    return ::operator new(c < kClasses ? class_bytes(c) : size);
  }

  void give(void* pointer, std::size_t size) {
    std::size_t c = size_class(size);
    if (c >= kClasses || counts_[c] >= kMaxCachedPerClass || cached_bytes_ + class_bytes(c) > kMaxCachedBytes) {
      ::operator delete(pointer);
      return;
    }
    auto* block = static_cast<FreeBlock*>(pointer);
    block->next = heads_[c];
    heads_[c] = block;
    ++counts_[c];
    cached_bytes_ += class_bytes(c);
  }

  std::size_t cached_bytes() const { return cached_bytes_; }

 private:
  static std::size_t size_class(std::size_t size) { return (size + kClassBytes - 1) / kClassBytes; }
  static std::size_t class_bytes(std::size_t c) { return c * kClassBytes; }

  std::array<FreeBlock*, kClasses> heads_{};
  std::array<std::size_t, kClasses> counts_{};
  std::size_t cached_bytes_ = 0;
};

inline ThreadFrames& this_thread_frames() {
  thread_local ThreadFrames frames;
  return frames;
}

}  // namespace sy::net::frame_pool

// Asio's awaitable_frame allocates through these two members; specializing them for its
// awaitable_frame_tag (and nothing else) routes coroutine frames, and only them, to the pool.
// Asio asks for its default alignment, which `operator new` gives. Sanitizer builds keep Asio's
// own cache, so that a frame used after its release is not hidden by a pool.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
static_assert(BOOST_ASIO_DEFAULT_ALIGN <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

namespace boost::asio::detail {

template <>
inline void* thread_info_base::allocate<thread_info_base::awaitable_frame_tag>(awaitable_frame_tag,
                                                                              thread_info_base*,
                                                                              std::size_t size,
                                                                              std::size_t) {
  return sy::net::frame_pool::this_thread_frames().take(size);
}

template <>
inline void thread_info_base::deallocate<thread_info_base::awaitable_frame_tag>(awaitable_frame_tag,
                                                                               thread_info_base*,
                                                                               void* pointer,
                                                                               std::size_t size) {
  sy::net::frame_pool::this_thread_frames().give(pointer, size);
}

}  // namespace boost::asio::detail
#endif
