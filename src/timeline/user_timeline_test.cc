// An account's statuses as one reader lists them, from the author's list in
// memory and from the store where memory cannot answer: the same pages
// either way.
#include "timeline/user_timeline.h"

#include <gtest/gtest.h>

#include "core/no_wait.h"
#include "social/service_test_support.h"
#include "timeline/timeline_test_support.h"

namespace chirp {
namespace {

using Ids = std::vector<int64_t>;

class UserTimelineTest : public TimelineTest {
 protected:
  void SetUp() override {
    TimelineTest::SetUp();
    accounts_ = std::make_unique<StoreLookups>(*store_);
    viewers_ = std::make_unique<ViewerCache>(*store_, clock_);
    user_ = std::make_unique<UserTimeline>(*store_, *accounts_, *viewers_, home_->author_posts());
  }
  Ids Page(int64_t viewer, int64_t account, AccountStatusFilter filter = {},
           const PageRequest& page = {}) {
    viewers_->Forget(viewer);
    auto ids = user_->Page(viewer, account, std::move(filter), page);
    EXPECT_TRUE(ids.ok()) << ids.error().message;
    return ids.ok() ? std::move(ids).value() : Ids();
  }
  // The same page from the store alone (a fresh list of depth 1 answers
  // nothing but a first status).
  Ids FromStore(int64_t viewer, int64_t account, AccountStatusFilter filter = {},
                const PageRequest& page = {}) {
    AuthorPosts shallow(*store_, 1, 10);
    UserTimeline user(*store_, *accounts_, *viewers_, shallow);
    viewers_->Forget(viewer);
    auto ids = user.Page(viewer, account, std::move(filter), page);
    EXPECT_TRUE(ids.ok()) << ids.error().message;
    return ids.ok() ? std::move(ids).value() : Ids();
  }

  std::unique_ptr<StoreLookups> accounts_;
  std::unique_ptr<ViewerCache> viewers_;
  std::unique_ptr<UserTimeline> user_;
};

TEST_F(UserTimelineTest, EachReaderListsWhatTheyMaySee) {
  Follow(3, 2);
  const int64_t open = Post(2);
  const int64_t unlisted = Post(2, Visibility::kUnlisted);
  const int64_t followers_only = Post(2, Visibility::kPrivate);
  const int64_t direct = Direct(2, {4});
  EXPECT_EQ(Page(2, 2), (Ids{direct, followers_only, unlisted, open}));  // one's own: all
  EXPECT_EQ(Page(3, 2), (Ids{followers_only, unlisted, open}));          // a follower
  EXPECT_EQ(Page(4, 2), (Ids{unlisted, open}));  // mentioned, not a follower: as anyone
  EXPECT_EQ(Page(0, 2), (Ids{unlisted, open}));  // anonymous
  Block(2, 4);
  EXPECT_EQ(Page(4, 2), Ids{});
  for (int64_t viewer : {0, 2, 3}) EXPECT_EQ(Page(viewer, 2), FromStore(viewer, 2));
}

TEST_F(UserTimelineTest, FiltersAndPagesAsTheStoreDoes) {
  const int64_t other = Post(3);
  std::vector<int64_t> all;
  for (int i = 0; i < 6; ++i) {
    all.push_back(Post(2));
    all.push_back(Reply(2, all.back()));  // a thread: kept without replies
    all.push_back(Reply(2, other));       // a reply to another: not kept
    all.push_back(Reblog(2, Post(3)));
  }
  const AccountStatusFilter no_replies{.exclude_replies = true};
  const AccountStatusFilter no_reblogs{.exclude_reblogs = true};
  for (const AccountStatusFilter& filter : {AccountStatusFilter{}, no_replies, no_reblogs}) {
    for (const PageRequest& page :
         {PageRequest{.limit = 5}, PageRequest{.max_id = all[12], .limit = 4},
          PageRequest{.since_id = all[17], .limit = 40}, PageRequest{.min_id = all[3], .limit = 3},
          PageRequest{.limit = 40}}) {
      EXPECT_EQ(Page(3, 2, filter, page), FromStore(3, 2, filter, page))
          << "max " << page.max_id << " since " << page.since_id << " min " << page.min_id;
    }
  }
  EXPECT_EQ(Page(3, 2, no_replies, {.limit = 2}), (Ids{all[23], all[21]}));
}

TEST_F(UserTimelineTest, AHeldListServesANetworkThreadAndKeepsUpWithFanOut) {
  Post(2);
  EXPECT_EQ(Page(0, 2).size(), 1u);  // loads the list
  const int64_t next = Post(2);
  Drain();  // fan-out pushes it into the list
  AuthorPosts& posts = home_->author_posts();
  const auto newest = [&]() -> Result<std::optional<Ids>> {
    NoWaitScope memory_only;  // as on a network thread
    return posts.Select(2, 0, 0, 1, [](const AuthorPost&) { return true; });
  };
  auto held = newest();
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_EQ(**held, Ids{next});
  // A deleted status leaves the list with its event.
  Delete(next);
  Drain();
  held = newest();
  ASSERT_TRUE(held.ok() && held->has_value());
  EXPECT_NE(**held, Ids{next});
}

TEST_F(UserTimelineTest, AnUnknownAccountIsNotFound) {
  auto ids = user_->Page(0, 9999, {}, {});
  ASSERT_FALSE(ids.ok());
  EXPECT_EQ(ids.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace chirp
