#include "events/outbox_drainer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "events/lane_metrics.h"
#include "events/test_consumers.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

std::string TestName() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

class OutboxDrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempStore>("drainer-" + TestName(), 0);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
  }
  SqliteStore& store() { return temp_->store(); }

  ManualClock clock_{1000};
  std::unique_ptr<TempStore> temp_;
};

TEST_F(OutboxDrainerTest, HandsEveryEventToEveryConsumerInOrder) {
  Recorder a, b;
  AppendEvents(store(), 5);
  OutboxDrainer drainer(store(), clock_, {&a, &b});
  ASSERT_TRUE(drainer.DrainNow().ok());
  EXPECT_EQ(a.seen(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(b.seen(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(store().CountOutbox().value(), 0);  // every lane passed them
}

TEST_F(OutboxDrainerTest, WakesOnCommitWhenRunning) {
  Recorder r;
  OutboxDrainer drainer(store(), clock_, {&r});
  ASSERT_TRUE(drainer.Start().ok());
  AppendEvents(store(), 2);
  EXPECT_EQ(r.WaitFor(2), (std::vector<int64_t>{1, 2}));
  drainer.Stop();
}

TEST_F(OutboxDrainerTest, RetriesAnEventWhoseConsumerFailed) {
  Recorder r;
  r.FailNext(1);
  AppendEvents(store(), 1);
  OutboxDrainer drainer(store(), clock_, {&r});
  EXPECT_FALSE(drainer.DrainNow().ok());
  EXPECT_EQ(store().CountOutbox().value(), 1);  // nothing trimmed: it will come again
  EXPECT_FALSE(drainer.DrainNow().ok());        // not before its pause ends
  clock_.Advance(RetryPolicy().first_delay_ms);
  ASSERT_TRUE(drainer.DrainNow().ok());
  EXPECT_EQ(r.seen(), std::vector<int64_t>{1});
  EXPECT_EQ(store().CountOutbox().value(), 0);
}

TEST_F(OutboxDrainerTest, BlockedConsumerDoesNotDelayAnotherLane) {
  Recorder blocked, free;
  blocked.Shut();
  OutboxDrainer drainer(store(), clock_);
  const EventLane& blocked_lane = drainer.Add(blocked, {.name = "blocked"});
  drainer.Add(free, {.name = "free"});
  ASSERT_TRUE(drainer.Start().ok());
  AppendEvents(store(), 3);
  EXPECT_EQ(free.WaitFor(3), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(blocked_lane.handled(), 0u);
  blocked.Open();
  EXPECT_EQ(blocked.WaitFor(3), (std::vector<int64_t>{1, 2, 3}));
  drainer.Stop();
}

TEST_F(OutboxDrainerTest, FailingConsumerDoesNotDelayAnotherLane) {
  Recorder failing, healthy;
  failing.Poison(1);
  AppendEvents(store(), 3);
  OutboxDrainer drainer(store(), clock_);
  drainer.Add(failing, {.name = "failing", .cursor = CursorKind::kDurable});
  drainer.Add(healthy, {.name = "healthy", .cursor = CursorKind::kDurable});
  EXPECT_FALSE(drainer.DrainNow().ok());  // the failing lane pauses
  EXPECT_EQ(failing.seen(), std::vector<int64_t>{});
  EXPECT_EQ(healthy.seen(), (std::vector<int64_t>{1, 2, 3}));
}

TEST_F(OutboxDrainerTest, VolatileConsumerStartsAtTheEndOfTheOutbox) {
  Recorder durable, in_memory;
  AppendEvents(store(), 2);
  OutboxDrainer drainer(store(), clock_);
  drainer.Add(durable, {.name = "durable", .cursor = CursorKind::kDurable});
  const EventLane& volatile_lane =
      drainer.Add(in_memory, {.name = "in_memory", .cursor = CursorKind::kVolatile});
  ASSERT_TRUE(drainer.Open().ok());
  EXPECT_EQ(volatile_lane.position(), 2);
  AppendEvents(store(), 1);
  ASSERT_TRUE(drainer.DrainNow().ok());
  EXPECT_EQ(in_memory.seen(), std::vector<int64_t>{3});
  EXPECT_EQ(durable.seen(), (std::vector<int64_t>{1, 2, 3}));  // no cursor yet: from the oldest
}

TEST_F(OutboxDrainerTest, OutboxIsTrimmedOnlyToTheSlowestLane) {
  Recorder slow, fast;
  slow.Poison(3);
  AppendEvents(store(), 5);
  OutboxDrainer drainer(store(), clock_);
  drainer.Add(slow, {.name = "slow", .cursor = CursorKind::kDurable});
  drainer.Add(fast, {.name = "fast", .cursor = CursorKind::kDurable});
  EXPECT_FALSE(drainer.DrainNow().ok());
  EXPECT_EQ(fast.seen().size(), 5u);
  auto left = store().ReadOutbox(0, 10).value();
  ASSERT_EQ(left.size(), 3u);  // 3, 4 and 5: the slow lane has not passed them
  EXPECT_EQ(left[0].id, 3);
  slow.Heal();
  clock_.Advance(RetryPolicy().first_delay_ms);
  ASSERT_TRUE(drainer.DrainNow().ok());
  EXPECT_EQ(store().CountOutbox().value(), 0);
}

TEST_F(OutboxDrainerTest, TwoLanesWithOneNameDoNotOpen) {
  Recorder a, b;
  OutboxDrainer drainer(store(), clock_);
  drainer.Add(a, {.name = "same"});
  drainer.Add(b, {.name = "same"});
  EXPECT_FALSE(drainer.Open().ok());
}

TEST_F(OutboxDrainerTest, MetricsShowEachConsumer) {
  Recorder a, b;
  b.Poison(2);
  AppendEvents(store(), 2);
  OutboxDrainer drainer(store(), clock_);
  drainer.Add(a, {.name = "fan_out", .cursor = CursorKind::kDurable});
  drainer.Add(b,
              {.name = "notifier", .cursor = CursorKind::kDurable, .retry = {.max_attempts = 1}});
  ASSERT_TRUE(drainer.DrainNow().ok());
  std::string out;
  AppendLaneMetrics(drainer, out);
  EXPECT_NE(out.find("chirp_event_lane_handled_total{consumer=\"fan_out\"} 2\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("chirp_event_lane_handled_total{consumer=\"notifier\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("chirp_event_lane_position{consumer=\"notifier\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("chirp_event_lane_pending{consumer=\"notifier\"} 0\n"), std::string::npos);
  EXPECT_NE(out.find("chirp_event_dead_letters_total{consumer=\"notifier\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("chirp_event_dead_letters_waiting{consumer=\"notifier\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("chirp_event_dead_letters_waiting{consumer=\"fan_out\"} 0\n"),
            std::string::npos);
}

// A store opened again on the same file, as after a restart.
class DurableCursorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chirp-drainer-reopen-" + std::to_string(::getpid()) + "-" + TestName());
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
    auto s = SqliteStore::Open({.path = (dir_ / "chirp.db").string(), .synchronous = "NORMAL"});
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(s).value();
  }

  ManualClock clock_{1000};
  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(DurableCursorTest, DurableCursorResumesAfterReopeningTheStore) {
  {
    Recorder notifier, fan_out;
    AppendEvents(*store_, 3);
    OutboxDrainer drainer(*store_, clock_);
    drainer.Add(notifier, {.name = "notifier", .cursor = CursorKind::kDurable});
    drainer.Add(fan_out, {.name = "fan_out", .cursor = CursorKind::kVolatile});
    ASSERT_TRUE(drainer.Open().ok());
    ASSERT_TRUE(drainer.DrainNow().ok());
    EXPECT_EQ(notifier.seen(), (std::vector<int64_t>{1, 2, 3}));
  }
  AppendEvents(*store_, 2);  // committed while no drainer ran
  Reopen();
  EXPECT_EQ(store_->LoadCursor("notifier").value(), std::optional<int64_t>(3));
  Recorder notifier, fan_out;
  OutboxDrainer drainer(*store_, clock_);
  drainer.Add(notifier, {.name = "notifier", .cursor = CursorKind::kDurable});
  drainer.Add(fan_out, {.name = "fan_out", .cursor = CursorKind::kVolatile});
  ASSERT_TRUE(drainer.Open().ok());
  AppendEvents(*store_, 1);
  ASSERT_TRUE(drainer.DrainNow().ok());
  EXPECT_EQ(notifier.seen(), (std::vector<int64_t>{4, 5, 6}));  // resumed after 3
  EXPECT_EQ(fan_out.seen(), std::vector<int64_t>{6});           // began at the end
  EXPECT_EQ(store_->LoadCursor("notifier").value(), std::optional<int64_t>(6));
}

}  // namespace
}  // namespace chirp
