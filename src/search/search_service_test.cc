#include "search/search_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "events/outbox_drainer.h"
#include "search/search_indexer.h"
#include "search/sqlite_search_index.h"
#include "social/service_test_support.h"

namespace chirp {
namespace {

// Statuses posted into a real store, indexed by the indexer from the
// store's outbox, searched through the service.
class SearchServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    index_dir_ = std::filesystem::temp_directory_path() /
                 ("chirp-search-service-" +
                  std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
                  "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(index_dir_);
    auto opened = SqliteSearchIndex::Open((index_dir_ / "search.db").string(), {.readers = 2});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    index_ = std::move(opened).value();
    indexer_ = std::make_unique<SearchIndexer>(*store_, *index_);
    service_ =
        std::make_unique<SearchService>(*index_, *store_, *lookups_, *lookups_, *readers_, clock_);
    // The fixture's accounts, as a reindex finds them.
    ASSERT_TRUE(SearchIndexer::Rebuild(*store_, *index_).ok());
  }
  void TearDown() override {
    service_.reset();
    indexer_.reset();
    index_.reset();
    std::filesystem::remove_all(index_dir_);
  }

  int64_t Post(int64_t author, std::string text, Visibility visibility = Visibility::kPublic,
               std::vector<int64_t> mentioned = {}) {
    clock_.Advance(1000);
    StatusRecord s{.id = ids_.Next(),
                   .account_id = author,
                   .text = std::move(text),
                   .visibility = visibility,
                   .created_at_ms = clock_.NowMillis(),
                   .mentioned_account_ids = std::move(mentioned)};
    EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
    return s.id;
  }
  void Index() {
    OutboxDrainer drainer(*store_, clock_, {indexer_.get()});
    ASSERT_TRUE(drainer.DrainNow().ok());
  }
  // The ids of the statuses `viewer` finds for `q`.
  std::vector<int64_t> Statuses(int64_t viewer, std::string q) {
    readers_->Forget(viewer);
    auto found = service_->Search(
        viewer, {.q = std::move(q), .type = SearchType::kStatuses, .base_url = "https://c.test"});
    EXPECT_TRUE(found.ok()) << found.error().message;
    std::vector<int64_t> ids;
    if (found.ok()) {
      for (const StatusRecord& s : found->statuses) ids.push_back(s.id);
    }
    return ids;
  }

  std::filesystem::path index_dir_;
  std::unique_ptr<SqliteSearchIndex> index_;
  std::unique_ptr<SearchIndexer> indexer_;
  std::unique_ptr<SearchService> service_;
};

TEST_F(SearchServiceTest, WhoFindsWhatFollowsVisibility) {
  const int64_t open = Post(1, "hello world");
  const int64_t followers = Post(1, "hello followers", Visibility::kPrivate);
  const int64_t direct = Post(1, "hello you", Visibility::kDirect, {3});
  ASSERT_TRUE(
      store_->CreateFollow({.id = ids_.Next(), .account_id = 2, .target_account_id = 1}).ok());
  Index();
  EXPECT_EQ(Statuses(1, "hello"), (std::vector<int64_t>{direct, followers, open}));
  EXPECT_EQ(Statuses(3, "hello"), (std::vector<int64_t>{direct, open}));
  // A follower sees the followers-only status but it is not in their
  // library: search finds it only once they favourite it.
  EXPECT_EQ(Statuses(2, "hello"), (std::vector<int64_t>{open}));
  ASSERT_TRUE(store_->Favourite(2, followers, ids_.Next(), clock_.NowMillis()).ok());
  Index();
  EXPECT_EQ(Statuses(2, "hello"), (std::vector<int64_t>{followers, open}));
  EXPECT_EQ(Statuses(4, "hello"), (std::vector<int64_t>{open}));
}

TEST_F(SearchServiceTest, BlocksAndMutesHideWhatTheIndexProposes) {
  const int64_t by_one = Post(1, "shared words");
  const int64_t by_two = Post(2, "shared words");
  Index();
  ASSERT_TRUE(store_->CreateBlock(ids_.Next(), 1, 3, clock_.NowMillis()).ok());
  EXPECT_EQ(Statuses(3, "shared"), (std::vector<int64_t>{by_two}));
  ASSERT_TRUE(store_
                  ->CreateMute({.id = ids_.Next(),
                                .account_id = 3,
                                .target_account_id = 2,
                                .created_at_ms = clock_.NowMillis()})
                  .ok());
  EXPECT_TRUE(Statuses(3, "shared").empty());
  EXPECT_EQ(Statuses(4, "shared"), (std::vector<int64_t>{by_two, by_one}));
}

TEST_F(SearchServiceTest, DeletedStatusesAreGoneBeforeTheIndexKnows) {
  const int64_t id = Post(1, "fleeting");
  Index();
  ASSERT_TRUE(store_->DeleteStatus(id, clock_.NowMillis()).ok());
  EXPECT_TRUE(Statuses(2, "fleeting").empty());
  Index();
  EXPECT_EQ(*index_->CountStatuses(), 0);
}

TEST_F(SearchServiceTest, FromResolvesUsernamesAndMe) {
  const int64_t mine = Post(1, "topic");
  const int64_t theirs = Post(2, "topic");
  Index();
  EXPECT_EQ(Statuses(1, "topic from:me"), (std::vector<int64_t>{mine}));
  EXPECT_EQ(Statuses(1, "topic from:@user2"), (std::vector<int64_t>{theirs}));
  EXPECT_EQ(Statuses(1, "topic from:user2@c.test"), (std::vector<int64_t>{theirs}));
  EXPECT_TRUE(Statuses(1, "topic from:nobody").empty());
  EXPECT_TRUE(Statuses(1, "topic from:user2@elsewhere.test").empty());
  EXPECT_EQ(Statuses(1, "topic -from:user2"), (std::vector<int64_t>{mine}));
}

TEST_F(SearchServiceTest, BadQueriesAreRefusedAsValues) {
  EXPECT_EQ(service_->Search(1, {.q = "  "}).error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(service_->Search(1, {.q = std::string(kMaxSearchQueryBytes + 1, 'a')}).error().code,
            ErrorCode::kUnprocessable);
  EXPECT_EQ(service_->Search(1, {.q = "has:banana"}).error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(service_->Search(0, {.q = "x", .resolve = true}).error().code,
            ErrorCode::kUnauthorized);
  EXPECT_EQ(
      service_->Search(0, {.q = "x", .type = SearchType::kAccounts, .offset = 1}).error().code,
      ErrorCode::kUnauthorized);
}

TEST_F(SearchServiceTest, AnonymousReadersGetAccountsAndTagsButNoStatuses) {
  Post(1, "user1 says #hello");
  Index();
  auto found = service_->Search(0, {.q = "user1"});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->accounts.size(), 1u);
  EXPECT_EQ(found->accounts[0]->id, 1);
  EXPECT_TRUE(found->statuses.empty());
}

TEST_F(SearchServiceTest, NewAccountsAreFoundThroughTheEventStream) {
  Account a{.id = 77, .username = "newcomer", .display_name = "New Comer"};
  User u{.account_id = 77, .email = "new@e.com", .password_hash = "x"};
  ASSERT_TRUE(store_->CreateAccount(a, u).ok());
  Index();
  auto found = service_->SearchAccounts(1, {.q = "comer", .limit = 5});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0]->username, "newcomer");
}

