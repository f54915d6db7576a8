// An allocator that asks the heap for exactly the bytes an object needs. Bound to an Asio handler
// (boost::asio::bind_allocator), it keeps the operation out of Asio's per-thread recycling cache,
// which hands out any cached block that is large enough: an operation that waits for minutes (a
// parked connection's peek) would otherwise pin a block sized for a finished send (1.5 KiB on
// io_uring, whose send operations carry room for 64 iovecs). std::allocator cannot do this: Asio
// treats it as "no allocator" and uses the cache.
#pragma once

#include <cstddef>
#include <new>

namespace sy::proxy {

template <class T>
struct ExactHeapAllocator {
  using value_type = T;
  ExactHeapAllocator() noexcept = default;
  template <class U>
  ExactHeapAllocator(const ExactHeapAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { ::operator delete(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const ExactHeapAllocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace sy::proxy
