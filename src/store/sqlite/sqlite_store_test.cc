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
