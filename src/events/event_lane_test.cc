#include "events/event_lane.h"

#include <gtest/gtest.h>

#include "events/test_consumers.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

// The real store, with dead-letter writes that fail on demand.
class FaultyLog final : public EventLog {
 public:
  explicit FaultyLog(SqliteStore& store) : store_(store) {}
  bool fail_dead_letter_writes = false;
  bool lane_held_elsewhere = false;  // as when another process runs the lane

  Result<std::vector<OutboxEvent>> ReadOutbox(int64_t after_id, int limit) override {
    return store_.ReadOutbox(after_id, limit);
  }
  Status AckOutbox(int64_t up_to_id) override { return store_.AckOutbox(up_to_id); }
  Result<int64_t> NewestOutboxId() override { return store_.NewestOutboxId(); }
  Result<int64_t> CountOutbox() override { return store_.CountOutbox(); }
  void SetCommitListener(std::function<void()> listener) override {
    store_.SetCommitListener(std::move(listener));
  }
  Result<bool> HoldLane(const std::string& consumer) override {
    if (lane_held_elsewhere) return false;
    return store_.HoldLane(consumer);
  }
  void ReleaseLane(const std::string& consumer) override { store_.ReleaseLane(consumer); }
  Result<int> JoinLaneGroup(const std::string& group) override {
    return store_.JoinLaneGroup(group);
  }
  Result<std::optional<int64_t>> LoadCursor(const std::string& consumer) override {
    return store_.LoadCursor(consumer);
  }
  Status SaveCursor(const std::string& consumer, int64_t last_id, int64_t at_ms,
                    int64_t trim_up_to) override {
    return store_.SaveCursor(consumer, last_id, at_ms, trim_up_to);
  }
  Result<std::vector<EventCursor>> ListCursors() override { return store_.ListCursors(); }
  Result<int64_t> AddDeadLetter(const DeadLetter& letter) override {
    if (fail_dead_letter_writes) return Error::Unavailable("disk full");
    return store_.AddDeadLetter(letter);
  }
  Result<std::vector<DeadLetter>> ListDeadLetters(const DeadLetterSelection& selection,
                                                  int64_t after_id, int limit) override {
    return store_.ListDeadLetters(selection, after_id, limit);
  }
  Result<int64_t> CountDeadLetters(const DeadLetterSelection& selection) override {
    return store_.CountDeadLetters(selection);
  }
  Result<int64_t> MarkForReplay(const DeadLetterSelection& selection) override {
    return store_.MarkForReplay(selection);
  }
  Result<int64_t> DropDeadLetters(const DeadLetterSelection& selection) override {
    return store_.DropDeadLetters(selection);
  }
  Status RecordReplayFailure(int64_t id, const std::string& error, int64_t at_ms) override {
    return store_.RecordReplayFailure(id, error, at_ms);
  }

 private:
  SqliteStore& store_;
};

class EventLaneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempStore>(
        std::string("lane-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(), 0);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    log_ = std::make_unique<FaultyLog>(temp_->store());
  }
  SqliteStore& store() { return temp_->store(); }
  // A durable lane (it starts at the oldest event) for `consumer`.
  std::unique_ptr<EventLane> LaneFor(Recorder& consumer, int batch = 512) {
    auto lane = std::make_unique<EventLane>(
        *log_, clock_, consumer,
        LaneOptions{.name = "notifier", .cursor = CursorKind::kDurable, .batch = batch}, trim_);
    EXPECT_TRUE(lane->Open().ok());
    return lane;
  }
  // Steps until the lane pauses or catches up; returns that step.
  static LaneStep Settle(EventLane& lane) {
    for (;;) {
      LaneStep step = lane.DrainOnce();
      if (step.next != LaneStep::Next::kNow) return step;
    }
  }
  // Steps through every pause until the lane catches up; returns the
  // pauses taken, in ms.
  std::vector<int64_t> SettleThroughPauses(EventLane& lane) {
    std::vector<int64_t> pauses;
    for (LaneStep step = Settle(lane); step.next == LaneStep::Next::kAt; step = Settle(lane)) {
      pauses.push_back(step.at_ms - clock_.NowMillis());
      clock_.Set(step.at_ms);
    }
    return pauses;
  }
  std::vector<DeadLetter> DeadLetters() { return store().ListDeadLetters({}, 0, 100).value(); }

  ManualClock clock_{1000};
  TrimPoint trim_;
  std::unique_ptr<TempStore> temp_;
  std::unique_ptr<FaultyLog> log_;
};

TEST(RetryPolicy, DoublesFromTheFirstDelayUpToTheCap) {
  const RetryPolicy p{.first_delay_ms = 100, .max_delay_ms = 1000};
  EXPECT_EQ(p.DelayAfter(1), 100);
  EXPECT_EQ(p.DelayAfter(2), 200);
  EXPECT_EQ(p.DelayAfter(4), 800);
  EXPECT_EQ(p.DelayAfter(5), 1000);
  EXPECT_EQ(p.DelayAfter(60), 1000);
}

