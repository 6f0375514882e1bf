#include "social/notification_service.h"

#include "social/notifier.h"
#include "social/service_test_support.h"

namespace chirp {
namespace {

constexpr int64_t kRecipient = 1;
constexpr int64_t kStatus = 500;
constexpr int64_t kFavouriteBit = NotificationTypeBit(NotificationType::kFavourite);
constexpr int64_t kMentionBit = NotificationTypeBit(NotificationType::kMention);

class NotificationServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    service_ = std::make_unique<NotificationService>(*store_, clock_);
  }

  // Adds a notification to `to` from `from`, a second after the last one,
  // with the group key the notifier would give it; returns its id.
  int64_t Notify(NotificationType type, int64_t from, int64_t status_id = 0,
                 int64_t to = kRecipient) {
    clock_.Advance(1000);
    NotificationRecord n;
    n.id = ids_.Next();
    n.account_id = to;
    n.from_account_id = from;
    n.type = type;
    n.status_id = status_id;
    n.created_at_ms = clock_.NowMillis();
    n.group_key = NotificationGroupKey(type, status_id, n.id, n.created_at_ms);
    auto added = store_->ApplyNotificationWrites(
        {{.kind = NotificationWrite::Kind::kAdd, .notification = n}});
    EXPECT_TRUE(added.ok() && added->size() == 1);
    return n.id;
  }

  std::vector<int64_t> Ids(const NotificationFilter& filter, const PageRequest& page) {
    auto listed = service_->List(kRecipient, filter, page);
    EXPECT_TRUE(listed.ok());
    std::vector<int64_t> out;
    if (listed) {
      for (const NotificationRecord& n : *listed) out.push_back(n.id);
    }
    return out;
  }

  std::unique_ptr<NotificationService> service_;
};

TEST_F(NotificationServiceTest, ListsTheTypesAskedForNewestFirstInPages) {
  const int64_t m1 = Notify(NotificationType::kMention, 2, 10);
  Notify(NotificationType::kFavourite, 3, kStatus);
  const int64_t m2 = Notify(NotificationType::kMention, 4, 11);
  Notify(NotificationType::kFollow, 5);
  Notify(NotificationType::kMention, 2, 12, /*to=*/2);  // someone else's

  const NotificationFilter mentions{.type_mask = kMentionBit};
  EXPECT_EQ(Ids(mentions, {.limit = 40}), (std::vector<int64_t>{m2, m1}));
  EXPECT_EQ(Ids(mentions, {.limit = 1}), (std::vector<int64_t>{m2}));
  EXPECT_EQ(Ids(mentions, {.max_id = m2, .limit = 1}), (std::vector<int64_t>{m1}));
  EXPECT_EQ(Ids({.from_account_id = 2}, {.limit = 40}), (std::vector<int64_t>{m1}));
  EXPECT_EQ(Ids({}, {.limit = 40}).size(), 4u);
}

