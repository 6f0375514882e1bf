// Where each account's last write ended in the primary's write-ahead log
// (a byte position), for read-your-writes on streaming replicas: a replica
// serves an account's read once it has replayed past that position
// (store/postgres/pg_replicas.h).
//
// A position is kept `keep_ms` after its write at least; the store sends
// no read to a replica that lags by more than a fraction of that, so a
// forgotten position is always one every replica in use has replayed.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "core/error.h"

namespace chirp {

// How long positions are kept for replicas that may lag by
// `max_replica_lag_ms`: long enough that a forgotten position is one every
// replica in use has replayed, with room for the polls' delay.
constexpr int64_t WritePositionKeepMs(int64_t max_replica_lag_ms) { return 6 * max_replica_lag_ms; }

class WritePositions {
 public:
  virtual ~WritePositions() = default;
  // Raises the account's position to `position` (never lowers it).
  virtual Status Record(int64_t account_id, uint64_t position) = 0;
  // The account's position; 0 when it wrote nothing that is still kept.
  virtual Result<uint64_t> Find(int64_t account_id) = 0;
};

// The writes of this process alone: for one API instance, or instances
// behind a load balancer that keeps each account on one of them. Several
// instances that share the load need positions they all see (Redis:
// redis/redis_write_positions.h).
class MemoryWritePositions final : public WritePositions {
 public:
  explicit MemoryWritePositions(int64_t keep_ms) : keep_ms_(keep_ms) {}
  Status Record(int64_t account_id, uint64_t position) override;
  Result<uint64_t> Find(int64_t account_id) override;

 private:
  struct Kept {
    uint64_t position;
    int64_t at_ms;  // steady clock
  };
  const int64_t keep_ms_;
  std::mutex mu_;
  std::unordered_map<int64_t, Kept> kept_;  // guarded by mu_
  int64_t next_sweep_ms_ = 0;               // guarded by mu_
};

}  // namespace chirp
