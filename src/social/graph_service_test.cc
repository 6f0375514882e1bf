#include "social/graph_service.h"

#include <limits>

#include "social/service_test_support.h"
#include "social/status_reads.h"

namespace chirp {
namespace {

class GraphServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    graph_ = std::make_unique<GraphService>(*store_, clock_, ids_, *lookups_, *applied_);
  }
  void Lock(int64_t id) {
    Account a = store_->FindAccount(id).value();
    a.locked = true;
    ASSERT_TRUE(store_->UpdateProfile(a).ok());
  }
  RelationshipRecord Between(int64_t a, int64_t b) { return graph_->Relationship(a, b).value(); }

  std::unique_ptr<GraphService> graph_;
};

TEST_F(GraphServiceTest, FollowsAnOpenAccountAndKeepsSettingsLeftOut) {
  ASSERT_TRUE(graph_->Follow(1, 2, {.notify = true}).ok());
  EXPECT_TRUE(Between(1, 2).following.has_value());
  EXPECT_TRUE(store_->FindFollow(1, 2).value()->notify);
  ASSERT_TRUE(graph_->Follow(1, 2, {.show_reblogs = false}).ok());
  auto follow = store_->FindFollow(1, 2).value();
  EXPECT_FALSE(follow->show_reblogs);
  EXPECT_TRUE(follow->notify);  // kept
  EXPECT_EQ(applied_->kinds(),
            (std::vector<EventKind>{EventKind::kFollowed, EventKind::kFollowChanged}));
  ASSERT_TRUE(graph_->Unfollow(1, 2).ok());
  EXPECT_FALSE(Between(1, 2).following.has_value());
}

TEST_F(GraphServiceTest, AsksALockedAccountWhichDecides) {
  Lock(2);
  ASSERT_TRUE(graph_->Follow(1, 2, {}).ok());
  ASSERT_TRUE(graph_->Follow(3, 2, {}).ok());
  EXPECT_TRUE(Between(1, 2).requested);
  EXPECT_FALSE(Between(1, 2).following.has_value());
  ASSERT_TRUE(graph_->DecideRequest(2, 1, true).ok());
  EXPECT_TRUE(Between(1, 2).following.has_value());
  ASSERT_TRUE(graph_->DecideRequest(2, 3, false).ok());
  EXPECT_FALSE(Between(3, 2).requested);
  EXPECT_EQ(graph_->DecideRequest(2, 3, false).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(graph_->DecideRequest(2, 4, true).error().code, ErrorCode::kNotFound);
}

TEST_F(GraphServiceTest, AuthorizingAllAcceptsEveryWaitingRequest) {
  Lock(1);
  for (int64_t requester : {2, 3, 4}) ASSERT_TRUE(graph_->Follow(requester, 1, {}).ok());
  ASSERT_TRUE(graph_->AuthorizeAllRequests(1).ok());
  EXPECT_EQ(store_->CountFollowRequests(1).value(), 0);
  EXPECT_EQ(store_->FindAccount(1)->followers_count, 3);
}

TEST_F(GraphServiceTest, NobodyFollowsBlocksOrMutesThemselvesOrAcrossABlock) {
  EXPECT_EQ(graph_->Follow(1, 1, {}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(graph_->SetBlock(1, 1, true).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(graph_->Mute(1, 1, {}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(graph_->Follow(1, 99, {}).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(graph_->SetBlock(2, 1, true).ok());
  EXPECT_EQ(graph_->Follow(1, 2, {}).error().code, ErrorCode::kForbidden);
}

TEST_F(GraphServiceTest, ABlockEndsFollowsBothWays) {
  ASSERT_TRUE(graph_->Follow(1, 2, {}).ok());
  ASSERT_TRUE(graph_->Follow(2, 1, {}).ok());
  ASSERT_TRUE(graph_->SetBlock(1, 2, true).ok());
  EXPECT_FALSE(Between(1, 2).following.has_value());
  EXPECT_FALSE(Between(2, 1).following.has_value());
  EXPECT_TRUE(Between(1, 2).blocking);
  ASSERT_TRUE(graph_->SetBlock(1, 2, false).ok());
  EXPECT_FALSE(Between(1, 2).blocking);
  EXPECT_EQ(applied_->kinds().back(), EventKind::kUnblocked);
}

TEST_F(GraphServiceTest, MuteDurationsAreCheckedAndEndOnTheClock) {
  EXPECT_EQ(graph_->Mute(1, 2, {.duration_seconds = -1}).error().code, ErrorCode::kUnprocessable);
  // Would overflow the expiry and end the mute at once: refused.
  EXPECT_EQ(
      graph_->Mute(1, 2, {.duration_seconds = std::numeric_limits<int64_t>::max()}).error().code,
      ErrorCode::kUnprocessable);
  ASSERT_TRUE(graph_->Mute(1, 2, {.hide_notifications = false, .duration_seconds = 60}).ok());
  ASSERT_TRUE(Between(1, 2).muting.has_value());
  EXPECT_FALSE(Between(1, 2).muting->hide_notifications);
  EXPECT_EQ(Between(1, 2).muting->expires_at_ms, kStart + 60'000);
  clock_.Advance(61'000);
  EXPECT_FALSE(Between(1, 2).muting.has_value());
  ASSERT_TRUE(graph_->Mute(1, 3, {}).ok());
  ASSERT_TRUE(graph_->Unmute(1, 3).ok());
  EXPECT_FALSE(Between(1, 3).muting.has_value());
  EXPECT_EQ(applied_->kinds().back(), EventKind::kUnmuted);
}

// Once a mute's time is up on the clock, every reader of it agrees: the
// relationship, the list of mutes, the reader's cached relations and the
// threads it hid replies from.
TEST_F(GraphServiceTest, AnExpiredMuteIsOverEverywhere) {
  StatusReads reads(*store_, *lookups_, *lookups_, *readers_);
  StatusRecord root{
      .id = ids_.Next(), .account_id = 3, .text = "thread", .created_at_ms = clock_.NowMillis()};
  ASSERT_TRUE(store_->CreateStatus(root, "", 0).ok());
  StatusRecord reply{.id = ids_.Next(),
                     .account_id = 2,
                     .text = "reply",
                     .in_reply_to_id = root.id,
                     .in_reply_to_account_id = 3,
                     .created_at_ms = clock_.NowMillis()};
  ASSERT_TRUE(store_->CreateStatus(reply, "", 0).ok());
  ASSERT_TRUE(graph_->Mute(1, 2, {.duration_seconds = 1}).ok());
  EXPECT_TRUE(Between(1, 2).muting.has_value());
  EXPECT_EQ(graph_->Mutes(1, {}).value().size(), 1u);
  EXPECT_TRUE(reads.Context(1, root.id).value().descendants.empty());

  clock_.Advance(1000);
  EXPECT_FALSE(Between(1, 2).muting.has_value());
  EXPECT_TRUE(graph_->Mutes(1, {}).value().empty());
  EXPECT_FALSE((*readers_->Get(1))->visibility.Mutes(2));  // lapsed by itself
  EXPECT_EQ(reads.Context(1, root.id).value().descendants, std::vector<int64_t>{reply.id});
}

}  // namespace
}  // namespace chirp
