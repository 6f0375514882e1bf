// Latency histograms in the manner of HdrHistogram: log-linear buckets with
// a fixed relative precision, cheap to record into and to merge.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chirp::loadgen {

// Counts non-negative integer values (the load generator records
// microseconds). Values below 2048 are kept exactly; above, each power of
// two is split into 1024 buckets, so a value is reported within 1/1024 of
// itself (relative error under 0.1%, three significant decimal digits).
// Values up to kHighestTrackable (2^32 - 1 us, over an hour) are tracked;
// larger ones count as kHighestTrackable. Count, Min, Max and Mean are
// exact.
//
// Construction allocates the counters once (about 190 KB); recording and
// merging never allocate. Not thread-safe: keep one per thread and Merge.
class Histogram {
 public:
  static constexpr uint64_t kHighestTrackable = (uint64_t{1} << 32) - 1;

  Histogram();

  void Record(uint64_t value) { Record(value, 1); }
  void Record(uint64_t value, uint64_t count);

  // Records `value` and, when it exceeds `expected_interval` (> 0), the
  // samples a closed-loop client failed to send while it waited: value -
  // interval, value - 2 * interval, ... down to the interval. This restores
  // the latencies that coordinated omission hides, as HdrHistogram's
  // recordValueWithExpectedInterval does. An interval of 0 records `value`
  // alone. Takes time in proportion to value / expected_interval.
  void RecordCorrected(uint64_t value, uint64_t expected_interval);

  // Adds every sample of `other`.
  void Merge(const Histogram& other);
  void Reset();

  uint64_t Count() const { return count_; }
  // Min and Max are 0 for an empty histogram; Mean is 0.0.
  uint64_t Min() const { return count_ == 0 ? 0 : min_; }
  uint64_t Max() const { return max_; }
  double Mean() const;

  // The smallest recorded value v such that at least p% of the samples are
  // <= v, to the histogram's precision: the highest value of v's bucket,
  // clamped to [Min, Max]. p is clamped to [0, 100]; p = 0 gives Min,
  // p = 100 gives Max; an empty histogram gives 0.
  uint64_t ValueAtPercentile(double p) const;

 private:
  static size_t IndexOf(uint64_t value);
  static uint64_t HighestEquivalent(size_t index);

  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = 0;
  uint64_t max_ = 0;
  // Sum of the recorded (clamped) values, for the mean; overflows only past
  // about 4 * 10^9 samples of an hour each.
  uint64_t sum_ = 0;
};

}  // namespace chirp::loadgen
