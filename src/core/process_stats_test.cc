#include "core/process_stats.h"

#include <gtest/gtest.h>

#include <memory>

namespace chirp {
namespace {

TEST(ProcessStats, ResidentBytesGrowWhenMemoryIsTouched) {
  const uint64_t before = ProcessResidentBytes();
  EXPECT_GT(before, 0u);
  constexpr size_t kBytes = 64 << 20;
  std::unique_ptr<char[]> block(new char[kBytes]);
  volatile char* pages = block.get();  // each page written, so it is resident
  for (size_t i = 0; i < kBytes; i += 4096) pages[i] = 1;
  EXPECT_GE(ProcessResidentBytes(), before + kBytes / 2);
}

TEST(ProcessStats, ThreadCpuTimeAdvancesWithWork) {
  const uint64_t before = ThreadCpuNanos();
  volatile uint64_t sum = 0;
  for (uint64_t i = 0; i < 20'000'000; ++i) sum = sum + i;
  EXPECT_GT(ThreadCpuNanos(), before);
}

}  // namespace
}  // namespace chirp
