#include "core/snowflake.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace chirp {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

TEST(Snowflake, EncodesTimeWorkerAndSequence) {
  ManualClock clock(kStart);
  SnowflakeGenerator ids(clock, 5);
  const int64_t first = ids.Next();
  const int64_t second = ids.Next();
  EXPECT_EQ(SnowflakeGenerator::MillisOf(first), kStart);
  EXPECT_EQ((first >> SnowflakeGenerator::kSequenceBits) & SnowflakeGenerator::kMaxWorker, 5);
  EXPECT_EQ(second, first + 1);
  EXPECT_GT(first, 0);
}

TEST(Snowflake, OrderedByTime) {
  ManualClock clock(kStart);
  SnowflakeGenerator ids(clock, 1);
  const int64_t early = ids.Next();
  clock.Advance(1);
  const int64_t late = ids.Next();
  EXPECT_LT(early, late);
  EXPECT_EQ(SnowflakeGenerator::MillisOf(late), kStart + 1);
  EXPECT_LE(SnowflakeGenerator::FirstIdAt(kStart + 1), late);
  EXPECT_GT(SnowflakeGenerator::FirstIdAt(kStart + 1), early);
}

TEST(Snowflake, IdAtIsTheIdAGeneratorWouldIssueThen) {
  ManualClock clock(kStart);
  SnowflakeGenerator ids(clock, 7);
  const int64_t first = ids.Next();
  const int64_t second = ids.Next();
  EXPECT_EQ(SnowflakeGenerator::IdAt(kStart, 7, 0), first);
  EXPECT_EQ(SnowflakeGenerator::IdAt(kStart, 7, 1), second);
  // The sequence wraps within its millisecond.
  EXPECT_EQ(SnowflakeGenerator::IdAt(kStart, 7, SnowflakeGenerator::kMaxSequence + 1), first);
  EXPECT_EQ(SnowflakeGenerator::MillisOf(SnowflakeGenerator::IdAt(kStart - 5, 7, 4095)),
            kStart - 5);
}

TEST(Snowflake, StaysIncreasingWhenClockStepsBack) {
  ManualClock clock(kStart);
  SnowflakeGenerator ids(clock, 0);
  const int64_t before = ids.Next();
  clock.Set(kStart - 60'000);  // an NTP step back by a minute
  int64_t last = before;
  for (int i = 0; i < 10'000; ++i) {
    const int64_t id = ids.Next();
    ASSERT_GT(id, last);
    last = id;
  }
}

TEST(Snowflake, BorrowsNextMillisecondWhenSequenceRunsOut) {
  ManualClock clock(kStart);
  SnowflakeGenerator ids(clock, 0);
  int64_t last = 0;
  for (int64_t i = 0; i <= SnowflakeGenerator::kMaxSequence + 10; ++i) {
    const int64_t id = ids.Next();
    ASSERT_GT(id, last);
    last = id;
  }
  EXPECT_EQ(SnowflakeGenerator::MillisOf(last), kStart + 1);
}

TEST(Snowflake, WorkersNeverCollide) {
  ManualClock clock(kStart);
  SnowflakeGenerator a(clock, 1);
  SnowflakeGenerator b(clock, 2);
  std::set<int64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(seen.insert(a.Next()).second);
    ASSERT_TRUE(seen.insert(b.Next()).second);
  }
}

TEST(Snowflake, UniqueAcrossThreads) {
  SystemClock clock;
  SnowflakeGenerator ids(clock, 3);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  std::vector<std::vector<int64_t>> out(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) out[t].push_back(ids.Next());
    });
  }
  for (auto& th : threads) th.join();
  std::set<int64_t> all;
  for (const auto& v : out) {
    for (size_t i = 1; i < v.size(); ++i) ASSERT_GT(v[i], v[i - 1]);
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace chirp
