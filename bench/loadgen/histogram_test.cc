#include "histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "prng.h"

namespace chirp::loadgen {
namespace {

// The histogram's promise: at or above the true value, within 0.1% of it.
void ExpectWithinPrecision(uint64_t reported, uint64_t exact) {
  EXPECT_GE(reported, exact);
  EXPECT_LE(static_cast<double>(reported - exact), static_cast<double>(exact) / 1000.0)
      << "reported " << reported << " for " << exact;
}

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.Count(), 0u);
  EXPECT_EQ(h.Min(), 0u);
  EXPECT_EQ(h.Max(), 0u);
  EXPECT_EQ(h.Mean(), 0.0);
  EXPECT_EQ(h.ValueAtPercentile(50), 0u);
}

TEST(Histogram, UniformOneToTenThousand) {
  Histogram h;
  for (uint64_t v = 1; v <= 10000; ++v) h.Record(v);
  EXPECT_EQ(h.Count(), 10000u);
  EXPECT_EQ(h.Min(), 1u);
  EXPECT_EQ(h.Max(), 10000u);
  EXPECT_DOUBLE_EQ(h.Mean(), 5000.5);
  ExpectWithinPrecision(h.ValueAtPercentile(50), 5000);
  ExpectWithinPrecision(h.ValueAtPercentile(90), 9000);
  ExpectWithinPrecision(h.ValueAtPercentile(99), 9900);
  ExpectWithinPrecision(h.ValueAtPercentile(99.9), 9990);
  ExpectWithinPrecision(h.ValueAtPercentile(99.99), 9999);
  EXPECT_EQ(h.ValueAtPercentile(100), 10000u);
  EXPECT_EQ(h.ValueAtPercentile(0), 1u);
  // Values below 2048 are exact.
  EXPECT_EQ(h.ValueAtPercentile(10), 1000u);
  EXPECT_EQ(h.ValueAtPercentile(0.01), 1u);
}

TEST(Histogram, SingleValueIsEveryPercentile) {
  for (uint64_t v : {uint64_t{0}, uint64_t{42}, uint64_t{123'456'789}}) {
    Histogram h;
    h.Record(v);
    EXPECT_EQ(h.Min(), v);
    EXPECT_EQ(h.Max(), v);
    EXPECT_DOUBLE_EQ(h.Mean(), static_cast<double>(v));
    for (double p : {0.0, 1.0, 50.0, 99.9, 100.0}) EXPECT_EQ(h.ValueAtPercentile(p), v);
  }
}

TEST(Histogram, BimodalSplitsAtTheRightRank) {
  Histogram h;
  h.Record(1000, 900);
  h.Record(50'000, 100);
  EXPECT_EQ(h.ValueAtPercentile(50), 1000u);
  // Exactly 90% of the samples are <= 1000.
  EXPECT_EQ(h.ValueAtPercentile(90), 1000u);
  EXPECT_EQ(h.ValueAtPercentile(90.1), 50'000u);
  EXPECT_EQ(h.ValueAtPercentile(99), 50'000u);
  EXPECT_DOUBLE_EQ(h.Mean(), (900.0 * 1000 + 100.0 * 50'000) / 1000);
}

TEST(Histogram, PercentileRankDoesNotRoundUp) {
  // 99.9% of 1000 samples is the 999th: floating point must not make it
  // the 1000th.
  Histogram h;
  for (uint64_t v = 1; v <= 1000; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(99.9), 999u);
  EXPECT_EQ(h.ValueAtPercentile(99.95), 1000u);
}

TEST(Histogram, RelativeErrorStaysUnderATenthOfAPercent) {
  Prng rng(7);
  Histogram h;
  for (int i = 0; i < 2000; ++i) {
    // Log-uniform from 1 us to about 68 s.
    const auto v = static_cast<uint64_t>(std::exp(rng.Unit() * std::log(6.8e7)));
    h.Reset();
    h.Record(v);
    h.Record(Histogram::kHighestTrackable);
    ExpectWithinPrecision(h.ValueAtPercentile(50), v);
  }
}

TEST(Histogram, PercentilesOfRandomSamplesMatchSortedOrder) {
  Prng rng(11);
  Histogram h;
  std::vector<uint64_t> values;
  for (int i = 0; i < 100'000; ++i) {
    values.push_back(static_cast<uint64_t>(std::exp(rng.Unit() * std::log(6e7))));
    h.Record(values.back());
  }
  std::sort(values.begin(), values.end());
  for (double p : {1.0, 25.0, 50.0, 75.0, 90.0, 99.0, 99.9, 99.99}) {
    // 1-based rank of the p-th percentile; the slack undoes rounding (99.99%
    // of 100000 is exactly 99990).
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size() - 1e-6));
    ExpectWithinPrecision(h.ValueAtPercentile(p), values[rank - 1]);
  }
  EXPECT_EQ(h.ValueAtPercentile(100), values.back());
}

TEST(Histogram, ClampsValuesBeyondTheTrackableRange) {
  Histogram h;
  h.Record(Histogram::kHighestTrackable * 4);
  EXPECT_EQ(h.Max(), Histogram::kHighestTrackable);
  EXPECT_EQ(h.ValueAtPercentile(50), Histogram::kHighestTrackable);
}

TEST(Histogram, MergeEqualsRecordingEverything) {
  Histogram low;
  Histogram high;
  Histogram all;
  for (uint64_t v = 1; v <= 10000; ++v) {
    (v <= 5000 ? low : high).Record(v * 37);
    all.Record(v * 37);
  }
  Histogram merged;
  merged.Merge(low);
  merged.Merge(Histogram());
  merged.Merge(high);
  EXPECT_EQ(merged.Count(), all.Count());
  EXPECT_EQ(merged.Min(), all.Min());
  EXPECT_EQ(merged.Max(), all.Max());
  EXPECT_DOUBLE_EQ(merged.Mean(), all.Mean());
  for (double p : {0.0, 10.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(merged.ValueAtPercentile(p), all.ValueAtPercentile(p)) << p;
  }
}

TEST(Histogram, CorrectedRecordingBackFillsMissedRequests) {
  Histogram h;
  h.RecordCorrected(10'000, 1000);
  // 10 ms, and the requests that would have been sent every 1 ms meanwhile:
  // 9 ms, 8 ms, ... 1 ms.
  EXPECT_EQ(h.Count(), 10u);
  EXPECT_EQ(h.Min(), 1000u);
  EXPECT_EQ(h.Max(), 10'000u);
  ExpectWithinPrecision(h.ValueAtPercentile(50), 5000);
  EXPECT_DOUBLE_EQ(h.Mean(), 5500.0);
}

TEST(Histogram, CorrectedRecordingLeavesFastAnswersAlone) {
  Histogram h;
  h.RecordCorrected(500, 1000);
  h.RecordCorrected(1000, 1000);
  h.RecordCorrected(1500, 1000);
  h.RecordCorrected(700, 0);
  EXPECT_EQ(h.Count(), 4u);
  EXPECT_EQ(h.Max(), 1500u);
}

}  // namespace
}  // namespace chirp::loadgen
