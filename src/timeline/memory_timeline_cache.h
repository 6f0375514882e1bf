// Home timelines in process memory. Sharded by account: a push locks one
// shard, reads of other accounts go on in parallel. Each timeline is an
// EntryRing ordered oldest to newest, so the common insert (a new status, the
// newest id) is a store, and a full timeline holds 20 bytes an entry.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <shared_mutex>
#include <unordered_map>

#include "timeline/entry_ring.h"
#include "timeline/timeline_cache.h"

namespace chirp {

class MemoryTimelineCache final : public TimelineCache {
 public:
  static constexpr size_t kDefaultCapacity = 800;

  explicit MemoryTimelineCache(size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  bool Push(int64_t account_id, const TimelineEntry& entry, int dedupe_window = 0) override;
  // Locks each shard once for all of its accounts.
  size_t PushMany(const std::vector<int64_t>& account_ids, const TimelineEntry& entry,
                  int dedupe_window = 0) override;
  bool PushEach(int64_t account_id, const std::vector<TimelineEntry>& entries,
                int dedupe_window = 0) override;
  int64_t OldestIfFull(int64_t account_id) const override;
  void Remove(int64_t account_id, int64_t status_id) override;
  void RemoveAuthor(int64_t account_id, int64_t author_id) override;
  std::optional<std::vector<TimelineEntry>> Read(int64_t account_id, const PageRequest& page,
                                                 int64_t now_ms) override;
  void Reserve(int64_t account_id, int64_t now_ms) override;
  void Install(int64_t account_id, std::vector<TimelineEntry> entries, int64_t now_ms) override;
  bool IsLive(int64_t account_id) const override;
  size_t DropIdle(int64_t cutoff_ms) override;
  size_t ShrinkTo(size_t max_bytes) override;
  TimelineCacheStats Stats() const override;

 private:
  struct Timeline {
    explicit Timeline(size_t capacity) : entries(capacity) {}
    EntryRing entries;  // ascending by status id
    std::atomic<int64_t> last_read_ms{0};
    bool complete = true;  // false between Reserve and Install
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<int64_t, std::unique_ptr<Timeline>> timelines;
  };
  static constexpr size_t kShards = 64;

  // What one timeline holds in memory: its entries' slots, itself and its
  // node in the shard's map.
  static size_t BytesOf(const Timeline& timeline);

  // Push into one timeline, with its shard locked.
  bool PushLocked(Shard& shard, int64_t account_id, const TimelineEntry& entry, int dedupe_window);
  static size_t ShardIndex(int64_t account_id) {
    return static_cast<uint64_t>(account_id) % kShards;
  }
  Shard& ShardOf(int64_t account_id) { return shards_[ShardIndex(account_id)]; }
  const Shard& ShardOf(int64_t account_id) const { return shards_[ShardIndex(account_id)]; }

  const size_t capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace chirp
