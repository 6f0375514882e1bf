#include "timeline/author_posts.h"

#include <gtest/gtest.h>

#include <atomic>

#include "core/no_wait.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

class AuthorPostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempStore>(
        std::string("author-posts-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        4);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
  }
  StatusRecord Post(int64_t id, int64_t author, int64_t reblog_of = 0) {
    StatusRecord s;
    s.id = id;
    s.account_id = author;
    s.text = "post";
    s.reblog_of_id = reblog_of;
    EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
    return s;
  }
  static std::vector<int64_t> Ids(const std::optional<AuthorSlice>& slice) {
    std::vector<int64_t> out;
    if (slice) {
      for (const AuthorPost& p : slice->posts) out.push_back(p.status_id);
    }
    return out;
  }

  std::unique_ptr<TempStore> temp_;
  SqliteStore* store_ = nullptr;
};

TEST_F(AuthorPostsTest, LoadsFromTheStoreThenTakesPushesAndRemovals) {
  for (int64_t id = 10; id <= 14; ++id) Post(id, 1);
  Post(15, 2);
  Post(16, 1, 15);  // a reblog of account 2's status
  AuthorPosts posts(*store_, 100, 1000);
  auto first = posts.Recent(1, 3, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<int64_t>{16, 14, 13}));
  const AuthorPost& reblog = (*first)->posts.front();
  EXPECT_TRUE(reblog.is_reblog());
  EXPECT_EQ(reblog.other_account_id, 2);  // the reblogged status's author
  EXPECT_EQ(reblog.shown_key, TimelineEntry::KeyOf(15));
  // Fan-out keeps the list: what it pushes and removes shows at once.
  posts.Push(Post(20, 1), 0);
  posts.Remove(1, 14);
  EXPECT_EQ(Ids(*posts.Recent(1, 3, 0)), (std::vector<int64_t>{20, 16, 13}));
  EXPECT_EQ(Ids(*posts.Recent(1, 10, 13)), (std::vector<int64_t>{12, 11, 10}));
  // Pushes for authors not held are not kept.
  posts.Push(Post(21, 2), 0);
  EXPECT_EQ(posts.Stats().authors, 1u);
  EXPECT_EQ(posts.Stats().posts, 6u);
}

TEST_F(AuthorPostsTest, BelowItsFloorTheListDefersToTheStore) {
  for (int64_t id = 10; id <= 19; ++id) Post(id, 1);
  AuthorPosts posts(*store_, 4, 1000);  // holds 16..19 of ten
  EXPECT_EQ(Ids(*posts.Recent(1, 3, 0)), (std::vector<int64_t>{19, 18, 17}));
  auto deep = posts.Recent(1, 3, 15);  // needs 12 to 14, not held
  ASSERT_TRUE(deep.ok());
  EXPECT_FALSE(deep->has_value());
  auto stored = AuthorPosts::FromStore(*store_, 1, 3, 15);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(Ids(*stored), (std::vector<int64_t>{14, 13, 12}));
  // A list that holds all of an author's statuses answers any page.
  AuthorPosts whole(*store_, 100, 1000);
  EXPECT_EQ(Ids(*whole.Recent(1, 5, 12)), (std::vector<int64_t>{11, 10}));
}

TEST_F(AuthorPostsTest, APageDeeperThanTheListLoadsItDeeper) {
  for (int64_t id = 10; id <= 29; ++id) Post(id, 1);
  AuthorPosts posts(*store_, 4, 1000);
  EXPECT_EQ(Ids(*posts.Recent(1, 2, 0)).size(), 2u);
  EXPECT_EQ(posts.Stats().posts, 4u);
  // Eight newest, then six below 24: the list grows to hold them.
  EXPECT_EQ(Ids(*posts.Recent(1, 8, 0)).size(), 8u);
  EXPECT_EQ(Ids(*posts.Recent(1, 6, 24)), (std::vector<int64_t>{23, 22, 21, 20, 19, 18}));
  EXPECT_EQ(posts.Stats().posts, 12u);
  // It keeps that depth as new statuses come.
  posts.Push(Post(30, 1), 0);
  EXPECT_EQ(posts.Stats().posts, 12u);
}

TEST_F(AuthorPostsTest, AForgottenListIsLoadedAgainWithWhatTheStoreHasNow) {
  Post(10, 1);
  AuthorPosts posts(*store_, 10, 1000);
  EXPECT_EQ(Ids(*posts.Recent(1, 5, 0)), std::vector<int64_t>{10});
  Post(11, 1);  // written by this process, before fan-out saw it
  posts.Forget(1);
  EXPECT_EQ(posts.Stats().authors, 0u);
  EXPECT_EQ(Ids(*posts.Recent(1, 5, 0)), (std::vector<int64_t>{11, 10}));
}

