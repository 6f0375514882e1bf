#include "mastodon/cache_keeper.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/secrets.h"
#include "core/snowflake.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

// Each test changes the store directly, as another process would: the
// change's event is in the outbox, and no in-process call told any cache.
// Only the keeper, fed the outbox, brings the caches up to it.
class CacheKeeperTest : public ::testing::Test {
 protected:
  static constexpr int64_t kCelebrityThreshold = 2;

  void SetUp() override {
    ASSERT_TRUE(InitSecrets());
    temp_ = std::make_unique<TempStore>(
        std::string("keeper-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        4);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
    accounts_ = std::make_unique<AccountDirectory>(*store_);
    statuses_ = std::make_unique<StatusDirectory>(*store_, *accounts_, 1000);
    readers_ = std::make_unique<ViewerCache>(*store_, clock_);
    tokens_ = std::make_unique<Authenticator>(*store_);
    celebrities_ = std::make_unique<Celebrities>(*store_, kCelebrityThreshold);
    author_posts_ = std::make_unique<AuthorPosts>(*store_, 10, 100);
    keeper_ = std::make_unique<CacheKeeper>(*accounts_, *statuses_, *readers_, *tokens_,
                                            celebrities_.get(), author_posts_.get());
  }

  // Hands the keeper every event not yet handed, as its consumer would.
  void Deliver() {
    auto events = store_->ReadOutbox(delivered_, 1000);
    ASSERT_TRUE(events.ok());
    for (const OutboxEvent& e : *events) {
      ASSERT_TRUE(keeper_->Handle(e).ok());
      delivered_ = e.id;
    }
    ASSERT_TRUE(keeper_->Flush().ok());
  }

  void Post(int64_t id, int64_t account, int64_t reblog_of = 0) {
    StatusRecord s;
    s.id = id;
    s.account_id = account;
    s.text = "post";
    s.reblog_of_id = reblog_of;
    s.created_at_ms = clock_.NowMillis();
    ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  }

  void Follow(int64_t follower, int64_t followed) {
    ASSERT_TRUE(store_
                    ->CreateFollow({.id = next_id_++,
                                    .account_id = follower,
                                    .target_account_id = followed,
                                    .created_at_ms = clock_.NowMillis()})
                    .ok());
  }

  ManualClock clock_{1'700'000'000'000};
  SnowflakeGenerator ids_{clock_, 1};
  std::unique_ptr<TempStore> temp_;
  SqliteStore* store_ = nullptr;
  std::unique_ptr<AccountDirectory> accounts_;
  std::unique_ptr<StatusDirectory> statuses_;
  std::unique_ptr<ViewerCache> readers_;
  std::unique_ptr<Authenticator> tokens_;
  std::unique_ptr<Celebrities> celebrities_;
  std::unique_ptr<AuthorPosts> author_posts_;
  std::unique_ptr<CacheKeeper> keeper_;
  int64_t delivered_ = 0;
  int64_t next_id_ = 5000;
};

TEST_F(CacheKeeperTest, AccountCountersFollowAStatusPostedElsewhere) {
  EXPECT_EQ((*accounts_->Get(1))->statuses_count, 0);
  Post(100, 1);
  EXPECT_EQ((*accounts_->Get(1))->statuses_count, 0);  // cached, not told
  Deliver();
  EXPECT_EQ((*accounts_->Get(1))->statuses_count, 1);
  EXPECT_GT((*accounts_->Get(1))->last_status_at_ms, 0);
}

TEST_F(CacheKeeperTest, AccountCountersFollowAFollowElsewhere) {
  EXPECT_EQ((*accounts_->Get(2))->followers_count, 0);
  EXPECT_EQ((*accounts_->Get(1))->following_count, 0);
  Follow(1, 2);
  Deliver();
  EXPECT_EQ((*accounts_->Get(2))->followers_count, 1);
  EXPECT_EQ((*accounts_->Get(1))->following_count, 1);
  ASSERT_TRUE(store_->DeleteFollow(1, 2).ok());
  Deliver();
  EXPECT_EQ((*accounts_->Get(2))->followers_count, 0);
}

TEST_F(CacheKeeperTest, ProfileUpdatedElsewhereReachesTheAccountAndItsJson) {
  auto json = accounts_->Json(1, "http://x");
  ASSERT_TRUE(json.ok());
  Account changed = **accounts_->Get(1);
  changed.display_name = "Renamed";
  ASSERT_TRUE(store_->UpdateProfile(changed).ok());
  Deliver();
  EXPECT_EQ((*accounts_->Get(1))->display_name, "Renamed");
  EXPECT_NE((*accounts_->Json(1, "http://x"))->find("Renamed"), std::string::npos);
}

TEST_F(CacheKeeperTest, StatusCountersFollowAFavouriteElsewhere) {
  Post(100, 1);
  EXPECT_EQ((*statuses_->Get(100, "http://x"))->record.favourites_count, 0);
  ASSERT_TRUE(store_->Favourite(2, 100, next_id_++, clock_.NowMillis()).ok());
  EXPECT_EQ((*statuses_->Get(100, "http://x"))->record.favourites_count, 0);
  Deliver();
  EXPECT_EQ((*statuses_->Get(100, "http://x"))->record.favourites_count, 1);
}

TEST_F(CacheKeeperTest, ReblogElsewhereCountsOnTheOriginalAndInTheReader) {
  // Recent ids: readers hold the favourites and reblogs of recent statuses.
  const int64_t original = ids_.Next();
  Post(original, 1);
  EXPECT_EQ((*statuses_->Get(original, "http://x"))->record.reblogs_count, 0);
  EXPECT_FALSE((*readers_->Get(2))->Reblogged(original));
  Post(ids_.Next(), 2, original);
  Deliver();
  EXPECT_EQ((*statuses_->Get(original, "http://x"))->record.reblogs_count, 1);
  EXPECT_TRUE((*readers_->Get(2))->Reblogged(original));
}

TEST_F(CacheKeeperTest, StatusDeletedElsewhereLeavesTheCache) {
  Post(100, 1);
  ASSERT_TRUE(statuses_->Get(100, "http://x").ok());
  ASSERT_TRUE(statuses_->FindLive(100).ok());
  ASSERT_TRUE(store_->DeleteStatus(100, clock_.NowMillis()).ok());
  EXPECT_TRUE(statuses_->FindLive(100).ok());  // cached, not told
  Deliver();
  EXPECT_EQ(statuses_->FindLive(100).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(statuses_->Get(100, "http://x").error().code, ErrorCode::kNotFound);
}

TEST_F(CacheKeeperTest, BlockElsewhereReachesBothReaders) {
  EXPECT_FALSE((*readers_->Get(1))->visibility.BlockedWith(2));
  EXPECT_FALSE((*readers_->Get(2))->visibility.BlockedWith(1));
  ASSERT_TRUE(store_->CreateBlock(next_id_++, 2, 1, clock_.NowMillis()).ok());
  Deliver();
  EXPECT_TRUE((*readers_->Get(1))->visibility.BlockedWith(2));
  EXPECT_TRUE((*readers_->Get(2))->visibility.BlockedWith(1));
  ASSERT_TRUE(store_->DeleteBlock(2, 1).ok());
  Deliver();
  EXPECT_FALSE((*readers_->Get(1))->visibility.BlockedWith(2));
}

TEST_F(CacheKeeperTest, FollowAndMuteElsewhereReachTheReader) {
  EXPECT_FALSE((*readers_->Get(1))->visibility.Follows(2));
  Follow(1, 2);
  ASSERT_TRUE(store_
                  ->CreateMute({.id = next_id_++,
                                .account_id = 1,
                                .target_account_id = 3,
                                .created_at_ms = clock_.NowMillis()})
                  .ok());
  Deliver();
  EXPECT_TRUE((*readers_->Get(1))->visibility.Follows(2));
  EXPECT_TRUE((*readers_->Get(1))->visibility.Mutes(3));
  ASSERT_TRUE(store_->DeleteMute(1, 3).ok());
  Deliver();
  EXPECT_FALSE((*readers_->Get(1))->visibility.Mutes(3));
}

TEST_F(CacheKeeperTest, TokenRevokedElsewhereStopsAuthenticating) {
  App app;
  app.id = 10;
  app.name = "app";
  app.client_id = "client";
  ASSERT_TRUE(store_->CreateApp(app).ok());
  const std::string token = RandomToken();
  ASSERT_TRUE(store_
                  ->CreateToken({.id = 20,
                                 .digest = TokenDigest(token),
                                 .app_id = 10,
                                 .account_id = 1,
                                 .scopes = "read"})
                  .ok());
  ASSERT_TRUE(tokens_->Authenticate(token).ok());
  ASSERT_TRUE(store_->RevokeToken(TokenDigest(token), 10, clock_.NowMillis()).ok());
  EXPECT_TRUE(tokens_->Authenticate(token).ok());  // cached, not told
  Deliver();
  EXPECT_EQ(tokens_->Authenticate(token).error().code, ErrorCode::kUnauthorized);
}

TEST_F(CacheKeeperTest, CelebritiesFollowFollowsElsewhere) {
  ASSERT_TRUE(celebrities_->Load().ok());
  Follow(2, 1);
  Follow(3, 1);
  EXPECT_FALSE(celebrities_->Contains(1));
  Deliver();
  EXPECT_TRUE(celebrities_->Contains(1));
  ASSERT_TRUE(store_->CreateBlock(next_id_++, 1, 3, clock_.NowMillis()).ok());  // ends 3's follow
  Deliver();
  EXPECT_FALSE(celebrities_->Contains(1));
}

TEST_F(CacheKeeperTest, OwnWritesApplyAtOnceWithoutTheStream) {
  const int64_t status = ids_.Next();
  Post(status, 1);
  EXPECT_EQ((*statuses_->Get(status, "http://x"))->record.favourites_count, 0);
  EXPECT_FALSE((*readers_->Get(2))->Favourited(status));
  ASSERT_TRUE(store_->Favourite(2, status, next_id_++, clock_.NowMillis()).ok());
  keeper_->Apply({.kind = EventKind::kFavourited, .account_id = 2, .subject_id = status});
  EXPECT_EQ((*statuses_->Get(status, "http://x"))->record.favourites_count, 1);
  EXPECT_TRUE((*readers_->Get(2))->Favourited(status));
}

// The author's list (what their profile lists) takes their own new status
// and loses their deleted one at once, before fan-out hands it the events.
TEST_F(CacheKeeperTest, AnAuthorsOwnStatusesReachTheirListAtOnce) {
  const auto newest = [&]() -> int64_t {
    auto slice = author_posts_->Recent(1, 1, 0);
    EXPECT_TRUE(slice.ok() && slice->has_value());
    return slice.ok() && *slice && !(*slice)->posts.empty() ? (*slice)->posts[0].status_id.value() : 0;
  };
  const int64_t first = ids_.Next();
  Post(first, 1);
  EXPECT_EQ(newest(), first);
  const int64_t second = ids_.Next();
  Post(second, 1);
  EXPECT_EQ(newest(), first);  // written elsewhere: the list waits for fan-out
  keeper_->Apply({.kind = EventKind::kStatusCreated, .account_id = 1, .subject_id = second});
  EXPECT_EQ(newest(), second);
  ASSERT_TRUE(store_->DeleteStatus(second, clock_.NowMillis()).ok());
  keeper_->Apply({.kind = EventKind::kStatusDeleted, .account_id = 1, .subject_id = second});
  EXPECT_EQ(newest(), first);
}

// The writer counts its own status in place at once, and the event stream
// passes over it later: counted once, in either order.
TEST_F(CacheKeeperTest, AnOwnStatusIsCountedOnceWhicheverComesFirst) {
  for (const bool stream_first : {false, true}) {
    const int64_t before = (*accounts_->Get(1))->statuses_count;
    StatusRecord s{
        .id = ids_.Next(), .account_id = 1, .text = "mine", .created_at_ms = clock_.NowMillis()};
    auto created = store_->CreateStatus(s, "", 0);
    ASSERT_TRUE(created.ok());
    ASSERT_GT(created->event_id, 0);
    OutboxEvent own = StatusEvent(EventKind::kStatusCreated, s, s.created_at_ms);
    own.id = created->event_id;
    if (stream_first) Deliver();
    keeper_->Apply(own);
    EXPECT_EQ((*accounts_->Get(1))->statuses_count, before + 1);
    Deliver();
    EXPECT_EQ((*accounts_->Get(1))->statuses_count, before + 1) << stream_first;
  }
  // A direct status is not counted, in place or by the store.
  StatusRecord direct{.id = ids_.Next(),
                      .account_id = 1,
                      .text = "@user2 psst",
                      .visibility = Visibility::kDirect,
                      .created_at_ms = clock_.NowMillis()};
  auto created = store_->CreateStatus(direct, "", 0);
  ASSERT_TRUE(created.ok());
  OutboxEvent own = StatusEvent(EventKind::kStatusCreated, direct, direct.created_at_ms);
  own.id = created->event_id;
  keeper_->Apply(own);
  Deliver();
  EXPECT_EQ((*accounts_->Get(1))->statuses_count, store_->FindAccount(1)->statuses_count);
}

TEST_F(CacheKeeperTest, EveryEventKindTouchesWhatItChanges) {
  const auto touched = [](OutboxEvent e) {
    CacheKeeper::Touched t;
    CacheKeeper::Collect(e, t);
    return t;
  };
  using Ids = std::vector<int64_t>;
  auto reply = touched(
      {.kind = EventKind::kStatusCreated, .account_id = 1, .subject_id = 9, .related_id = 8});
  EXPECT_EQ(reply.accounts, Ids{1});
  EXPECT_EQ(reply.statuses, Ids{8});
  EXPECT_TRUE(reply.readers.empty());
  auto unreblog = touched({.kind = EventKind::kStatusDeleted,
                           .account_id = 1,
                           .subject_id = 9,
                           .related_id = 8,
                           .flags = kEventReblog});
  EXPECT_EQ(unreblog.statuses, (Ids{9, 8}));
  EXPECT_EQ(unreblog.readers, Ids{1});
  auto block = touched({.kind = EventKind::kBlocked, .account_id = 1, .subject_id = 2});
  EXPECT_EQ(block.readers, (Ids{1, 2}));
  EXPECT_EQ(block.accounts, (Ids{1, 2}));
  EXPECT_EQ(block.celebrities, (Ids{1, 2}));
  auto revoked = touched({.kind = EventKind::kTokenRevoked, .account_id = 1, .subject_id = 7});
  EXPECT_EQ(revoked.tokens, Ids{7});
  EXPECT_TRUE(revoked.accounts.empty());
  auto requested = touched({.kind = EventKind::kFollowRequested, .account_id = 1, .subject_id = 2});
  EXPECT_TRUE(requested.accounts.empty() && requested.readers.empty());
}

}  // namespace
}  // namespace chirp
