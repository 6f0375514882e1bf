#include "redis/redis_write_positions.h"

#include <gtest/gtest.h>

#include <thread>

#include "redis/redis_test_cluster.h"

namespace chirp {
namespace {

std::unique_ptr<RedisCluster> Connect() {
  auto client = RedisTestCluster::ConnectShared();
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(client).value() : nullptr;
}

TEST(RedisWritePositions, EveryInstanceSeesThePositionOneRecorded) {
  auto client = Connect();
  ASSERT_TRUE(client);
  const RedisWritePositionsOptions options{.prefix = RedisTestCluster::Prefix() + "a:"};
  RedisWritePositions a(*client, options), b(*client, options);
  EXPECT_EQ(b.Find(7).value(), 0u);
  ASSERT_TRUE(a.Record(7, 500));
  EXPECT_EQ(b.Find(7).value(), 500u);
  // Raised, never lowered, whichever instance records.
  ASSERT_TRUE(b.Record(7, 300));
  EXPECT_EQ(a.Find(7).value(), 500u);
  ASSERT_TRUE(b.Record(7, 1'000'000'000'000));
  EXPECT_EQ(a.Find(7).value(), 1'000'000'000'000u);
  EXPECT_EQ(a.Find(8).value(), 0u);
}

TEST(RedisWritePositions, APositionExpiresAfterItsTime) {
  auto client = Connect();
  ASSERT_TRUE(client);
  RedisWritePositions positions(
      *client, {.prefix = RedisTestCluster::Prefix() + "b:", .keep_ms = 50});
  ASSERT_TRUE(positions.Record(7, 500));
  EXPECT_EQ(positions.Find(7).value(), 500u);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(positions.Find(7).value(), 0u);
}

}  // namespace
}  // namespace chirp
