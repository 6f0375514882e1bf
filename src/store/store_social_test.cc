#include <gtest/gtest.h>

#include <filesystem>

#include "store/store_kinds.h"

namespace chirp {
namespace {

// The social graph and statuses, against each store.
class SocialStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<StoreUnderTest>(
        GetParam(),
        std::string("social-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        3);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
  }
  int64_t Post(int64_t id, int64_t account, Visibility v = Visibility::kPublic,
               int64_t reply_to = 0, int64_t reblog_of = 0) {
    StatusRecord s;
    s.id = id;
    s.account_id = account;
    s.text = "post";
    s.visibility = v;
    s.in_reply_to_id = reply_to;
    s.reblog_of_id = reblog_of;
    s.created_at_ms = 1000 + id;
    auto r = store_->CreateStatus(s, "", 0);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return id;
  }
  Account Get(int64_t id) { return store_->FindAccount(id).value(); }

  std::unique_ptr<StoreUnderTest> temp_;
  Store* store_ = nullptr;
};

TEST_P(SocialStoreTest, FollowCountersStayExactThroughRepeatsAndUndos) {
  Follow f{10, 1, 2, true, false, 0};
  EXPECT_TRUE(*store_->CreateFollow(f));
  f.show_reblogs = false;
  EXPECT_FALSE(*store_->CreateFollow(f));  // an update, not a second follow
  EXPECT_EQ(Get(1).following_count, 1);
  EXPECT_EQ(Get(2).followers_count, 1);
  EXPECT_FALSE(store_->FindFollow(1, 2).value()->show_reblogs);
  EXPECT_TRUE(*store_->DeleteFollow(1, 2));
  EXPECT_FALSE(*store_->DeleteFollow(1, 2));
  EXPECT_EQ(Get(1).following_count, 0);
  EXPECT_EQ(Get(2).followers_count, 0);
}

TEST_P(SocialStoreTest, FollowAgainChangesOnlyTheSettingsItNames) {
  ASSERT_TRUE(*store_->CreateFollow({10, 1, 2, false, true, 0}));
  // Neither named: both kept, whatever the record carries.
  EXPECT_FALSE(
      *store_->CreateFollow({11, 1, 2, true, false, 0}, {.show_reblogs = false, .notify = false}));
  auto kept = store_->FindFollow(1, 2).value();
  EXPECT_FALSE(kept->show_reblogs);
  EXPECT_TRUE(kept->notify);
  EXPECT_EQ(kept->id, 10);
  // Only notify named.
  EXPECT_FALSE(
      *store_->CreateFollow({12, 1, 2, true, false, 0}, {.show_reblogs = false, .notify = true}));
  kept = store_->FindFollow(1, 2).value();
  EXPECT_FALSE(kept->show_reblogs);
  EXPECT_FALSE(kept->notify);
  // A new follow takes the record's settings, named or not.
  EXPECT_TRUE(
      *store_->CreateFollow({13, 2, 1, false, true, 0}, {.show_reblogs = false, .notify = false}));
  auto fresh = store_->FindFollow(2, 1).value();
  EXPECT_FALSE(fresh->show_reblogs);
  EXPECT_TRUE(fresh->notify);
  EXPECT_EQ(Get(2).followers_count, 1);
}

TEST_P(SocialStoreTest, BlockRemovesFollowsBothWays) {
  ASSERT_TRUE(store_->CreateFollow({10, 1, 2, true, false, 0}).ok());
  ASSERT_TRUE(store_->CreateFollow({11, 2, 1, true, false, 0}).ok());
  EXPECT_TRUE(*store_->CreateBlock(12, 1, 2, 0));
  EXPECT_FALSE(*store_->CreateBlock(13, 1, 2, 0));
  EXPECT_FALSE(store_->FindFollow(1, 2).value().has_value());
  EXPECT_FALSE(store_->FindFollow(2, 1).value().has_value());
  EXPECT_EQ(Get(1).followers_count, 0);
  EXPECT_EQ(Get(2).following_count, 0);
  EXPECT_TRUE(*store_->BlockedEitherWay(2, 1));
  EXPECT_TRUE(*store_->DeleteBlock(1, 2));
  EXPECT_FALSE(*store_->BlockedEitherWay(2, 1));
}

TEST_P(SocialStoreTest, FollowRequestBecomesFollowWhenAuthorized) {
  EXPECT_TRUE(*store_->CreateFollowRequest({10, 1, 2, true, true, 0}));
  EXPECT_TRUE(store_->Relationship(1, 2, 0)->requested);
  EXPECT_TRUE(store_->Relationship(2, 1, 0)->requested_by);
  ASSERT_TRUE(store_->AuthorizeFollowRequest(1, 2, 11, 5).ok());
  auto follow = store_->FindFollow(1, 2).value();
  ASSERT_TRUE(follow.has_value());
  EXPECT_TRUE(follow->notify);
  EXPECT_FALSE(store_->Relationship(1, 2, 0)->requested);
  EXPECT_EQ(store_->AuthorizeFollowRequest(1, 2, 12, 5).error().code, ErrorCode::kNotFound);
}

TEST_P(SocialStoreTest, StatusCountersFollowMastodon) {
  Post(100, 1);
  Post(101, 2, Visibility::kPublic, 100);     // a public reply counts
  Post(102, 2, Visibility::kPrivate, 100);    // a private reply does not
  Post(103, 1, Visibility::kDirect);          // direct statuses are not counted
  Post(104, 3, Visibility::kPublic, 0, 100);  // a reblog
  EXPECT_EQ(Get(1).statuses_count, 1);
  EXPECT_EQ(Get(2).statuses_count, 2);
  EXPECT_EQ(Get(3).statuses_count, 1);
  auto original = store_->FindStatus(100).value();
  EXPECT_EQ(original.replies_count, 1);
  EXPECT_EQ(original.reblogs_count, 1);
  // Deleting the original deletes its reblog and undoes every count.
  auto deleted = store_->DeleteStatus(100, 2000);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->status_ids, (std::vector<int64_t>{104, 100}));
  EXPECT_EQ(deleted->account_ids, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(Get(1).statuses_count, 0);
  EXPECT_EQ(Get(3).statuses_count, 0);
  EXPECT_EQ(store_->FindStatus(104).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteStatus(100, 2000).error().code, ErrorCode::kNotFound);
}

// The events that let any process's caches follow a change without reading
// the store: what a status replies to or reblogs, undone blocks and mutes.
TEST_P(SocialStoreTest, EventsCarryWhatConsumersNeedWithoutReadingTheStore) {
  Post(100, 1);
  Post(101, 2, Visibility::kPublic, 100);
  Post(102, 3, Visibility::kPublic, 0, 100);
  ASSERT_TRUE(store_->CreateBlock(200, 1, 2, 5).ok());
  ASSERT_TRUE(store_->DeleteBlock(1, 2).ok());
  ASSERT_TRUE(store_->DeleteBlock(1, 2).ok());  // nothing to undo: no event
  ASSERT_TRUE(store_->CreateMute({.id = 201, .account_id = 1, .target_account_id = 3}).ok());
  ASSERT_TRUE(store_->DeleteMute(1, 3).ok());
  ASSERT_TRUE(store_->DeleteStatus(101, 3000).ok());
  auto events = store_->ReadOutbox(0, 100).value();
  std::vector<OutboxEvent> kept;
  for (const OutboxEvent& e : events) {
    if (e.kind != EventKind::kBlocked && e.kind != EventKind::kMuted) kept.push_back(e);
  }
  ASSERT_EQ(kept.size(), 6u);
  EXPECT_EQ(kept[0].kind, EventKind::kStatusCreated);
  EXPECT_EQ(kept[0].related_id, 0);
  EXPECT_EQ(kept[1].related_id, 100);  // the reply's parent
  EXPECT_EQ(kept[1].flags, 0u);
  EXPECT_EQ(kept[2].related_id, 100);  // the reblogged status
  EXPECT_EQ(kept[2].flags, kEventReblog);
  EXPECT_EQ(kept[3].kind, EventKind::kUnblocked);
  EXPECT_EQ(kept[3].account_id, 1);
  EXPECT_EQ(kept[3].subject_id, 2);
  EXPECT_EQ(kept[4].kind, EventKind::kUnmuted);
  EXPECT_EQ(kept[4].subject_id, 3);
  EXPECT_EQ(kept[5].kind, EventKind::kStatusDeleted);
  EXPECT_EQ(kept[5].subject_id, 101);
  EXPECT_EQ(kept[5].related_id, 100);
}

TEST_P(SocialStoreTest, OneLiveReblogPerAccount) {
  Post(100, 1);
  Post(101, 2, Visibility::kPublic, 0, 100);
  StatusRecord again;
  again.id = 102;
  again.account_id = 2;
  again.reblog_of_id = 100;
  auto repeat = store_->CreateStatus(again, "", 0);
  ASSERT_TRUE(repeat.ok());
  EXPECT_TRUE(repeat->existing);
  EXPECT_EQ(repeat->id, 101);
  EXPECT_EQ(store_->FindReblog(2, 100).value(), std::optional<int64_t>(101));
  ASSERT_TRUE(store_->DeleteStatus(101, 1).ok());
  EXPECT_TRUE(store_->CreateStatus(again, "", 0).ok());  // allowed again after an unreblog
  EXPECT_EQ(store_->FindStatus(100)->reblogs_count, 1);
}

TEST_P(SocialStoreTest, CreatedStatusIsWhatTheStoreHolds) {
  StatusRecord first;
  first.id = 100;
  first.account_id = 1;
  first.text = "#Chirp";
  first.tags = {"chirp"};
  first.tag_display_names = {"Chirp"};
  ASSERT_TRUE(store_->CreateStatus(first, "", 0).ok());
  StatusRecord second = first;
  second.id = 101;
  second.text = "@user2 #CHIRP #new";
  second.tags = {"chirp", "new"};
  second.tag_display_names = {"CHIRP", "New"};
  second.mentioned_account_ids = {2};
  auto created = store_->CreateStatus(second, "", 0);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(created->stored.has_value());
  // A tag shows as first written, on every status.
  EXPECT_EQ(created->stored->tag_display_names, (std::vector<std::string>{"Chirp", "New"}));
  const StatusRecord found = store_->FindStatus(101).value();
  EXPECT_EQ(found.tag_display_names, created->stored->tag_display_names);
  EXPECT_EQ(found.tags, created->stored->tags);
  EXPECT_EQ(found.mentioned_account_ids, created->stored->mentioned_account_ids);
  EXPECT_EQ(found.text, created->stored->text);
  EXPECT_EQ(found.created_at_ms, created->stored->created_at_ms);
  // An existing status returned again carries no record.
  StatusRecord reblog;
  reblog.id = 102;
  reblog.account_id = 2;
  reblog.reblog_of_id = 100;
  ASSERT_TRUE(store_->CreateStatus(reblog, "", 0)->stored.has_value());
  reblog.id = 103;
  EXPECT_FALSE(store_->CreateStatus(reblog, "", 0)->stored.has_value());
}

TEST_P(SocialStoreTest, BulkImportKeepsExistingAccountsAndCountsFollowsOnce) {
  std::vector<Account> accounts(3);
  accounts[0].id = 50;
  accounts[0].username = "user1";  // exists: keeps id 1
  accounts[1].id = 51;
  accounts[1].username = "new51";
  accounts[2].id = 52;
  accounts[2].username = "new52";
  auto ids = store_->ImportAccounts(accounts);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<int64_t>{1, 51, 52}));
  auto added = store_->ImportFollows({{1, 51}, {51, 52}, {52, 52}, {1, 51}, {52, 1}}, 1000);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(*added, 3);  // the self-follow and the repeat are skipped
  ASSERT_TRUE(store_->RecountFollows().ok());
  EXPECT_EQ(Get(1).followers_count, 1);
  EXPECT_EQ(Get(1).following_count, 1);
  EXPECT_EQ(Get(51).followers_count, 1);
  EXPECT_EQ(Get(52).followers_count, 1);
  EXPECT_EQ(Get(52).following_count, 1);
  EXPECT_EQ(Get(2).followers_count, 0);
}

