#include "events/outbox_drainer.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

namespace chirp {
namespace {

// An in-memory event log, with a switch to make reads fail.
class FakeLog final : public EventLog {
 public:
  void Append(EventKind kind, int64_t account) {
    std::function<void()> listener;
    {
      std::lock_guard lock(mu_);
      events_.push_back({++next_id_, kind, account, 0, 0});
      listener = listener_;
    }
    if (listener) listener();
  }
  Result<std::vector<OutboxEvent>> ReadOutbox(int64_t after_id, int limit) override {
    std::lock_guard lock(mu_);
    std::vector<OutboxEvent> out;
    for (const auto& e : events_) {
      if (e.id > after_id && static_cast<int>(out.size()) < limit) out.push_back(e);
    }
    return out;
  }
  Status AckOutbox(int64_t up_to_id) override {
    std::lock_guard lock(mu_);
    std::erase_if(events_, [&](const OutboxEvent& e) { return e.id <= up_to_id; });
    acked_ = up_to_id;
    return {};
  }
  void SetCommitListener(std::function<void()> listener) override {
    std::lock_guard lock(mu_);
    listener_ = std::move(listener);
  }
  int64_t acked() {
    std::lock_guard lock(mu_);
    return acked_;
  }

 private:
  std::mutex mu_;
  std::vector<OutboxEvent> events_;
  int64_t next_id_ = 0;
  int64_t acked_ = 0;
  std::function<void()> listener_;
};

class Recorder final : public EventConsumer {
 public:
  Status Handle(const OutboxEvent& e) override {
    std::lock_guard lock(mu_);
    if (fail_next_ > 0) {
      --fail_next_;
      return Error::Unavailable("store unavailable");
    }
    seen_.push_back(e.id);
    cv_.notify_all();
    return {};
  }
  void FailNext(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }
  std::vector<int64_t> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return seen_.size() >= n; });
    return seen_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> seen_;
  int fail_next_ = 0;
};

TEST(OutboxDrainer, HandsEveryEventToEveryConsumerInOrder) {
  FakeLog log;
  Recorder a, b;
  for (int i = 0; i < 5; ++i) log.Append(EventKind::kStatusCreated, i);
  ManualClock clock(0);
  OutboxDrainer drainer(log, clock, {&a, &b});
  ASSERT_TRUE(drainer.DrainNow().ok());
  EXPECT_EQ(a.WaitFor(5), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(b.WaitFor(5), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(log.acked(), 5);
}

TEST(OutboxDrainer, WakesOnCommitWhenRunning) {
  FakeLog log;
  Recorder r;
  ManualClock clock(0);
  OutboxDrainer drainer(log, clock, {&r});
  drainer.Start();
  log.Append(EventKind::kFollowed, 1);
  log.Append(EventKind::kFollowed, 2);
  EXPECT_EQ(r.WaitFor(2), (std::vector<int64_t>{1, 2}));
  drainer.Stop();
}

TEST(OutboxDrainer, RetriesAnEventWhoseConsumerFailed) {
  FakeLog log;
  Recorder r;
  r.FailNext(1);
  log.Append(EventKind::kStatusCreated, 1);
  ManualClock clock(0);
  OutboxDrainer drainer(log, clock, {&r});
  EXPECT_FALSE(drainer.DrainNow().ok());
  EXPECT_EQ(log.acked(), 0);  // nothing acknowledged: it will come again
  ASSERT_TRUE(drainer.DrainNow().ok());
  EXPECT_EQ(r.WaitFor(1), std::vector<int64_t>{1});
  EXPECT_EQ(log.acked(), 1);
}

}  // namespace
}  // namespace chirp
