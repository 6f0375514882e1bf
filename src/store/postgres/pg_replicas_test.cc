// Streaming replicas serving the reads that may lag (pg_replicas.h, the
// rule in pg_store.h), against a real primary and a hot standby started by
// scripts/postgres.sh. Replay on the replica is paused to hold it behind.
#include "store/postgres/pg_replicas.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "core/reader_scope.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

// Runs `command` and returns the last line it printed ("" when it failed).
std::string LastLineOf(const std::string& command) {
  FILE* out = ::popen(command.c_str(), "r");
  if (out == nullptr) return "";
  std::string last;
  char line[4096];
  while (std::fgets(line, sizeof line, out) != nullptr) last = line;
  if (::pclose(out) != 0) return "";
  while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
  return last;
}

// A primary and its streaming replica for this test process, stopped when
// it ends (--owner).
struct Servers {
  std::string primary_dir, replica_dir;
  std::string primary_url, replica_url;  // of the `chirp` database
  int databases = 0;
};

Servers* TheServers() {
  static Servers* servers = [] {
    auto* s = new Servers;
    const std::string base = "/tmp/chirp-replicas-test-" + std::to_string(::getpid());
    const std::string script = std::string(CHIRP_SOURCE_DIR) + "/scripts/postgres.sh";
    const std::string owner = " --no-durability --owner " + std::to_string(::getpid());
    s->primary_dir = base + "-primary";
    s->replica_dir = base + "-replica";
    s->primary_url = LastLineOf(script + " start " + s->primary_dir + owner);
    if (!s->primary_url.empty()) {
      s->replica_url =
          LastLineOf(script + " replica " + s->replica_dir + " " + s->primary_dir + owner);
    }
    return s;
  }();
  return servers;
}

// The URL `url` of the `chirp` database names `database` instead.
std::string WithDatabase(const std::string& url, const std::string& database) {
  return url.substr(0, url.rfind('/') + 1) + database;
}

class PgReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Servers* servers = TheServers();
    ASSERT_FALSE(servers->replica_url.empty()) << "scripts/postgres.sh could not start both";
    // A database of this test's own, there on the replica too.
    const std::string name = "replicas_" + std::to_string(++servers->databases);
    auto admin = PgConn::Connect({servers->primary_url, false});
    ASSERT_TRUE(admin) << admin.error().message;
    ASSERT_TRUE((*admin)->Script("CREATE DATABASE " + name));
    primary_url_ = WithDatabase(servers->primary_url, name);
    replica_url_ = WithDatabase(servers->replica_url, name);
    for (int i = 0; i < 100 && !replica_; ++i) {
      auto conn = PgConn::Connect({replica_url_, false});
      if (conn) replica_ = std::move(conn).value();
      else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(replica_) << "the replica did not get the new database";
  }

  void TearDown() override {
    if (replica_) (void)replica_->Script("SELECT pg_wal_replay_resume()");
  }

  std::unique_ptr<PgStore> OpenStore(int max_lag_ms = 10'000) {
    auto store = PgStore::Open({.conninfo = primary_url_,
                                .connections = 4,
                                .replica_conninfos = {replica_url_},
                                .max_replica_lag_ms = max_lag_ms});
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return nullptr;
    EXPECT_EQ(AddNumberedAccounts(**store, 3), "");
    WaitForReplay(**store);
    return std::move(store).value();
  }

  // Polls until the replica has replayed everything the primary wrote.
  static void WaitForReplay(PgStore& store) {
    for (int i = 0; i < 200; ++i) {
      store.replicas()->PollOnce();
      const PgReplicaState state = store.replicas()->States().at(0);
      if (state.reachable && state.lag_bytes == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "the replica did not catch up";
  }

  void PauseReplay() {
    ASSERT_TRUE(replica_->Script("SELECT pg_wal_replay_pause()"));
  }
  void ResumeReplay() {
    ASSERT_TRUE(replica_->Script("SELECT pg_wal_replay_resume()"));
  }

  // The accounts `account_id` blocks, read as `reader` would in a GET.
  static std::vector<int64_t> BlocksAsReadBy(PgStore& store, int64_t reader, int64_t account_id,
                                             bool reads_may_lag = true) {
    ReaderScope scope(reader, reads_may_lag);
    auto page = store.ListBlocks(account_id, {.limit = 10});
    EXPECT_TRUE(page) << page.error().message;
    std::vector<int64_t> ids;
    if (page) {
      for (const auto& p : *page) ids.push_back(p.item);
    }
    return ids;
  }

  std::string primary_url_, replica_url_;
  std::unique_ptr<PgConn> replica_;
};

TEST_F(PgReplicasTest, AnAccountReadsItsOwnWriteWhileTheReplicaIsBehindIt) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  PauseReplay();
  {
    ReaderScope writer(1, false);  // a POST of account 1
    ASSERT_TRUE(store->CreateBlock(100, 1, 2, 1000));
  }
  store->replicas()->PollOnce();
  // Account 1's read goes to the primary: the replica has not replayed
  // its write. Account 3, who wrote nothing, reads the replica, which
  // shows that the replica serves reads and is behind.
  EXPECT_EQ(BlocksAsReadBy(*store, 1, 1), std::vector<int64_t>{2});
  EXPECT_EQ(BlocksAsReadBy(*store, 3, 1), std::vector<int64_t>{});
  const StoreStats stats = store->Stats();
  EXPECT_GE(stats.replica_reads, 1u);
  EXPECT_GE(stats.replica_passed_over, 1u);
  ResumeReplay();
  WaitForReplay(*store);
  // Once the replica has it, it serves account 1 too.
  const uint64_t before = store->Stats().replica_reads;
  EXPECT_EQ(BlocksAsReadBy(*store, 1, 1), std::vector<int64_t>{2});
  EXPECT_EQ(BlocksAsReadBy(*store, 3, 1), std::vector<int64_t>{2});
  EXPECT_EQ(store->Stats().replica_reads, before + 2);
}

