// The contract every TimelineCache keeps (timeline/timeline_cache.h), as
// value-parameterized tests: a test binary includes this once and
// instantiates TimelineCacheContract with a factory of its cache.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "timeline/timeline_cache.h"

namespace chirp {

// Makes an empty cache whose timelines hold `capacity` entries.
using TimelineCacheFactory = std::function<std::unique_ptr<TimelineCache>(size_t capacity)>;

inline std::vector<int64_t> StatusIdsOf(const std::optional<std::vector<TimelineEntry>>& entries) {
  std::vector<int64_t> out;
  if (entries) {
    for (const auto& e : *entries) out.push_back(e.status_id);
  }
  return out;
}

class TimelineCacheContract : public testing::TestWithParam<TimelineCacheFactory> {
 protected:
  static constexpr size_t kCapacity = 800;
  std::unique_ptr<TimelineCache> Make(size_t capacity = kCapacity) { return GetParam()(capacity); }
};


TEST_P(TimelineCacheContract, PushesOnlyToLiveTimelines) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  EXPECT_FALSE(cache.Push(1, TimelineEntry::Of(10, 2, 0)));
  EXPECT_FALSE(cache.Read(1, {.limit = 20}, 0).has_value());
  cache.Install(1, {}, 0);
  EXPECT_TRUE(cache.Push(1, TimelineEntry::Of(10, 2, 0)));
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)), std::vector<int64_t>{10});
}

TEST_P(TimelineCacheContract, PushManyReachesEveryLiveTimelineOnce) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  std::vector<int64_t> accounts;
  for (int64_t id = 1; id <= 300; ++id) {
    accounts.push_back(id * 7919);  // spread over the shards
    if (id % 3 != 0) cache.Install(id * 7919, {}, 0);
  }
  EXPECT_EQ(cache.PushMany(accounts, TimelineEntry::Of(10, 2, 0)), 200u);
  EXPECT_EQ(cache.PushMany(accounts, TimelineEntry::Of(10, 2, 0)), 200u);  // idempotent
  EXPECT_EQ(StatusIdsOf(cache.Read(1 * 7919, {.limit = 20}, 0)), std::vector<int64_t>{10});
  EXPECT_FALSE(cache.Read(3 * 7919, {.limit = 20}, 0).has_value());
  EXPECT_EQ(cache.Stats().entries, 200u);
  EXPECT_EQ(cache.PushMany({}, TimelineEntry::Of(11, 2, 0)), 0u);
}

TEST_P(TimelineCacheContract, KeepsNewestFirstWithoutDuplicatesWithinCapacity) {
  auto owned = Make(3);
  TimelineCache& cache = *owned;
  cache.Install(1, {}, 0);
  for (int64_t id : {10, 30, 20, 30, 40}) cache.Push(1, TimelineEntry::Of(id, 2, 0));
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{40, 30, 20}));
}

TEST_P(TimelineCacheContract, PagesLikeTheApi) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  std::vector<TimelineEntry> entries;
  for (int64_t id = 1; id <= 10; ++id) entries.push_back(TimelineEntry::Of(id * 10, 2, 0));
  cache.Install(1, entries, 0);
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 3}, 0)), (std::vector<int64_t>{100, 90, 80}));
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.max_id = 80, .limit = 3}, 0)), (std::vector<int64_t>{70, 60, 50}));
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.since_id = 80, .limit = 5}, 0)), (std::vector<int64_t>{100, 90}));
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.min_id = 20, .limit = 3}, 0)), (std::vector<int64_t>{50, 40, 30}));
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.max_id = 60, .min_id = 20, .limit = 10}, 0)),
            (std::vector<int64_t>{50, 40, 30}));
}

TEST_P(TimelineCacheContract, LeavesOutARebloggedStatusAlreadyShowing) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  cache.Install(1, {}, 0);
  cache.Push(1, TimelineEntry::Of(10, 2, 0), 40);   // the original
  cache.Push(1, TimelineEntry::Of(11, 3, 10), 40);  // a reblog of it: already showing
  cache.Push(1, TimelineEntry::Of(12, 4, 5), 40);   // a reblog of something else
  cache.Push(1, TimelineEntry::Of(13, 5, 5), 40);   // the same reblogged again
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{12, 10}));
}

