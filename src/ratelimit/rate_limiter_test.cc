#include "ratelimit/rate_limiter.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

TEST(RateLimitRule, ParsesCountOverSeconds) {
  RateLimitRule r;
  ASSERT_TRUE(RateLimitRule::Parse("300/300", &r));
  EXPECT_EQ(r.limit, 300);
  EXPECT_EQ(r.period_ms, 300'000);
  EXPECT_FALSE(RateLimitRule::Parse("300", &r));
  EXPECT_FALSE(RateLimitRule::Parse("0/10", &r));
  EXPECT_FALSE(RateLimitRule::Parse("5/x", &r));
}

TEST(InMemoryRateLimiter, RefusesWhenBucketEmptyAndRefillsOverTime) {
  InMemoryRateLimiter limiter;
  const BucketRequest b{"ip:1", {3, 3000}};
  EXPECT_EQ(limiter.Take({&b, 1}, kNow).remaining, 2);
  EXPECT_TRUE(limiter.Take({&b, 1}, kNow).allowed);
  EXPECT_TRUE(limiter.Take({&b, 1}, kNow).allowed);
  const auto refused = limiter.Take({&b, 1}, kNow);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.reset_at_ms, kNow + 3000);
  EXPECT_FALSE(limiter.Take({&b, 1}, kNow + 999).allowed);
  EXPECT_TRUE(limiter.Take({&b, 1}, kNow + 1000).allowed);  // one token per second
}

TEST(InMemoryRateLimiter, RefusalTakesFromNoBucket) {
  InMemoryRateLimiter limiter;
  const BucketRequest wide{"account:1", {100, 1000}};
  const BucketRequest narrow{"registration:1", {1, 1'000'000}};
  const BucketRequest both[] = {wide, narrow};
  EXPECT_TRUE(limiter.Take(both, kNow).allowed);
  EXPECT_FALSE(limiter.Take(both, kNow).allowed);
  const auto d = limiter.Take({&wide, 1}, kNow);
  EXPECT_EQ(d.remaining, 98);  // only the first, allowed request took from it
}

TEST(InMemoryRateLimiter, ReportsTightestBucket) {
  InMemoryRateLimiter limiter;
  const BucketRequest both[] = {{"token:1", {300, 300'000}}, {"registration:1", {5, 1'800'000}}};
  const auto d = limiter.Take(both, kNow);
  EXPECT_EQ(d.limit, 5);
  EXPECT_EQ(d.remaining, 4);
}

TEST(InMemoryRateLimiter, KeysAreIndependent) {
  InMemoryRateLimiter limiter;
  const BucketRequest a{"ip:a", {1, 60'000}};
  const BucketRequest b{"ip:b", {1, 60'000}};
  EXPECT_TRUE(limiter.Take({&a, 1}, kNow).allowed);
  EXPECT_TRUE(limiter.Take({&b, 1}, kNow).allowed);
  EXPECT_FALSE(limiter.Take({&a, 1}, kNow).allowed);
}

TEST(InMemoryRateLimiter, HoldsNoMoreBucketsThanItsCapUnderAFloodOfKeys) {
  constexpr size_t kCap = 16 * 64;  // 64 a shard
  InMemoryRateLimiter limiter(kCap);
  const RateLimitRule rule{300, 300'000};
  int64_t now = 1'000'000;
  for (int i = 0; i < 20'000; ++i) {
    const BucketRequest r{"ip:10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256),
                          rule};
    EXPECT_TRUE(limiter.Take({&r, 1}, ++now).allowed);
    ASSERT_LE(limiter.bucket_count(), kCap + 16);
  }
  // A key in use keeps its count: the one just taken from is the newest.
  const BucketRequest busy{"ip:192.0.2.1", RateLimitRule{2, 300'000}};
  EXPECT_TRUE(limiter.Take({&busy, 1}, ++now).allowed);
  EXPECT_TRUE(limiter.Take({&busy, 1}, ++now).allowed);
  EXPECT_FALSE(limiter.Take({&busy, 1}, ++now).allowed);
}

TEST(InMemoryRateLimiter, SweepDropsOnlyFullBuckets) {
  InMemoryRateLimiter limiter;
  const BucketRequest slow{"slow", {1, 10'000'000}};
  EXPECT_TRUE(limiter.Take({&slow, 1}, kNow).allowed);
  for (int i = 0; i < 40000; ++i) {
    const BucketRequest fast{"fast:" + std::to_string(i), {10, 1}};
    (void)limiter.Take({&fast, 1}, kNow + 10 + i);
  }
  EXPECT_LT(limiter.bucket_count(), 40000u);
  EXPECT_FALSE(limiter.Take({&slow, 1}, kNow + 40010).allowed);  // still remembered
}

}  // namespace
}  // namespace chirp