TEST_P(SocialStoreTest, BulkStatusImportMovesATakenIdUpAndLeavesCountsForTheRecount) {
  Post(100, 1);
  std::vector<StatusRecord> history(3);
  for (StatusRecord& s : history) {
    s.id = 100;  // all three want the id a post holds
    s.account_id = 2;
    s.text = "old #news";
    s.tags = {"news"};
    s.visibility = Visibility::kPublic;
    s.created_at_ms = 900;
  }
  history[2].account_id = 3;
  history[2].created_at_ms = 950;
  history[2].mentioned_account_ids = {1};
  auto added = store_->ImportStatuses(history);
  ASSERT_TRUE(added.ok()) << added.error().message;
  EXPECT_EQ(*added, 3);
  EXPECT_EQ(store_->FindStatus(100)->account_id, 1);
  EXPECT_EQ(store_->FindStatus(101)->account_id, 2);
  EXPECT_EQ(store_->FindStatus(102)->account_id, 2);
  EXPECT_EQ(store_->FindStatus(103)->mentioned_account_ids, (std::vector<int64_t>{1}));
  EXPECT_EQ(store_->FindStatus(101)->tags, (std::vector<std::string>{"news"}));
  EXPECT_TRUE(*store_->TagExists("news"));
  // No events: nothing to fan out or notify.
  EXPECT_EQ(store_->ReadOutbox(0, 100)->size(), 1u);  // the post's
  EXPECT_EQ(Get(2).statuses_count, 0);
  ASSERT_TRUE(store_->RecountStatuses().ok());
  EXPECT_EQ(Get(1).statuses_count, 1);
  EXPECT_EQ(Get(2).statuses_count, 2);
  EXPECT_EQ(Get(2).last_status_at_ms, 900);
  EXPECT_EQ(Get(3).statuses_count, 1);

  StatusRecord reply = history[0];
  reply.in_reply_to_id = 100;
  EXPECT_EQ(store_->ImportStatuses({reply}).error().code, ErrorCode::kBadRequest);
}