TEST_P(TimelineCacheContract, RemovesStatusesAndAuthors) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  cache.Install(
      1, {TimelineEntry::Of(10, 2, 0), TimelineEntry::Of(11, 3, 0), TimelineEntry::Of(12, 2, 0)},
      0);
  cache.Remove(1, 11);
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{12, 10}));
  cache.RemoveAuthor(1, 2);
  EXPECT_TRUE(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)).empty());
}

TEST_P(TimelineCacheContract, ReservedTimelineTakesPushesButIsNotReadUntilInstalled) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  cache.Reserve(1, 0);
  EXPECT_TRUE(cache.Push(1, TimelineEntry::Of(30, 2, 0)));  // committed during the rebuild
  EXPECT_FALSE(cache.Read(1, {.limit = 20}, 0).has_value());
  cache.Install(1, {TimelineEntry::Of(10, 2, 0)}, 0);
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{30, 10}));
}

TEST_P(TimelineCacheContract, InstallKeepsWhatFanOutPushedMeanwhile) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  cache.Install(1, {TimelineEntry::Of(10, 2, 0)}, 0);
  cache.Push(1, TimelineEntry::Of(20, 2, 0));
  cache.Install(1, {TimelineEntry::Of(10, 2, 0), TimelineEntry::Of(5, 3, 0)}, 0);
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)), (std::vector<int64_t>{20, 10, 5}));
  EXPECT_EQ(cache.Stats().entries, 3u);
}

TEST_P(TimelineCacheContract, OrdersIdsAbove2To53Exactly) {
  auto owned = Make();
  TimelineCache& cache = *owned;
  cache.Install(1, {}, 0);
  // Snowflake ids that differ only in bits a double cannot hold.
  const int64_t base = int64_t{1} << 60;
  for (int64_t d : {3, 1, 4, 2}) ASSERT_TRUE(cache.Push(1, TimelineEntry::Of(base + d, 2, 0)));
  ASSERT_TRUE(cache.Push(1, TimelineEntry::Of(base + 1, 2, 0)));  // present
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 20}, 0)),
            (std::vector<int64_t>{base + 4, base + 3, base + 2, base + 1}));
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.max_id = base + 3, .limit = 20}, 0)),
            (std::vector<int64_t>{base + 2, base + 1}));
  cache.Remove(1, base + 2);
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.min_id = base + 1, .limit = 20}, 0)),
            (std::vector<int64_t>{base + 4, base + 3}));
  const auto entries = cache.Read(1, {.limit = 1}, 0);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->front().author_id, 2);
}

TEST_P(TimelineCacheContract, KeepsTheNewestWithinCapacityWhateverTheOrderOfPushes) {
  auto owned = Make(100);
  TimelineCache& cache = *owned;
  cache.Install(1, {}, 0);
  for (int64_t id = 1; id <= 400; ++id) cache.Push(1, TimelineEntry::Of(id * 2, 7, 0));
  for (int64_t id = 1; id <= 400; ++id) cache.Push(1, TimelineEntry::Of(id * 2 - 1, 7, 0));
  std::vector<int64_t> newest;
  for (int64_t id = 800; id > 700; --id) newest.push_back(id);
  EXPECT_EQ(StatusIdsOf(cache.Read(1, {.limit = 200}, 0)), newest);
  EXPECT_EQ(cache.OldestIfFull(1), 701);
  EXPECT_TRUE(cache.Push(1, TimelineEntry::Of(5, 7, 0)));  // older than all kept: left out
  EXPECT_EQ(cache.OldestIfFull(1), 701);
  cache.Install(2, {TimelineEntry::Of(1, 7, 0)}, 0);
  EXPECT_EQ(cache.OldestIfFull(2), 0);  // not full
  EXPECT_EQ(cache.OldestIfFull(3), 0);  // not live
}

}  // namespace chirp