TEST_F(NotificationServiceTest, FindsOnlyTheRecipientsOwn) {
  const int64_t own = Notify(NotificationType::kMention, 2, 10);
  const int64_t other = Notify(NotificationType::kMention, 3, 10, /*to=*/2);
  EXPECT_EQ(service_->Find(kRecipient, own)->from_account_id, 2);
  EXPECT_EQ(service_->Find(kRecipient, other).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Dismiss(kRecipient, other).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(service_->Find(2, other).ok());
}

TEST_F(NotificationServiceTest, UnreadCountsStopAtTheMarkerAndTheCap) {
  Notify(NotificationType::kMention, 2, 10);
  const int64_t read = Notify(NotificationType::kFavourite, 3, kStatus);
  Notify(NotificationType::kFavourite, 4, kStatus);
  Notify(NotificationType::kFavourite, 5, kStatus);
  Notify(NotificationType::kMention, 6, 11);

  EXPECT_EQ(service_->UnreadCount(kRecipient, {}, 100).value(), 5);
  EXPECT_EQ(service_->UnreadCount(kRecipient, {}, 2).value(), 2);
  ASSERT_TRUE(
      service_->SaveMarker(kRecipient, NotificationService::kNotificationsMarker, read).ok());
  EXPECT_EQ(service_->UnreadCount(kRecipient, {}, 100).value(), 3);
  EXPECT_EQ(service_->UnreadCount(kRecipient, {.type_mask = kMentionBit}, 100).value(), 1);
  // The home marker says nothing about notifications.
  ASSERT_TRUE(service_->SaveMarker(kRecipient, NotificationService::kHomeMarker, 0).ok());
  EXPECT_EQ(service_->UnreadCount(kRecipient, {}, 100).value(), 3);
  // Grouped: the two favourites above the marker are one group.
  EXPECT_EQ(
      service_->UnreadGroupCount(kRecipient, {}, NotificationService::kDefaultGroupedTypes, 100)
          .value(),
      2);
  EXPECT_EQ(service_->UnreadGroupCount(kRecipient, {}, /*grouped_types=*/0, 100).value(), 3);
}

TEST_F(NotificationServiceTest, DismissesAGroupAllAtOnce) {
  Notify(NotificationType::kFavourite, 2, kStatus);
  Notify(NotificationType::kFavourite, 3, kStatus);
  const int64_t mention = Notify(NotificationType::kMention, 4, 10);
  const std::string key = service_->Find(kRecipient, mention).value().group_key;
  const std::string favourites =
      service_->List(kRecipient, {.type_mask = kFavouriteBit}, {.limit = 1})->front().group_key;

  ASSERT_TRUE(service_->DismissGroup(kRecipient, favourites).ok());
  EXPECT_EQ(Ids({}, {.limit = 40}), (std::vector<int64_t>{mention}));
  EXPECT_EQ(service_->DismissGroup(kRecipient, favourites).error().code, ErrorCode::kNotFound);
  // A notification standing alone is a group of one.
  EXPECT_EQ(service_->DismissGroup(kRecipient, "ungrouped-x").error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(service_->DismissGroup(kRecipient, key).ok());
  EXPECT_TRUE(Ids({}, {.limit = 40}).empty());
}

TEST_F(NotificationServiceTest, ClearRemovesEveryNotificationOfTheRecipientOnly) {
  Notify(NotificationType::kMention, 2, 10);
  Notify(NotificationType::kFollow, 3);
  Notify(NotificationType::kMention, 3, 10, /*to=*/2);
  ASSERT_TRUE(service_->Clear(kRecipient).ok());
  EXPECT_TRUE(Ids({}, {.limit = 40}).empty());
  EXPECT_EQ(service_->List(2, {}, {.limit = 40})->size(), 1u);
}

TEST_F(NotificationServiceTest, GroupsCountAndSampleTheWholeGroupBeyondThePage) {
  const int64_t f1 = Notify(NotificationType::kFavourite, 2, kStatus);
  const int64_t f2 = Notify(NotificationType::kFavourite, 3, kStatus);
  const int64_t f3 = Notify(NotificationType::kFavourite, 4, kStatus);
  const int64_t mention = Notify(NotificationType::kMention, 2, 10);

  auto page = service_->ListGroups(kRecipient, {}, NotificationService::kDefaultGroupedTypes,
                                   {.limit = 40});
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->groups.size(), 2u);
  EXPECT_EQ(page->groups[0].key, "ungrouped-" + std::to_string(mention));
  EXPECT_EQ(page->groups[0].count, 1);
  const NotificationGroup& favourites = page->groups[1];
  EXPECT_EQ(favourites.count, 3);
  EXPECT_EQ(favourites.in_page.size(), 3u);
  EXPECT_EQ(page->newest_id, mention);
  EXPECT_EQ(page->oldest_id, f1);

  // A page that starts inside the group still counts and samples all of it.
  auto older = service_->ListGroups(kRecipient, {}, NotificationService::kDefaultGroupedTypes,
                                    {.max_id = f3, .limit = 40});
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->groups.size(), 1u);
  EXPECT_EQ(older->groups[0].in_page.size(), 2u);
  EXPECT_EQ(older->groups[0].count, 3);
  EXPECT_EQ(older->groups[0].newest.front().id, f3);
  EXPECT_EQ(older->groups[0].in_page.front().id, f2);

  // Favourites not grouped: each stands alone.
  auto apart = service_->ListGroups(kRecipient, {}, /*grouped_types=*/0, {.limit = 40});
  ASSERT_TRUE(apart.ok());
  EXPECT_EQ(apart->groups.size(), 4u);
}

