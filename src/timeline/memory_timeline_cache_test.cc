#include "timeline/memory_timeline_cache.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

std::vector<int64_t> Ids(const std::optional<std::vector<TimelineEntry>>& entries) {
  std::vector<int64_t> out;
  if (entries) {
    for (const auto& e : *entries) out.push_back(e.status_id);
  }
  return out;
}

TEST(MemoryTimelineCache, PushesOnlyToLiveTimelines) {
  MemoryTimelineCache cache;
  EXPECT_FALSE(cache.Push(1, TimelineEntry::Of(10, 2, 0)));
  EXPECT_FALSE(cache.Read(1, {.limit = 20}, 0).has_value());
  cache.Install(1, {}, 0);
  EXPECT_TRUE(cache.Push(1, TimelineEntry::Of(10, 2, 0)));
  EXPECT_EQ(Ids(cache.Read(1, {.limit = 20}, 0)), std::vector<int64_t>{10});
}

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

TEST(MemoryTimelineCache, PushManyReachesEveryLiveTimelineOnce) {
  MemoryTimelineCache cache;
  std::vector<int64_t> accounts;
  for (int64_t id = 1; id <= 300; ++id) {
    accounts.push_back(id * 7919);  // spread over the shards
    if (id % 3 != 0) cache.Install(id * 7919, {}, 0);
  }
  EXPECT_EQ(cache.PushMany(accounts, TimelineEntry::Of(10, 2, 0)), 200u);
  EXPECT_EQ(cache.PushMany(accounts, TimelineEntry::Of(10, 2, 0)), 200u);  // idempotent
  EXPECT_EQ(Ids(cache.Read(1 * 7919, {.limit = 20}, 0)), std::vector<int64_t>{10});
  EXPECT_FALSE(cache.Read(3 * 7919, {.limit = 20}, 0).has_value());
  EXPECT_EQ(cache.Stats().entries, 200u);
  EXPECT_EQ(cache.PushMany({}, TimelineEntry::Of(11, 2, 0)), 0u);
}

TEST(MemoryTimelineCache, KeepsNewestFirstWithoutDuplicatesWithinCapacity) {
  MemoryTimelineCache cache(3);
  cache.Install(1, {}, 0);
  for (int64_t id : {10, 30, 20, 30, 40}) cache.Push(1, TimelineEntry::Of(id, 2, 0));
  EXPECT_EQ(Ids(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{40, 30, 20}));
}

TEST(MemoryTimelineCache, PagesLikeTheApi) {
  MemoryTimelineCache cache;
  std::vector<TimelineEntry> entries;
  for (int64_t id = 1; id <= 10; ++id) entries.push_back(TimelineEntry::Of(id * 10, 2, 0));
  cache.Install(1, entries, 0);
  EXPECT_EQ(Ids(cache.Read(1, {.limit = 3}, 0)), (std::vector<int64_t>{100, 90, 80}));
  EXPECT_EQ(Ids(cache.Read(1, {.max_id = 80, .limit = 3}, 0)), (std::vector<int64_t>{70, 60, 50}));
  EXPECT_EQ(Ids(cache.Read(1, {.since_id = 80, .limit = 5}, 0)), (std::vector<int64_t>{100, 90}));
  EXPECT_EQ(Ids(cache.Read(1, {.min_id = 20, .limit = 3}, 0)), (std::vector<int64_t>{50, 40, 30}));
  EXPECT_EQ(Ids(cache.Read(1, {.max_id = 60, .min_id = 20, .limit = 10}, 0)),
            (std::vector<int64_t>{50, 40, 30}));
}

TEST(MemoryTimelineCache, LeavesOutARebloggedStatusAlreadyShowing) {
  MemoryTimelineCache cache;
  cache.Install(1, {}, 0);
  cache.Push(1, TimelineEntry::Of(10, 2, 0), 40);   // the original
  cache.Push(1, TimelineEntry::Of(11, 3, 10), 40);  // a reblog of it: already showing
  cache.Push(1, TimelineEntry::Of(12, 4, 5), 40);   // a reblog of something else
  cache.Push(1, TimelineEntry::Of(13, 5, 5), 40);   // the same reblogged again
  EXPECT_EQ(Ids(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{12, 10}));
}

TEST(MemoryTimelineCache, RemovesStatusesAndAuthors) {
  MemoryTimelineCache cache;
  cache.Install(
      1, {TimelineEntry::Of(10, 2, 0), TimelineEntry::Of(11, 3, 0), TimelineEntry::Of(12, 2, 0)},
      0);
  cache.Remove(1, 11);
  EXPECT_EQ(Ids(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{12, 10}));
  cache.RemoveAuthor(1, 2);
  EXPECT_TRUE(Ids(cache.Read(1, {.limit = 20}, 0)).empty());
}

TEST(MemoryTimelineCache, ReservedTimelineTakesPushesButIsNotReadUntilInstalled) {
  MemoryTimelineCache cache;
  cache.Reserve(1, 0);
  EXPECT_TRUE(cache.Push(1, TimelineEntry::Of(30, 2, 0)));  // committed during the rebuild
  EXPECT_FALSE(cache.Read(1, {.limit = 20}, 0).has_value());
  cache.Install(1, {TimelineEntry::Of(10, 2, 0)}, 0);
  EXPECT_EQ(Ids(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{30, 10}));
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

TEST(MemoryTimelineCache, InstallKeepsWhatFanOutPushedMeanwhile) {
  MemoryTimelineCache cache;
  cache.Install(1, {TimelineEntry::Of(10, 2, 0)}, 0);
  cache.Push(1, TimelineEntry::Of(20, 2, 0));
  cache.Install(1, {TimelineEntry::Of(10, 2, 0), TimelineEntry::Of(5, 3, 0)}, 0);
  EXPECT_EQ(Ids(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{20, 10, 5}));
  EXPECT_EQ(cache.Stats().entries, 3u);
}

}  // namespace
}  // namespace chirp
