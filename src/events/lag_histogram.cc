#include "events/lag_histogram.h"

#include <algorithm>

namespace chirp {

void LagHistogram::Record(int64_t lag_ms) {
  lag_ms = std::max<int64_t>(0, lag_ms);
  last_ms_.store(lag_ms, std::memory_order_relaxed);
  const auto bucket = static_cast<size_t>(
      std::lower_bound(kBucketsMs.begin(), kBucketsMs.end(), lag_ms) - kBucketsMs.begin());
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_ms_.fetch_add(static_cast<uint64_t>(lag_ms), std::memory_order_relaxed);
}

std::vector<uint64_t> LagHistogram::counts() const {
  std::vector<uint64_t> out;
  out.reserve(counts_.size());
  for (const auto& c : counts_) out.push_back(c.load(std::memory_order_relaxed));
  return out;
}

}  // namespace chirp
