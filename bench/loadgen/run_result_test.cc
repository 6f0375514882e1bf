#include "run_result.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

TEST(RunResult, MergesKindsErrorsAndCounters) {
  RunResult a;
  RunResult b;
  KindResult& home = a.kinds[static_cast<size_t>(RequestKind::kHome)];
  home.requests = 3;
  home.errors_by_status[503] = 1;
  home.latency.Record(100, 3);
  a.transport_errors["read: reset"] = 2;
  KindResult& post = b.kinds[static_cast<size_t>(RequestKind::kPost)];
  post.requests = 2;
  post.errors_by_status[503] = 2;
  post.latency.Record(300, 2);
  b.transport_errors["read: reset"] = 1;
  b.unfinished = 4;
  a.Merge(b);
  const KindResult total = a.Total();
  EXPECT_EQ(total.requests, 5u);
  EXPECT_EQ(total.error_count(), 3u);
  EXPECT_EQ(total.latency.Count(), 5u);
  EXPECT_EQ(total.latency.Max(), 300u);
  EXPECT_EQ(a.transport_error_count(), 3u);
  EXPECT_EQ(a.unfinished, 4u);
}

}  // namespace
}  // namespace chirp::loadgen