TEST_F(AuthorPostsTest, KeepsTheMentionsOfDirectStatusesOnly) {
  StatusRecord direct;
  direct.id = 10;
  direct.account_id = 1;
  direct.text = "@user2 hi";
  direct.visibility = Visibility::kDirect;
  direct.mentioned_account_ids = {2};
  ASSERT_TRUE(store_->CreateStatus(direct, "", 0).ok());
  StatusRecord plain = Post(11, 1);
  AuthorPosts posts(*store_, 10, 1000);
  auto slice = posts.Recent(1, 5, 0);
  ASSERT_TRUE(slice.ok() && slice->has_value());
  EXPECT_TRUE((*slice)->Mentions(10, 2));
  EXPECT_FALSE((*slice)->Mentions(10, 3));
  EXPECT_EQ((*slice)->mentions.size(), 1u);
  EXPECT_TRUE((*slice)->posts.back().placed_by_mentions());
  EXPECT_FALSE((*slice)->posts.front().placed_by_mentions());
  // Pushed ones too.
  direct.id = 12;
  direct.mentioned_account_ids = {3};
  ASSERT_TRUE(store_->CreateStatus(direct, "", 0).ok());
  posts.Push(direct, 0);
  EXPECT_TRUE((**posts.Recent(1, 5, 0)).Mentions(12, 3));
}

TEST_F(AuthorPostsTest, HoldsAtMostItsAuthorsDroppingTheOldestLoaded) {
  for (int64_t author = 1; author <= 4; ++author) Post(10 + author, author);
  AuthorPosts posts(*store_, 4, 1);  // one list a shard
  for (int64_t author = 1; author <= 4; ++author) {
    EXPECT_EQ(Ids(*posts.Recent(author, 1, 0)), std::vector<int64_t>{10 + author});
  }
  EXPECT_LE(posts.Stats().authors, 4u);
  // Dropped lists load again when read.
  for (int64_t author = 1; author <= 4; ++author) {
    EXPECT_EQ(Ids(*posts.Recent(author, 1, 0)), std::vector<int64_t>{10 + author});
  }
}

TEST_F(AuthorPostsTest, PreloadedListsAnswerWithoutTheStoreAsLoadedOnesDo) {
  for (int64_t id = 10; id <= 14; ++id) Post(id, 1);
  Post(15, 2);
  Post(16, 3, 15);  // a reblog of account 2's status
  Post(17, 2);
  AuthorPosts posts(*store_, 2, 1000);
  std::atomic<bool> stop{true};
  EXPECT_EQ(posts.Preload({1, 2, 3, 4}, stop).value(), 0u);  // stopped before it began
  stop = false;
  EXPECT_EQ(posts.Preload({1, 2, 3, 4}, stop).value(), 4u);
  EXPECT_EQ(posts.Preload({1, 2}, stop).value(), 0u);  // held already
  NoWaitScope memory_only;
  EXPECT_EQ(Ids(*posts.Recent(1, 2, 0)), (std::vector<int64_t>{14, 13}));
  EXPECT_EQ(Ids(*posts.Recent(2, 2, 0)), (std::vector<int64_t>{17, 15}));
  auto reblog = posts.Recent(3, 1, 0);
  ASSERT_TRUE(reblog.ok() && reblog->has_value());
  EXPECT_EQ((*reblog)->posts.front().other_account_id, 2);
  EXPECT_TRUE(Ids(*posts.Recent(4, 1, 0)).empty());  // none: held as none
  EXPECT_EQ(posts.Stats().authors, 4u);
}

TEST_F(AuthorPostsTest, LoadingWaitsForTheStoreSoNotOnANetworkThread) {
  Post(10, 1);
  AuthorPosts posts(*store_, 100, 1000);
  {
    NoWaitScope memory_only;
    auto refused = posts.Recent(1, 5, 0);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kWouldBlock);
  }
  EXPECT_EQ(Ids(*posts.Recent(1, 5, 0)), std::vector<int64_t>{10});
  NoWaitScope memory_only;  // once held, a network thread is served
  EXPECT_EQ(Ids(*posts.Recent(1, 5, 0)), std::vector<int64_t>{10});
}

}  // namespace
}  // namespace chirp
