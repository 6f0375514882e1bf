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
  std::deque<TimelineEntry>& entries = it->second->entries;
  if (entry.is_reblog() && dedupe_window > 0) {
    int looked = 0;
    for (auto e = entries.rbegin(); e != entries.rend() && looked < dedupe_window; ++e, ++looked) {
      if (e->key() == entry.key()) return true;  // already showing; not twice
    }
  }
  if (entries.empty() || entries.back().status_id < entry.status_id) {
    entries.push_back(entry);
  } else {
    auto pos = std::lower_bound(entries.begin(), entries.end(), entry, ByStatus);
    if (pos != entries.end() && pos->status_id == entry.status_id) return true;  // delivered before
    entries.insert(pos, entry);
  }
  while (entries.size() > capacity_) entries.pop_front();
  return true;
}

void MemoryTimelineCache::Remove(int64_t account_id, int64_t status_id) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end()) return;
  std::erase_if(it->second->entries,
                [&](const TimelineEntry& e) { return e.status_id == status_id; });
}

void MemoryTimelineCache::RemoveAuthor(int64_t account_id, int64_t author_id) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end()) return;
  std::erase_if(it->second->entries,
                [&](const TimelineEntry& e) { return e.author_id == author_id; });
}

std::optional<std::vector<TimelineEntry>> MemoryTimelineCache::Read(int64_t account_id,
                                                                    const PageRequest& page,
                                                                    int64_t now_ms) {
  const Shard& shard = ShardOf(account_id);
  std::shared_lock lock(shard.mu);
  auto it = shard.timelines.find(account_id);
  if (it == shard.timelines.end() || !it->second->complete) return std::nullopt;
  it->second->last_read_ms.store(now_ms, std::memory_order_relaxed);
  const std::deque<TimelineEntry>& entries = it->second->entries;
  const int64_t upper = page.max_id > 0 ? page.max_id : std::numeric_limits<int64_t>::max();
  std::vector<TimelineEntry> out;
  out.reserve(static_cast<size_t>(page.limit));
  // Newest below `upper`: walk back from the first entry at or above it.
  auto end = std::lower_bound(entries.begin(), entries.end(), TimelineEntry{upper, 0, 0}, ByStatus);
  if (page.min_id > 0) {
    // The oldest `limit` above min_id, returned newest first.
    auto begin = std::upper_bound(entries.begin(), end, TimelineEntry{page.min_id, 0, 0}, ByStatus);
    for (auto e = begin; e != end && static_cast<int>(out.size()) < page.limit; ++e)
      out.push_back(*e);
    std::reverse(out.begin(), out.end());
    return out;
  }
  for (auto e = std::make_reverse_iterator(end);
       e != entries.rend() && static_cast<int>(out.size()) < page.limit; ++e) {
    if (e->status_id <= page.since_id) break;
    out.push_back(*e);
  }
  return out;
}

void MemoryTimelineCache::Reserve(int64_t account_id, int64_t now_ms) {
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto [it, inserted] = shard.timelines.try_emplace(account_id, nullptr);
  if (!inserted) return;
  it->second = std::make_unique<Timeline>();
  it->second->complete = false;
  it->second->last_read_ms.store(now_ms);
}

void MemoryTimelineCache::Install(int64_t account_id, std::vector<TimelineEntry> entries,
                                  int64_t now_ms) {
  auto timeline = std::make_unique<Timeline>();
  std::sort(entries.begin(), entries.end(), ByStatus);
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const TimelineEntry& a, const TimelineEntry& b) {
                              return a.status_id == b.status_id;
                            }),
                entries.end());
  if (entries.size() > capacity_)
    entries.erase(entries.begin(), entries.end() - static_cast<ptrdiff_t>(capacity_));
  timeline->entries.assign(entries.begin(), entries.end());
  timeline->last_read_ms.store(now_ms);
  Shard& shard = ShardOf(account_id);
  std::unique_lock lock(shard.mu);
  auto [it, inserted] = shard.timelines.try_emplace(account_id, nullptr);
  if (!inserted) {
    // Fan-out may have pushed to a timeline installed meanwhile: keep those.
    for (const TimelineEntry& e : it->second->entries) {
      auto pos = std::lower_bound(timeline->entries.begin(), timeline->entries.end(), e, ByStatus);
      if (pos == timeline->entries.end() || pos->status_id != e.status_id)
        timeline->entries.insert(pos, e);
    }
    while (timeline->entries.size() > capacity_) timeline->entries.pop_front();
  }
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

TimelineCacheStats MemoryTimelineCache::Stats() const {
  TimelineCacheStats stats;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    stats.live_timelines += shard.timelines.size();
    for (const auto& [id, timeline] : shard.timelines) stats.entries += timeline->entries.size();
  }
  return stats;
}

}  // namespace chirp
