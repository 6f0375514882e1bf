#include "core/time_format.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(TimeFormat, WritesIso8601WithMillis) {
  EXPECT_EQ(FormatIso8601Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(1'714'565'100'123), "2024-05-01T12:05:00.123Z");
}

TEST(TimeFormat, MillisAgreeWithTheCLibraryAcrossYears) {
  // Leap days, month ends, century years, before 1970.
  for (int64_t ms :
       {int64_t{951'782'400'000}, int64_t{951'868'799'999}, int64_t{4'107'542'400'000}, int64_t{-1},
        int64_t{-86'400'001}, int64_t{1'709'164'800'123}, int64_t{253'402'300'799'999}}) {
    EXPECT_EQ(FormatIso8601Millis(ms), FormatIso8601Micros(ms * 1000).erase(23, 3)) << ms;
  }
  for (int64_t ms = -5'000'000'000'000; ms < 5'000'000'000'000; ms += 7'777'777'777) {
    ASSERT_EQ(FormatIso8601Millis(ms), FormatIso8601Micros(ms * 1000).erase(23, 3)) << ms;
  }
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
