// What the PostgreSQL store adds to the contract the store tests check for
// both stores: event ids in commit order under concurrent writers, whole
// transactions, migrations run once, and a connection lost and made again.
#include "store/postgres/pg_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/postgres/pg_migrations.h"
#include "store/postgres/pg_test_server.h"

namespace chirp {
namespace {

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = PgTestServer::Get();
    ASSERT_TRUE(server.ok()) << server.error().message;
    auto conninfo = (*server)->CreateDatabase();
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    conninfo_ = *conninfo;
    auto opened = PgStore::Open({.conninfo = conninfo_, .connections = 8});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

  Status AppendEvents(int64_t account, int n) {
    return store_->WriteStatus([&](PgTx& tx) -> Status {
      for (int i = 0; i < n; ++i) {
        tx.AppendEvent({.kind = EventKind::kFollowed, .account_id = account, .subject_id = i});
      }
      return {};
    });
  }

  std::string conninfo_;
  std::unique_ptr<PgStore> store_;
};

// A consumer's cursor is one id: if a transaction could commit an event
// with an id below one already read, the consumer would never see it.
TEST_F(PgStoreTest, AReaderFollowingTheOutboxByIdMissesNoEventOfConcurrentWriters) {
  constexpr int kWriters = 6;
  constexpr int kTransactionsEach = 60;
  std::atomic<int> writers_left{kWriters};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int t = 0; t < kTransactionsEach; ++t) {
        EXPECT_TRUE(AppendEvents(w + 1, 1 + t % 3).ok());
      }
      writers_left.fetch_sub(1);
    });
  }
  std::vector<int64_t> seen;
  int64_t cursor = 0;
  for (;;) {
    const bool last_pass = writers_left.load() == 0;
    auto events = store_->ReadOutbox(cursor, 50);
    ASSERT_TRUE(events.ok()) << events.error().message;
    for (const OutboxEvent& e : *events) {
      EXPECT_GT(e.id, cursor);
      cursor = e.id;
      seen.push_back(e.id);
    }
    if (last_pass && events->empty()) break;
  }
  for (auto& t : writers) t.join();
  int64_t expected = 0;
  for (int t = 0; t < kTransactionsEach; ++t) expected += 1 + t % 3;
  expected *= kWriters;
  ASSERT_EQ(static_cast<int64_t>(seen.size()), expected);
  EXPECT_EQ(seen.front(), 1);
  EXPECT_EQ(seen.back(), expected) << "no id skipped, none twice";
}

TEST_F(PgStoreTest, AFailedTransactionLeavesNeitherItsRowsNorItsEvents) {
  Status failed = store_->WriteStatus([](PgTx& tx) -> Status {
    tx.AppendEvent({.kind = EventKind::kFollowed, .account_id = 1});
    auto r = tx.Exec("INSERT INTO tags (name, display_name) VALUES ('x', 'x')");
    if (!r) return std::move(r).error();
    return Error::Unprocessable("changed my mind");
  });
  EXPECT_EQ(failed.error().code, ErrorCode::kUnprocessable);
  EXPECT_FALSE(store_->TagExists("x").value());
  EXPECT_EQ(store_->NewestOutboxId().value(), 0);
  ASSERT_TRUE(AppendEvents(1, 1).ok());
  EXPECT_EQ(store_->ReadOutbox(0, 10).value().at(0).id, 1) << "the failed one took no id";
}

TEST_F(PgStoreTest, EventIdsAreReportedToTheWriter) {
  std::vector<int64_t> ids;
  auto r = store_->Write<int>(
      [](PgTx& tx) -> Result<int> {
        tx.AppendEvent({.kind = EventKind::kFollowed, .account_id = 1});
        tx.AppendEvent({.kind = EventKind::kUnfollowed, .account_id = 1});
        return 7;
      },
      &ids);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(ids, (std::vector<int64_t>{1, 2}));
  auto events = store_->ReadOutbox(0, 10).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, EventKind::kUnfollowed);
}

TEST_F(PgStoreTest, OpeningAgainFindsTheSchemaCurrentAndMigratesNothing) {
  store_.reset();
  auto again = PgStore::Open({.conninfo = conninfo_, .connections = 1});
  ASSERT_TRUE(again.ok()) << again.error().message;
  auto conn = PgConn::Connect({conninfo_, false});
  ASSERT_TRUE(conn.ok());
  auto versions = (*conn)->Exec("SELECT count(*), max(version) FROM schema_versions");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(versions->Int(0, 0), LatestPgSchemaVersion());
  EXPECT_EQ(versions->Int(0, 1), LatestPgSchemaVersion());
}