TEST_F(EventLaneTest, EventThatAlwaysFailsIsDeadLetteredAfterTheBoundedAttemptsAndTheLaneGoesOn) {
  Recorder r;
  r.Poison(2);
  AppendEvents(store(), 4);
  auto lane = LaneFor(r);
  EXPECT_EQ(SettleThroughPauses(*lane), (std::vector<int64_t>{100, 200, 400, 800, 1600}));
  EXPECT_EQ(r.handle_calls(2), RetryPolicy().max_attempts);
  EXPECT_EQ(r.seen(), (std::vector<int64_t>{1, 3, 4}));
  auto letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].consumer, "notifier");
  EXPECT_EQ(letters[0].event.id, 2);
  EXPECT_EQ(letters[0].event.subject_id, 101);
  EXPECT_EQ(letters[0].attempts, RetryPolicy().max_attempts);
  EXPECT_EQ(letters[0].last_error, "cannot handle 2");
  EXPECT_EQ(letters[0].failed_at_ms, clock_.NowMillis());
  EXPECT_EQ(lane->position(), 4);
  EXPECT_EQ(lane->dead_letters_written(), 1u);
  EXPECT_EQ(lane->dead_letters_waiting(), 1);
  // The dead letter's skip is saved at once; what followed it when the next
  // save is due.
  EXPECT_EQ(store().LoadCursor("notifier").value(), std::optional<int64_t>(2));
  clock_.Advance(LaneOptions().save_every_ms);
  lane->DrainOnce();
  EXPECT_EQ(store().LoadCursor("notifier").value(), std::optional<int64_t>(4));
}

TEST_F(EventLaneTest, ADurableLaneHeldElsewhereStandsByThenResumesFromTheHoldersCursor) {
  Recorder r;
  AppendEvents(store(), 5);
  log_->lane_held_elsewhere = true;
  auto lane = LaneFor(r);
  const LaneStep standing_by = lane->DrainOnce();
  EXPECT_EQ(standing_by.next, LaneStep::Next::kAt);
  EXPECT_EQ(standing_by.at_ms, clock_.NowMillis() + LaneOptions().replay_check_ms);
  EXPECT_TRUE(r.seen().empty());
  EXPECT_EQ(r.resumed(), 0);
  // The holder handled three and saved its cursor, then went away.
  ASSERT_TRUE(store().SaveCursor("notifier", 3, clock_.NowMillis(), 0).ok());
  log_->lane_held_elsewhere = false;
  Settle(*lane);
  EXPECT_EQ(r.seen(), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(lane->position(), 5);
  EXPECT_EQ(r.resumed(), 1);  // told once, on taking the lane up
  // Lost to another process and taken up again: told again.
  log_->lane_held_elsewhere = true;
  clock_.Advance(LaneOptions().replay_check_ms);
  lane->DrainOnce();
  log_->lane_held_elsewhere = false;
  clock_.Advance(LaneOptions().replay_check_ms);
  Settle(*lane);
  EXPECT_EQ(r.resumed(), 2);
}

TEST_F(EventLaneTest, PositionIsSavedAtMostEverySaveIntervalAndOnStop) {
  Recorder r;
  AppendEvents(store(), 1);
  auto lane = LaneFor(r);
  lane->DrainOnce();
  EXPECT_EQ(store().LoadCursor("notifier").value(), std::optional<int64_t>(1));
  AppendEvents(store(), 1);
  lane->DrainOnce();
  EXPECT_EQ(lane->position(), 2);
  EXPECT_EQ(store().LoadCursor("notifier").value(), std::optional<int64_t>(1));  // not yet due
  clock_.Advance(LaneOptions().save_every_ms);
  lane->DrainOnce();
  EXPECT_EQ(store().LoadCursor("notifier").value(), std::optional<int64_t>(2));
  AppendEvents(store(), 1);
  lane->DrainOnce();
  lane->Stop();  // saves what was handled since
  EXPECT_EQ(store().LoadCursor("notifier").value(), std::optional<int64_t>(3));
}

TEST_F(EventLaneTest, NoAttemptBeforeThePauseEnds) {
  Recorder r;
  r.Poison(1);
  AppendEvents(store(), 1);
  auto lane = LaneFor(r);
  const LaneStep paused = Settle(*lane);
  ASSERT_EQ(paused.next, LaneStep::Next::kAt);
  clock_.Advance(99);
  EXPECT_EQ(lane->DrainOnce().next, LaneStep::Next::kAt);
  EXPECT_EQ(r.handle_calls(1), 1);
}

TEST_F(EventLaneTest, FailingFlushIsolatesTheOneBadEvent) {
  Recorder r;
  r.PoisonFlush(3);
  AppendEvents(store(), 5);
  auto lane = LaneFor(r);
  SettleThroughPauses(*lane);
  EXPECT_EQ(r.seen(), (std::vector<int64_t>{1, 2, 4, 5}));
  auto letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].event.id, 3);
  EXPECT_EQ(letters[0].last_error, "flush failed");
  EXPECT_EQ(lane->position(), 5);
  // Back to whole batches once past the batch that failed.
  AppendEvents(store(), 2);
  EXPECT_EQ(lane->DrainOnce().next, LaneStep::Next::kWhenWoken);
  EXPECT_EQ(r.seen().size(), 6u);
}

