#include "events/outbox_drainer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace chirp {
namespace {
// When a consumer fails (the store was unavailable), wait this long before
// handing the same event out again.
constexpr auto kRetryDelay = std::chrono::milliseconds(200);
// A commit listener wakes the drainer; this only bounds the wait when a
// wake-up was missed.
constexpr auto kIdleWait = std::chrono::seconds(1);
}  // namespace

OutboxDrainer::OutboxDrainer(EventLog& log, const Clock& clock,
                             std::vector<EventConsumer*> consumers)
    : log_(log), clock_(clock), consumers_(std::move(consumers)) {}

OutboxDrainer::~OutboxDrainer() { Stop(); }

void OutboxDrainer::Start() {
  log_.SetCommitListener([this] {
    {
      std::lock_guard lock(mu_);
      wake_ = true;
    }
    cv_.notify_one();
  });
  thread_ = std::thread([this] { Loop(); });
}

void OutboxDrainer::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

Result<size_t> OutboxDrainer::DrainBatch() {
  const int64_t batch_start = last_id_.load();
  auto events = log_.ReadOutbox(batch_start, kBatch);
  if (!events) return std::move(events).error();
  // Flushes every consumer and acknowledges what was handled; when a flush
  // fails, the batch starts over.
  const auto finish = [&](size_t done) -> Status {
    for (EventConsumer* consumer : consumers_) {
      if (Status s = consumer->Flush(); !s) {
        last_id_.store(batch_start);
        return s;
      }
    }
    if (done == 0) return {};
    return log_.AckOutbox(last_id_.load());
  };
  size_t done = 0;
  for (const OutboxEvent& event : *events) {
    for (EventConsumer* consumer : consumers_) {
      if (Status s = consumer->Handle(event); !s) {
        (void)finish(done);
        return std::move(s).error();
      }
    }
    last_id_.store(event.id);
    handled_.fetch_add(1, std::memory_order_relaxed);
    if (event.created_at_ms > 0) {
      const int64_t lag = std::max<int64_t>(0, clock_.NowMillis() - event.created_at_ms);
      last_lag_ms_.store(lag, std::memory_order_relaxed);
      const size_t bucket =
          static_cast<size_t>(std::lower_bound(kLagBucketsMs.begin(), kLagBucketsMs.end(), lag) -
                              kLagBucketsMs.begin());
      lag_counts_[bucket].fetch_add(1, std::memory_order_relaxed);
      lag_sum_ms_.fetch_add(static_cast<uint64_t>(lag), std::memory_order_relaxed);
    }
    ++done;
  }
  if (Status s = finish(done); !s) return std::move(s).error();
  return done;
}

std::vector<uint64_t> OutboxDrainer::lag_counts() const {
  std::vector<uint64_t> out;
  for (const auto& c : lag_counts_) out.push_back(c.load(std::memory_order_relaxed));
  return out;
}

Status OutboxDrainer::DrainNow() {
  for (;;) {
    auto done = DrainBatch();
    if (!done) return std::move(done).error();
    if (*done == 0) return {};
  }
}

void OutboxDrainer::Loop() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, kIdleWait, [&] { return wake_ || stopping_; });
      if (stopping_) return;
      wake_ = false;
    }
    for (;;) {
      auto done = DrainBatch();
      if (!done) {
        std::fprintf(stderr, "chirpd: event consumers paused: %s\n", done.error().message.c_str());
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, kRetryDelay, [&] { return stopping_; });
        if (stopping_) return;
        continue;
      }
      if (*done < static_cast<size_t>(kBatch)) break;
    }
  }
}

}  // namespace chirp