TEST_P(SocialStoreTest, RecentPlacementsCarryWhatHomePlacementNeedsNewestFirst) {
  Post(100, 2);
  Post(101, 1);  // another author
  StatusRecord direct;
  direct.id = 102;
  direct.account_id = 2;
  direct.text = "secret";
  direct.visibility = Visibility::kDirect;
  direct.mentioned_account_ids = {3};
  direct.created_at_ms = 1102;
  ASSERT_TRUE(store_->CreateStatus(direct, "", 0).ok());
  StatusRecord reply;
  reply.id = 103;
  reply.account_id = 2;
  reply.text = "@user1 yes";
  reply.in_reply_to_id = 101;
  reply.in_reply_to_account_id = 1;
  reply.mentioned_account_ids = {1};
  reply.created_at_ms = 1103;
  ASSERT_TRUE(store_->CreateStatus(reply, "", 0).ok());
  Post(104, 2);
  ASSERT_TRUE(store_->DeleteStatus(104, 2).ok());
  Post(105, 2, Visibility::kPublic, 0, 101);  // a reblog

  auto got = store_->RecentPlacementsOf({2}, 10, 0);
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::vector<int64_t> ids;
  for (const StatusRecord& s : *got) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{105, 103, 102, 100}));
  EXPECT_EQ((*got)[0].reblog_of_id, 101);
  EXPECT_EQ((*got)[1].in_reply_to_id, 101);
  EXPECT_EQ((*got)[1].in_reply_to_account_id, 1);
  EXPECT_EQ((*got)[1].mentioned_account_ids, (std::vector<int64_t>{1}));
  EXPECT_EQ((*got)[2].visibility, Visibility::kDirect);
  EXPECT_EQ((*got)[2].mentioned_account_ids, (std::vector<int64_t>{3}));
  EXPECT_EQ((*got)[2].account_id, 2);
  EXPECT_TRUE((*got)[2].text.empty());  // not read

  auto older = store_->RecentPlacementsOf({2}, 2, 103);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 2u);
  EXPECT_EQ((*older)[0].id, 102);
  EXPECT_EQ((*older)[1].id, 100);
}

