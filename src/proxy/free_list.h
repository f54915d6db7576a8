// A bounded stack of reusable objects for one worker (no locks: worker-local). take() hands out
// a Lease (a new object if none is free); the Lease gives it back on destruction or reset(). T
// provides `bool recycle()`, which readies a used object for its next user (false: drop it).
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace sy::proxy {

template <class T>
class FreeList {
 public:
  explicit FreeList(size_t max_free) : max_free_(max_free) {}

  class Lease {
   public:
    Lease() = default;
    Lease(FreeList& owner, std::unique_ptr<T> obj) : owner_(&owner), obj_(std::move(obj)) {}
    Lease(Lease&& o) noexcept : owner_(o.owner_), obj_(std::move(o.obj_)) {}
    Lease& operator=(Lease&& o) noexcept {
      if (this != &o) {
        reset();
        owner_ = o.owner_;
        obj_ = std::move(o.obj_);
      }
      return *this;
    }
    ~Lease() { reset(); }
    // Returns the object to its list now.
    void reset() {
      if (obj_) owner_->give_back(std::move(obj_));
    }
    explicit operator bool() const { return obj_ != nullptr; }
    T& operator*() const { return *obj_; }
    T* operator->() const { return obj_.get(); }

   private:
    FreeList* owner_ = nullptr;
    std::unique_ptr<T> obj_;
  };

  // A recycled object, or a new one built from `args` (the same for every take of one list).
  template <class... Args>
  Lease take(Args&&... args) {
    if (free_.empty()) return Lease(*this, std::make_unique<T>(std::forward<Args>(args)...));
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
