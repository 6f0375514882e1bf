// Celebrities against a real store, and what crossing the threshold either
// way does to home timelines.
#include "timeline/celebrities.h"

#include <gtest/gtest.h>

#include "timeline/timeline_test_support.h"

namespace chirp {
namespace {

using Ids = std::vector<int64_t>;
constexpr int64_t kCelebrity = 7;

class CelebritiesTest : public TimelineTest {
 protected:
  ViewerVisibility Reader(int64_t id) {
    auto reader = ViewerVisibility::Load(*store_, id, clock_.NowMillis());
    EXPECT_TRUE(reader.ok());
    return std::move(reader).value();
  }
};

TEST_F(CelebritiesTest, LoadFindsTheAccountsAtOrAboveTheThreshold) {
  for (int64_t follower : {1, 2, 3}) Follow(follower, kCelebrity);
  for (int64_t follower : {1, 2}) Follow(follower, 6);
  Celebrities celebrities(*store_, kCelebrityThreshold);
  EXPECT_EQ(celebrities.size(), 0u);
  ASSERT_TRUE(celebrities.Load().ok());
  EXPECT_TRUE(celebrities.Contains(kCelebrity));
  EXPECT_FALSE(celebrities.Contains(6));
  EXPECT_EQ(celebrities.size(), 1u);
}

TEST_F(CelebritiesTest, AnAccountCrossingTheThresholdIsOneAfterRefreshAndStopsBelowIt) {
  for (int64_t follower : {1, 2}) Follow(follower, kCelebrity);
  Celebrities celebrities(*store_, kCelebrityThreshold);
  ASSERT_TRUE(celebrities.Load().ok());
  EXPECT_FALSE(celebrities.Contains(kCelebrity));
  Follow(3, kCelebrity);
  EXPECT_FALSE(celebrities.Contains(kCelebrity));  // until refreshed
  ASSERT_TRUE(celebrities.Refresh(kCelebrity).ok());
  EXPECT_TRUE(celebrities.Contains(kCelebrity));
  ASSERT_TRUE(celebrities.Refresh(kCelebrity).ok());
  EXPECT_EQ(celebrities.size(), 1u);
  Unfollow(2, kCelebrity);
  ASSERT_TRUE(celebrities.Refresh(kCelebrity).ok());
  EXPECT_FALSE(celebrities.Contains(kCelebrity));
  EXPECT_EQ(celebrities.size(), 0u);
}

TEST_F(CelebritiesTest, ABlockThatTakesAFollowerAwayCounts) {
  for (int64_t follower : {1, 2, 3}) Follow(follower, kCelebrity);
  Celebrities celebrities(*store_, kCelebrityThreshold);
  ASSERT_TRUE(celebrities.Load().ok());
  Block(kCelebrity, 3);
  ASSERT_TRUE(celebrities.Refresh(kCelebrity).ok());
  EXPECT_FALSE(celebrities.Contains(kCelebrity));
}

TEST_F(CelebritiesTest, RefreshOfAnUnknownAccountFindsNoCelebrity) {
  Celebrities celebrities(*store_, kCelebrityThreshold);
  EXPECT_TRUE(celebrities.Refresh(999).ok());
  EXPECT_FALSE(celebrities.Contains(999));
}

TEST_F(CelebritiesTest, UpdateDecidesFromACountReadAlreadyWithoutTheStore) {
  Celebrities celebrities(*store_, kCelebrityThreshold);
  celebrities.Update(kCelebrity, kCelebrityThreshold);  // no follows in the store
  EXPECT_TRUE(celebrities.Contains(kCelebrity));
  celebrities.Update(kCelebrity, kCelebrityThreshold - 1);
  EXPECT_FALSE(celebrities.Contains(kCelebrity));
  celebrities.Update(kCelebrity, kCelebrityThreshold + 5);
  celebrities.Update(kCelebrity, std::nullopt);  // the account is gone
  EXPECT_FALSE(celebrities.Contains(kCelebrity));
}

TEST_F(CelebritiesTest, FollowedByGivesTheReadersCelebritiesAscending) {
  for (int64_t follower : {1, 11, 12}) Follow(follower, 7);
  for (int64_t follower : {10, 11, 12}) Follow(follower, 8);
  for (int64_t follower : {1, 10, 11}) Follow(follower, 9);
  Follow(1, 2);
  // Reader 10 follows more accounts than there are celebrities.
  for (int64_t followed : {2, 3, 4, 5}) Follow(10, followed);
  Celebrities celebrities(*store_, kCelebrityThreshold);
  ASSERT_TRUE(celebrities.Load().ok());
  EXPECT_EQ(celebrities.FollowedBy(Reader(1)), (Ids{7, 9}));
  EXPECT_EQ(celebrities.FollowedBy(Reader(10)), (Ids{8, 9}));
  EXPECT_EQ(celebrities.FollowedBy(Reader(2)), Ids{});
}

TEST_F(CelebritiesTest, NewStatusesOfAnAccountThatBecameACelebrityAreMergedAtRead) {
  Follow(1, kCelebrity);
  GoLive(1);
  const int64_t pushed = Post(kCelebrity);
  Drain();
  for (int64_t follower : {8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  const int64_t merged = Post(kCelebrity);
  Drain();
  EXPECT_EQ(Cached(1), Ids{pushed});
  EXPECT_EQ(Home(1), (Ids{merged, pushed}));
}

TEST_F(CelebritiesTest, StatusesOfAnAccountThatFellBelowTheThresholdArePushed) {
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  Drain();
  GoLive(1);
  const int64_t a = Post(kCelebrity);
  const int64_t b = Post(kCelebrity);
  Drain();
  EXPECT_EQ(Cached(1), Ids{});
  Unfollow(9, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  EXPECT_FALSE(home_->celebrities().Contains(kCelebrity));
  Drain();
  EXPECT_EQ(Cached(1), (Ids{b, a}));
  EXPECT_EQ(Home(1), (Ids{b, a}));
}

// Fan-out runs behind the commits: by the time it handles the unfollow that
// took the account below the threshold, more may have gone.
TEST_F(CelebritiesTest, StatusesOfAnAccountThatFellWellBelowTheThresholdBeforeFanOutArePushed) {
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  Drain();
  GoLive(1);
  const int64_t a = Post(kCelebrity);
  Drain();
  Unfollow(9, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  Unfollow(8, kCelebrity);
  ASSERT_TRUE(home_->celebrities().Refresh(kCelebrity).ok());
  Drain();
  EXPECT_EQ(Home(1), Ids{a});
}

TEST_F(CelebritiesTest, ReadsMergeTheCelebritiesLoadedAtStart) {
  for (int64_t follower : {1, 8, 9}) Follow(follower, kCelebrity);
  const int64_t s = Post(kCelebrity);
  Wire(Options());  // a restart: celebrities loaded from the store
  EXPECT_TRUE(home_->celebrities().Contains(kCelebrity));
  EXPECT_EQ(Home(1), Ids{s});
  EXPECT_EQ(Cached(1), Ids{});  // merged, not rebuilt into the timeline
}

}  // namespace
}  // namespace chirp
