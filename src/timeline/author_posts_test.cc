#include "timeline/author_posts.h"

#include <gtest/gtest.h>

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
        2);
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
  static std::vector<int64_t> Ids(const std::optional<std::vector<AuthoredStatus>>& list) {
    std::vector<int64_t> out;
    if (list) {
      for (const AuthoredStatus& a : *list) out.push_back(a.status.id);
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
  AuthorPosts posts(*store_, 100);
  auto first = posts.Recent(1, 3, 0);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(Ids(*first), (std::vector<int64_t>{16, 14, 13}));
  EXPECT_EQ((*first)->front().original_author_id, 2);
  // Fan-out keeps the list: what it pushes and removes shows at once.
  posts.Push(Authored(Post(20, 1), 0));
  posts.Remove(1, 14);
  EXPECT_EQ(Ids(*posts.Recent(1, 3, 0)), (std::vector<int64_t>{20, 16, 13}));
  EXPECT_EQ(Ids(*posts.Recent(1, 10, 13)), (std::vector<int64_t>{12, 11, 10}));
  // Pushes for authors not held are not kept.
  posts.Push(Authored(Post(21, 2), 0));
  EXPECT_EQ(posts.authors(), 1u);
}

TEST_F(AuthorPostsTest, BelowItsFloorTheListDefersToTheStore) {
  for (int64_t id = 10; id <= 19; ++id) Post(id, 1);
  AuthorPosts posts(*store_, 4);  // holds 16..19 of ten
  EXPECT_EQ(Ids(*posts.Recent(1, 3, 0)), (std::vector<int64_t>{19, 18, 17}));
  auto deep = posts.Recent(1, 3, 17);  // needs 14 and 15, not held
  ASSERT_TRUE(deep.ok());
  EXPECT_FALSE(deep->has_value());
  // A list that holds all of an author's statuses answers any page.
  AuthorPosts whole(*store_, 100);
  EXPECT_EQ(Ids(*whole.Recent(1, 5, 12)), (std::vector<int64_t>{11, 10}));
}

TEST_F(AuthorPostsTest, LoadingWaitsForTheStoreSoNotOnANetworkThread) {
  Post(10, 1);
  AuthorPosts posts(*store_, 100);
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
