#include "events/trim_point.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(TrimPoint, FloorIsTheLowestSlot) {
  TrimPoint t;
  const size_t a = t.AddSlot();
  const size_t b = t.AddSlot();
  EXPECT_EQ(t.FloorWith(a, 10), 0);  // b has not opened: it holds everything back
  t.Set(b, 7);
  EXPECT_EQ(t.FloorWith(a, 10), 7);
  EXPECT_EQ(t.FloorWith(a, 5), 5);
  t.Set(a, 10);
  EXPECT_EQ(t.FloorWith(b, 12), 10);
}

TEST(TrimPoint, EachStretchIsClaimedOnce) {
  TrimPoint t;
  EXPECT_FALSE(t.Claim(0));
  EXPECT_TRUE(t.Claim(5));
  EXPECT_FALSE(t.Claim(5));
  EXPECT_FALSE(t.Claim(3));
  EXPECT_TRUE(t.Claim(6));
}

}  // namespace
}  // namespace chirp
