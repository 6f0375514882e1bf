// A worker id held for the life of a process. Snowflake ids keep the
// processes that share a store apart by their 10-bit worker id, so two
// processes must never run with the same one at once. A lease is an
// advisory lock (flock) on <data dir>/workers/<id>.lock: the kernel
// releases it when the process ends, however it ends, so a crashed holder
// leaves nothing behind to clean up.
#pragma once

#include <cstdint>
#include <string>

#include "core/error.h"

namespace chirp {

class WorkerLease {
 public:
  // Holds `worker_id`: kUnavailable, naming it, while another process (or
  // another lease in this one) holds it.
  static Result<WorkerLease> Hold(const std::string& data_dir, int64_t worker_id);
  // Holds the highest id in [lowest, highest] that nobody holds:
  // kUnavailable when all are held.
  static Result<WorkerLease> HoldFree(const std::string& data_dir, int64_t lowest, int64_t highest);

  WorkerLease(WorkerLease&& other) noexcept;
  WorkerLease& operator=(WorkerLease&& other) noexcept;
  WorkerLease(const WorkerLease&) = delete;
  WorkerLease& operator=(const WorkerLease&) = delete;
  ~WorkerLease();  // releases the id

  int64_t worker_id() const { return worker_id_; }

 private:
  WorkerLease(int fd, int64_t worker_id) : fd_(fd), worker_id_(worker_id) {}

  int fd_ = -1;
  int64_t worker_id_ = 0;
};

}  // namespace chirp
