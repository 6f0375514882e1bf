#include "timeline/memory_timeline_cache.h"

#include <algorithm>
#include <limits>
#include <mutex>

namespace chirp {
namespace {

bool ByStatus(const TimelineEntry& a, const TimelineEntry& b) { return a.status_id < b.status_id; }

}  // namespace

bool MemoryTimelineCache::Push(int64_t account_id, const TimelineEntry& entry, int dedupe_window) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  return PushLocked(shard, account_id, entry, dedupe_window);
}

size_t MemoryTimelineCache::PushMany(const std::vector<int64_t>& account_ids,
                                     const TimelineEntry& entry, int dedupe_window) {
  // Accounts grouped by shard (a counting sort), then one lock per shard.
  std::array<uint32_t, kShards + 1> start{};
  for (int64_t id : account_ids) ++start[ShardIndex(id) + 1];
  for (size_t i = 1; i <= kShards; ++i) start[i] += start[i - 1];
  std::vector<int64_t> grouped(account_ids.size());
  std::array<uint32_t, kShards> next{};
  for (size_t i = 0; i < kShards; ++i) next[i] = start[i];
  for (int64_t id : account_ids) grouped[next[ShardIndex(id)]++] = id;
  size_t live = 0;
  for (size_t i = 0; i < kShards; ++i) {
    if (start[i] == start[i + 1]) continue;
    Shard& shard = shards_[i];
    std::unique_lock lock(shard.mu);
    for (uint32_t k = start[i]; k < start[i + 1]; ++k) {
      if (PushLocked(shard, grouped[k], entry, dedupe_window)) ++live;
    }
  }
  return live;
}

bool MemoryTimelineCache::PushLocked(Shard& shard, int64_t account_id, const TimelineEntry& entry,
                                     int dedupe_window) {
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end()) return false;
  EntryRing& entries = it->second->entries;
  if (entry.is_reblog() && dedupe_window > 0) {
    const size_t n = std::min(entries.size(), static_cast<size_t>(dedupe_window));
    for (size_t k = 1; k <= n; ++k) {
      if (entries[entries.size() - k].key() == entry.key()) return true;  // showing; not twice
    }
  }
  entries.Insert(entry);
  return true;
}

bool MemoryTimelineCache::PushEach(int64_t account_id, const std::vector<TimelineEntry>& entries,
                                   int dedupe_window) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  for (const TimelineEntry& e : entries) {
    if (!PushLocked(shard, account_id, e, dedupe_window)) return false;
  }
  return shard.timelines.contains(account_id);
}

int64_t MemoryTimelineCache::OldestIfFull(int64_t account_id) const {
  const Shard& shard = ShardOf(account_id);
  std::shared_lock lock(shard.mu);
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end()) return 0;
  const EntryRing& entries = it->second->entries;
  return entries.size() >= capacity_ && entries.size() > 0 ? entries[0].status_id.value() : 0;
}

void MemoryTimelineCache::Remove(int64_t account_id, int64_t status_id) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end()) return;
  it->second->entries.EraseIf([&](const TimelineEntry& e) { return e.status_id == status_id; });
}

void MemoryTimelineCache::RemoveAuthor(int64_t account_id, int64_t author_id) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end()) return;
  it->second->entries.EraseIf([&](const TimelineEntry& e) { return e.author_id == author_id; });
}

std::optional<std::vector<TimelineEntry>> MemoryTimelineCache::Read(int64_t account_id,
                                                                    const PageRequest& page,
                                                                    int64_t now_ms) {
  const Shard& shard = ShardOf(account_id);
  std::shared_lock lock(shard.mu);
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end() || !it->second->complete) return std::nullopt;
  it->second->last_read_ms.store(now_ms, std::memory_order_relaxed);
  const EntryRing& entries = it->second->entries;
  const int64_t upper = page.max_id > 0 ? page.max_id : std::numeric_limits<int64_t>::max();
  std::vector<TimelineEntry> out;
  out.reserve(static_cast<size_t>(page.limit));
  // Newest below `upper`: walk back from the first entry at or above it.
  const size_t end = entries.LowerBound(upper);
  if (page.min_id > 0) {
    // The oldest `limit` above min_id, returned newest first.
    for (size_t i = entries.UpperBound(page.min_id);
         i < end && static_cast<int>(out.size()) < page.limit; ++i) {
      out.push_back(entries[i]);
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
  for (size_t i = end; i > 0 && static_cast<int>(out.size()) < page.limit; --i) {
    if (entries[i - 1].status_id <= page.since_id) break;
    out.push_back(entries[i - 1]);
  }
  return out;
}

void MemoryTimelineCache::Reserve(int64_t account_id, int64_t now_ms) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto [it, inserted] = shard.timelines.try_emplace(account_id, nullptr);
  if (!inserted) return;
  it->second = std::make_unique<Timeline>(capacity_);
  it->second->complete = false;
  it->second->last_read_ms.store(now_ms);
}

