// The entries of one cached timeline: ascending by status id, without
// duplicate ids, at most `capacity` of them (the oldest go first). A ring
// over one array, so that the common push (a new status, the newest id) is a
// store and, once full, drops the oldest in place. The array grows fourfold
// (16, 64, 256, then the capacity): a full timeline takes 20 bytes an entry
// in one allocation, and few sizes are left behind for the allocator to
// reuse.
//
// Not thread-safe: the cache's shard lock guards it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "timeline/timeline_cache.h"

namespace chirp {

class EntryRing {
 public:
  explicit EntryRing(size_t capacity) : capacity_(capacity) {}

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Slots allocated: the memory held is slots() × sizeof(TimelineEntry).
  size_t slots() const { return slots_; }
  // The i-th oldest entry.
  const TimelineEntry& operator[](size_t i) const { return buf_[Slot(i)]; }
  const TimelineEntry& newest() const { return (*this)[size_ - 1]; }

  enum class Inserted { kAdded, kPresent, kTooOld };
  // Inserts in order. kPresent: an entry with that status id is there
  // already; kTooOld: the ring is full and `e` is older than all of it.
  Inserted Insert(const TimelineEntry& e);
  // Replaces the contents with the newest `capacity` of `ascending`.
  void Assign(const std::vector<TimelineEntry>& ascending);
  // Removes the entries for which `remove` is true.
  template <typename Predicate>
  void EraseIf(Predicate remove) {
    std::vector<TimelineEntry> kept;
    kept.reserve(size_);
    for (size_t i = 0; i < size_; ++i) {
      if (!remove((*this)[i])) kept.push_back((*this)[i]);
    }
    Assign(kept);
  }
  // The first index whose status id is at least (LowerBound) or above
  // (UpperBound) `status_id`; size() when there is none.
  size_t LowerBound(int64_t status_id) const;
  size_t UpperBound(int64_t status_id) const;

 private:
  size_t Slot(size_t i) const {
    const size_t s = head_ + i;
    return s < slots_ ? s : s - slots_;
  }
  TimelineEntry& At(size_t i) { return buf_[Slot(i)]; }
  // Moves the entries into a larger array, oldest first.
  void Grow();

  const size_t capacity_;
  std::unique_ptr<TimelineEntry[]> buf_;
  uint32_t slots_ = 0;
  uint32_t head_ = 0;  // slot of the oldest entry
  uint32_t size_ = 0;
};

}  // namespace chirp