TEST_F(PgReplicasTest, ReadsOutsideAReadOnlyRequestGoToThePrimary) {
  auto store = OpenStore();
  ASSERT_TRUE(store);
  PauseReplay();
  ASSERT_TRUE(store->CreateBlock(100, 1, 2, 1000));  // no scope: an event consumer's write
  store->replicas()->PollOnce();
  // A consumer (no scope) and a request that writes read the primary.
  auto unscoped = store->ListBlocks(1, {.limit = 10});
  ASSERT_TRUE(unscoped);
  EXPECT_EQ(unscoped->size(), 1u);
  EXPECT_EQ(BlocksAsReadBy(*store, 3, 1, /*reads_may_lag=*/false), std::vector<int64_t>{2});
  // Point reads that fill caches never go to a replica.
  {
    ReaderScope scope(3, true);
    ASSERT_TRUE(store->FindAccount(2));
    ASSERT_TRUE(store->FindUser(2));
  }
  EXPECT_EQ(store->Stats().replica_reads, 0u);
}

TEST_F(PgReplicasTest, TheLagOfAReplicaHeldBehindGrowsAndPastTheLimitItServesNothing) {
  auto store = OpenStore(/*max_lag_ms=*/300);
  ASSERT_TRUE(store);
  EXPECT_NE(store->replicas()->Pick(0), nullptr);
  PauseReplay();
  ASSERT_TRUE(store->CreateBlock(100, 1, 2, 1000));
  store->replicas()->PollOnce();
  PgReplicaState state = store->replicas()->States().at(0);
  EXPECT_TRUE(state.reachable);
  EXPECT_GT(state.lag_bytes, 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  store->replicas()->PollOnce();
  state = store->replicas()->States().at(0);
  EXPECT_GE(state.lag_ms, 400);
  EXPECT_EQ(store->replicas()->Pick(0), nullptr);
  // Anonymous reads then go to the primary as well.
  EXPECT_EQ(BlocksAsReadBy(*store, 0, 1), std::vector<int64_t>{2});
  ResumeReplay();
  WaitForReplay(*store);
  state = store->replicas()->States().at(0);
  EXPECT_EQ(state.lag_ms, 0);
  EXPECT_NE(store->replicas()->Pick(0), nullptr);
}

TEST_F(PgReplicasTest, AReplicaThatCannotBeReachedOrIsNoReplicaIsRefusedAtStart) {
  auto unreachable = PgStore::Open({.conninfo = primary_url_,
                                    .connections = 2,
                                    .replica_conninfos = {"postgresql://postgres@127.0.0.1:1/x"}});
  ASSERT_FALSE(unreachable);
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(unreachable.error().message.find("replica 1"), std::string::npos);
  auto primary = PgStore::Open(
      {.conninfo = primary_url_, .connections = 2, .replica_conninfos = {primary_url_}});
  ASSERT_FALSE(primary);
  EXPECT_NE(primary.error().message.find("not a streaming replica"), std::string::npos);
}

}  // namespace
}  // namespace chirp
