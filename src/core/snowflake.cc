#include "core/snowflake.h"

#include <algorithm>

namespace chirp {

SnowflakeGenerator::SnowflakeGenerator(const Clock& clock, int64_t worker_id)
    : clock_(clock), worker_id_(std::clamp<int64_t>(worker_id, 0, kMaxWorker)) {}

int64_t SnowflakeGenerator::Next() {
  const int64_t now = clock_.NowMillis() - kEpochMillis;
  std::lock_guard lock(mu_);
  if (now > last_millis_) {
    last_millis_ = now;
    sequence_ = 0;
  } else if (++sequence_ > kMaxSequence) {
    // Same millisecond (or the clock went back): move into the next
    // millisecond rather than wait, so a clock step never stalls posting.
    ++last_millis_;
    sequence_ = 0;
  }
  return (last_millis_ << (kWorkerBits + kSequenceBits)) | (worker_id_ << kSequenceBits) |
         sequence_;
}

}  // namespace chirp
