#include "redis/redis_timeline_cache.h"

#include <gtest/gtest.h>

#include "redis/redis_test_cluster.h"
#include "timeline/timeline_cache_contract.h"

namespace chirp {
namespace {

// One client for the binary's tests; each cache keeps its keys apart.
RedisCluster& SharedClient() {
  static std::unique_ptr<RedisCluster> client = [] {
    auto connected = RedisTestCluster::ConnectShared();
    if (!connected) {
      ADD_FAILURE() << connected.error().message;
      std::abort();
    }
    return std::move(connected).value();
  }();
  return *client;
}

std::unique_ptr<RedisTimelineCache> MakeCache(size_t capacity = 800) {
  RedisTimelineOptions options;
  options.prefix = RedisTestCluster::Prefix();
  options.capacity = capacity;
  options.fan_out_batch = 64;  // several batches in the tests' fan-outs
  return std::make_unique<RedisTimelineCache>(SharedClient(), options);
}

INSTANTIATE_TEST_SUITE_P(Redis, TimelineCacheContract,
                         testing::Values(TimelineCacheFactory([](size_t capacity) {
                           return std::unique_ptr<TimelineCache>(MakeCache(capacity));
                         })));

TEST(RedisTimelineCache, AReadKeepsATimelineForTheLiveWindow) {
  RedisTimelineOptions options;
  options.prefix = RedisTestCluster::Prefix();
  options.live_window_ms = 60'000;
  RedisTimelineCache cache(SharedClient(), options);
  cache.Reserve(1, 0);
  auto ttl = [&] {
    auto reply = SharedClient().Run(RedisCommand{{"PTTL", cache.KeyOf(1)}, "", nullptr});
    return reply ? reply->integer : -3;
  };
  EXPECT_GT(ttl(), 50'000);
  cache.Install(1, {TimelineEntry::Of(10, 2, 0)}, 0);
  ASSERT_TRUE(SharedClient().Run(RedisCommand{{"PEXPIRE", cache.KeyOf(1), "1000"}, "", nullptr}));
  EXPECT_TRUE(cache.Push(1, TimelineEntry::Of(11, 2, 0)));
  EXPECT_LE(ttl(), 1000);  // a push does not extend it
  ASSERT_TRUE(cache.Read(1, {.limit = 20}, 0).has_value());
  EXPECT_GT(ttl(), 50'000);  // a read does
}

TEST(RedisTimelineCache, HoldsAFullTimelineInAbout20BytesAnEntry) {
  RedisTimelineOptions options;
  options.prefix = RedisTestCluster::Prefix();
  RedisTimelineCache cache(SharedClient(), options);
  std::vector<TimelineEntry> entries;
  for (int64_t id = 1; id <= 800; ++id) entries.push_back(TimelineEntry::Of(id, 2, 0));
  cache.Install(1, entries, 0);
  for (int64_t id = 801; id <= 1300; ++id) ASSERT_TRUE(cache.Push(1, TimelineEntry::Of(id, 2, 0)));
  auto usage = SharedClient().Run(RedisCommand{{"MEMORY", "USAGE", cache.KeyOf(1)}, cache.KeyOf(1), nullptr});
  ASSERT_TRUE(usage);
  auto length = SharedClient().Run(RedisCommand{{"STRLEN", cache.KeyOf(1)}, "", nullptr});
  ASSERT_TRUE(length);
  const int64_t held = (length->integer - 1) / 20;
  EXPECT_GE(held, 800);
  EXPECT_LE(held, 1000);  // a quarter over capacity at most
  EXPECT_LE(usage->integer, held * 40);
  const auto census = cache.Census();
  ASSERT_TRUE(census) << census.error().message;
  EXPECT_EQ(census->live_timelines, 1u);
  EXPECT_EQ(census->entries, static_cast<uint64_t>(held));
}

TEST(RedisTimelineCache, AnUnreachableClusterReadsAsNoTimeline) {
  auto cluster = RedisTestCluster::Start();
  ASSERT_TRUE(cluster) << cluster.error().message;
  auto client = (*cluster)->Connect(/*retry_window_ms=*/300);
  ASSERT_TRUE(client) << client.error().message;
  RedisTimelineOptions options;
  RedisTimelineCache cache(**client, options);
  cache.Install(1, {TimelineEntry::Of(10, 2, 0)}, 0);
  ASSERT_TRUE(cache.Read(1, {.limit = 20}, 0).has_value());
  for (const std::string& master : (*client)->Masters()) ASSERT_TRUE((*cluster)->Kill(master));
  EXPECT_FALSE(cache.Read(1, {.limit = 20}, 0).has_value());
  EXPECT_FALSE(cache.Push(1, TimelineEntry::Of(11, 2, 0)));
  EXPECT_GE(cache.failures(), 2u);
}

}  // namespace
}  // namespace chirp
