#include "timeline/memory_timeline_cache.h"

#include <gtest/gtest.h>

#include "timeline/timeline_cache_contract.h"

namespace chirp {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, TimelineCacheContract,
                         testing::Values(TimelineCacheFactory([](size_t capacity) {
                           return std::make_unique<MemoryTimelineCache>(capacity);
                         })));

TEST(MemoryTimelineCache, ShrinksToItsBudgetDroppingTheTimelinesReadLongestAgo) {
  MemoryTimelineCache cache;
  for (int64_t id = 1; id <= 100; ++id) {
    std::vector<TimelineEntry> entries;
    for (int64_t s = 1; s <= 50; ++s) entries.push_back(TimelineEntry::Of(id * 1000 + s, 2, 0));
    cache.Install(id, entries, /*now_ms=*/id);  // account 1 read longest ago
  }
  const size_t all = cache.Stats().bytes;
  EXPECT_EQ(cache.ShrinkTo(all), 0u);
  const size_t dropped = cache.ShrinkTo(all / 2);
  EXPECT_GE(dropped, 49u);
  EXPECT_LE(cache.Stats().bytes, all / 2);
  EXPECT_FALSE(cache.IsLive(1));
  EXPECT_FALSE(cache.IsLive(49));
  EXPECT_TRUE(cache.IsLive(100));
  // A read marks a timeline as recent: it outlives older ones.
  ASSERT_TRUE(cache.Read(60, {.limit = 20}, /*now_ms=*/1000).has_value());
  cache.ShrinkTo(cache.Stats().bytes / 4);
  EXPECT_TRUE(cache.IsLive(60));
  EXPECT_FALSE(cache.IsLive(61));  // read before 60 was
}

TEST(MemoryTimelineCache, DropsTimelinesNotReadWithinTheWindow) {
  MemoryTimelineCache cache;
  cache.Install(1, {}, 100);
  cache.Install(2, {}, 100);
  (void)cache.Read(2, {.limit = 1}, 500);
  EXPECT_EQ(cache.DropIdle(300), 1u);
  EXPECT_FALSE(cache.IsLive(1));
  EXPECT_TRUE(cache.IsLive(2));
}

}  // namespace
}  // namespace chirp
