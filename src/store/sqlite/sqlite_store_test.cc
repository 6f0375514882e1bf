#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_db.h"

namespace chirp {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chirp-store-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    auto s = SqliteStore::Open({.path = (dir_ / "chirp.db").string(),
                                .synchronous = "NORMAL",
                                .checkpoint_pages = 1000,
                                .restart_pages = 2000});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }
  static Account MakeAccount(int64_t id, std::string username) {
    Account a;
    a.id = id;
    a.username = std::move(username);
    a.created_at_ms = 1000;
    return a;
  }
  static User MakeUser(int64_t id, std::string email) {
    User u;
    u.account_id = id;
    u.email = std::move(email);
    u.password_hash = "hash";
    u.created_at_ms = 1000;
    return u;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, CreatesAndFindsAccountsCaseInsensitively) {
  ASSERT_TRUE(
      store_->CreateAccount(MakeAccount(1, "Alice"), MakeUser(1, "Alice@Example.com")).ok());
  auto a = store_->FindAccountByUsername("aLiCe");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->username, "Alice");
  auto u = store_->FindUserByEmail("alice@example.COM");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->account_id, 1);
  EXPECT_EQ(store_->FindAccount(2).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->CountAccounts(), 1);
}

TEST_F(SqliteStoreTest, DuplicateUsernameOrEmailIsTakenAndChangesNothing) {
  ASSERT_TRUE(store_->CreateAccount(MakeAccount(1, "alice"), MakeUser(1, "a@example.com")).ok());
  Status s = store_->CreateAccount(MakeAccount(2, "ALICE"), MakeUser(2, "b@example.com"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().details.at("username")[0].error, "ERR_TAKEN");
  s = store_->CreateAccount(MakeAccount(3, "bob"), MakeUser(3, "A@example.com"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().details.at("email")[0].error, "ERR_TAKEN");
  // The failed registration of bob left no account behind.
  EXPECT_EQ(store_->FindAccountByUsername("bob").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->CountAccounts(), 1);
}

TEST_F(SqliteStoreTest, ProfileUpdatesReplaceFields) {
  Account a = MakeAccount(1, "alice");
  a.fields = {{"site", "https://a.example"}, {"pronouns", "she/her"}};
  ASSERT_TRUE(store_->CreateAccount(a, MakeUser(1, "a@example.com")).ok());
  a.display_name = "Alice";
  a.locked = true;
  a.fields = {{"only", "one"}};
  ASSERT_TRUE(store_->UpdateProfile(a).ok());
  auto read = store_->FindAccount(1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->display_name, "Alice");
  EXPECT_TRUE(read->locked);
  ASSERT_EQ(read->fields.size(), 1u);
  EXPECT_EQ(read->fields[0].name, "only");
  EXPECT_EQ(store_->UpdateProfile(MakeAccount(99, "ghost")).error().code, ErrorCode::kNotFound);
  // Caches and the search index elsewhere learn of the account and its update.
  auto events = store_->ReadOutbox(0, 10).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventKind::kAccountCreated);
  EXPECT_EQ(events[1].kind, EventKind::kAccountUpdated);
  EXPECT_EQ(events[1].account_id, 1);
}

TEST_F(SqliteStoreTest, ScansReadEveryAccountStatusAndFavouriteInIdOrder) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store_
                    ->CreateAccount(MakeAccount(i, "user" + std::to_string(i)),
                                    MakeUser(i, "u" + std::to_string(i) + "@e.com"))
                    .ok());
  }
  auto first = store_->ScanAccounts(0, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[1].id, 2);
  auto rest = store_->ScanAccounts(2, 10);
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ(rest->front().id, 3);
  for (int64_t id = 10; id <= 12; ++id) {
    StatusRecord s{.id = id, .account_id = 1, .text = "t", .created_at_ms = 1};
    ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  }
  ASSERT_TRUE(store_->DeleteStatus(11, 2).ok());
  ASSERT_TRUE(store_->Favourite(2, 10, 100, 3).ok());
  ASSERT_TRUE(store_->Favourite(3, 12, 101, 3).ok());
  auto statuses = store_->ScanStatuses(0, 10);
  ASSERT_TRUE(statuses.ok());
  ASSERT_EQ(statuses->size(), 2u) << "the deleted one is left out";
  EXPECT_EQ((*statuses)[1].id, 12);
  auto favourites = store_->ScanFavourites(100, 10);
  ASSERT_TRUE(favourites.ok());
  ASSERT_EQ(favourites->size(), 1u);
  EXPECT_EQ((*favourites)[0].account_id, 3);
}

