#include "events/event_lane.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/thread_entry.h"

namespace chirp {

int64_t RetryPolicy::DelayAfter(int failures) const {
  int64_t delay = first_delay_ms;
  for (int i = 1; i < failures && delay < max_delay_ms; ++i) delay *= 2;
  return std::min(delay, max_delay_ms);
}

EventLane::EventLane(EventLog& log, const Clock& clock, EventConsumer& consumer,
                     LaneOptions options, TrimPoint& trim, OutboxWindow* window)
    : log_(log),
      window_(window),
      clock_(clock),
      consumer_(consumer),
      options_(std::move(options)),
      trim_(trim),
      trim_slot_(trim.AddSlot()) {}

EventLane::~EventLane() { Stop(); }

Status EventLane::Open() {
  int64_t start = 0;
  if (options_.cursor == CursorKind::kDurable) {
    auto saved = log_.LoadCursor(options_.name);
    if (!saved) return std::move(saved).error();
    start = saved->value_or(0);
  } else {
    auto newest = log_.NewestOutboxId();
    if (!newest) return std::move(newest).error();
    start = *newest;
  }
  auto waiting = log_.CountDeadLetters({.consumer = options_.name});
  if (!waiting) return std::move(waiting).error();
  dead_letters_waiting_.store(*waiting, std::memory_order_relaxed);
  position_.store(start, std::memory_order_relaxed);
  newest_seen_.store(start, std::memory_order_relaxed);
  trim_.Set(trim_slot_, start);
  return {};
}

int64_t EventLane::pending() const {
  return std::max<int64_t>(
      0, newest_seen_.load(std::memory_order_relaxed) - position_.load(std::memory_order_relaxed));
}

bool EventLane::Mine(const OutboxEvent& event) const {
  return options_.group == nullptr ||
         PartitionOf(event.account_id, options_.group->partitions()) == options_.partition;
}

void EventLane::GiveUp(int64_t now) {
  // Saved first, so that the next holder starts where this one stopped;
  // should the save fail, it redoes a little (consumers are idempotent).
  if (unsaved_) (void)SaveProgress(now);
  log_.ReleaseLane(options_.name);
  holding_ = false;
  held_.store(false, std::memory_order_relaxed);
  unsaved_ = false;
  std::fprintf(stderr, "chirpd: events: %s: given up at %lld, to share the partitions\n",
               options_.name.c_str(), static_cast<long long>(position()));
}

Result<bool> EventLane::Hold(int64_t now) {
  LaneGroup* const group = options_.group;
  bool reserved = false;
  if (group != nullptr && holding_) {
    auto over = group->GiveUpOne(now);
    if (!over) return std::move(over).error();
    if (*over) {
      GiveUp(now);
      return false;
    }
  } else if (group != nullptr) {
    auto may = group->Reserve(now);
    if (!may) return std::move(may).error();
    if (!*may) return false;
    reserved = true;
  }
  auto held = log_.HoldLane(options_.name);
  if (!held) {
    if (reserved) group->Unreserve();
    return std::move(held).error();
  }
  if (!*held) {
    // Another process runs the lane: what this one handled and did not
    // save, that one does again (consumers are idempotent).
    if (holding_) {
      std::fprintf(stderr, "chirpd: events: %s: lost (its session ended), run elsewhere now\n",
                   options_.name.c_str());
    }
    if (group != nullptr && (reserved || holding_)) group->Unreserve();
    holding_ = false;
    held_.store(false, std::memory_order_relaxed);
    unsaved_ = false;
    return false;
  }
  if (holding_) return true;
  auto saved = log_.LoadCursor(options_.name);
  if (!saved) {
    // Taken but not started: given back, tried again after a pause.
    log_.ReleaseLane(options_.name);
    if (reserved) group->Unreserve();
    return std::move(saved).error();
  }
  const int64_t start = saved->value_or(0);
  position_.store(start, std::memory_order_relaxed);
  newest_seen_.store(start, std::memory_order_relaxed);
  trim_.Set(trim_slot_, start);
  holding_ = true;
  held_.store(true, std::memory_order_relaxed);
  consumer_.Resumed();
  if (group != nullptr) {
    // Which process runs which partition, for the operator (and the
    // deployment's test).
    std::fprintf(stderr, "chirpd: events: %s: taken up at %lld\n", options_.name.c_str(),
                 static_cast<long long>(start));
  }
  return true;
}

LaneStep EventLane::DrainOnce() {
  const int64_t now = clock_.NowMillis();
  if (now < resume_at_ms_) return {LaneStep::Next::kAt, resume_at_ms_, {}};
  if (options_.cursor == CursorKind::kDurable) {
    auto held = Hold(now);
    if (!held) return Pause(now, "holding the lane: " + held.error().message);
    // Standing by: looked at again after a while, not at every commit.
    if (!*held) return {LaneStep::Next::kAt, now + options_.replay_check_ms, {}};
  }
  std::string problem;
  if (now >= next_replay_check_ms_) {
    next_replay_check_ms_ = now + options_.replay_check_ms;
    // A failing check is tried again at the next one; new events go on.
    if (Status s = ReplayMarked(now); !s) problem = "replaying dead letters: " + s.error().message;
  }
  if (unsaved_ && now >= next_save_ms_) {
    if (Status s = SaveProgress(now); !s)
      return Pause(now, "saving the cursor: " + s.error().message);
  }
  const int64_t from = position();
  const bool isolating = from < isolate_through_;
  const int limit = isolating ? 1 : options_.batch;
  auto events = window_ != nullptr ? window_->Read(from, limit) : log_.ReadOutbox(from, limit);
  if (!events) return Pause(now, "reading the outbox: " + events.error().message);
  // A short read reached the end; a full one asks where the end is.
  if (static_cast<int>(events->size()) == limit) {
    if (auto newest = log_.NewestOutboxId(); newest) {
      newest_seen_.store(std::max(*newest, events->back().id), std::memory_order_relaxed);
    }
  } else {
    newest_seen_.store(events->empty() ? from : events->back().id, std::memory_order_relaxed);
  }
  if (events->empty()) return {LaneStep::Next::kWhenWoken, 0, std::move(problem)};

  const OutboxEvent* first = events->data();
  const OutboxEvent* end = first + events->size();
  const OutboxEvent* failed = end;
  Status handled;
  for (const OutboxEvent* e = first; e != end; ++e) {
    if (!Mine(*e)) continue;
    handled = consumer_.Handle(*e);
    if (!handled) {
      failed = e;
      break;
    }
  }
  // Flushed even after a failure: what came before it is done, and the
  // consumer drops what it gathered either way.
  if (Status flushed = consumer_.Flush(); !flushed) {
    // Nothing of the batch counts. When no event got through, the first
    // is at fault on its own.
    const OutboxEvent* last = failed == first ? first + 1 : failed;
    return Failed(first, last, failed == first ? handled.error() : flushed.error(), now);
  }
  if (failed != first) {
    if (Status s = Advance(first, failed, now); !s) {
      return Pause(now, "saving the cursor: " + s.error().message);
    }
  }
  if (failed != end) return Failed(failed, failed + 1, handled.error(), now);
  failures_ = 0;
  const bool more = static_cast<int>(events->size()) == limit;
  return {more ? LaneStep::Next::kNow : LaneStep::Next::kWhenWoken, 0, std::move(problem)};
}

LaneStep EventLane::Failed(const OutboxEvent* first, const OutboxEvent* last, const Error& error,
                           int64_t now) {
  const int64_t first_id = first->id;
  const int64_t last_id = (last - 1)->id;
  if (first_id == failing_first_ && last_id == failing_last_) {
    ++failures_;
  } else {
    failing_first_ = first_id;
    failing_last_ = last_id;
    failures_ = 1;
  }
  const std::string attempt = " (attempt " + std::to_string(failures_) + " of " +
                              std::to_string(options_.retry.max_attempts) + "): " + error.message;
  if (failures_ < options_.retry.max_attempts) {
    if (last - first == 1) return Pause(now, "event " + std::to_string(first_id) + attempt);
    return Pause(now,
                 "events " + std::to_string(first_id) + " to " + std::to_string(last_id) + attempt);
  }
  if (last - first > 1) {
    // The batch keeps failing in Flush: one event at a time finds the one
    // at fault, and lets the others through.
    isolate_through_ = last_id;
    failures_ = 0;
    return {LaneStep::Next::kNow, 0,
            "events " + std::to_string(first_id) + " to " + std::to_string(last_id) + attempt +
                "; trying them one at a time"};
  }
  DeadLetter letter{.consumer = options_.name,
                    .event = *first,
                    .attempts = failures_,
                    .last_error = error.message,
                    .failed_at_ms = now};
  if (auto added = log_.AddDeadLetter(letter); !added) {
    // Never skipped unrecorded: the event is tried again, and set aside
    // once the store takes the dead letter.
    return Pause(now, "event " + std::to_string(first_id) + attempt +
                          "; cannot set it aside: " + added.error().message);
  }
  dead_letters_written_.fetch_add(1, std::memory_order_relaxed);
  dead_letters_waiting_.fetch_add(1, std::memory_order_relaxed);
  failures_ = 0;
  std::string problem =
      "event " + std::to_string(first_id) + attempt + "; set aside as a dead letter";
  if (Status s = MoveTo(first_id, now, /*save_now=*/true); !s) {
    return Pause(now, problem + "; saving the cursor: " + s.error().message);
  }
  return {LaneStep::Next::kNow, 0, std::move(problem)};
}

LaneStep EventLane::Pause(int64_t now, std::string problem) {
  resume_at_ms_ = now + options_.retry.DelayAfter(std::max(failures_, 1));
  return {LaneStep::Next::kAt, resume_at_ms_, std::move(problem)};
}

Status EventLane::Advance(const OutboxEvent* first, const OutboxEvent* last, int64_t now) {
  uint64_t mine = 0;
  for (const OutboxEvent* e = first; e != last; ++e) {
    if (!Mine(*e)) continue;
    ++mine;
    if (e->created_at_ms > 0) lag_.Record(now - e->created_at_ms);
  }
  handled_.fetch_add(mine, std::memory_order_relaxed);
  return MoveTo((last - 1)->id, now);
}

Status EventLane::MoveTo(int64_t id, int64_t now, bool save_now) {
  position_.store(id, std::memory_order_relaxed);
  unsaved_ = true;
  if (!save_now && now < next_save_ms_) return {};
  return SaveProgress(now);
}

Status EventLane::SaveProgress(int64_t now) {
  const int64_t at = position();
  const int64_t floor = trim_.FloorWith(trim_slot_, at);
  const int64_t trim_to = trim_.Claim(floor) ? floor : 0;
  if (options_.cursor == CursorKind::kDurable) {
    // The cursor and the trimming in one write: the outbox never loses an
    // event this consumer has not saved past.
    if (Status s = log_.SaveCursor(options_.name, at, now, trim_to); !s) return s;
    trim_.Set(trim_slot_, at);
  } else {
    trim_.Set(trim_slot_, at);
    // A failed trim only leaves events for the next one to delete.
    if (trim_to > 0) (void)log_.AckOutbox(trim_to);
  }
  unsaved_ = false;
  next_save_ms_ = now + options_.save_every_ms;
  return {};
}

Status EventLane::ReplayMarked(int64_t now) {
  auto letters =
      log_.ListDeadLetters({.consumer = options_.name, .marked_only = true}, 0, options_.batch);
  if (!letters) return std::move(letters).error();
  for (const DeadLetter& letter : *letters) {
    Status handled = consumer_.Handle(letter.event);
    Status flushed = consumer_.Flush();
    if (handled && !flushed) handled = std::move(flushed);
    if (handled) {
      // Should the deletion fail, the letter stays marked and comes again.
      auto dropped = log_.DropDeadLetters({.id = letter.id});
      if (!dropped) return std::move(dropped).error();
      continue;
    }
    Status recorded = log_.RecordReplayFailure(letter.id, handled.error().message, now);
    if (!recorded && recorded.error().code != ErrorCode::kNotFound) return recorded;
  }
  auto waiting = log_.CountDeadLetters({.consumer = options_.name});
  if (!waiting) return std::move(waiting).error();
  dead_letters_waiting_.store(*waiting, std::memory_order_relaxed);
  return {};
}

void EventLane::Start() {
  thread_ = std::thread([this] { RunThread("lane:" + options_.name, [this] { Run(); }); });
}

void EventLane::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // What was handled since the last save; should this fail, a restart
  // hands those events out again.
  if (unsaved_) (void)SaveProgress(clock_.NowMillis());
}

