// FreeList hands out recycled objects, bounds what it keeps, and drops what recycle() refuses.
#include "proxy/free_list.h"

#include <gtest/gtest.h>

namespace sy::proxy {
namespace {

struct Item {
  static inline int constructed = 0;
  Item() { ++constructed; }
  int uses = 0;
  bool keep = true;
  bool recycle() {
    ++uses;
    return keep;
  }
};

TEST(FreeList, ReusesReturnedObjects) {
  Item::constructed = 0;
  FreeList<Item> list(4);
  Item* first = nullptr;
  {
    auto a = list.take();
    first = &*a;
  }
  EXPECT_EQ(list.free_count(), 1u);
  auto b = list.take();
  EXPECT_EQ(&*b, first);
  EXPECT_EQ(b->uses, 1);
  EXPECT_EQ(Item::constructed, 1);
}

TEST(FreeList, KeepsAtMostItsBound) {
  FreeList<Item> list(2);
  { auto a = list.take(), b = list.take(), c = list.take(); }
  EXPECT_EQ(list.free_count(), 2u);
}

TEST(FreeList, DropsWhatRecycleRefuses) {
  FreeList<Item> list(4);
  {
    auto a = list.take();
    a->keep = false;
  }
  EXPECT_EQ(list.free_count(), 0u);
}

TEST(FreeList, LeaseMovesAndResets) {
  FreeList<Item> list(4);
  FreeList<Item>::Lease empty;
  EXPECT_FALSE(empty);
  auto a = list.take();
  FreeList<Item>::Lease b = std::move(a);
  EXPECT_FALSE(a);
  EXPECT_TRUE(b);
  b.reset();
  EXPECT_FALSE(b);
  EXPECT_EQ(list.free_count(), 1u);
  b = list.take();  // move-assigning into an empty lease takes the free object again
  EXPECT_EQ(list.free_count(), 0u);
  b = list.take();  // assigning over a held object returns that one first
  EXPECT_EQ(list.free_count(), 1u);
}

}  // namespace
}  // namespace sy::proxy
