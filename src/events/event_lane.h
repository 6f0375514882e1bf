// One consumer of the event stream in a lane of its own: its own cursor,
// its own batches read from the outbox, its own thread. A slow or failing
// consumer delays only its own lane; order within a lane is commit order,
// so per-account order holds for every consumer.
//
// Failures. When a batch fails (Handle or Flush), it is handed out again
// after a pause that starts at RetryPolicy::first_delay_ms and doubles up
// to max_delay_ms. An event whose Handle failed max_attempts times is
// written to the dead letters (store/events.h) and the lane goes on past
// it. A batch whose Flush failed max_attempts times is then handled one
// event at a time, so that only the event at fault becomes a dead letter.
// When the dead letter cannot be written (the store is unavailable), the
// lane keeps retrying the event rather than skip it.
//
// Replay. Dead letters an operator marked for replay (chirpd admin events
// replay) are handed to the consumer again before new events, at start and
// then every replay_check_ms: each is deleted when it succeeds, and counted
// one more attempt (its mark cleared) when it fails. A replayed event comes
// out of commit order; consumers, being idempotent and checking that an
// action still stands, cope with that as with any redelivery.
//
// Time comes from the injected Clock only: DrainOnce() takes one step and
// says when the next is due, so tests step a lane by hand without threads
// or sleeps; Start() runs the same steps on a thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "events/event_consumer.h"
#include "events/lag_histogram.h"
#include "events/lane_group.h"
#include "events/outbox_window.h"
#include "events/trim_point.h"
#include "store/events.h"

namespace chirp {

enum class CursorKind {
  // The consumer's work survives a restart (it writes to the store): its
  // cursor is saved in the store after each batch and it resumes from it;
  // without a saved cursor, from the oldest event the outbox holds.
  kDurable,
  // The consumer's state is in memory only, so it starts empty: the lane
  // begins at the end of the outbox as it is when the lane opens.
  kVolatile,
};

struct RetryPolicy {
  // Failed handlings of one event before it becomes a dead letter (and of
  // one batch before it is split into single events).
  int max_attempts = 6;
  int64_t first_delay_ms = 100;
  int64_t max_delay_ms = 5000;

  // The pause after the `failures`-th failure in a row (1 or more).
  int64_t DelayAfter(int failures) const;
};

struct LaneOptions {
  // Unique within a drainer: it names the cursor, the dead letters and the
  // metrics (e.g. "fan_out", "notifier").
  std::string name;
  CursorKind cursor = CursorKind::kVolatile;
  int batch = 512;  // events read and handled at a time
  RetryPolicy retry;
  // How often the lane looks for dead letters marked for replay (and
  // counts those waiting), and the longest it sleeps without a wake-up.
  int64_t replay_check_ms = 1000;
  // How often, at most, the lane saves its position (a durable cursor) and
  // trims the outbox: each is a write, and a write per batch would add a
  // commit, and a wake-up of every lane, for every batch. A durable
  // consumer redoes at most this much after a crash (consumers are
  // idempotent). A dead letter's skip is saved at once.
  int64_t save_every_ms = 100;
  // After a wake-up from idle, how long the lane lets further commits land
  // before it reads: under a stream of commits it then wakes once for many
  // instead of once for each. Adds at most this much to the lag.
  int64_t gather_us = 1000;
  // A partition of a consumer split by account (lane_group.h): the group
  // it belongs to (`name` is then the group's LaneName of `partition`) and
  // which partition. The lane hands the consumer only the events of its
  // partition, moves past the others, and holds its partition as the
  // group shares them out. Durable lanes only; null for a lane that takes
  // every event.
  LaneGroup* group = nullptr;
  int partition = 0;
};

// What a step did, and when the next one is due.
struct LaneStep {
  enum class Next {
    kNow,        // there is more to do
    kAt,         // a pause after a failure, until at_ms
    kWhenWoken,  // caught up: at the next commit or replay check
  };
  Next next = Next::kWhenWoken;
  int64_t at_ms = 0;
  // What went wrong, for the operator's log; empty when nothing did.
  std::string problem;
};

class EventLane {
 public:
  // `log`, `clock`, `consumer` and `trim` must outlive the lane; `trim` is
  // shared by the lanes of one drainer.
  // `window`, when given, is where the lane reads new events (shared by
  // the lanes of one drainer); it must outlive the lane too.
  EventLane(EventLog& log, const Clock& clock, EventConsumer& consumer, LaneOptions options,
            TrimPoint& trim, OutboxWindow* window = nullptr);
  ~EventLane();  // stops the thread, if started
  EventLane(const EventLane&) = delete;
  EventLane& operator=(const EventLane&) = delete;

