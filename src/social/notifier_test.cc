#include "social/notifier.h"

#include <gtest/gtest.h>

#include "events/outbox_drainer.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

constexpr int64_t kNow = SnowflakeGenerator::kEpochMillis + 1000LL * 24 * 3600 * 1000;

class NotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempStore>(
        std::string("notifier-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        4);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
    notifier_ = std::make_unique<Notifier>(*store_, clock_, ids_);
    notifier_->SetListener([this](const std::vector<NotificationRecord>& added) {
      heard_ += static_cast<int>(added.size());
    });
    drainer_ = std::make_unique<OutboxDrainer>(*store_, clock_,
                                               std::vector<EventConsumer*>{notifier_.get()});
  }

  int64_t Post(int64_t author, std::vector<int64_t> mentions = {},
               Visibility visibility = Visibility::kPublic) {
    StatusRecord s;
    s.id = ids_.Next();
    s.account_id = author;
    s.text = "post";
    s.visibility = visibility;
    s.mentioned_account_ids = std::move(mentions);
    s.created_at_ms = kNow;
    EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
    return s.id;
  }
  int64_t Reblog(int64_t account, int64_t status_id) {
    StatusRecord s;
    s.id = ids_.Next();
    s.account_id = account;
    s.reblog_of_id = status_id;
    s.created_at_ms = kNow;
    auto created = store_->CreateStatus(s, "", 0);
    EXPECT_TRUE(created.ok());
    return created ? created->id : 0;
  }
  void Follow(int64_t from, int64_t to, bool notify = false) {
    chirp::Follow f;
    f.id = ids_.Next();
    f.account_id = from;
    f.target_account_id = to;
    f.notify = notify;
    ASSERT_TRUE(store_->CreateFollow(f).ok());
  }
  void Drain() { ASSERT_TRUE(drainer_->DrainNow().ok()); }
  std::vector<NotificationRecord> Of(int64_t recipient) {
    auto list = store_->ListNotifications(recipient, {}, {.limit = 80});
    EXPECT_TRUE(list.ok());
    return list ? *list : std::vector<NotificationRecord>{};
  }

  ManualClock clock_{kNow};
  SnowflakeGenerator ids_{clock_, 1};
  std::unique_ptr<TempStore> temp_;
  SqliteStore* store_ = nullptr;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<OutboxDrainer> drainer_;
  int heard_ = 0;
};

TEST_F(NotifierTest, MentionNotifiesTheMentionedButNotTheAuthor) {
  const int64_t status = Post(1, {2, 1});
  Drain();
  auto got = Of(2);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, NotificationType::kMention);
  EXPECT_EQ(got[0].from_account_id, 1);
  EXPECT_EQ(got[0].status_id, status);
  EXPECT_EQ(got[0].group_key, "ungrouped-" + std::to_string(got[0].id));
  EXPECT_TRUE(Of(1).empty());
  EXPECT_EQ(heard_, 1);
}

TEST_F(NotifierTest, ReplayedEventAddsNothingTwice) {
  const int64_t status = Post(1, {2});
  Drain();
  const OutboxEvent again{.id = 1, .kind = EventKind::kStatusCreated, .account_id = 1,
                          .subject_id = status, .created_at_ms = kNow};
  ASSERT_TRUE(notifier_->Handle(again).ok());
  ASSERT_TRUE(notifier_->Flush().ok());
  EXPECT_EQ(Of(2).size(), 1u);
  EXPECT_EQ(heard_, 1);
}

TEST_F(NotifierTest, UndoneFavouriteInTheSameBatchNotifiesNobody) {
  const int64_t status = Post(1);
  ASSERT_TRUE(store_->Favourite(2, status, ids_.Next(), kNow).ok());
  ASSERT_TRUE(store_->Unfavourite(2, status).ok());
  Drain();
  EXPECT_TRUE(Of(1).empty());
  EXPECT_EQ(heard_, 0);
}

TEST_F(NotifierTest, UnfavouriteWithdrawsAndAFreshFavouriteNotifiesAgain) {
  const int64_t status = Post(1);
  ASSERT_TRUE(store_->Favourite(2, status, ids_.Next(), kNow).ok());
  Drain();
  ASSERT_EQ(Of(1).size(), 1u);
  EXPECT_EQ(Of(1)[0].group_key.rfind("favourite-" + std::to_string(status) + "-", 0), 0u);
  ASSERT_TRUE(store_->Unfavourite(2, status).ok());
  Drain();
  EXPECT_TRUE(Of(1).empty());
  ASSERT_TRUE(store_->Favourite(2, status, ids_.Next(), kNow).ok());
  Drain();
  EXPECT_EQ(Of(1).size(), 1u);
}

TEST_F(NotifierTest, ReblogNotifiesTheAuthorAndUnreblogWithdraws) {
  const int64_t status = Post(1);
  const int64_t reblog = Reblog(2, status);
  Drain();
  auto got = Of(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, NotificationType::kReblog);
  EXPECT_EQ(got[0].status_id, status);
  EXPECT_EQ(got[0].activity_id, reblog);
  ASSERT_TRUE(store_->DeleteStatus(reblog, kNow).ok());
  Drain();
  EXPECT_TRUE(Of(1).empty());
}

