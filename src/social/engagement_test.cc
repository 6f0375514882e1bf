#include "social/engagement.h"

#include "social/service_test_support.h"

namespace chirp {
namespace {

class EngagementTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    engagement_ =
        std::make_unique<Engagement>(*store_, clock_, ids_, *lookups_, *readers_, *applied_);
  }
  int64_t Post(int64_t author, Visibility visibility = Visibility::kPublic, int64_t reblog_of = 0) {
    StatusRecord s{.id = ids_.Next(),
                   .account_id = author,
                   .text = "post",
                   .visibility = visibility,
                   .reblog_of_id = reblog_of,
                   .created_at_ms = clock_.NowMillis()};
    EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
    return s.id;
  }

  std::unique_ptr<Engagement> engagement_;
};

TEST_F(EngagementTest, FavouritingAReblogFavouritesWhatItWrapsOnce) {
  const int64_t original = Post(1);
  const int64_t reblog = Post(2, Visibility::kPublic, original);
  auto target = engagement_->SetFavourite(3, reblog, true);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(*target, original);
  EXPECT_EQ(store_->FindStatus(original)->favourites_count, 1);
  ASSERT_TRUE(engagement_->SetFavourite(3, original, true).ok());  // again: no change
  EXPECT_EQ(store_->FindStatus(original)->favourites_count, 1);
  EXPECT_EQ(applied_->kinds(), std::vector<EventKind>{EventKind::kFavourited});
  ASSERT_TRUE(engagement_->SetFavourite(3, original, false).ok());
  EXPECT_EQ(store_->FindStatus(original)->favourites_count, 0);
  EXPECT_EQ(applied_->kinds().back(), EventKind::kUnfavourited);
}

TEST_F(EngagementTest, BookmarkingAReblogBookmarksWhatItWraps) {
  const int64_t original = Post(1);
  const int64_t reblog = Post(2, Visibility::kPublic, original);
  auto target = engagement_->SetBookmark(3, reblog, true);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(*target, original);
  EXPECT_EQ(*store_->BookmarkedAmong(3, {original, reblog}), std::vector<int64_t>{original});
  ASSERT_TRUE(engagement_->SetBookmark(3, original, true).ok());  // again: no change
  ASSERT_TRUE(engagement_->SetBookmark(3, original, false).ok());
  EXPECT_EQ(applied_->kinds(),
            (std::vector<EventKind>{EventKind::kBookmarked, EventKind::kUnbookmarked}));
  const int64_t hidden = Post(1, Visibility::kPrivate);
  EXPECT_EQ(engagement_->SetBookmark(4, hidden, true).error().code, ErrorCode::kNotFound);
}

TEST_F(EngagementTest, WhatTheAccountMayNotSeeIsOutOfReach) {
  const int64_t hidden = Post(1, Visibility::kPrivate);
  EXPECT_EQ(engagement_->SetFavourite(2, hidden, true).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(engagement_->Reblog(2, 0, hidden, std::nullopt).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->CreateBlock(ids_.Next(), 1, 2, clock_.NowMillis()).ok());
  readers_->Forget(2);  // as the cache keeper does on the block's event
  EXPECT_EQ(engagement_->SetFavourite(2, Post(1), true).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(applied_->events.empty());
}

TEST_F(EngagementTest, ReblogsFollowMastodonsVisibilityRules) {
  const int64_t direct = Post(1, Visibility::kDirect);
  EXPECT_EQ(engagement_->Reblog(1, 0, direct, std::nullopt).error().code, ErrorCode::kForbidden);
  const int64_t own_private = Post(1, Visibility::kPrivate);
  auto reblog = engagement_->Reblog(1, 0, own_private, "public");
  ASSERT_TRUE(reblog.ok());
  EXPECT_EQ(reblog->created.stored->visibility, Visibility::kPrivate);  // stays private
  EXPECT_EQ(engagement_->Reblog(2, 0, Post(1), "direct").error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(engagement_->Reblog(2, 0, Post(1), "nonsense").error().code, ErrorCode::kUnprocessable);
}

TEST_F(EngagementTest, OneLiveReblogAndUnreblogRemovesIt) {
  const int64_t original = Post(1);
  auto first = engagement_->Reblog(2, 7, original, "unlisted");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->created.stored->visibility, Visibility::kUnlisted);
  EXPECT_EQ(first->created.stored->application_id, 7);
  auto again = engagement_->Reblog(2, 7, first->created.id, std::nullopt);  // via the reblog
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->created.existing);
  EXPECT_EQ(again->created.id, first->created.id);
  EXPECT_EQ(store_->FindStatus(original)->reblogs_count, 1);
  auto undone = engagement_->Unreblog(2, original);
  ASSERT_TRUE(undone.ok());
  EXPECT_EQ(*undone, original);
  EXPECT_EQ(store_->FindStatus(original)->reblogs_count, 0);
  EXPECT_EQ(applied_->kinds(),
            (std::vector<EventKind>{EventKind::kStatusCreated, EventKind::kStatusDeleted}));
  EXPECT_EQ(applied_->events.back().flags, kEventReblog);
  EXPECT_TRUE(engagement_->Unreblog(2, original).ok());  // nothing left: still fine
  EXPECT_EQ(applied_->events.size(), 2u);
}

}  // namespace
}  // namespace chirp
