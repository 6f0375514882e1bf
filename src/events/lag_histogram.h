// The lag of handled events, from each event's commit to its handling, by
// bucket: what /metrics reports as chirp_events_lag_seconds. Recording is
// lock-free; thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

namespace chirp {

class LagHistogram {
 public:
  // counts()[i] is of lags at most kBucketsMs[i] ms (and more than the
  // bound before); the last count is of lags above every bound.
  static constexpr std::array<int64_t, 14> kBucketsMs = {1,   2,   5,    10,   25,   50,    100,
                                                         250, 500, 1000, 2500, 5000, 10000, 60000};

  // Records one lag; a negative one (the clock stepped back) counts as 0.
  void Record(int64_t lag_ms);

  std::vector<uint64_t> counts() const;
  uint64_t sum_ms() const { return sum_ms_.load(std::memory_order_relaxed); }
  // The lag recorded last.
  int64_t last_ms() const { return last_ms_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<uint64_t>, kBucketsMs.size() + 1> counts_{};
  std::atomic<uint64_t> sum_ms_{0};
  std::atomic<int64_t> last_ms_{0};
};

}  // namespace chirp