TEST_F(SqliteStoreTest, TokensRevokeOnlyForTheirApp) {
  App app;
  app.id = 10;
  app.name = "app";
  app.redirect_uris = {"urn:ietf:wg:oauth:2.0:oob", "https://a.example/cb"};
  app.scopes = "read write";
  app.client_id = "cid";
  app.client_secret_digest = "sd";
  ASSERT_TRUE(store_->CreateApp(app).ok());
  EXPECT_EQ(store_->FindAppByClientId("cid")->redirect_uris.size(), 2u);
  AccessToken t;
  t.id = 20;
  t.digest = "d1";
  t.app_id = 10;
  t.scopes = "read";
  ASSERT_TRUE(store_->CreateToken(t).ok());
  ASSERT_TRUE(store_->RevokeToken("d1", 11, 5).ok());
  EXPECT_EQ(store_->FindTokenByDigest("d1")->revoked_at_ms, 0);
  ASSERT_TRUE(store_->RevokeToken("d1", 10, 5).ok());
  EXPECT_EQ(store_->FindTokenByDigest("d1")->revoked_at_ms, 5);
  ASSERT_TRUE(store_->RevokeToken("unknown", 10, 5).ok());
  ASSERT_TRUE(store_->RevokeToken("d1", 10, 6).ok());  // revoked already
  // One event, for the revocation that happened, naming the token.
  auto events = store_->ReadOutbox(0, 10).value();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kTokenRevoked);
  EXPECT_EQ(events[0].subject_id, 20);
}

TEST_F(SqliteStoreTest, AuthorizationCodesRedeemOnce) {
  ASSERT_TRUE(store_->CreateAccount(MakeAccount(1, "alice"), MakeUser(1, "a@e.com")).ok());
  App app;
  app.id = 10;
  app.name = "app";
  app.redirect_uris = {"urn:ietf:wg:oauth:2.0:oob"};
  app.scopes = "read";
  app.client_id = "cid";
  app.client_secret_digest = "sd";
  ASSERT_TRUE(store_->CreateApp(app).ok());
  AuthorizationCode c;
  c.digest = "code";
  c.app_id = 10;
  c.account_id = 1;
  c.redirect_uri = "urn:ietf:wg:oauth:2.0:oob";
  c.scopes = "read";
  c.code_challenge = "challenge";
  c.expires_at_ms = 99;
  ASSERT_TRUE(store_->CreateAuthorizationCode(c).ok());
  auto first = store_->ConsumeAuthorizationCode("code");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->code_challenge, "challenge");
  EXPECT_EQ(store_->ConsumeAuthorizationCode("code").error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, CommittedWritesSurviveReopen) {
  ASSERT_TRUE(store_->CreateAccount(MakeAccount(1, "alice"), MakeUser(1, "a@e.com")).ok());
  Reopen();
  EXPECT_TRUE(store_->FindAccount(1).ok());
}

TEST_F(SqliteStoreTest, GroupCommitIsolatesFailingWrites) {
  // Many concurrent writers, every third of which fails: the failures roll
  // back alone and the others commit, in fewer transactions than writes.
  constexpr int kWriters = 48;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      Status s = store_->Write([i](SqliteDb& db) -> Status {
        SqliteStatement st = db.Prepare(
            "INSERT INTO accounts (id, username, username_lower, created_at) VALUES (?, ?, ?, 0)");
        const std::string name = "w" + std::to_string(i);
        st.Bind(1, int64_t{i + 1}).Bind(2, name).Bind(3, name);
        st.Step();
        if (st.failed()) return Error::Unavailable(db.LastError());
        if (i % 3 == 0) return Error::Unprocessable("refused");
        return {};
      });
      if (s.ok()) ok.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kWriters - (kWriters + 2) / 3);
  EXPECT_EQ(*store_->CountAccounts(), ok.load());
  const StoreStats stats = store_->Stats();
  EXPECT_EQ(stats.write_operations, static_cast<uint64_t>(kWriters));
  EXPECT_EQ(stats.write_failures, static_cast<uint64_t>((kWriters + 2) / 3));
}

