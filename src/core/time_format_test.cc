#include "core/time_format.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(TimeFormat, WritesIso8601WithMillis) {
  EXPECT_EQ(FormatIso8601Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(1'714'565'100'123), "2024-05-01T12:05:00.123Z");
}

TEST(TimeFormat, WritesIso8601WithMicros) {
  EXPECT_EQ(FormatIso8601Micros(1'714'565'100'000'001), "2024-05-01T12:05:00.000001Z");
}

TEST(TimeFormat, DaysAndMidnight) {
  EXPECT_EQ(FormatDate(1'714'565'100'123), "2024-05-01");
  EXPECT_EQ(StartOfDayMillis(1'714'565'100'123), 1'714'521'600'000);
}

}  // namespace
}  // namespace chirp
