// A consumer split by account into partitions (lane_group.h): on the
// embedded store, where one process holds every partition, and on
// PostgreSQL with two processes (two stores, each with a session of its
// own) sharing the partitions out, the second leaving as a killed worker
// would.
#include "events/lane_group.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <vector>

#include "events/event_lane.h"
#include "events/trim_point.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/pg_test_server.h"
#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

// What every partition's consumer handled, in the order each was handled.
class Ledger {
 public:
  void Add(const OutboxEvent& e) {
    std::lock_guard lock(mu_);
    ++times_[e.id];
    by_account_[e.account_id].push_back(e.id);
  }
  std::map<int64_t, int> times() const {
    std::lock_guard lock(mu_);
    return times_;
  }
  std::map<int64_t, std::vector<int64_t>> by_account() const {
    std::lock_guard lock(mu_);
    return by_account_;
  }

 private:
  mutable std::mutex mu_;
  std::map<int64_t, int> times_;
  std::map<int64_t, std::vector<int64_t>> by_account_;
};

class LedgerConsumer final : public EventConsumer {
 public:
  LedgerConsumer(Ledger& ledger, int partition, int partitions)
      : ledger_(ledger), partition_(partition), partitions_(partitions) {}
  Status Handle(const OutboxEvent& e) override {
    EXPECT_EQ(PartitionOf(e.account_id, partitions_), partition_) << "event " << e.id;
    ledger_.Add(e);
    return {};
  }

 private:
  Ledger& ledger_;
  const int partition_, partitions_;
};

// One process's lanes of the group "ledger".
struct Process {
  Process(EventLog& log, const Clock& clock, Ledger& ledger, int partitions)
      : group(log, "ledger", partitions) {
    for (int k = 0; k < partitions; ++k) {
      consumers.push_back(std::make_unique<LedgerConsumer>(ledger, k, partitions));
      lanes.push_back(std::make_unique<EventLane>(
          log, clock, *consumers.back(),
          LaneOptions{.name = group.LaneName(k),
                      .cursor = CursorKind::kDurable,
                      .group = &group,
                      .partition = k},
          trim));
      EXPECT_TRUE(lanes.back()->Open());
    }
  }
  // Steps every lane until it has caught up or stands by.
  void Step() {
    for (auto& lane : lanes) {
      for (int i = 0; i < 100 && lane->DrainOnce().next == LaneStep::Next::kNow; ++i) {
      }
    }
  }

  TrimPoint trim;
  LaneGroup group;
  std::vector<std::unique_ptr<LedgerConsumer>> consumers;
  std::vector<std::unique_ptr<EventLane>> lanes;
};

Status AppendAccountEvent(PgStore* pg, SqliteStore* sqlite, int64_t account) {
  const OutboxEvent e{.kind = EventKind::kStatusCreated, .account_id = account, .created_at_ms = 1};
  if (pg != nullptr) {
    return pg->WriteStatus([&](PgTx& tx) -> Status {
      tx.AppendEvent(e);
      return {};
    });
  }
  return sqlite->Write([&](SqliteDb& db) { return chirp::AppendEvent(db, e); });
}

TEST(PartitionOf, SpreadsAccountsOverEveryPartition) {
  std::vector<int> counts(8);
  for (int64_t account = 1; account <= 8000; ++account) ++counts[PartitionOf(account << 22, 8)];
  for (int c : counts) {
    EXPECT_GT(c, 800);
    EXPECT_LT(c, 1200);
  }
  EXPECT_EQ(PartitionOf(12345, 1), 0);
}

TEST(LaneGroup, OneProcessHoldsEveryPartitionAndEachEventGoesToItsAccountsPartition) {
  TempStore temp("lane-group-one", 0);
  ASSERT_TRUE(temp.ok()) << temp.error();
  ManualClock clock(1000);
  Ledger ledger;
  Process process(temp.store(), clock, ledger, 4);
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(AppendAccountEvent(nullptr, &temp.store(), 1 + i % 12));
  process.Step();
  EXPECT_EQ(process.group.held(), 4);
  const auto times = ledger.times();
  EXPECT_EQ(times.size(), 60u);
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << "event " << id;
  for (const auto& [account, ids] : ledger.by_account()) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << "account " << account;
  }
}

TEST(LaneGroup, ProcessesShareThePartitionsAndTakeOverThoseOfOneThatEnds) {
  auto server = PgTestServer::Get();
  ASSERT_TRUE(server) << server.error().message;
  auto conninfo = (*server)->CreateDatabase();
  ASSERT_TRUE(conninfo) << conninfo.error().message;
  auto open = [&](int64_t worker_id) {
    auto store = PgStore::Open({.conninfo = *conninfo, .connections = 4});
    EXPECT_TRUE(store) << store.error().message;
    if (store) {
      auto held = (*store)->HoldWorkerId(worker_id);
      EXPECT_TRUE(held && *held);
    }
    return store ? std::move(store).value() : nullptr;
  };
  ManualClock clock(1000);
  Ledger ledger;
  auto store_a = open(1);
  ASSERT_TRUE(store_a);
  auto a = std::make_unique<Process>(*store_a, clock, ledger, 4);
  auto append = [&](int n, int first_account) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(AppendAccountEvent(store_a.get(), nullptr, first_account + i % 16));
    }
  };
  append(40, 1);
  a->Step();
  EXPECT_EQ(a->group.held(), 4);  // alone: every partition

  // A second process joins: it stands by until the first gives up half.
  auto store_b = open(2);
  ASSERT_TRUE(store_b);
  auto b = std::make_unique<Process>(*store_b, clock, ledger, 4);
  b->Step();
  EXPECT_EQ(b->group.processes(), 2);
  EXPECT_EQ(b->group.held(), 0);
  clock.Advance(1000);  // the first counts again
  a->Step();
  EXPECT_EQ(a->group.held(), 2);
  b->Step();
  EXPECT_EQ(b->group.held(), 2);
  append(40, 100);
  a->Step();
  b->Step();
  auto times = ledger.times();
  EXPECT_EQ(times.size(), 80u);
  for (const auto& [id, n] : times) EXPECT_EQ(n, 1) << "event " << id << " handled twice";

  // The second process ends without a word (its session closes, as with
  // kill -9): the first takes its partitions over and misses nothing.
  store_b->Close();
  b.reset();
  store_b.reset();
  append(40, 200);
  clock.Advance(1000);
  a->Step();
  a->Step();  // a partition given up by a lane is taken by the next step
  EXPECT_EQ(a->group.processes(), 1);
  EXPECT_EQ(a->group.held(), 4);
  times = ledger.times();
  EXPECT_EQ(times.size(), 120u);
  for (const auto& [account, ids] : ledger.by_account()) {
    // Per account, first handled in commit order; what a takeover redid
    // (at least once) comes again after.
    std::vector<int64_t> first_handled;
    std::set<int64_t> seen;
    for (int64_t id : ids) {
      if (seen.insert(id).second) first_handled.push_back(id);
    }
    EXPECT_TRUE(std::is_sorted(first_handled.begin(), first_handled.end())) << "account " << account;
  }
}

}  // namespace
}  // namespace chirp