TEST_F(SqliteStoreTest, TheLogIsCheckpointedIntoTheDatabaseByItsOwnThread) {
  // Commits never checkpoint themselves; once the write-ahead log passes a
  // thousand pages the checkpointer copies it into the database file.
  const std::filesystem::path db = dir_ / "chirp.db";
  const uintmax_t empty = std::filesystem::file_size(db);
  for (int64_t id = 1; id <= 1500; ++id) {
    Account a = MakeAccount(id, "writer" + std::to_string(id));
    a.note = std::string(3000, 'n');
    ASSERT_TRUE(store_->CreateAccount(a, MakeUser(id, a.username + "@e.com")).ok());
  }
  // Waits for the checkpointer (bounded: a missing one fails, it does not hang).
  for (int i = 0; i < 200 && std::filesystem::file_size(db) < empty + (4u << 20); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(std::filesystem::file_size(db), empty + (4u << 20));
  EXPECT_EQ(*store_->CountAccounts(), 1500);
}

TEST_F(SqliteStoreTest, TheLogStartsAgainWhileReadsNeverPause) {
  // Readers that always overlap keep every frame of the log in use for a
  // passive checkpoint; the restarting one still brings the log back to its
  // start, so its file stays near checkpoint_pages instead of growing with
  // every page committed (restart_pages is 2,000 here).
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop.load()) (void)store_->CountAccounts();
    });
  }
  constexpr int kAccounts = 6000;  // about 6,000 pages of notes alone
  for (int64_t id = 1; id <= kAccounts; ++id) {
    Account a = MakeAccount(id, "writer" + std::to_string(id));
    a.note = std::string(3000, 'n');
    ASSERT_TRUE(store_->CreateAccount(a, MakeUser(id, a.username + "@e.com")).ok());
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_GE(store_->Stats().log_restarts, 1u);
  // The log's file holds restart_pages and what was committed while the
  // checkpoints before a restart copied, or before the next try of one that
  // readers held up: a few times restart_pages at most, where without
  // restarts it grew past 100 MB.
  EXPECT_LT(std::filesystem::file_size(dir_ / "chirp.db-wal"), 32u << 20);
  EXPECT_EQ(*store_->CountAccounts(), kAccounts);
}

TEST_F(SqliteStoreTest, FailuresAreMappedByWhatTheyMeanForTheClient) {
  const std::string path = (dir_ / "failures.db").string();
  auto db = SqliteDb::Open(path, false, "NORMAL");
  auto other = SqliteDb::Open(path, false, "NORMAL");
  ASSERT_TRUE(db.ok() && other.ok());
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t (k TEXT UNIQUE); INSERT INTO t VALUES ('a')").ok());
  const auto failure = [&](const char* sql) {
    Status s = (*db)->Exec(sql);
    EXPECT_FALSE(s.ok()) << sql;
    return s.ok() ? Error{} : s.error();
  };
  const Error conflict = failure("INSERT INTO t VALUES ('a')");
  EXPECT_EQ(conflict.code, ErrorCode::kUnprocessable);
  EXPECT_EQ(conflict.message.find("UNIQUE"), std::string::npos);  // no words of SQLite's
  EXPECT_EQ(failure("SELECT * FROM no_such_table").code, ErrorCode::kInternal);
  // Another connection holds the write lock: busy once the timeout passes.
  ASSERT_TRUE((*other)->Exec("BEGIN IMMEDIATE").ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA busy_timeout=10").ok());
  EXPECT_EQ(failure("INSERT INTO t VALUES ('b')").code, ErrorCode::kUnavailable);
  ASSERT_TRUE((*other)->Exec("ROLLBACK").ok());
  EXPECT_TRUE((*db)->Exec("INSERT INTO t VALUES ('b')").ok());
}

TEST_F(SqliteStoreTest, WritesAfterCloseAreUnavailable) {
  store_->Close();
  EXPECT_EQ(store_->CreateAccount(MakeAccount(1, "a"), MakeUser(1, "a@e.com")).error().code,
            ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace chirp
