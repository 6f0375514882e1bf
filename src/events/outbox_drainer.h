// Drains the outbox in process (the embedded deployment): a thread reads the
// events that committed, hands each to every consumer in order, and then
// acknowledges them. Consumers must be idempotent: after a crash, the events
// not yet acknowledged are handed out again.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "store/events.h"

namespace chirp {

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  // Handles one event. An error stops the drain at this event, which is
  // retried later (the store may be unavailable for a moment).
  virtual Status Handle(const OutboxEvent& event) = 0;
  // Writes what Handle deferred: a consumer may gather the writes of a whole
  // batch into one transaction. Called after each batch (and before an
  // error ends one), before the batch is acknowledged; when it fails, the
  // batch is handed out again, so it must drop what it gathered either way.
  virtual Status Flush() { return {}; }
};

class OutboxDrainer {
 public:
  static constexpr int kBatch = 512;

  // `log`, `clock` and the consumers must outlive the drainer.
  OutboxDrainer(EventLog& log, const Clock& clock, std::vector<EventConsumer*> consumers);
  ~OutboxDrainer();  // stops after the batch in hand

  // Starts the draining thread; it wakes on every commit of the store.
  void Start();
  void Stop();
  // Drains everything committed so far on the calling thread; for the
  // operator command and tests. Not to be mixed with Start().
  Status DrainNow();

  // Events handled so far, and the id of the newest event seen in the outbox
  // minus the last handled: the queue depth for /metrics.
  uint64_t handled() const { return handled_.load(std::memory_order_relaxed); }
  // Milliseconds from the commit of the newest handled event to its handling:
  // the lag of fan-out and every other consequence.
  int64_t last_lag_ms() const { return last_lag_ms_.load(std::memory_order_relaxed); }
  int64_t last_handled_id() const { return last_id_.load(std::memory_order_relaxed); }

  // The lag of every handled event, by bucket: lag_counts()[i] events took
  // at most kLagBucketsMs[i] ms (and more than the bucket before); the last
  // count is of events slower than every bound.
  static constexpr std::array<int64_t, 14> kLagBucketsMs = {
      1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000};
  std::vector<uint64_t> lag_counts() const;
  uint64_t lag_sum_ms() const { return lag_sum_ms_.load(std::memory_order_relaxed); }

 private:
  void Loop();
  // Handles one batch; returns how many events it handled.
  Result<size_t> DrainBatch();

  EventLog& log_;
  const Clock& clock_;
  std::vector<EventConsumer*> consumers_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false;      // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::atomic<uint64_t> handled_{0};
  std::atomic<int64_t> last_id_{0};
  std::atomic<int64_t> last_lag_ms_{0};
  std::array<std::atomic<uint64_t>, kLagBucketsMs.size() + 1> lag_counts_{};
  std::atomic<uint64_t> lag_sum_ms_{0};
};

}  // namespace chirp
