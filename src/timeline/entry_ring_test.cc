#include "timeline/entry_ring.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace chirp {
namespace {

std::vector<int64_t> Ids(const EntryRing& ring) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < ring.size(); ++i) out.push_back(ring[i].status_id);
  return out;
}

TimelineEntry E(int64_t id) { return TimelineEntry::Of(id, 1, 0); }

TEST(EntryRing, AppendsAndDropsTheOldestOnceFull) {
  EntryRing ring(3);
  for (int64_t id : {1, 2, 3, 4, 5}) EXPECT_EQ(ring.Insert(E(id)), EntryRing::Inserted::kAdded);
  EXPECT_EQ(Ids(ring), (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(ring.slots(), 3u);
}

TEST(EntryRing, InsertsOutOfOrderWithoutDuplicates) {
  EntryRing ring(4);
  for (int64_t id : {10, 30, 20}) ring.Insert(E(id));
  EXPECT_EQ(ring.Insert(E(20)), EntryRing::Inserted::kPresent);
  EXPECT_EQ(Ids(ring), (std::vector<int64_t>{10, 20, 30}));
  ring.Insert(E(40));
  // Full: an entry older than all is not kept; one in between pushes the
  // oldest out.
  EXPECT_EQ(ring.Insert(E(5)), EntryRing::Inserted::kTooOld);
  EXPECT_EQ(ring.Insert(E(25)), EntryRing::Inserted::kAdded);
  EXPECT_EQ(Ids(ring), (std::vector<int64_t>{20, 25, 30, 40}));
}

TEST(EntryRing, GrowsFourfoldUpToTheCapacity) {
  EntryRing ring(800);
  EXPECT_EQ(ring.slots(), 0u);
  ring.Insert(E(1));
  EXPECT_EQ(ring.slots(), 16u);
  for (int64_t id = 2; id <= 17; ++id) ring.Insert(E(id));
  EXPECT_EQ(ring.slots(), 64u);
  for (int64_t id = 18; id <= 2000; ++id) ring.Insert(E(id));
  EXPECT_EQ(ring.slots(), 800u);
  EXPECT_EQ(ring.size(), 800u);
  EXPECT_EQ(ring[0].status_id, 1201);
}

TEST(EntryRing, BoundsFindPositionsAcrossTheWrap) {
  EntryRing ring(5);
  for (int64_t id = 1; id <= 8; ++id) ring.Insert(E(id * 10));  // wraps: 40..80
  EXPECT_EQ(ring.LowerBound(50), 1u);
  EXPECT_EQ(ring.UpperBound(50), 2u);
  EXPECT_EQ(ring.LowerBound(5), 0u);
  EXPECT_EQ(ring.LowerBound(90), 5u);
}

TEST(EntryRing, EraseAndAssignKeepOrderAndShrink) {
  EntryRing ring(100);
  for (int64_t id = 1; id <= 100; ++id) ring.Insert(E(id));
  ring.EraseIf([](const TimelineEntry& e) { return e.status_id > 3; });
  EXPECT_EQ(Ids(ring), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(ring.slots(), 16u);
  std::vector<TimelineEntry> many;
  for (int64_t id = 1; id <= 150; ++id) many.push_back(E(id));
  ring.Assign(many);
  EXPECT_EQ(ring.size(), 100u);
  EXPECT_EQ(ring[0].status_id, 51);
}

TEST(EntryRing, AgreesWithASortedSetUnderRandomInserts) {
  std::mt19937_64 rng(42);
  EntryRing ring(50);
  std::set<int64_t> model;
  for (int step = 0; step < 20000; ++step) {
    // Mostly newer ids, sometimes older ones, sometimes repeats.
    const int64_t id = step % 7 == 0 ? static_cast<int64_t>(rng() % (step + 1)) + 1 : step * 3 + 1;
    ring.Insert(E(id));
    model.insert(id);
    while (model.size() > 50) model.erase(model.begin());
    // An id older than all of a full ring is not kept: neither in the model.
    ASSERT_EQ(Ids(ring), std::vector<int64_t>(model.begin(), model.end())) << "step " << step;
  }
}

}  // namespace
}  // namespace chirp
