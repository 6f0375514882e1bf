// The newest events read from the outbox, kept for all the lanes of one
// drainer: lanes that follow close behind one another read the store once
// between them instead of once each, and a lane that is caught up reads
// nothing until a commit brought new events. A lane further behind than the
// window reaches reads the store itself.
//
// Thread-safe: one lock, held during the store read it saves the others.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "store/events.h"

namespace chirp {

class OutboxWindow {
 public:
  static constexpr size_t kDefaultCapacity = 8192;
  static constexpr int kFetch = 512;  // events read from the store at a time

  // `log` must outlive the window.
  explicit OutboxWindow(EventLog& log, size_t capacity = kDefaultCapacity)
      : log_(log), capacity_(capacity) {}

  // As EventLog::ReadOutbox: the events after `after_id`, oldest first, at
  // most `limit`.
  Result<std::vector<OutboxEvent>> Read(int64_t after_id, int limit);

  // A commit carried events (the store's commit listener): the next read
  // that reaches the window's end asks the store again.
  void NoteCommit() { commits_.fetch_add(1, std::memory_order_release); }
  // Whether NoteCommit hears of every commit (a drainer's listener is set).
  // Until it does, every read that reaches the window's end asks the store.
  void FollowCommits(bool following) { following_.store(following); }

  // Reads of the store so far, for tests and metrics.
  uint64_t store_reads() const { return store_reads_.load(std::memory_order_relaxed); }

 private:
  // Appends the window's events after `after_id` to `out`, up to `limit`.
  void Collect(int64_t after_id, int limit, std::vector<OutboxEvent>& out) const;

  EventLog& log_;
  const size_t capacity_;
  std::mutex mu_;
  // Every event with start_ < id <= end_, ascending; guarded by mu_.
  std::deque<OutboxEvent> events_;
  bool anchored_ = false;  // start_ and end_ set; guarded by mu_
  int64_t start_ = 0;      // guarded by mu_
  int64_t end_ = 0;        // guarded by mu_
  // The store's end was end_ as of this many commits; guarded by mu_.
  uint64_t end_as_of_commits_ = UINT64_MAX;
  std::atomic<uint64_t> commits_{0};
  std::atomic<bool> following_{false};
  std::atomic<uint64_t> store_reads_{0};
};

}  // namespace chirp
