#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace chirp::loadgen {
namespace {

// Values below 2^kExactBits are their own bucket; above, each power of two
// holds 2^kSubBucketBits buckets: 1024 gives a relative width of 1/1024.
constexpr int kSubBucketBits = 10;
constexpr int kExactBits = kSubBucketBits + 1;
constexpr uint64_t kExactLimit = uint64_t{1} << kExactBits;
constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;
constexpr int kTrackedBits = std::bit_width(Histogram::kHighestTrackable);
constexpr size_t kBuckets = kExactLimit + (kTrackedBits - kExactBits) * kSubBuckets;

}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

size_t Histogram::IndexOf(uint64_t value) {
  if (value < kExactLimit) return static_cast<size_t>(value);
  // value >> shift lies in [kSubBuckets, 2 * kSubBuckets).
  const int shift = std::bit_width(value) - 1 - kSubBucketBits;
  return kExactLimit + (shift - 1) * kSubBuckets + ((value >> shift) - kSubBuckets);
}

uint64_t Histogram::HighestEquivalent(size_t index) {
  if (index < kExactLimit) return index;
  const uint64_t above = index - kExactLimit;
  const int shift = static_cast<int>(above / kSubBuckets) + 1;
  const uint64_t lowest = (kSubBuckets + above % kSubBuckets) << shift;
  return lowest + (uint64_t{1} << shift) - 1;
}

void Histogram::Record(uint64_t value, uint64_t count) {
  if (count == 0) return;
  value = std::min(value, kHighestTrackable);
  counts_[IndexOf(value)] += count;
  if (count_ == 0 || value < min_) min_ = value;
  max_ = std::max(max_, value);
  count_ += count;
  sum_ += value * count;
}

void Histogram::RecordCorrected(uint64_t value, uint64_t expected_interval) {
  value = std::min(value, kHighestTrackable);
  Record(value);
  if (expected_interval == 0 || value <= expected_interval) return;
  for (uint64_t missed = value - expected_interval; missed >= expected_interval;
       missed -= expected_interval) {
    Record(missed);
  }
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::Reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = min_ = max_ = sum_ = 0;
}

double Histogram::Mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

uint64_t Histogram::ValueAtPercentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  if (p == 0.0) return min_;
  // The rank of the wanted sample, 1-based: the least k with k >= p% of
  // count. The small slack keeps 99.9% of 1000 from rounding up to 1000.
  const double exact = p / 100.0 * static_cast<double>(count_);
  const double slack = exact * 1e-12;
  auto rank = static_cast<uint64_t>(std::ceil(exact - slack));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = IndexOf(min_); i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(HighestEquivalent(i), min_, max_);
  }
  return max_;
}

}  // namespace chirp::loadgen
