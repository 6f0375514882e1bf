#include "redis/redis_slots.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

TEST(RedisCrc16, MatchesTheXmodemCheckValue) { EXPECT_EQ(RedisCrc16("123456789"), 0x31C3); }

TEST(RedisHashSlot, MatchesSlotsRedisReports) {
  // As `CLUSTER KEYSLOT` answers.
  EXPECT_EQ(RedisHashSlot("foo"), 12182);
  EXPECT_EQ(RedisHashSlot("bar"), 5061);
  EXPECT_EQ(RedisHashSlot(""), 0);
}

TEST(RedisHashSlot, KeysWithOneHashTagShareASlot) {
  EXPECT_EQ(RedisHashSlot("{user1000}.following"), RedisHashSlot("{user1000}.followers"));
  EXPECT_EQ(RedisHashSlot("a{user1000}b"), RedisHashSlot("user1000"));
}

TEST(RedisHashSlot, OnlyTheFirstNonEmptyBracePairIsATag) {
  EXPECT_EQ(RedisHashSlot("foo{}{bar}"), 8363);  // the whole key
  EXPECT_NE(RedisHashSlot("foo{}{bar}"), RedisHashSlot("bar"));
  EXPECT_EQ(RedisHashSlot("foo{{bar}}zap"), RedisHashSlot("{bar"));
  EXPECT_EQ(RedisHashSlot("foo{bar}{zap}"), RedisHashSlot("bar"));
  EXPECT_EQ(RedisHashSlot("foo{bar"), RedisCrc16("foo{bar") % kRedisSlots);
}

}  // namespace
}  // namespace chirp