TEST_F(SearchServiceTest, FollowedAccountsComeFirstAfterAnExactMatch) {
  ASSERT_TRUE(
      store_->CreateFollow({.id = ids_.Next(), .account_id = 1, .target_account_id = 4}).ok());
  auto found = service_->SearchAccounts(1, {.q = "user", .limit = 5});
  ASSERT_TRUE(found.ok());
  ASSERT_FALSE(found->empty());
  EXPECT_EQ((*found)[0]->id, 4);
}

TEST_F(SearchServiceTest, AccountsThatFollowTheReaderComeFirstToo) {
  ASSERT_TRUE(
      store_->CreateFollow({.id = ids_.Next(), .account_id = 3, .target_account_id = 1}).ok());
  auto found = service_->SearchAccounts(1, {.q = "user", .limit = 5});
  ASSERT_TRUE(found.ok());
  ASSERT_FALSE(found->empty());
  EXPECT_EQ((*found)[0]->id, 3);
}

TEST_F(SearchServiceTest, AccountsRankByFollowersKeptByTheEventStream) {
  // A reader with no relations, whom nothing but follower counts ranks for.
  ASSERT_TRUE(store_
                  ->CreateAccount({.id = 9, .username = "reader9"},
                                  {.account_id = 9, .email = "r9@e.com", .password_hash = "x"})
                  .ok());
  for (int64_t follower : {1, 2, 4}) {
    ASSERT_TRUE(
        store_->CreateFollow({.id = ids_.Next(), .account_id = follower, .target_account_id = 3})
            .ok());
  }
  ASSERT_TRUE(store_->CreateFollow({.id = ids_.Next(), .account_id = 1, .target_account_id = 2})
                  .ok());
  Index();
  auto found = service_->SearchAccounts(9, {.q = "user", .limit = 4});
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 4u);
  EXPECT_EQ((*found)[0]->id, 3) << "three followers";
  EXPECT_EQ((*found)[1]->id, 2) << "one follower";
}

TEST_F(SearchServiceTest, ResolveFindsLocalStatusAndProfileUrls) {
  const int64_t id = Post(2, "resolvable");
  auto status = service_->Search(1, {.q = "https://c.test/@user2/" + std::to_string(id),
                                     .resolve = true,
                                     .base_url = "https://c.test"});
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->statuses.size(), 1u);
  EXPECT_EQ(status->statuses[0].id, id);
  auto profile = service_->Search(
      1, {.q = "https://c.test/@user2", .resolve = true, .base_url = "https://c.test"});
  ASSERT_TRUE(profile.ok());
  ASSERT_EQ(profile->accounts.size(), 1u);
  EXPECT_EQ(profile->accounts[0]->id, 2);
  auto wrong_author = service_->Search(1, {.q = "https://c.test/@user3/" + std::to_string(id),
                                           .resolve = true,
                                           .base_url = "https://c.test"});
  ASSERT_TRUE(wrong_author.ok());
  EXPECT_TRUE(wrong_author->statuses.empty());
}

}  // namespace
}  // namespace chirp