TEST_P(SocialStoreTest, InteractionsSinceListsFavouritesAndLiveReblogsFromTheHorizon) {
  Post(100, 1);
  Post(200, 1);
  Post(300, 1);
  ASSERT_TRUE(store_->Favourite(2, 100, 900, 1).ok());
  ASSERT_TRUE(store_->Favourite(2, 300, 901, 1).ok());
  ASSERT_TRUE(store_->Favourite(2, 200, 902, 1).ok());
  Post(400, 2, Visibility::kPublic, 0, 300);
  Post(401, 2, Visibility::kPublic, 0, 200);
  Post(402, 2, Visibility::kPublic, 0, 100);
  ASSERT_TRUE(store_->DeleteStatus(401, 2).ok());  // an undone reblog is not listed
  auto got = store_->InteractionsSince(2, 200);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->favourited, (std::vector<int64_t>{200, 300}));
  EXPECT_EQ(got->reblogged, (std::vector<int64_t>{300}));
  EXPECT_TRUE(store_->InteractionsSince(1, 0)->favourited.empty());
}

TEST_P(SocialStoreTest, FavouritesAreIdempotent) {
  Post(100, 1);
  EXPECT_TRUE(*store_->Favourite(2, 100, 1, 0));
  EXPECT_FALSE(*store_->Favourite(2, 100, 2, 0));
  EXPECT_EQ(store_->FindStatus(100)->favourites_count, 1);
  EXPECT_TRUE(*store_->Unfavourite(2, 100));
  EXPECT_FALSE(*store_->Unfavourite(2, 100));
  EXPECT_EQ(store_->FindStatus(100)->favourites_count, 0);
  EXPECT_EQ(store_->Favourite(2, 999, 3, 0).error().code, ErrorCode::kNotFound);
}

