#include "core/snapshot_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace chirp {
namespace {

using Cache = SnapshotCache<std::string>;

Cache::Ref Value(const char* text) { return std::make_shared<const std::string>(text); }

TEST(SnapshotCache, InsertThenFind) {
  Cache cache(1000);
  EXPECT_EQ(cache.Find(7), nullptr);
  cache.Insert(7, Value("seven"), cache.LoadToken(7));
  ASSERT_NE(cache.Find(7), nullptr);
  EXPECT_EQ(*cache.Find(7), "seven");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SnapshotCache, ValueLoadedBeforeAForgetIsNotKept) {
  Cache cache(1000);
  const uint64_t token = cache.LoadToken(7);  // a reader starts loading
  cache.Forget(7);                            // a writer commits and forgets
  auto returned = cache.Insert(7, Value("stale"), token);
  EXPECT_EQ(*returned, "stale");  // the reader still answers with what it read
  EXPECT_EQ(cache.Find(7), nullptr);
  cache.Insert(7, Value("fresh"), cache.LoadToken(7));
  EXPECT_EQ(*cache.Find(7), "fresh");
}

TEST(SnapshotCache, FirstInsertWinsOverALaterLoad) {
  Cache cache(1000);
  cache.Insert(7, Value("first"), cache.LoadToken(7));
  cache.Insert(7, Value("second"), cache.LoadToken(7));
  EXPECT_EQ(*cache.Find(7), "first");
}

TEST(SnapshotCache, ForgetKeepsTheSnapshotAReaderHolds) {
  Cache cache(1000);
  cache.Insert(7, Value("held"), cache.LoadToken(7));
  Cache::Ref held = cache.Find(7);
  cache.Forget(7);
  EXPECT_EQ(cache.Find(7), nullptr);
  EXPECT_EQ(*held, "held");
}

TEST(SnapshotCache, AThreadsRecentFindLapsesWhenItsShardChanges) {
  Cache cache(1000);
  cache.Insert(7, Value("first"), cache.LoadToken(7));
  EXPECT_EQ(*cache.Find(7), "first");
  EXPECT_EQ(*cache.Find(7), "first");  // from the thread's own slot
  cache.Forget(7);
  EXPECT_EQ(cache.Find(7), nullptr);
  cache.Insert(7, Value("second"), cache.LoadToken(7));
  EXPECT_EQ(*cache.Find(7), "second");
  std::string seen;
  EXPECT_TRUE(cache.Visit(7, [&](const std::string& v) { seen = v; }));
  EXPECT_EQ(seen, "second");
  EXPECT_FALSE(cache.Visit(8, [&](const std::string&) {}));
  // Another cache on the same thread never sees this one's slots.
  Cache other(1000);
  EXPECT_EQ(other.Find(7), nullptr);
}

TEST(SnapshotCache, EvictsOldestBeyondCapacity) {
  Cache cache(Cache::kShards);  // one value per shard
  for (int64_t key = 1; key <= 10000; ++key) cache.Insert(key, Value("v"), cache.LoadToken(key));
  EXPECT_LE(cache.size(), Cache::kShards);
  EXPECT_NE(cache.Find(10000), nullptr);  // the newest stays
}

// A value that tells its own size, as a cached status does.
struct Blob {
  std::string bytes;
  size_t ResidentBytes() const { return sizeof(Blob) + bytes.capacity(); }
};

TEST(SnapshotCache, WeighsValuesThatTellTheirSizeAndCountsWhatItHolds) {
  SnapshotCache<Blob> cache(1000);
  auto blob = std::make_shared<const Blob>(Blob{std::string(5000, 'x')});
  const size_t weight = SnapshotCache<Blob>::Weigh(*blob);
  EXPECT_GE(weight, 5000u + SnapshotCache<Blob>::kEntryOverhead);
  cache.Insert(1, blob, cache.LoadToken(1));
  EXPECT_EQ(cache.bytes(), weight);
  cache.Forget(1);
  EXPECT_EQ(cache.bytes(), 0u);
  // Values that cannot tell their size weigh their type.
  Cache strings(1000);
  strings.Insert(1, Value("v"), strings.LoadToken(1));
  EXPECT_EQ(strings.bytes(), sizeof(std::string) + Cache::kEntryOverhead);
}

TEST(SnapshotCache, EvictsOldestBeyondItsBytes) {
  // Room for about four 10,000-byte values per shard, entries allowing far more.
  constexpr size_t kValueBytes = 10000;
  SnapshotCache<Blob> cache(1 << 20, SnapshotCache<Blob>::kShards * 4 * kValueBytes);
  for (int64_t key = 1; key <= 5000; ++key) {
    cache.Insert(key, std::make_shared<const Blob>(Blob{std::string(kValueBytes, 'x')}),
                 cache.LoadToken(key));
  }
  EXPECT_LE(cache.bytes(), SnapshotCache<Blob>::kShards * 4 * kValueBytes);
  EXPECT_LE(cache.size(), SnapshotCache<Blob>::kShards * 4);
  EXPECT_GE(cache.size(), SnapshotCache<Blob>::kShards);
  EXPECT_NE(cache.Find(5000), nullptr);  // the newest stays
}

TEST(SnapshotCache, AValueHeavierThanItsShardIsStillHeld) {
  SnapshotCache<Blob> cache(1000, SnapshotCache<Blob>::kShards * 10);
  cache.Insert(1, std::make_shared<const Blob>(Blob{std::string(1000, 'x')}), cache.LoadToken(1));
  EXPECT_NE(cache.Find(1), nullptr);
}

TEST(SnapshotCache, ChurnOfForgetAndInsertStaysBounded) {
  Cache cache(Cache::kShards);
  for (int round = 0; round < 10000; ++round) {
    cache.Insert(1, Value("v"), cache.LoadToken(1));
    cache.Forget(1);
  }
  cache.Insert(1, Value("v"), cache.LoadToken(1));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SnapshotCache, ConcurrentReadersAndWritersNeverKeepAStaleValue) {
  // Writers bump a counter "in the store" and then forget; readers load the
  // counter and insert. Once every writer is done, a cached value must equal
  // the final counter.
  Cache cache(1000);
  std::atomic<int> store{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        store.fetch_add(1);
        cache.Forget(1);
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        if (cache.Find(1)) continue;
        const uint64_t token = cache.LoadToken(1);
        cache.Insert(1, std::make_shared<const std::string>(std::to_string(store.load())), token);
      }
    });
  }
  for (auto& t : threads) t.join();
  if (auto cached = cache.Find(1)) {
    EXPECT_EQ(*cached, std::to_string(store.load()));
  }
}

}  // namespace
}  // namespace chirp
