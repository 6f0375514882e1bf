// The outbox's reading side, against each store: cursors, trimming and dead
// letters.
#include <gtest/gtest.h>

#include "store/store_kinds.h"

namespace chirp {
namespace {

class EventLogTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<StoreUnderTest>(
        GetParam(),
        std::string("events-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        0);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
  }
  Store& store() { return temp_->store(); }
  void Append(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(temp_
                      ->AppendEvent({.kind = EventKind::kFollowed,
                                     .account_id = 1,
                                     .subject_id = 2,
                                     .created_at_ms = 10})
                      .ok());
    }
  }
  static DeadLetter Letter(std::string consumer, int64_t event_id) {
    return {.consumer = std::move(consumer),
            .event = {.id = event_id,
                      .kind = EventKind::kStatusCreated,
                      .account_id = 7,
                      .subject_id = 8,
                      .created_at_ms = 9,
                      .related_id = 10,
                      .flags = kEventReblog},
            .attempts = 6,
            .last_error = "store unavailable",
            .failed_at_ms = 1234};
  }

  std::unique_ptr<StoreUnderTest> temp_;
};

TEST_P(EventLogTest, NewestOutboxIdAndCountFollowTheOutbox) {
  EXPECT_EQ(store().NewestOutboxId().value(), 0);
  Append(3);
  EXPECT_EQ(store().NewestOutboxId().value(), 3);
  EXPECT_EQ(store().CountOutbox().value(), 3);
  ASSERT_TRUE(store().AckOutbox(2).ok());
  EXPECT_EQ(store().CountOutbox().value(), 1);
  EXPECT_EQ(store().NewestOutboxId().value(), 3);
}

TEST_P(EventLogTest, CursorIsAbsentUntilSavedThenListed) {
  EXPECT_FALSE(store().LoadCursor("notifier").value().has_value());
  ASSERT_TRUE(store().SaveCursor("notifier", 5, 100, 0).ok());
  ASSERT_TRUE(store().SaveCursor("notifier", 9, 200, 0).ok());
  ASSERT_TRUE(store().SaveCursor("cache_keeper", 3, 150, 0).ok());
  EXPECT_EQ(store().LoadCursor("notifier").value(), std::optional<int64_t>(9));
  auto all = store().ListCursors().value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].consumer, "cache_keeper");
  EXPECT_EQ(all[1].consumer, "notifier");
  EXPECT_EQ(all[1].last_id, 9);
  EXPECT_EQ(all[1].updated_at_ms, 200);
}

TEST_P(EventLogTest, SaveCursorTrimsTheOutboxInTheSameWrite) {
  Append(5);
  ASSERT_TRUE(store().SaveCursor("notifier", 4, 100, 3).ok());
  auto left = store().ReadOutbox(0, 10).value();
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, 4);
}

TEST_P(EventLogTest, DeadLetterKeepsEveryFieldOfTheEvent) {
  const int64_t id = store().AddDeadLetter(Letter("notifier", 42)).value();
  auto listed = store().ListDeadLetters({}, 0, 10).value();
  ASSERT_EQ(listed.size(), 1u);
  const DeadLetter& d = listed[0];
  EXPECT_EQ(d.id, id);
  EXPECT_EQ(d.consumer, "notifier");
  EXPECT_EQ(d.event.id, 42);
  EXPECT_EQ(d.event.kind, EventKind::kStatusCreated);
  EXPECT_EQ(d.event.account_id, 7);
  EXPECT_EQ(d.event.subject_id, 8);
  EXPECT_EQ(d.event.created_at_ms, 9);
  EXPECT_EQ(d.event.related_id, 10);
  EXPECT_EQ(d.event.flags, kEventReblog);
  EXPECT_EQ(d.attempts, 6);
  EXPECT_EQ(d.last_error, "store unavailable");
  EXPECT_EQ(d.failed_at_ms, 1234);
  EXPECT_FALSE(d.replay);
}

TEST_P(EventLogTest, SelectionsPickByIdConsumerAndMark) {
  const int64_t a = store().AddDeadLetter(Letter("notifier", 1)).value();
  store().AddDeadLetter(Letter("notifier", 2)).value();
  store().AddDeadLetter(Letter("fan_out", 3)).value();
  EXPECT_EQ(store().CountDeadLetters({.consumer = "notifier"}).value(), 2);
  EXPECT_EQ(store().MarkForReplay({.id = a}).value(), 1);
  auto marked = store().ListDeadLetters({.marked_only = true}, 0, 10).value();
  ASSERT_EQ(marked.size(), 1u);
  EXPECT_EQ(marked[0].id, a);
  EXPECT_EQ(store().MarkForReplay({.consumer = "fan_out"}).value(), 1);
  EXPECT_EQ(store().CountDeadLetters({.marked_only = true}).value(), 2);
  EXPECT_EQ(store().DropDeadLetters({.consumer = "notifier"}).value(), 2);
  EXPECT_EQ(store().CountDeadLetters({}).value(), 1);
  EXPECT_EQ(store().DropDeadLetters({}).value(), 1);
  EXPECT_EQ(store().CountDeadLetters({}).value(), 0);
}

TEST_P(EventLogTest, ReplayFailureCountsAnAttemptAndClearsTheMark) {
  const int64_t id = store().AddDeadLetter(Letter("notifier", 1)).value();
  ASSERT_EQ(store().MarkForReplay({.id = id}).value(), 1);
  ASSERT_TRUE(store().RecordReplayFailure(id, "still failing", 5000).ok());
  auto d = store().ListDeadLetters({.id = id}, 0, 1).value().at(0);
  EXPECT_EQ(d.attempts, 7);
  EXPECT_EQ(d.last_error, "still failing");
  EXPECT_EQ(d.failed_at_ms, 5000);
  EXPECT_FALSE(d.replay);
  EXPECT_EQ(store().RecordReplayFailure(id + 1, "x", 1).error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Stores, EventLogTest, ::testing::ValuesIn(kStoreKinds), StoreKindName);

}  // namespace
}  // namespace chirp
