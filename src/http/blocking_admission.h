// Admission to the blocking pool (http/execution.h): a bound on the requests
// waiting for it, and a deadline for each. A server under more load than its
// pool can serve sheds requests at once (the caller answers 503 with
// Retry-After) rather than queueing them without bound, and does not run a
// request that waited so long its client has likely given up: running it
// would only delay those behind it.
//
// Thread-safe: Enter on the network threads, Start on the pool's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <optional>

namespace chirp {

class BlockingAdmission {
 public:
  using Clock = std::chrono::steady_clock;

  BlockingAdmission(size_t limit, Clock::duration deadline) : limit_(limit), deadline_(deadline) {}

  // Queues a request arriving at `now`: the time it entered, or nullopt when
  // `limit` requests wait already (it is not queued then).
  std::optional<Clock::time_point> Enter(Clock::time_point now);
  // The request that entered at `entered` leaves the queue to run at `now`;
  // false when it waited past the deadline (it must not run then).
  bool Start(Clock::time_point entered, Clock::time_point now);

  size_t waiting() const { return waiting_.load(std::memory_order_relaxed); }

 private:
  const size_t limit_;
  const Clock::duration deadline_;
  std::atomic<size_t> waiting_{0};
};

}  // namespace chirp