TEST_F(NotificationServiceTest, APageOfGroupsEndsBeforeTheFirstGroupBeyondTheLimit) {
  const int64_t f1 = Notify(NotificationType::kFavourite, 2, kStatus);
  Notify(NotificationType::kMention, 3, 10);
  const int64_t f2 = Notify(NotificationType::kFavourite, 4, kStatus);
  const int64_t follow = Notify(NotificationType::kFollow, 5);

  auto page =
      service_->ListGroups(kRecipient, {}, NotificationService::kDefaultGroupedTypes, {.limit = 2});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->groups.size(), 2u);
  EXPECT_EQ(page->groups[0].in_page.front().id, follow);
  EXPECT_EQ(page->groups[1].in_page.front().id, f2);
  // The mention would be a third group: the page ends before it, so the
  // older favourite is left for the next page though its group is shown.
  EXPECT_EQ(page->groups[1].in_page.size(), 1u);
  EXPECT_EQ(page->groups[1].count, 2);
  EXPECT_EQ(page->oldest_id, f2);
  EXPECT_NE(page->oldest_id, f1);
}

TEST_F(NotificationServiceTest, OneGroupAndItsAccountsNewestFirstEachOnce) {
  Notify(NotificationType::kFavourite, 2, kStatus);
  Notify(NotificationType::kFavourite, 3, kStatus);
  const int64_t mention = Notify(NotificationType::kMention, 3, 10);
  const std::string key =
      service_->List(kRecipient, {.type_mask = kFavouriteBit}, {.limit = 1})->front().group_key;

  auto group = service_->Group(kRecipient, key);
  ASSERT_TRUE(group.ok());
  EXPECT_EQ(group->count, 2);
  EXPECT_EQ(group->in_page.size(), 2u);
  EXPECT_EQ(service_->GroupAccounts(kRecipient, key).value(), (std::vector<int64_t>{3, 2}));

  const std::string alone = "ungrouped-" + std::to_string(mention);
  EXPECT_EQ(service_->Group(kRecipient, alone)->count, 1);
  EXPECT_EQ(service_->GroupAccounts(kRecipient, alone).value(), (std::vector<int64_t>{3}));
  EXPECT_EQ(service_->Group(kRecipient, "favourite-1-2").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->Group(2, key).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(service_->GroupAccounts(kRecipient, "ungrouped-1").error().code, ErrorCode::kNotFound);
}

TEST_F(NotificationServiceTest, MarkersAreVersionedAndOnlyForKnownTimelines) {
  const auto& timeline = NotificationService::kNotificationsMarker;
  EXPECT_FALSE(service_->FindMarker(kRecipient, timeline).value().has_value());
  auto first = service_->SaveMarker(kRecipient, timeline, 7);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(first->updated_at_ms, kStart);
  clock_.Advance(5000);
  auto second = service_->SaveMarker(kRecipient, timeline, 9);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, 2);
  auto found = service_->FindMarker(kRecipient, timeline).value();
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->last_read_id, 9);
  EXPECT_EQ(found->updated_at_ms, kStart + 5000);
  EXPECT_FALSE(service_->FindMarker(2, timeline).value().has_value());
  EXPECT_EQ(service_->SaveMarker(kRecipient, "public", 1).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service_->FindMarker(kRecipient, "public").error().code, ErrorCode::kUnprocessable);
}

}  // namespace
}  // namespace chirp