TEST_P(SocialStoreTest, BookmarksArePrivateIdempotentAndListedNewestFirst) {
  Post(100, 1);
  Post(200, 1);
  Post(300, 1);
  EXPECT_TRUE(*store_->Bookmark(2, 200, 10, 1));
  EXPECT_FALSE(*store_->Bookmark(2, 200, 11, 1));
  EXPECT_TRUE(*store_->Bookmark(2, 100, 12, 1));
  EXPECT_TRUE(*store_->Bookmark(2, 300, 13, 1));
  EXPECT_EQ(store_->Bookmark(2, 999, 14, 1).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->DeleteStatus(300, 2).ok());  // a deleted status is not listed
  auto listed = store_->ListBookmarks(2, {.limit = 10});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].item, 100) << "the newest bookmark first";
  EXPECT_EQ((*listed)[1].item, 200);
  EXPECT_EQ(*store_->BookmarkedAmong(2, {100, 200, 300}), (std::vector<int64_t>{100, 200, 300}));
  EXPECT_TRUE(store_->BookmarkedAmong(3, {100})->empty());
  EXPECT_EQ(store_->InteractionsSince(2, 150)->bookmarked, (std::vector<int64_t>{200, 300}));
  EXPECT_EQ(store_->ScanBookmarks(0, 10)->size(), 2u);
  EXPECT_TRUE(*store_->Unbookmark(2, 200));
  EXPECT_FALSE(*store_->Unbookmark(2, 200));
  std::vector<EventKind> kinds;
  const std::vector<OutboxEvent> events = store_->ReadOutbox(0, 100).value();
  for (const OutboxEvent& e : events) {
    if (e.kind == EventKind::kBookmarked || e.kind == EventKind::kUnbookmarked) {
      kinds.push_back(e.kind);
    }
  }
  EXPECT_EQ(kinds, (std::vector<EventKind>{EventKind::kBookmarked, EventKind::kBookmarked,
                                           EventKind::kBookmarked, EventKind::kUnbookmarked}));
}

TEST_P(SocialStoreTest, IdempotencyKeyReturnsTheFirstStatus) {
  StatusRecord s;
  s.id = 100;
  s.account_id = 1;
  s.text = "once";
  s.created_at_ms = 10'000;
  ASSERT_FALSE(store_->CreateStatus(s, "key", 3'600'000)->existing);
  s.id = 101;
  s.created_at_ms = 20'000;
  auto repeat = store_->CreateStatus(s, "key", 3'600'000);
  EXPECT_TRUE(repeat->existing);
  EXPECT_EQ(repeat->id, 100);
  s.id = 102;
  s.created_at_ms = 10'000 + 3'600'001;  // past the window
  EXPECT_FALSE(store_->CreateStatus(s, "key", 3'600'000)->existing);
  EXPECT_EQ(Get(1).statuses_count, 2);
}

TEST_P(SocialStoreTest, PagesNewestFirstWithMinIdAboveCursor) {
  for (int64_t id = 100; id < 110; ++id) Post(id, 1);
  AccountStatusFilter all;
  all.visibilities = {Visibility::kPublic};
  auto first = store_->ListAccountStatuses(1, all, {.limit = 3}).value();
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].cursor, 109);
  auto next = store_->ListAccountStatuses(1, all, {.max_id = 107, .limit = 3}).value();
  EXPECT_EQ(next[0].cursor, 106);
  auto above = store_->ListAccountStatuses(1, all, {.min_id = 101, .limit = 3}).value();
  ASSERT_EQ(above.size(), 3u);
  EXPECT_EQ(above[0].cursor, 104);  // the three right above 101, newest first
  EXPECT_EQ(above[2].cursor, 102);
  auto since = store_->ListAccountStatuses(1, all, {.since_id = 101, .limit = 3}).value();
  EXPECT_EQ(since[0].cursor, 109);  // since_id gives the newest page
}

MediaAttachment Upload(int64_t id, int64_t account, MediaState state = MediaState::kReady) {
  MediaAttachment m;
  m.id = id;
  m.account_id = account;
  m.type = MediaType::kImage;
  m.state = state;
  m.file_key = "0123456789abcdef0123456789abcdef";
  m.original = {"0123456789abcdef0123456789abcdef/original.jpg", "image/jpeg", 640, 480, 5000};
  m.small = {"0123456789abcdef0123456789abcdef/small.jpg", "image/jpeg", 320, 240, 900};
  m.description = "a cat";
  m.focus_x = 0.5;
  m.focus_y = -0.25;
  m.blurhash = "LEHV6nWB2yk8pyo0adR*.7kCMdnj";
  m.created_at_ms = 1000 + id;
  return m;
}