// As after a restart of the server: the pool's connections are cut. Reads
// and writes that find their connection gone before sending anything run
// on a new one.
TEST_F(PgStoreTest, ConnectionsCutByTheServerAreMadeAgain) {
  // Several idle connections in the pool, all to be cut.
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] { EXPECT_TRUE(store_->CountAccounts().ok()); });
  }
  for (auto& r : readers) r.join();
  ASSERT_TRUE(AppendEvents(1, 1).ok());
  auto admin = PgConn::Connect({conninfo_, false});
  ASSERT_TRUE(admin.ok());
  // Cuts every other connection to the database and waits until those are
  // gone (the store's session connects again by itself).
  auto cut = [&] {
    auto cut_pids = (*admin)->Exec(
        "WITH others AS MATERIALIZED (SELECT pid FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()) "
        "SELECT array_agg(pid) FROM others WHERE pg_terminate_backend(pid)");
    ASSERT_TRUE(cut_pids.ok()) << cut_pids.error().message;
    const std::string pids = cut_pids->Text(0, 0);
    for (int i = 0; i < 500; ++i) {
      auto left = (*admin)->Exec("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])",
                                 PgParams().Add(pids.empty() ? std::string("{}") : pids));
      ASSERT_TRUE(left.ok()) << left.error().message;
      if (left->Int(0, 0) == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "the connections were not cut";
  };
  cut();
  EXPECT_EQ(store_->CountOutbox().value(), 1);
  cut();
  ASSERT_TRUE(AppendEvents(1, 1).ok());
  EXPECT_EQ(store_->CountOutbox().value(), 2);
}

// Two stores on one database stand for two processes: a durable consumer
// runs in one at a time, and the other takes it over when the first goes.
TEST_F(PgStoreTest, ALaneIsHeldByOneProcessAtATimeAndTakenOverWhenItsHolderGoes) {
  auto other = PgStore::Open({.conninfo = conninfo_, .connections = 2});
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_TRUE(store_->HoldLane("notifier").value());
  EXPECT_TRUE(store_->HoldLane("notifier").value()) << "held stays held";
  EXPECT_FALSE((*other)->HoldLane("notifier").value());
  EXPECT_TRUE((*other)->HoldLane("search_indexer@2").value()) << "another lane is free";
  store_->Close();  // as when the process ends: its session, and its locks, go
  // The server ends the session a moment after the connection closes; a
  // standby looks again every second, as here every 10 ms.
  bool taken = false;
  for (int i = 0; i < 500 && !taken; ++i) {
    taken = (*other)->HoldLane("notifier").value();
    if (!taken) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(taken);
}

TEST_F(PgStoreTest, AWorkerIdIsHeldByOneProcessAtATime) {
  auto other = PgStore::Open({.conninfo = conninfo_, .connections = 2});
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_TRUE(store_->HoldWorkerId(7).value());
  EXPECT_FALSE((*other)->HoldWorkerId(7).value());
  EXPECT_TRUE((*other)->HoldWorkerId(8).value());
}

// The session's locks go with its connection: a new one takes them again,
// also when the server refused the first attempts to make it (a restart).
TEST_F(PgStoreTest, AWorkerIdIsHeldAgainWhenTheSessionComesBackAfterRefusedAttempts) {
  ASSERT_TRUE(store_->HoldWorkerId(7).value());
  auto db_conn = PgConn::Connect({conninfo_, false});
  ASSERT_TRUE(db_conn.ok());
  const std::string db = (*db_conn)->Exec("SELECT current_database()")->Text(0, 0);
  db_conn->reset();
  // From the maintenance database: a database's own connections may not
  // close it to others.
  auto admin = PgConn::Connect({(*PgTestServer::Get())->admin_conninfo(), false});
  ASSERT_TRUE(admin.ok());
  auto allow = [&](bool on) {
    ASSERT_TRUE((*admin)->Script("ALTER DATABASE " + db + " ALLOW_CONNECTIONS " + (on ? "true" : "false")).ok());
  };
  allow(false);
  const uint64_t reconnections = store_->session_reconnections();
  ASSERT_TRUE((*admin)
                  ->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                         PgParams().Add(db))
                  .ok());
  // The session tries again every second: refused at least once.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(store_->session_reconnections(), reconnections);
  allow(true);
  for (int i = 0; i < 500 && store_->session_reconnections() == reconnections; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GT(store_->session_reconnections(), reconnections);
  auto other = PgStore::Open({.conninfo = conninfo_, .connections = 2});
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_FALSE((*other)->HoldWorkerId(7).value()) << "the first store holds 7 again";
}

// A commit of one process wakes the consumers of another, through
// PostgreSQL's notifications, without their polling.
TEST_F(PgStoreTest, ACommitWithEventsWakesTheListenersOfEveryProcess) {
  auto other = PgStore::Open({.conninfo = conninfo_, .connections = 2});
  ASSERT_TRUE(other.ok()) << other.error().message;
  std::mutex mu;
  std::condition_variable cv;
  int woken = 0;
  (*other)->SetCommitListener([&] {
    std::lock_guard lock(mu);
    ++woken;
    cv.notify_all();
  });
  ASSERT_TRUE(AppendEvents(1, 2).ok());
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return woken > 0; }));
}

// The outbox is trimmed up to what this process's lanes passed, but never
// past the saved cursor of a durable consumer another process runs.
TEST_F(PgStoreTest, TrimmingWaitsForTheDurableCursorsOfEveryProcess) {
  ASSERT_TRUE(AppendEvents(1, 5).ok());
  ASSERT_TRUE(store_->SaveCursor("notifier", 2, 1, 0).ok());
  ASSERT_TRUE(store_->SaveCursor("search_indexer@1", 1, 1, 0).ok());
  ASSERT_TRUE(store_->SaveCursor("fan_out", 5, 1, 5).ok());
  EXPECT_EQ(store_->CountOutbox().value(), 3) << "kept after the notifier's 2, not its own";
  EXPECT_EQ(store_->ReadOutbox(0, 10).value().front().id, 3);
  EXPECT_EQ(store_->NewestOutboxId().value(), 5);
  ASSERT_TRUE(store_->SaveCursor("notifier", 5, 1, 5).ok());
  EXPECT_EQ(store_->CountOutbox().value(), 0);
  EXPECT_EQ(store_->NewestOutboxId().value(), 5) << "ids go on from the last appended";
}

}  // namespace
}  // namespace chirp