void MemoryTimelineCache::Install(int64_t account_id, std::vector<TimelineEntry> entries,
                                  int64_t now_ms) {
  auto timeline = std::make_unique<Timeline>(capacity_);
  std::sort(entries.begin(), entries.end(), ByStatus);
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const TimelineEntry& a, const TimelineEntry& b) {
                              return a.status_id == b.status_id;
                            }),
                entries.end());
  timeline->last_read_ms.store(now_ms);
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto [it, inserted] = shard.timelines.try_emplace(account_id, nullptr);
  if (!inserted) {
    // Fan-out may have pushed to a timeline reserved or installed meanwhile:
    // keep those.
    const EntryRing& pushed = it->second->entries;
    std::vector<TimelineEntry> merged;
    merged.reserve(entries.size() + pushed.size());
    size_t i = 0;
    size_t k = 0;
    while (i < entries.size() || k < pushed.size()) {
      if (k == pushed.size() ||
          (i < entries.size() && entries[i].status_id < pushed[k].status_id)) {
        merged.push_back(entries[i++]);
      } else if (i == entries.size() || pushed[k].status_id < entries[i].status_id) {
        merged.push_back(pushed[k++]);
      } else {
        merged.push_back(entries[i++]);  // in both
        ++k;
      }
    }
    entries = std::move(merged);
  }
  timeline->entries.Assign(entries);
  it->second = std::move(timeline);
}

bool MemoryTimelineCache::IsLive(int64_t account_id) const {
  const Shard& shard = ShardOf(account_id);
  std::shared_lock lock(shard.mu);
  return shard.timelines.contains(account_id);
}

size_t MemoryTimelineCache::DropIdle(int64_t cutoff_ms) {
  size_t dropped = 0;
  for (Shard& shard : shards_) {
    std::unique_lock lock(shard.mu);
    dropped += std::erase_if(shard.timelines, [&](const auto& entry) {
      return entry.second->last_read_ms.load(std::memory_order_relaxed) < cutoff_ms;
    });
  }
  return dropped;
}

size_t MemoryTimelineCache::BytesOf(const Timeline& timeline) {
  // A map node: the link, the key, the pointer and the bucket.
  constexpr size_t kNode = 4 * sizeof(void*);
  return timeline.entries.slots() * sizeof(TimelineEntry) + sizeof(Timeline) + kNode;
}

size_t MemoryTimelineCache::ShrinkTo(size_t max_bytes) {
  // Every timeline's last read and size, without holding a shard while
  // sorting; a timeline read meanwhile may still be dropped (it is rebuilt).
  struct Held {
    int64_t last_read_ms;
    int64_t account_id;
    size_t bytes;
  };
  std::vector<Held> held;
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    for (const auto& [id, timeline] : shard.timelines) {
      const size_t bytes = BytesOf(*timeline);
      total += bytes;
      held.push_back({timeline->last_read_ms.load(std::memory_order_relaxed), id, bytes});
    }
  }
  if (total <= max_bytes) return 0;
  std::sort(held.begin(), held.end(),
            [](const Held& a, const Held& b) { return a.last_read_ms < b.last_read_ms; });
  size_t dropped = 0;
  for (const Held& h : held) {
    if (total <= max_bytes) break;
    Shard& shard = ShardOf(h.account_id);
    std::unique_lock lock(shard.mu);
    auto it = shard.timelines.find(h.account_id);
    if (it == shard.timelines.end() || !it->second->complete) continue;  // a rebuild is on
    total -= std::min(total, BytesOf(*it->second));
    shard.timelines.erase(it);
    ++dropped;
  }
  return dropped;
}

TimelineCacheStats MemoryTimelineCache::Stats() const {
  TimelineCacheStats stats;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    stats.live_timelines += shard.timelines.size();
    for (const auto& [id, timeline] : shard.timelines) {
      stats.entries += timeline->entries.size();
      stats.entry_slots += timeline->entries.slots();
      stats.bytes += BytesOf(*timeline);
    }
  }
  return stats;
}

}  // namespace chirp