TEST_F(EventLaneTest, FailingDeadLetterWritesKeepTheLaneRetrying) {
  Recorder r;
  r.Poison(1);
  AppendEvents(store(), 2);
  auto lane = LaneFor(r);
  log_->fail_dead_letter_writes = true;
  for (int i = 0; i < 10; ++i) {
    const LaneStep step = Settle(*lane);
    ASSERT_EQ(step.next, LaneStep::Next::kAt);
    clock_.Set(step.at_ms);
  }
  EXPECT_EQ(lane->position(), 0);  // not skipped
  EXPECT_EQ(r.seen(), std::vector<int64_t>{});
  EXPECT_EQ(r.handle_calls(1), 10);
  log_->fail_dead_letter_writes = false;
  SettleThroughPauses(*lane);
  ASSERT_EQ(DeadLetters().size(), 1u);
  EXPECT_EQ(r.seen(), std::vector<int64_t>{2});
}

TEST_F(EventLaneTest, EventThatRecoversWhileDeadLetterWritesFailIsHandled) {
  Recorder r;
  r.Poison(1);
  AppendEvents(store(), 1);
  auto lane = LaneFor(r);
  log_->fail_dead_letter_writes = true;
  for (int i = 0; i < 8; ++i) clock_.Set(Settle(*lane).at_ms);
  r.Heal();
  EXPECT_EQ(Settle(*lane).next, LaneStep::Next::kWhenWoken);
  EXPECT_EQ(r.seen(), std::vector<int64_t>{1});
  EXPECT_TRUE(DeadLetters().empty());
}

TEST_F(EventLaneTest, ReplayHandsADeadLetterToItsConsumerAgainAndDeletesItOnSuccess) {
  Recorder r;
  r.Poison(2);
  AppendEvents(store(), 3);
  auto lane = LaneFor(r);
  SettleThroughPauses(*lane);
  ASSERT_EQ(DeadLetters().size(), 1u);
  r.Heal();
  ASSERT_EQ(store().MarkForReplay({.consumer = "notifier"}).value(), 1);
  AppendEvents(store(), 1);  // event 4: after the replay
  clock_.Advance(LaneOptions().replay_check_ms);
  Settle(*lane);
  EXPECT_EQ(r.seen(), (std::vector<int64_t>{1, 3, 2, 4}));
  EXPECT_TRUE(DeadLetters().empty());
  EXPECT_EQ(lane->dead_letters_waiting(), 0);
}

TEST_F(EventLaneTest, UnmarkedDeadLettersAreNotReplayed) {
  Recorder r;
  r.Poison(1);
  AppendEvents(store(), 1);
  auto lane = LaneFor(r);
  SettleThroughPauses(*lane);
  r.Heal();
  clock_.Advance(LaneOptions().replay_check_ms);
  Settle(*lane);
  EXPECT_EQ(r.seen(), std::vector<int64_t>{});
  EXPECT_EQ(DeadLetters().size(), 1u);
}

TEST_F(EventLaneTest, ReplayThatFailsAgainCountsOneMoreAttemptAndClearsTheMark) {
  Recorder r;
  r.Poison(1);
  AppendEvents(store(), 1);
  auto lane = LaneFor(r);
  SettleThroughPauses(*lane);
  ASSERT_EQ(store().MarkForReplay({}).value(), 1);
  clock_.Advance(LaneOptions().replay_check_ms);
  Settle(*lane);
  auto letters = DeadLetters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].attempts, RetryPolicy().max_attempts + 1);
  EXPECT_FALSE(letters[0].replay);
  EXPECT_EQ(letters[0].failed_at_ms, clock_.NowMillis());
}

TEST_F(EventLaneTest, MarkedDeadLettersAreReplayedAtStart) {
  Recorder r;
  OutboxEvent e{.id = 77, .kind = EventKind::kFollowed, .account_id = 1, .subject_id = 2};
  const int64_t id =
      store()
          .AddDeadLetter({.consumer = "notifier", .event = e, .attempts = 6, .replay = true})
          .value();
  auto lane = LaneFor(r);
  EXPECT_EQ(lane->dead_letters_waiting(), 1);
  Settle(*lane);
  EXPECT_EQ(r.seen(), std::vector<int64_t>{77});
  EXPECT_TRUE(store().ListDeadLetters({.id = id}, 0, 1).value().empty());
}

TEST_F(EventLaneTest, HandsEventsInCommitOrderInBatches) {
  Recorder r;
  AppendEvents(store(), 5);
  auto lane = LaneFor(r, /*batch=*/2);
  EXPECT_EQ(lane->DrainOnce().next, LaneStep::Next::kNow);
  EXPECT_EQ(r.seen(), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(lane->pending(), 3);
  Settle(*lane);
  EXPECT_EQ(r.seen(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(lane->handled(), 5u);
  EXPECT_EQ(lane->pending(), 0);
}

}  // namespace
}  // namespace chirp