  const std::string& name() const { return options_.name; }
  CursorKind cursor_kind() const { return options_.cursor; }

  // Positions the lane (see CursorKind); before the first step.
  Status Open();

  // One step on the calling thread: the marked dead letters when a check is
  // due, then one batch of new events (or the retry of one that failed).
  // One thread at a time steps a lane.
  LaneStep DrainOnce();

  // Steps on a thread of its own, sleeping between steps until woken, until
  // a pause ends or until the next replay check. After Open.
  void Start();
  // Stops after the step in hand. Idempotent.
  void Stop();
  // New events committed. Thread-safe, never blocks for long: called on
  // the store's writer thread.
  void Wake();

  // For /metrics; thread-safe.
  uint64_t handled() const { return handled_.load(std::memory_order_relaxed); }
  // The id of the last event handled (or set aside).
  int64_t position() const { return position_.load(std::memory_order_relaxed); }
  // Events committed after the position, as far as the lane has seen.
  int64_t pending() const;
  uint64_t dead_letters_written() const {
    return dead_letters_written_.load(std::memory_order_relaxed);
  }
  // Dead letters of this consumer in the store, as of the last check.
  int64_t dead_letters_waiting() const {
    return dead_letters_waiting_.load(std::memory_order_relaxed);
  }
  // From each event's commit to its handling by this consumer.
  const LagHistogram& lag() const { return lag_; }
  // Whether this process runs the lane now: always for a lane in memory;
  // for a durable one, while it holds it (EventLog::HoldLane).
  bool running() const {
    return options_.cursor == CursorKind::kVolatile || held_.load(std::memory_order_relaxed);
  }

 private:
  // Hands the marked dead letters to the consumer; counts those waiting.
  Status ReplayMarked(int64_t now);
  // The events [first, last) of a batch were handled: counts them and
  // moves past them.
  Status Advance(const OutboxEvent* first, const OutboxEvent* last, int64_t now);
  // Moves the position to `id` and makes it count: saved with the cursor
  // (durable) and offered to trimming.
  // Moves the position to `id`; saves it when a save is due (or
  // `save_now`), and otherwise leaves it for a later step.
  Status MoveTo(int64_t id, int64_t now, bool save_now = false);
  Status SaveProgress(int64_t now);
  // The events [first, last) failed with `error`: a pause, a split into
  // single events, or a dead letter.
  LaneStep Failed(const OutboxEvent* first, const OutboxEvent* last, const Error& error,
                  int64_t now);
  LaneStep Pause(int64_t now, std::string problem);
  // A durable lane runs in one process at a time (EventLog::HoldLane):
  // false while another holds it. On taking it over, the lane starts again
  // from the cursor the last holder saved. A partition's lane also takes
  // and gives up its partition as its group shares them out.
  Result<bool> Hold(int64_t now);
  // Gives the lane's partition up: its progress saved, its hold released.
  void GiveUp(int64_t now);
  // Whether the lane hands `event` to its consumer (its partition's).
  bool Mine(const OutboxEvent& event) const;
  void Run();

  EventLog& log_;
  OutboxWindow* const window_;
  const Clock& clock_;
  EventConsumer& consumer_;
  const LaneOptions options_;
  TrimPoint& trim_;
  const size_t trim_slot_;

  // The stepping thread's state.
  bool holding_ = false;         // a durable lane: this process runs it (Hold)
  bool unsaved_ = false;         // the position is ahead of the saved cursor and trim
  int64_t next_save_ms_ = 0;     // when a save is next due (options_.save_every_ms)
  int64_t failing_first_ = 0;    // the events failing in a row: their first id,
  int64_t failing_last_ = 0;     // their last id,
  int failures_ = 0;             // and how many times
  int64_t isolate_through_ = 0;  // up to this id, events go one at a time
  int64_t resume_at_ms_ = 0;     // no step before this time
  int64_t next_replay_check_ms_ = 0;

  std::atomic<bool> held_{false};  // holding_, for running()
  std::atomic<int64_t> position_{0};
  std::atomic<int64_t> newest_seen_{0};
  std::atomic<uint64_t> handled_{0};
  std::atomic<uint64_t> dead_letters_written_{0};
  std::atomic<int64_t> dead_letters_waiting_{0};
  LagHistogram lag_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;     // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace chirp
