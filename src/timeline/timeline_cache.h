// Cached home timelines: per account, the newest entries (800 by default) as
// compact 20-byte records, in memory. Only accounts read within the live
// window keep one; fan-out pushes to live timelines only, and a timeline that
// is absent is rebuilt from the store on its next read.
//
// Behind an interface: the embedded deployment keeps timelines in process
// (MemoryTimelineCache); the scaled-out one keeps them in Redis.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/unaligned.h"
#include "store/social_store.h"

namespace chirp {

#pragma pack(push, 1)
// One timeline entry: 20 bytes, as Twitter's timelines kept them.
struct TimelineEntry {
  UnalignedInt64 status_id = 0;  // the status shown; for a reblog, the reblog's own id
  UnalignedInt64 author_id = 0;  // who posted it; for a reblog, the reblogger
  // Bit 31: the entry is a reblog. Bits 0-30: a hash of the id of the status
  // shown (for a reblog, the reblogged one), to spot the same status twice.
  uint32_t flags = 0;

  static constexpr uint32_t kReblog = 1u << 31;
  static uint32_t KeyOf(int64_t shown_status_id) {
    uint64_t x = static_cast<uint64_t>(shown_status_id);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<uint32_t>(x) & ~kReblog;
  }
  static TimelineEntry Of(int64_t status_id, int64_t author_id, int64_t reblog_of_id) {
    return {
        status_id, author_id,
        (reblog_of_id != 0 ? kReblog : 0) | KeyOf(reblog_of_id != 0 ? reblog_of_id : status_id)};
  }
  bool is_reblog() const { return (flags & kReblog) != 0; }
  uint32_t key() const { return flags & ~kReblog; }
};
#pragma pack(pop)
static_assert(sizeof(TimelineEntry) == 20, "timeline entries are 20 bytes");

struct TimelineCacheStats {
  uint64_t live_timelines = 0;
  uint64_t entries = 0;
  uint64_t entry_slots = 0;  // entries the allocated memory could hold
  uint64_t bytes = 0;        // what the timelines hold in memory, entries and bookkeeping
};

class TimelineCache {
 public:
  virtual ~TimelineCache() = default;

  // Inserts into the account's live timeline, keeping it newest first,
  // without duplicates and within capacity. With `dedupe_window` > 0, a
  // reblog whose status already shows among the newest `dedupe_window`
  // entries is left out. Returns false when the account has no live
  // timeline (nothing is kept for it).
  virtual bool Push(int64_t account_id, const TimelineEntry& entry, int dedupe_window = 0) = 0;
  // Push to each of `account_ids`, as one operation where an implementation
  // can do better than one at a time (fan-out). Returns how many of them had
  // a live timeline.
  virtual size_t PushMany(const std::vector<int64_t>& account_ids, const TimelineEntry& entry,
                          int dedupe_window = 0) = 0;
  // Push of each of `entries`, in order, to one account's timeline, as one
  // operation where an implementation can do better (a follow's backfill).
  // Returns false when the account has no live timeline.
  virtual bool PushEach(int64_t account_id, const std::vector<TimelineEntry>& entries,
                        int dedupe_window = 0) = 0;
  // The id of the oldest entry of the account's live timeline when it is
  // full, below which a push is not kept; 0 when it is not full or not live.
  virtual int64_t OldestIfFull(int64_t account_id) const = 0;
  // Removes one status, or every entry of one author.
  virtual void Remove(int64_t account_id, int64_t status_id) = 0;
  virtual void RemoveAuthor(int64_t account_id, int64_t author_id) = 0;
  // The entries of `page` (newest first), and marks the timeline as read now;
  // nullopt when the account has no live timeline.
  virtual std::optional<std::vector<TimelineEntry>> Read(int64_t account_id,
                                                         const PageRequest& page,
                                                         int64_t now_ms) = 0;
  // Starts a rebuild: gives the account an incomplete live timeline (unless
  // it has one), which fan-out pushes into but reads do not see, so that a
  // status committed while the store is read for the rebuild is not lost.
  virtual void Reserve(int64_t account_id, int64_t now_ms) = 0;
  // Makes `entries` (newest first), together with whatever was pushed since
  // Reserve, the account's complete live timeline.
  virtual void Install(int64_t account_id, std::vector<TimelineEntry> entries, int64_t now_ms) = 0;
  virtual bool IsLive(int64_t account_id) const = 0;
  // Drops timelines not read since `cutoff_ms`; returns how many.
  virtual size_t DropIdle(int64_t cutoff_ms) = 0;
  // Drops the timelines read longest ago until what the rest hold is within
  // `max_bytes` (Stats().bytes); returns how many. A dropped timeline is
  // rebuilt when next read, as one dropped for idleness.
  virtual size_t ShrinkTo(size_t max_bytes) = 0;
  virtual TimelineCacheStats Stats() const = 0;
  // Operations so far that could not reach the cache (Redis, past its retry
  // window); always 0 for a cache in process memory. Fan-out hands an event
  // out again when handling it counted one (timeline/fan_out.h).
  virtual uint64_t failures() const { return 0; }
};

}  // namespace chirp
