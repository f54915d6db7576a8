// The working memory of one forwarded request, kept on a per-worker free list so that steady
// traffic allocates (and zero-fills) none of it per request: the upstream read buffer, the
// serialized request head, the replay copy of the body, endpoint bit sets and the response
// parser (whose header storage is reused too). Worker-local, like everything in WorkerContext.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "http/http1/response_parser.h"

namespace sy::proxy {

struct ForwardScratch {
  static constexpr size_t kBuffer = 16 * 1024;  // fits every ordinary response head and more

  ForwardScratch() : buf(kBuffer) {}

  std::vector<char> buf;  // upstream bytes; grows for a huge head, shrinks back when returned
  std::string head_bytes;
  std::string replay;  // the request body kept for retries (bounded by the forwarder)
  std::vector<uint64_t> tried, outlier_bits, combined_bits;
  http::h1::ResponseParser parser;

  // Makes a used scratch ready for the next request; false when it is not worth keeping.
  bool recycle() {
    if (!parser.idle()) parser = http::h1::ResponseParser();  // a failed or cut-short response
    if (buf.size() != kBuffer) {
      buf.resize(kBuffer);
      buf.shrink_to_fit();
    }
    head_bytes.clear();
    replay.clear();
    if (replay.capacity() > kBuffer) std::string().swap(replay);
    return true;
  }
};

// A bounded stack of reusable objects. take() hands one out (new if none is free); the Lease
// returns it on destruction.
template <class T>
class FreeList {
 public:
  explicit FreeList(size_t max_free) : max_free_(max_free) {}

  class Lease {
   public:
    Lease(FreeList& owner, std::unique_ptr<T> obj) : owner_(&owner), obj_(std::move(obj)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (obj_) owner_->give_back(std::move(obj_));
    }
    T& operator*() const { return *obj_; }
    T* operator->() const { return obj_.get(); }

   private:
    FreeList* owner_;
    std::unique_ptr<T> obj_;
  };

  Lease take() {
    if (free_.empty()) return Lease(*this, std::make_unique<T>());
    std::unique_ptr<T> obj = std::move(free_.back());
    free_.pop_back();
    return Lease(*this, std::move(obj));
  }
  size_t free_count() const { return free_.size(); }

 private:
  void give_back(std::unique_ptr<T> obj) {
    if (free_.size() < max_free_ && obj->recycle()) free_.push_back(std::move(obj));
  }
  size_t max_free_;
  std::vector<std::unique_ptr<T>> free_;
};

}  // namespace sy::proxy
