// A durable consumer split by account into partitions, each a lane of its
// own (its own cursor and hold, event_lane.h), shared out among the
// processes that run the consumer. Every event of one account falls in one
// partition (PartitionOf), so per-account order holds within its lane, and
// the partitions of a busy consumer run in parallel, in as many processes
// as run it.
//
// Each process runs a lane for every partition and holds at most its
// share of them: ceil(partitions / processes running the consumer), the
// processes counted by the store (EventLog::JoinLaneGroup) at most every
// `refresh_ms`. A lane standing by takes its partition when this process
// holds fewer than its share and nobody holds the partition; a lane that
// holds one gives it up (saving its cursor first) when this process holds
// more than its share. So a worker that starts takes partitions over from
// the others within a few refreshes, and the partitions of a worker that
// ends (its holds end with its session, kill -9 included) go to the
// others. Thread-safe: the lanes of a group step on threads of their own.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "core/error.h"
#include "store/events.h"

namespace chirp {

// The partition, of `partitions`, that the events of `account_id` fall in.
int PartitionOf(int64_t account_id, int partitions);

class LaneGroup {
 public:
  // `log` must outlive the group. `partitions` at least 1.
  LaneGroup(EventLog& log, std::string name, int partitions, int64_t refresh_ms = 1000);
  LaneGroup(const LaneGroup&) = delete;
  LaneGroup& operator=(const LaneGroup&) = delete;

  const std::string& name() const { return name_; }
  int partitions() const { return partitions_; }
  // The name of partition `partition`'s lane (and cursor): "fan_out.2of8".
  std::string LaneName(int partition) const;

  // Before a lane tries to take its partition: true, and counted as held,
  // when this process holds fewer than its share.
  Result<bool> Reserve(int64_t now_ms);
  // A partition reserved and not taken after all, or one lost.
  void Unreserve();
  // For a lane that holds its partition: true, and no longer counted, when
  // this process holds more than its share; the lane then gives it up.
  Result<bool> GiveUpOne(int64_t now_ms);

  int held() const;
  int processes() const;  // as last counted

 private:
  // With mu_: this process's share, counting the processes when due.
  Result<int> ShareLocked(int64_t now_ms);

  EventLog& log_;
  const std::string name_;
  const int partitions_;
  const int64_t refresh_ms_;
  mutable std::mutex mu_;
  int held_ = 0;               // guarded by mu_
  int processes_ = 1;          // guarded by mu_
  int64_t next_count_ms_ = 0;  // guarded by mu_
};

}  // namespace chirp
