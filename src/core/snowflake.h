// Snowflake ids: 64-bit, time-ordered, unique across instances without
// coordination. Layout (most significant first):
//   1 bit zero (ids stay positive in signed 64-bit columns)
//  41 bits milliseconds since kEpochMillis (about 69 years)
//  10 bits worker id (0..1023), distinct per running instance
//  12 bits sequence within one millisecond (4096 ids per ms per worker)
#pragma once

#include <cstdint>
#include <mutex>

#include "core/clock.h"

namespace chirp {

class SnowflakeGenerator {
 public:
  static constexpr int64_t kEpochMillis = 1577836800000;  // 2020-01-01T00:00:00Z
  static constexpr int kWorkerBits = 10;
  static constexpr int kSequenceBits = 12;
  static constexpr int64_t kMaxWorker = (int64_t{1} << kWorkerBits) - 1;
  static constexpr int64_t kMaxSequence = (int64_t{1} << kSequenceBits) - 1;

  // `clock` must outlive the generator. `worker_id` must be in [0, kMaxWorker].
  SnowflakeGenerator(const Clock& clock, int64_t worker_id);

  // Thread-safe. Strictly increasing for this generator even when the clock
  // steps back: time then stays at the last issued millisecond, and when its
  // sequence runs out the generator borrows the next millisecond.
  int64_t Next();

  // The worker id given: distinct among the instances running at once.
  int64_t worker_id() const { return worker_id_; }

  // The millisecond timestamp encoded in an id.
  static int64_t MillisOf(int64_t id) {
    return (id >> (kWorkerBits + kSequenceBits)) + kEpochMillis;
  }
  // The smallest id that any generator could issue at `millis`; for turning
  // a time into a pagination bound.
  static int64_t FirstIdAt(int64_t millis) {
    return (millis - kEpochMillis) << (kWorkerBits + kSequenceBits);
  }
  // The id `worker_id` gives its `sequence`-th id (modulo 4096) of
  // `millis`: for importing history, whose ids must sort with its times.
  // Preconditions: millis >= kEpochMillis, worker_id in [0, kMaxWorker].
  static int64_t IdAt(int64_t millis, int64_t worker_id, int64_t sequence) {
    return FirstIdAt(millis) | (worker_id << kSequenceBits) | (sequence & kMaxSequence);
  }

 private:
  const Clock& clock_;
  const int64_t worker_id_;
  std::mutex mu_;
  int64_t last_millis_ = 0;  // guarded by mu_
  int64_t sequence_ = 0;     // guarded by mu_
};

}  // namespace chirp
