#include "social/viewer_cache.h"

#include <gtest/gtest.h>

#include "core/snowflake.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

constexpr int64_t kDay = 24 * 3600 * 1000;
constexpr int64_t kNow = SnowflakeGenerator::kEpochMillis + 1000 * kDay;

class ViewerCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempStore>(
        std::string("viewer-cache-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        3);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
    cache_ = std::make_unique<ViewerCache>(*store_, clock_,
                                           ViewerCacheOptions{.capacity = 100, .horizon_ms = kDay});
  }
  void TearDown() override { cache_.reset(); }
  // A status by account 1 posted `age_ms` before now.
  int64_t Post(int64_t age_ms) {
    StatusRecord s;
    s.id = SnowflakeGenerator::FirstIdAt(kNow - age_ms) + (++posted_);
    s.account_id = 1;
    s.text = "post";
    s.created_at_ms = kNow - age_ms;
    EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
    return s.id;
  }
  void Follow(int64_t from, int64_t to) {
    chirp::Follow f;
    f.id = ++posted_;
    f.account_id = from;
    f.target_account_id = to;
    ASSERT_TRUE(store_->CreateFollow(f).ok());
  }

  ManualClock clock_{kNow};
  int64_t posted_ = 0;
  std::unique_ptr<TempStore> temp_;
  SqliteStore* store_ = nullptr;
  std::unique_ptr<ViewerCache> cache_;
};

TEST_F(ViewerCacheTest, AnonymousReaderHasNoRelations) {
  auto state = cache_->Get(0);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ((*state)->visibility.viewer_id(), 0);
  EXPECT_TRUE((*state)->visibility.follows().empty());
}

TEST_F(ViewerCacheTest, ServesTheSameSnapshotUntilForgotten) {
  Follow(2, 1);
  auto first = cache_->Get(2);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE((*first)->visibility.Follows(1));
  Follow(2, 3);
  // Not yet forgotten: the cached snapshot stands.
  EXPECT_EQ(cache_->Get(2)->get(), first->get());
  cache_->Forget(2);
  auto second = cache_->Get(2);
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->get(), first->get());
  EXPECT_TRUE((*second)->visibility.Follows(3));
  // The reader holding the old snapshot still sees what it saw.
  EXPECT_FALSE((*first)->visibility.Follows(3));
}

TEST_F(ViewerCacheTest, BlocksAreSeenFromBothSides) {
  ASSERT_TRUE(store_->CreateBlock(50, 1, 2, kNow).ok());
  EXPECT_TRUE((*cache_->Get(1))->visibility.BlockedWith(2));
  EXPECT_TRUE((*cache_->Get(2))->visibility.BlockedWith(1));
  EXPECT_FALSE((*cache_->Get(3))->visibility.BlockedWith(1));
}

TEST_F(ViewerCacheTest, LapsesWhenTheFirstMuteEnds) {
  ASSERT_TRUE(store_->CreateMute({60, 2, 1, true, kNow + 1000, kNow}).ok());
  EXPECT_TRUE((*cache_->Get(2))->visibility.Mutes(1));
  clock_.Advance(999);
  EXPECT_TRUE((*cache_->Get(2))->visibility.Mutes(1));
  clock_.Advance(1);
  EXPECT_FALSE((*cache_->Get(2))->visibility.Mutes(1));
}

TEST_F(ViewerCacheTest, HoldsFavouritesAndReblogsOfStatusesWithinTheHorizon) {
  const int64_t old_status = Post(2 * kDay);
  const int64_t recent = Post(1000);
  const int64_t other = Post(500);
  ASSERT_TRUE(store_->Favourite(2, old_status, 70, kNow).ok());
  ASSERT_TRUE(store_->Favourite(2, recent, 71, kNow).ok());
  StatusRecord reblog;
  reblog.id = SnowflakeGenerator::FirstIdAt(kNow) + 99;
  reblog.account_id = 2;
  reblog.reblog_of_id = other;
  ASSERT_TRUE(store_->CreateStatus(reblog, "", 0).ok());
  auto state = cache_->Get(2);
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE((*state)->Covers(old_status));
  ASSERT_TRUE((*state)->Covers(recent));
  EXPECT_TRUE((*state)->Favourited(recent));
  EXPECT_FALSE((*state)->Favourited(other));
  EXPECT_TRUE((*state)->Reblogged(other));
  EXPECT_FALSE((*state)->Reblogged(recent));
}

}  // namespace
}  // namespace chirp
