#include "store/write_positions.h"

#include <gtest/gtest.h>

#include <thread>

namespace chirp {
namespace {

TEST(MemoryWritePositions, AnAccountThatWroteNothingHasNoPosition) {
  MemoryWritePositions positions(60'000);
  EXPECT_EQ(positions.Find(7).value(), 0u);
}

TEST(MemoryWritePositions, APositionIsRaisedAndNeverLowered) {
  MemoryWritePositions positions(60'000);
  ASSERT_TRUE(positions.Record(7, 500));
  ASSERT_TRUE(positions.Record(7, 300));  // a slower write's record, arriving late
  EXPECT_EQ(positions.Find(7).value(), 500u);
  ASSERT_TRUE(positions.Record(7, 900));
  EXPECT_EQ(positions.Find(7).value(), 900u);
  EXPECT_EQ(positions.Find(8).value(), 0u);
}

TEST(MemoryWritePositions, PositionsPastTheirTimeAreForgotten) {
  MemoryWritePositions positions(20);
  ASSERT_TRUE(positions.Record(7, 500));
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  ASSERT_TRUE(positions.Record(8, 600));  // the sweep runs with a record
  EXPECT_EQ(positions.Find(7).value(), 0u);
  EXPECT_EQ(positions.Find(8).value(), 600u);
}

}  // namespace
}  // namespace chirp