TEST_F(NotifierTest, DeletingAStatusWithdrawsEverythingAboutIt) {
  const int64_t status = Post(1, {3});
  ASSERT_TRUE(store_->Favourite(2, status, ids_.Next(), kNow).ok());
  Reblog(4, status);
  Drain();
  EXPECT_EQ(Of(1).size(), 2u);
  EXPECT_EQ(Of(3).size(), 1u);
  ASSERT_TRUE(store_->DeleteStatus(status, kNow).ok());
  Drain();
  EXPECT_TRUE(Of(1).empty());
  EXPECT_TRUE(Of(3).empty());
}

TEST_F(NotifierTest, FollowNotifiesOnceAndUnfollowWithdraws) {
  Follow(2, 1);
  Follow(2, 1);  // settings again: not a new follow
  Drain();
  auto got = Of(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, NotificationType::kFollow);
  EXPECT_EQ(got[0].status_id, 0);
  ASSERT_TRUE(store_->DeleteFollow(2, 1).ok());
  Drain();
  EXPECT_TRUE(Of(1).empty());
}

TEST_F(NotifierTest, FollowRequestNotifiesUntilSettled) {
  chirp::Follow request{.id = ids_.Next(), .account_id = 2, .target_account_id = 1};
  ASSERT_TRUE(store_->CreateFollowRequest(request).ok());
  Drain();
  ASSERT_EQ(Of(1).size(), 1u);
  EXPECT_EQ(Of(1)[0].type, NotificationType::kFollowRequest);
  ASSERT_TRUE(store_->AuthorizeFollowRequest(2, 1, ids_.Next(), kNow).ok());
  Drain();
  // The request is gone; becoming a follower by authorisation is a follow.
  for (const auto& n : Of(1)) EXPECT_NE(n.type, NotificationType::kFollowRequest);
}

TEST_F(NotifierTest, NotifyingFollowersHearOfStatusesTheyMaySee) {
  Follow(2, 1, /*notify=*/true);
  Follow(3, 1, /*notify=*/false);
  Post(1, {}, Visibility::kPrivate);
  Post(1, {}, Visibility::kDirect);
  Drain();
  int statuses = 0;
  for (const auto& n : Of(2)) statuses += n.type == NotificationType::kStatus;
  EXPECT_EQ(statuses, 1);
  for (const auto& n : Of(3)) EXPECT_NE(n.type, NotificationType::kStatus);
}

TEST_F(NotifierTest, BlockWithdrawsBothWaysAndStopsNewOnes) {
  const int64_t status = Post(1);
  ASSERT_TRUE(store_->Favourite(2, status, ids_.Next(), kNow).ok());
  Post(1, {2});
  Drain();
  ASSERT_EQ(Of(1).size(), 1u);
  ASSERT_EQ(Of(2).size(), 1u);
  ASSERT_TRUE(store_->CreateBlock(ids_.Next(), 1, 2, kNow).ok());
  Drain();
  EXPECT_TRUE(Of(1).empty());
  EXPECT_TRUE(Of(2).empty());
  Post(2, {1});
  Drain();
  EXPECT_TRUE(Of(1).empty());
}

TEST_F(NotifierTest, MuteHidesNotificationsOnlyWhenItSaysSo) {
  ASSERT_TRUE(store_->CreateMute({.id = ids_.Next(), .account_id = 1, .target_account_id = 2,
                                  .hide_notifications = true, .created_at_ms = kNow})
                  .ok());
  ASSERT_TRUE(store_->CreateMute({.id = ids_.Next(), .account_id = 1, .target_account_id = 3,
                                  .hide_notifications = false, .created_at_ms = kNow})
                  .ok());
  Post(2, {1});
  Post(3, {1});
  Drain();
  auto got = Of(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].from_account_id, 3);
}

TEST_F(NotifierTest, ListingFiltersByTypeAndAccount) {
  const int64_t status = Post(1);
  ASSERT_TRUE(store_->Favourite(2, status, ids_.Next(), kNow).ok());
  ASSERT_TRUE(store_->Favourite(3, status, ids_.Next(), kNow).ok());
  Post(2, {1});
  Drain();
  NotificationFilter mentions{.type_mask = 1 << static_cast<int>(NotificationType::kMention)};
  auto only = store_->ListNotifications(1, mentions, {.limit = 10});
  ASSERT_TRUE(only.ok());
  ASSERT_EQ(only->size(), 1u);
  NotificationFilter from3{.from_account_id = 3};
  auto of3 = store_->ListNotifications(1, from3, {.limit = 10});
  ASSERT_TRUE(of3.ok());
  ASSERT_EQ(of3->size(), 1u);
  EXPECT_EQ((*of3)[0].type, NotificationType::kFavourite);
  auto count = store_->CountNotifications(1, {}, 0, 100);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 3);
  auto group = store_->CountNotificationGroup(1, (*of3)[0].group_key);
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(*group, 2);
}

}  // namespace
}  // namespace chirp
