// The detector on the patterns a trend evaluation plants, on a simulated
// clock: steady tags large and small, a daily cycle, bursts of distinct
// accounts, one account repeating itself, a held peak that decays.
#include "trends/tag_trends.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace chirp {
namespace {

constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
// A Monday, midnight UTC.
constexpr int64_t kStart = 1'764'547'200'000;

// `accounts` distinct accounts (from `first_account`) each use `tag` once,
// spread evenly over [from, from + span).
void Spread(TagTrends& trends, const std::string& tag, int accounts, int64_t from, int64_t span,
            int64_t first_account = 1) {
  for (int i = 0; i < accounts; ++i) {
    trends.Record(tag, first_account + i, from + span * i / accounts);
  }
}

std::vector<std::string> Names(const std::vector<TagTrend>& top) {
  std::vector<std::string> out;
  for (const TagTrend& t : top) out.push_back(t.tag);
  return out;
}

bool Trending(TagTrends& trends, const std::string& tag, int64_t now) {
  for (const TagTrend& t : trends.Top(now, 100)) {
    if (t.tag == tag) return true;
  }
  return false;
}

TEST(TagTrendsTest, ATagAtItsUsualLevelNeverTrendsHoweverLarge) {
  TagTrends trends;
  // 300 accounts an hour, every hour, for eight days: the tag everybody uses.
  for (int64_t hour = 0; hour < 8 * 24; ++hour) {
    Spread(trends, "news", 300, kStart + hour * kHour, kHour, hour * 1000);
    if (hour >= 24) {
      EXPECT_FALSE(Trending(trends, "news", kStart + (hour + 1) * kHour - 1)) << "hour " << hour;
    }
  }
}

TEST(TagTrendsTest, ADailyPeakAtItsUsualHourDoesNotTrendButTheSameOffHourDoes) {
  TagTrends trends;
  // Two accounts an hour, and 40 from 20:00 to 21:00, for seven days.
  int64_t account = 1;
  for (int day = 0; day < 7; ++day) {
    for (int hour = 0; hour < 24; ++hour) {
      const int n = hour == 20 ? 40 : 2;
      Spread(trends, "tv", n, kStart + day * kDay + hour * kHour, kHour, account);
      account += n;
    }
  }
  // Day eight: the evening as usual, checked every ten minutes through it
  // and the hour after.
  const int64_t day8 = kStart + 7 * kDay;
  for (int hour = 0; hour < 20; ++hour) {
    Spread(trends, "tv", 2, day8 + hour * kHour, kHour, account);
    account += 2;
  }
  Spread(trends, "tv", 40, day8 + 20 * kHour, kHour, account);
  account += 40;
  Spread(trends, "tv", 2, day8 + 21 * kHour, kHour, account);
  account += 2;
  for (int64_t t = day8 + 20 * kHour; t <= day8 + 22 * kHour; t += 10 * kMinute) {
    EXPECT_FALSE(Trending(trends, "tv", t)) << "minute " << (t - day8) / kMinute;
  }
  // The same 40 accounts at nine in the morning of day nine trend.
  const int64_t day9 = kStart + 8 * kDay;
  for (int hour = 0; hour < 9; ++hour) {
    Spread(trends, "tv", 2, day9 + hour * kHour, kHour, account);
    account += 2;
  }
  Spread(trends, "tv", 40, day9 + 9 * kHour, 30 * kMinute, account);
  EXPECT_TRUE(Trending(trends, "tv", day9 + 9 * kHour + 30 * kMinute));
}

TEST(TagTrendsTest, ANewTagTrendsOnDistinctAccountsNotOnOneRepeatingItself) {
  TagTrends trends;
  for (int i = 0; i < 30; ++i) trends.Record("mine", 7, kStart + i * kMinute / 2);
  Spread(trends, "quake", 12, kStart, 15 * kMinute, 100);
  const auto top = trends.Top(kStart + 15 * kMinute, 10);
  EXPECT_EQ(Names(top), std::vector<std::string>{"quake"});
  EXPECT_EQ(top[0].accounts, 12);
  // Two accounts are not a trend.
  TagTrends few;
  Spread(few, "pair", 2, kStart, 10 * kMinute);
  EXPECT_TRUE(few.Top(kStart + 10 * kMinute, 10).empty());
}

TEST(TagTrendsTest, APulseOfFiveTimesTheUsualRateIsDetectedWithinItsFirstTwentyMinutes) {
  TagTrends trends;
  // Six accounts an hour for a week.
  int64_t account = 1;
  for (int64_t hour = 0; hour < 7 * 24; ++hour) {
    Spread(trends, "rust", 6, kStart + hour * kHour, kHour, account);
    account += 6;
  }
  // Then thirty an hour (five times as many), checked each minute.
  const int64_t pulse = kStart + 7 * kDay;
  int64_t detected = -1;
  for (int minute = 0; minute < 60 && detected < 0; ++minute) {
    // An account every two minutes: thirty an hour.
    if (minute % 2 == 0) trends.Record("rust", account++, pulse + minute * kMinute);
    if (Trending(trends, "rust", pulse + minute * kMinute + 2)) detected = minute;
  }
  ASSERT_GE(detected, 0) << "never detected";
  EXPECT_LE(detected, 20);
}

TEST(TagTrendsTest, TheLargerBurstRanksFirstAndAPeakDecaysByHalfEachHalfLife) {
  TagTrendOptions options;
  TagTrends trends(options);
  Spread(trends, "small", 5, kStart, 30 * kMinute, 1);
  Spread(trends, "large", 40, kStart, 30 * kMinute, 100);
  const int64_t peak_at = kStart + 30 * kMinute;
  const auto top = trends.Top(peak_at, 10);
  ASSERT_EQ(Names(top), (std::vector<std::string>{"large", "small"}));
  const double peak = top[0].score;
  // Nobody uses it any more: the score held falls by half in a half-life.
  const auto later = trends.Top(peak_at + options.half_life_ms, 10);
  ASSERT_FALSE(later.empty());
  EXPECT_EQ(later[0].tag, "large");
  EXPECT_NEAR(later[0].score, peak / 2, peak * 1e-9);
  EXPECT_EQ(later[0].accounts, 0);
  // Until it is gone, and forgotten with its history.
  EXPECT_TRUE(trends.Top(peak_at + 10 * options.half_life_ms, 10).empty());
  trends.ForgetIdle(peak_at + 8 * kDay);
  EXPECT_EQ(trends.tags(), 0u);
}

TEST(TagTrendsTest, HistoryCountsUsesAndDistinctAccountsPerDayNewestFirst) {
  TagTrends trends;
  trends.Record("cats", 1, kStart + 1 * kHour);
  trends.Record("cats", 1, kStart + 2 * kHour);
  trends.Record("cats", 2, kStart + 3 * kHour);
  trends.Record("cats", 3, kStart + 2 * kDay + kHour);
  const auto days = trends.History("cats", kStart + 2 * kDay + 5 * kHour);
  ASSERT_EQ(days.size(), 7u);
  EXPECT_EQ(days[0].day_start_ms, kStart + 2 * kDay);
  EXPECT_EQ(days[0].uses, 1);
  EXPECT_EQ(days[0].accounts, 1);
  EXPECT_EQ(days[1].uses, 0);
  EXPECT_EQ(days[2].day_start_ms, kStart);
  EXPECT_EQ(days[2].uses, 3);
  EXPECT_EQ(days[2].accounts, 2);
  for (const TagDay& d : trends.History("dogs", kStart)) EXPECT_EQ(d.uses, 0);
}

}  // namespace
}  // namespace chirp
