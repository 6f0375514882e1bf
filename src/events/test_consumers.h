// For the events tests: consumers that record, fail, gather for Flush or
// block on demand, and a way to append events to a real store.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "events/event_consumer.h"
#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace chirp {

// Appends `n` events by `account` in one write each; returns the id of the
// last one.
inline int64_t AppendEvents(SqliteStore& store, int n, int64_t account = 1) {
  for (int i = 0; i < n; ++i) {
    Status s = store.Write([&](SqliteDb& db) {
      return AppendEvent(db, {.kind = EventKind::kStatusCreated,
                              .account_id = account,
                              .subject_id = 100 + i,
                              .created_at_ms = 1});
    });
    if (!s) return -1;
  }
  auto newest = store.NewestOutboxId();
  return newest ? *newest : -1;
}

// Records what it handled (after each successful Flush, so that only what
// counted is seen). Handle fails for the ids in `poison`, or for the next
// `fail_next` events; Flush fails while a gathered id is in
// `poison_flush`. Handle blocks while the gate is shut. Thread-safe.
class Recorder final : public EventConsumer {
 public:
  Status Handle(const OutboxEvent& e) override {
    std::unique_lock lock(mu_);
    ++handle_calls_[e.id];
    cv_.wait(lock, [&] { return open_; });
    if (fail_next_ > 0) {
      --fail_next_;
      return Error::Unavailable("store unavailable");
    }
    if (poison_.contains(e.id)) return Error::Internal("cannot handle " + std::to_string(e.id));
    gathered_.push_back(e.id);
    return {};
  }
  Status Flush() override {
    std::lock_guard lock(mu_);
    std::vector<int64_t> batch;
    batch.swap(gathered_);
    for (int64_t id : batch) {
      if (poison_flush_.contains(id)) return Error::Unavailable("flush failed");
    }
    seen_.insert(seen_.end(), batch.begin(), batch.end());
    cv_.notify_all();
    return {};
  }

  void Resumed() override {
    std::lock_guard lock(mu_);
    ++resumed_;
  }
  int resumed() {
    std::lock_guard lock(mu_);
    return resumed_;
  }

  void FailNext(int n) {
    std::lock_guard lock(mu_);
    fail_next_ = n;
  }
  void Poison(int64_t id) {
    std::lock_guard lock(mu_);
    poison_.insert(id);
  }
  void PoisonFlush(int64_t id) {
    std::lock_guard lock(mu_);
    poison_flush_.insert(id);
  }
  void Heal() {
    std::lock_guard lock(mu_);
    poison_.clear();
    poison_flush_.clear();
    fail_next_ = 0;
  }
  void Shut() {
    std::lock_guard lock(mu_);
    open_ = false;
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  // Waits until `n` events have counted; returns them.
  std::vector<int64_t> WaitFor(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return seen_.size() >= n; });
    return seen_;
  }
  std::vector<int64_t> seen() {
    std::lock_guard lock(mu_);
    return seen_;
  }
  int handle_calls(int64_t id) {
    std::lock_guard lock(mu_);
    return handle_calls_[id];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int64_t> gathered_;
  std::vector<int64_t> seen_;
  std::map<int64_t, int> handle_calls_;
  std::set<int64_t> poison_;
  std::set<int64_t> poison_flush_;
  int fail_next_ = 0;
  int resumed_ = 0;
  bool open_ = true;
};

}  // namespace chirp