TEST_P(SocialStoreTest, MediaAttachOnceAndOnlyToTheirOwner) {
  ASSERT_TRUE(store_->CreateMedia(Upload(500, 1)).ok());
  StatusRecord s;
  s.id = 100;
  s.account_id = 2;
  s.media_ids = {500};
  EXPECT_EQ(store_->CreateStatus(s, "", 0).error().code, ErrorCode::kUnprocessable);  // not theirs
  EXPECT_EQ(store_->FindStatus(100).error().code, ErrorCode::kNotFound);  // nothing written
  s.account_id = 1;
  EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
  s.id = 101;
  EXPECT_EQ(store_->CreateStatus(s, "", 0).error().code,
            ErrorCode::kUnprocessable);  // already attached
  EXPECT_EQ(Get(1).statuses_count, 1);
}

TEST_P(SocialStoreTest, AVideoGoesAloneAndFourImagesTogether) {
  for (int64_t id : {500, 501}) ASSERT_TRUE(store_->CreateMedia(Upload(id, 1)).ok());
  MediaAttachment video = Upload(502, 1);
  video.type = MediaType::kVideo;
  ASSERT_TRUE(store_->CreateMedia(video).ok());
  StatusRecord s;
  s.id = 100;
  s.account_id = 1;
  s.media_ids = {500, 502};
  EXPECT_EQ(store_->CreateStatus(s, "", 0).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(store_->FindMedia(500)->status_id, 0);  // nothing attached
  s.media_ids = {500, 501};
  ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  s.id = 101;
  s.media_ids = {502};
  ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
}

TEST_P(SocialStoreTest, MediaStillProcessingCannotBeAttached) {
  ASSERT_TRUE(store_->CreateMedia(Upload(500, 1, MediaState::kProcessing)).ok());
  StatusRecord s;
  s.id = 100;
  s.account_id = 1;
  s.media_ids = {500};
  auto refused = store_->CreateStatus(s, "", 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("finished processing"), std::string::npos);
  // Described while processing; processing then ends without undoing it,
  // and may change what the upload turned out to be.
  ASSERT_TRUE(store_->DescribeMedia(500, 1, "a clip", 0.5, 0.5).ok());
  MediaAttachment done = Upload(500, 1);
  done.type = MediaType::kGifv;
  done.description = "stale";
  ASSERT_TRUE(store_->RecordMediaProcessed(done).ok());
  const MediaAttachment found = store_->FindMedia(500).value();
  EXPECT_EQ(found.state, MediaState::kReady);
  EXPECT_EQ(found.type, MediaType::kGifv);
  EXPECT_EQ(found.description, "a clip");
  EXPECT_EQ(found.original.name, done.original.name);
  EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
  EXPECT_EQ(store_->RecordMediaProcessed(done).error().code, ErrorCode::kNotFound);  // attached
}

TEST_P(SocialStoreTest, MediaIsReadWithItsStatusInTheOrderGiven) {
  for (int64_t id : {500, 501, 502}) ASSERT_TRUE(store_->CreateMedia(Upload(id, 1)).ok());
  StatusRecord s;
  s.id = 100;
  s.account_id = 1;
  s.media_ids = {502, 500, 501};
  ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  const MediaAttachment expected = Upload(502, 1);
  for (const StatusRecord& found :
       {store_->FindStatus(100).value(), store_->FindStatuses({100, 999}).value().at(0)}) {
    EXPECT_EQ(found.media_ids, (std::vector<int64_t>{502, 500, 501}));
    ASSERT_EQ(found.media.size(), 3u);
    const MediaAttachment& m = found.media[0];
    EXPECT_EQ(m.status_id, 100);
    EXPECT_EQ(m.type, MediaType::kImage);
    EXPECT_EQ(m.state, MediaState::kReady);
    EXPECT_EQ(m.file_key, expected.file_key);
    EXPECT_EQ(m.original.name, expected.original.name);
    EXPECT_EQ(m.original.width, 640);
    EXPECT_EQ(m.small.bytes, 900);
    EXPECT_EQ(m.description, "a cat");
    EXPECT_DOUBLE_EQ(m.focus_y, -0.25);
    EXPECT_EQ(m.blurhash, expected.blurhash);
    EXPECT_EQ(m.created_at_ms, expected.created_at_ms);
  }
}

TEST_P(SocialStoreTest, OnlyAnUnattachedUploadOfTheAccountIsUpdatedOrDeleted) {
  ASSERT_TRUE(store_->CreateMedia(Upload(500, 1)).ok());
  ASSERT_TRUE(store_->CreateMedia(Upload(501, 1)).ok());
  ASSERT_TRUE(store_->DescribeMedia(500, 1, "a dog", 0, 1).ok());
  EXPECT_EQ(store_->FindMedia(500)->description, "a dog");
  EXPECT_DOUBLE_EQ(store_->FindMedia(500)->focus_y, 1);
  EXPECT_EQ(store_->DescribeMedia(500, 2, "mine", 0, 0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteMedia(500, 2).error().code, ErrorCode::kNotFound);

  StatusRecord s;
  s.id = 100;
  s.account_id = 1;
  s.media_ids = {501};
  ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  EXPECT_EQ(store_->DescribeMedia(501, 1, "late", 0, 0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->DeleteMedia(501, 1).error().code, ErrorCode::kNotFound);

  auto deleted = store_->DeleteMedia(500, 1);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted->original.name, Upload(500, 1).original.name);
  EXPECT_EQ(store_->FindMedia(500).error().code, ErrorCode::kNotFound);
}

TEST_P(SocialStoreTest, MediaOfDeletedStatusesAndOldUnattachedUploadsAreDisposable) {
  ASSERT_TRUE(store_->CreateMedia(Upload(500, 1)).ok());  // created at 1500
  ASSERT_TRUE(store_->CreateMedia(Upload(600, 1)).ok());  // created at 1600
  ASSERT_TRUE(store_->CreateMedia(Upload(700, 1)).ok());
  ASSERT_TRUE(store_->CreateMedia(Upload(800, 1, MediaState::kProcessing)).ok());
  StatusRecord s;
  s.id = 100;
  s.account_id = 1;
  s.media_ids = {700};
  ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  auto ids = [&](int64_t unattached_before, int64_t deleted_before) {
    auto listed = store_->ListDisposableMedia(unattached_before, deleted_before, 10);
    std::vector<int64_t> out;
    if (!listed.ok()) return out;
    for (const MediaAttachment& m : *listed) out.push_back(m.id);
    return out;
  };
  EXPECT_EQ(ids(1550, 5000), (std::vector<int64_t>{500}));
  ASSERT_TRUE(store_->DeleteStatus(100, 3000).ok());
  EXPECT_EQ(ids(1550, 3000), (std::vector<int64_t>{500}));  // deleted at 3000, not before
  EXPECT_EQ(ids(1550, 3001), (std::vector<int64_t>{500, 700}));
  EXPECT_EQ(ids(2000, 3001), (std::vector<int64_t>{500, 600, 700, 800}));

  auto processing = store_->ListProcessingMedia(1, 0, 10).value();
  ASSERT_EQ(processing.size(), 1u);
  EXPECT_EQ(processing[0].id, 800);

  ASSERT_TRUE(store_->ForgetMedia({500, 700}).ok());
  EXPECT_EQ(ids(2000, 3001), (std::vector<int64_t>{600, 800}));
}

TEST_P(SocialStoreTest, OneProcessAtATimeProcessesAnUploadUntilItsClaimLapses) {
  ASSERT_TRUE(store_->CreateMedia(Upload(800, 1, MediaState::kProcessing)).ok());
  ASSERT_TRUE(store_->CreateMedia(Upload(801, 1, MediaState::kProcessing)).ok());
  ASSERT_TRUE(store_->CreateMedia(Upload(802, 1)).ok());
  auto listed = [&](int64_t owner, int64_t now) {
    std::vector<int64_t> out;
    const std::vector<MediaAttachment> media = store_->ListProcessingMedia(owner, now, 10).value();
    for (const MediaAttachment& m : media) out.push_back(m.id);
    return out;
  };
  EXPECT_EQ(listed(7, 1000), (std::vector<int64_t>{800, 801}));
  EXPECT_TRUE(store_->ClaimMediaProcessing(800, 7, 1000, 5000).value());
  EXPECT_FALSE(store_->ClaimMediaProcessing(800, 8, 4999, 9000).value());  // 7's claim holds
  EXPECT_TRUE(store_->ClaimMediaProcessing(800, 7, 2000, 6000).value());   // 7 renews its own
  EXPECT_EQ(listed(8, 5999), (std::vector<int64_t>{801}));
  EXPECT_EQ(listed(7, 5999), (std::vector<int64_t>{800, 801}));  // after a restart of 7
  EXPECT_EQ(listed(8, 6000), (std::vector<int64_t>{800, 801}));  // 7's claim lapsed
  EXPECT_TRUE(store_->ClaimMediaProcessing(800, 8, 6000, 9000).value());
  EXPECT_FALSE(store_->ClaimMediaProcessing(802, 7, 1000, 5000).value());  // processed already
}

TEST_P(SocialStoreTest, AThumbnailItsOwnerGaveOutlastsProcessing) {
  ASSERT_TRUE(store_->CreateMedia(Upload(800, 1, MediaState::kProcessing)).ok());
  const MediaFileInfo thumbnail{std::string(32, 'c') + "/thumb1.png", "image/png", 64, 32, 77};
  EXPECT_EQ(store_->SetMediaThumbnail(800, 2, thumbnail, "LKO2?U").error().code,
            ErrorCode::kNotFound);
  ASSERT_TRUE(store_->SetMediaThumbnail(800, 1, thumbnail, "LKO2?U").ok());
  MediaAttachment done = Upload(800, 1);
  done.type = MediaType::kVideo;
  done.blurhash = "poster";
  ASSERT_TRUE(store_->RecordMediaProcessed(done).ok());
  const MediaAttachment found = store_->FindMedia(800).value();
  EXPECT_EQ(found.thumbnail.name, thumbnail.name);
  EXPECT_EQ(found.thumbnail.mime_type, "image/png");
  EXPECT_EQ(found.thumbnail.width, 64);
  EXPECT_EQ(found.thumbnail.height, 32);
  EXPECT_EQ(found.thumbnail.bytes, 77);
  EXPECT_EQ(found.blurhash, "LKO2?U");
  EXPECT_EQ(found.small.name, done.small.name);

  // Or given with the upload.
  MediaAttachment given = Upload(801, 1, MediaState::kProcessing);
  given.thumbnail = thumbnail;
  ASSERT_TRUE(store_->CreateMedia(given).ok());
  EXPECT_EQ(store_->FindMedia(801)->thumbnail.name, thumbnail.name);
}

TEST_P(SocialStoreTest, MutesExpire) {
  ASSERT_TRUE(store_->CreateMute({10, 1, 2, true, 5000, 0}).ok());
  EXPECT_TRUE(store_->Relationship(1, 2, 4000)->muting.has_value());
  EXPECT_FALSE(store_->Relationship(1, 2, 6000)->muting.has_value());
}

TEST_P(SocialStoreTest, NotificationsSilencedByABlockEitherWayOrAMuteHidingThemWhileInForce) {
  EXPECT_FALSE(*store_->NotificationsSilenced(1, 2, 0));
  ASSERT_TRUE(store_->CreateBlock(10, 2, 1, 0).ok());
  EXPECT_TRUE(*store_->NotificationsSilenced(1, 2, 0));
  EXPECT_TRUE(*store_->NotificationsSilenced(2, 1, 0));
  ASSERT_TRUE(*store_->DeleteBlock(2, 1));
  // A mute that shows notifications does not silence them.
  ASSERT_TRUE(store_->CreateMute({11, 1, 2, false, 0, 0}).ok());
  EXPECT_FALSE(*store_->NotificationsSilenced(1, 2, 0));
  // One that hides them does until it ends, and only for the one muting.
  ASSERT_TRUE(store_->CreateMute({12, 1, 3, true, 5000, 0}).ok());
  EXPECT_TRUE(*store_->NotificationsSilenced(1, 3, 4000));
  EXPECT_FALSE(*store_->NotificationsSilenced(3, 1, 4000));
  EXPECT_FALSE(*store_->NotificationsSilenced(1, 3, 6000));
}

TEST_P(SocialStoreTest, ReaderFiltersTellWhenTheFirstMuteEnds) {
  ASSERT_TRUE(store_->CreateMute({10, 1, 2, true, 9000, 0}).ok());
  ASSERT_TRUE(store_->CreateMute({11, 1, 3, true, 5000, 0}).ok());
  ASSERT_TRUE(store_->CreateMute({12, 2, 3, true, 0, 0}).ok());
  auto now = store_->FiltersOf(1, 4000);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ(now->muted, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(now->next_expiry_ms, 5000);
  auto later = store_->FiltersOf(1, 6000);
  EXPECT_EQ(later->muted, (std::vector<int64_t>{2}));
  EXPECT_EQ(later->next_expiry_ms, 9000);
  EXPECT_EQ(store_->FiltersOf(1, 10000)->next_expiry_ms, 0);
  EXPECT_EQ(store_->FiltersOf(2, 0)->next_expiry_ms, 0);  // a mute that never ends
}

INSTANTIATE_TEST_SUITE_P(Stores, SocialStoreTest, ::testing::ValuesIn(kStoreKinds), StoreKindName);

}  // namespace
}  // namespace chirp
