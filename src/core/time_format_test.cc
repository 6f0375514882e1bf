#include "core/time_format.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

namespace chirp {
namespace {

TEST(TimeFormat, WritesIso8601WithMillis) {
  EXPECT_EQ(FormatIso8601Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(1'714'565'100'123), "2024-05-01T12:05:00.123Z");
}

// The C library's reading of the same instant, as the oracle.
std::string FromCLibrary(int64_t unix_millis) {
  const int64_t seconds = unix_millis / 1000 - (unix_millis % 1000 < 0 ? 1 : 0);
  const time_t t = static_cast<time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_millis - seconds * 1000));
  return buf;
}

TEST(TimeFormat, MillisAgreeWithTheCLibraryAcrossYears) {
  // Leap days, month ends, century years, before 1970, the last of 9999.
  for (int64_t ms :
       {int64_t{951'782'400'000}, int64_t{951'868'799'999}, int64_t{4'107'542'400'000}, int64_t{-1},
        int64_t{-86'400'001}, int64_t{1'709'164'800'123}, int64_t{253'402'300'799'999}}) {
    EXPECT_EQ(FormatIso8601Millis(ms), FromCLibrary(ms)) << ms;
  }
  for (int64_t ms = -5'000'000'000'000; ms < 5'000'000'000'000; ms += 7'777'777'777) {
    ASSERT_EQ(FormatIso8601Millis(ms), FromCLibrary(ms)) << ms;
  }
}

TEST(TimeFormat, YearsBeyondFourDigitsAreStillWritten) {
  EXPECT_EQ(FormatIso8601Millis(253'402'300'800'000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601Millis(-62'167'219'200'001), "-001-12-31T23:59:59.999Z");
}

TEST(TimeFormat, WritesIso8601WithMicros) {
  EXPECT_EQ(FormatIso8601Micros(1'714'565'100'000'001), "2024-05-01T12:05:00.000001Z");
}

TEST(TimeFormat, DaysAndMidnight) {
  EXPECT_EQ(FormatDate(1'714'565'100'123), "2024-05-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(StartOfDayMillis(1'714'565'100'123), 1'714'521'600'000);
}

}  // namespace
}  // namespace chirp