void EventLane::Wake() {
  {
    std::lock_guard lock(mu_);
    // Once woken, the lane reads every commit up to when it reads: further
    // commits need no notice, and a notice during the gathering pause
    // would only wake the thread to sleep again.
    if (woken_) return;
    woken_ = true;
  }
  cv_.notify_one();
}

void EventLane::Run() {
  for (;;) {
    const LaneStep step = DrainOnce();
    if (!step.problem.empty()) {
      std::fprintf(stderr, "chirpd: events: %s: %s\n", options_.name.c_str(), step.problem.c_str());
    }
    std::unique_lock lock(mu_);
    if (stopping_) return;
    switch (step.next) {
      case LaneStep::Next::kNow:
        break;
      case LaneStep::Next::kAt: {
        // Commits do not cut a pause short: that would retry at the rate
        // of commits.
        const int64_t wait_ms = std::max<int64_t>(0, step.at_ms - clock_.NowMillis());
        cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [&] { return stopping_; });
        break;
      }
      case LaneStep::Next::kWhenWoken:
        // Progress not yet saved is saved when due, woken or not.
        cv_.wait_for(
            lock,
            std::chrono::milliseconds(unsaved_ ? options_.save_every_ms : options_.replay_check_ms),
            [&] { return stopping_ || woken_; });
        if (woken_ && options_.gather_us > 0) {
          // Let the commits right behind this one land, and read them in
          // one batch rather than wake for each.
          cv_.wait_for(lock, std::chrono::microseconds(options_.gather_us),
                       [&] { return stopping_; });
        }
        woken_ = false;
        break;
    }
    if (stopping_) return;
  }
}

}  // namespace chirp
