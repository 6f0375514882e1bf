#include "redis/redis_rate_limiter.h"

#include <gtest/gtest.h>

#include "redis/redis_test_cluster.h"

namespace chirp {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

std::unique_ptr<RedisCluster> Connect() {
  auto client = RedisTestCluster::ConnectShared();
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(client).value() : nullptr;
}

// Requests of one bucket on `limiter` until one is refused; how many passed
// (at most `most`).
int AllowedOf(RedisRateLimiter& limiter, const BucketRequest& bucket, int most, int64_t now) {
  for (int n = 0; n < most; ++n) {
    if (!limiter.Take({&bucket, 1}, now).allowed) return n;
  }
  return most;
}

TEST(RedisRateLimiter, TwoInstancesSpendOneBucket) {
  auto client = Connect();
  ASSERT_TRUE(client);
  ManualClock clock(kNow);
  const RedisRateLimiterOptions options{.prefix = RedisTestCluster::Prefix(), .sync_thread = false};
  RedisRateLimiter a(*client, clock, options), b(*client, clock, options);
  const BucketRequest ip{"ip:10.0.0.1", {10, 60'000}};
  EXPECT_EQ(AllowedOf(a, ip, 6, kNow), 6);
  ASSERT_TRUE(a.Sync());
  // B hears of A's six with its own first sync of the bucket.
  EXPECT_TRUE(b.Take({&ip, 1}, kNow).allowed);
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(AllowedOf(b, ip, 10, kNow), 3);  // 10 - 6 - 1
  ASSERT_TRUE(b.Sync());
  // A, told by its next sync, refuses too.
  EXPECT_TRUE(a.Take({&ip, 1}, kNow).allowed);  // before it heard
  ASSERT_TRUE(a.Sync());
  const RateLimitDecision refused = a.Take({&ip, 1}, kNow);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  // The bucket refills in Redis as in memory: a tenth of the period, a token.
  clock.Advance(6'000);
  EXPECT_TRUE(a.Take({&ip, 1}, kNow + 6'000).allowed);
  ASSERT_TRUE(a.Sync());
  EXPECT_FALSE(a.Take({&ip, 1}, kNow + 6'000).allowed);
}

TEST(RedisRateLimiter, BucketsOfOtherKeysStayApart) {
  auto client = Connect();
  ASSERT_TRUE(client);
  ManualClock clock(kNow);
  const RedisRateLimiterOptions options{.prefix = RedisTestCluster::Prefix(), .sync_thread = false};
  RedisRateLimiter a(*client, clock, options), b(*client, clock, options);
  const BucketRequest one{"token:1", {3, 60'000}}, two{"token:2", {3, 60'000}};
  EXPECT_EQ(AllowedOf(a, one, 3, kNow), 3);
  ASSERT_TRUE(a.Sync());
  EXPECT_TRUE(b.Take({&two, 1}, kNow).allowed);
  ASSERT_TRUE(b.Sync());
  EXPECT_EQ(AllowedOf(b, two, 5, kNow), 2);
}

TEST(RedisRateLimiter, ItsThreadSyncsWithoutBeingAsked) {
  auto client = Connect();
  ASSERT_TRUE(client);
  SystemClock clock;
  const RedisRateLimiterOptions options{.prefix = RedisTestCluster::Prefix(), .sync_interval_ms = 10};
  RedisRateLimiter a(*client, clock, options);
  const BucketRequest bucket{"account:5", {100, 600'000}};
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(a.Take({&bucket, 1}, clock.NowMillis()).allowed);
  const std::string key = a.KeyOf("account:5");
  double left = -1;
  for (int i = 0; i < 500 && left != 93; ++i) {
    auto held = client->Run(RedisCommand{{"HGET", key, "t"}, "", nullptr});
    ASSERT_TRUE(held);
    if (held->type == RedisReply::Type::kString) left = std::strtod(held->str.c_str(), nullptr);
    if (left != 93) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NEAR(left, 93, 0.01);  // refilled only by the milliseconds between takes
}

TEST(RedisRateLimiter, LimitsOnItsOwnWhileTheClusterIsUnreachable) {
  auto cluster = RedisTestCluster::Start();
  ASSERT_TRUE(cluster) << cluster.error().message;
  auto client = (*cluster)->Connect(/*retry_window_ms=*/200);
  ASSERT_TRUE(client) << client.error().message;
  ManualClock clock(kNow);
  RedisRateLimiter a(**client, clock, {.sync_thread = false});
  for (const std::string& master : (*client)->Masters()) ASSERT_TRUE((*cluster)->Kill(master));
  const BucketRequest ip{"ip:10.0.0.9", {4, 60'000}};
  EXPECT_EQ(AllowedOf(a, ip, 3, kNow), 3);
  EXPECT_FALSE(a.Sync());
  EXPECT_EQ(AllowedOf(a, ip, 3, kNow), 1);  // what it counted itself
}

}  // namespace
}  // namespace chirp
