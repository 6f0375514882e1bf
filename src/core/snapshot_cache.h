// A bounded, sharded map from 64-bit keys to immutable snapshots, for caches
// kept in front of the store and forgotten by the writers.
//
// The contract that makes such a cache safe: a writer changes the store
// first and then calls Forget(key); a reader that misses takes LoadToken(key)
// before it reads the store and hands the token to Insert. Insert drops a
// value when its key's shard saw a Forget since the token was taken, so a
// value read before a write can never outlive that write's Forget.
//
// Readers get shared_ptr<const V>: they keep using the snapshot they got
// while a Forget or an eviction drops it from the map. Each thread also
// keeps its recent finds while their shard is unchanged (see Front), so
// the common read takes no lock; a thread may thereby hold a dropped value
// a while longer, never serve one. Eviction is first in,
// first out per shard, which suits caches whose hot entries are the newest
// (statuses, active readers); an evicted hot entry is simply loaded again.
//
// A cache is bounded by entries and, optionally, by bytes: a value type
// that can tell its own size (a `size_t ResidentBytes() const` member) is
// weighed by it, any other by sizeof; each entry also counts the map's own
// memory for it (kEntryOverhead). bytes() is what an operator sees of it.
//
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace chirp {

template <typename V>
class SnapshotCache {
 public:
  using Ref = std::shared_ptr<const V>;
  static constexpr size_t kShards = 64;

  // What the map, its order and a shared value's control block take per
  // entry, beyond the value itself (allocator size classes included).
  static constexpr size_t kEntryOverhead = 96;

  // Holds at most about `capacity` values and about `max_bytes` of them
  // (as weighed above), and at least one value per shard.
  explicit SnapshotCache(size_t capacity, size_t max_bytes = std::numeric_limits<size_t>::max())
      : per_shard_(capacity / kShards > 0 ? capacity / kShards : 1),
        per_shard_bytes_(max_bytes / kShards) {}

  // What a value weighs in this cache.
  static size_t Weigh(const V& value) {
    if constexpr (requires { value.ResidentBytes(); }) {
      return value.ResidentBytes() + kEntryOverhead;
    } else {
      return sizeof(V) + kEntryOverhead;
    }
  }

  // The cached value, or null.
  Ref Find(int64_t key) const { return Front(key); }

  // Calls `use` with the cached value without taking a reference to it;
  // false when there is none. `use` must not call this cache.
  template <typename Use>
  bool Visit(int64_t key, Use&& use) const {
    const Ref& value = Front(key);
    if (value == nullptr) return false;
    use(*value);
    return true;
  }

  // To be taken before reading the store for `key`, and given to Insert.
  uint64_t LoadToken(int64_t key) const {
    const Shard& s = ShardOf(key);
    std::shared_lock lock(s.mu);
    return s.forgets;
  }

  // Caches `value` for `key` unless the key's shard saw a Forget since
  // `token`; an entry cached meanwhile by another reader is kept. Returns
  // `value`.
  Ref Insert(int64_t key, Ref value, uint64_t token) {
    Shard& s = ShardOf(key);
    std::unique_lock lock(s.mu);
    if (s.forgets != token) return value;
    const size_t weight = Weigh(*value);
    if (!s.map.try_emplace(key, Held{value, weight}).second) return value;
    s.bytes += weight;
    s.version.fetch_add(1, std::memory_order_release);  // also covers the evictions below
    s.order.push_back(key);
    while ((s.map.size() > per_shard_ || s.bytes > per_shard_bytes_) && s.map.size() > 1 &&
           !s.order.empty()) {
      Erase(s, s.order.front());
      s.order.pop_front();
    }
    // Keys forgotten and inserted again leave stale places in `order`.
    if (s.order.size() > 2 * per_shard_ + 16) Compact(s);
    return value;
  }

  // Drops `key`, after a write to what the store holds for it.
  void Forget(int64_t key) {
    Shard& s = ShardOf(key);
    std::unique_lock lock(s.mu);
    ++s.forgets;
    s.version.fetch_add(1, std::memory_order_release);
    Erase(s, key);
  }

  // Drops every value, as a Forget of each key would.
  void ForgetAll() {
    for (Shard& s : shards_) {
      std::unique_lock lock(s.mu);
      ++s.forgets;
      s.version.fetch_add(1, std::memory_order_release);
      s.map.clear();
      s.order.clear();
      s.bytes = 0;
    }
  }

  size_t size() const {
    size_t n = 0;
    for (const Shard& s : shards_) {
      std::shared_lock lock(s.mu);
      n += s.map.size();
    }
    return n;
  }

  // What the values held weigh (see Weigh).
  size_t bytes() const {
    size_t n = 0;
    for (const Shard& s : shards_) {
      std::shared_lock lock(s.mu);
      n += s.bytes;
    }
    return n;
  }

 private:
  struct Held {
    Ref value;
    size_t bytes;  // Weigh(*value)
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<int64_t, Held> map;  // guarded by mu
    std::deque<int64_t> order;              // insertion order; guarded by mu
    uint64_t forgets = 0;                   // guarded by mu
    size_t bytes = 0;                       // the weights of map's values; guarded by mu
    // Bumped (under mu) by every change to `map`; read without it.
    std::atomic<uint64_t> version{0};
  };

  // Each thread keeps its recent finds, valid while their shard's version
  // stands: readers on different cores then share the shards' memory
  // without writing to it (no lock word, no reference count), which is what
  // a page of twenty statuses read by both cores at once costs otherwise.
  struct FrontSlot {
    uint64_t cache = 0;  // instance_ of the cache (addresses are reused)
    int64_t key = 0;
    uint64_t version = 0;
    Ref value;
  };
  static constexpr size_t kFrontSlots = 1024;

  // The value for `key` (null when absent), as a reference into this
  // thread's slot: valid until this thread's next Find or Visit.
  const Ref& Front(int64_t key) const {
    thread_local std::array<FrontSlot, kFrontSlots> front;
    uint64_t h = static_cast<uint64_t>(key);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    FrontSlot& slot = front[h % kFrontSlots];
    const Shard& s = ShardOf(key);
    const uint64_t version = s.version.load(std::memory_order_acquire);
    if (slot.cache == instance_ && slot.key == key && slot.version == version) return slot.value;
    Ref found;
    {
      std::shared_lock lock(s.mu);
      auto it = s.map.find(key);
      if (it != s.map.end()) found = it->second.value;
    }
    // A change after `version` was read bumps it, which retires this slot.
    slot.cache = instance_;
    slot.key = key;
    slot.version = version;
    slot.value = std::move(found);
    return slot.value;
  }

  static uint64_t NextInstance() {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1);
  }

  static size_t ShardIndex(int64_t key) {
    // Snowflake ids keep their entropy in the middle bits; mix them all.
    uint64_t x = static_cast<uint64_t>(key);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x % kShards;
  }
  Shard& ShardOf(int64_t key) { return shards_[ShardIndex(key)]; }
  const Shard& ShardOf(int64_t key) const { return shards_[ShardIndex(key)]; }

  // Drops `key` if held. Requires s.mu held exclusively.
  static void Erase(Shard& s, int64_t key) {
    auto it = s.map.find(key);
    if (it == s.map.end()) return;
    s.bytes -= it->second.bytes;
    s.map.erase(it);
  }

  // Rebuilds `order` from the keys present, oldest first.
  static void Compact(Shard& s) {
    std::deque<int64_t> kept;
    std::unordered_map<int64_t, bool> seen;
    for (auto it = s.order.rbegin(); it != s.order.rend(); ++it) {
      if (s.map.contains(*it) && seen.try_emplace(*it, true).second) kept.push_front(*it);
    }
    s.order.swap(kept);
  }

  const size_t per_shard_;
  const size_t per_shard_bytes_;
  const uint64_t instance_ = NextInstance();
  std::array<Shard, kShards> shards_;
};

}  // namespace chirp
