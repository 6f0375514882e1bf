#include "timeline/entry_ring.h"

#include <algorithm>

namespace chirp {
namespace {

constexpr size_t kFirstSlots = 16;

}  // namespace

void EntryRing::Grow() {
  const size_t slots = std::min(capacity_, std::max(kFirstSlots, size_t{slots_} * 4));
  auto buf = std::make_unique<TimelineEntry[]>(slots);
  for (size_t i = 0; i < size_; ++i) buf[i] = (*this)[i];
  buf_ = std::move(buf);
  slots_ = static_cast<uint32_t>(slots);
  head_ = 0;
}

size_t EntryRing::LowerBound(int64_t status_id) const {
  size_t lo = 0;
  size_t hi = size_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if ((*this)[mid].status_id < status_id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

size_t EntryRing::UpperBound(int64_t status_id) const {
  size_t lo = 0;
  size_t hi = size_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if ((*this)[mid].status_id <= status_id) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

EntryRing::Inserted EntryRing::Insert(const TimelineEntry& e) {
  if (capacity_ == 0) return Inserted::kTooOld;
  const bool full = size_ == capacity_;
  if (size_ == 0 || newest().status_id < e.status_id) {  // the common case: the newest
    if (full) {
      buf_[head_] = e;  // over the oldest, which becomes the newest slot
      head_ = static_cast<uint32_t>(Slot(1));
      return Inserted::kAdded;
    }
    if (size_ == slots_) Grow();
    At(size_++) = e;
    return Inserted::kAdded;
  }
  size_t p = LowerBound(e.status_id);
  if (p < size_ && (*this)[p].status_id == e.status_id) return Inserted::kPresent;
  if (full) {
    if (p == 0) return Inserted::kTooOld;
    head_ = static_cast<uint32_t>(Slot(1));  // the oldest goes
    --size_;
    --p;
  } else if (size_ == slots_) {
    Grow();
  }
  for (size_t i = size_; i > p; --i) At(i) = (*this)[i - 1];
  At(p) = e;
  ++size_;
  return Inserted::kAdded;
}

void EntryRing::Assign(const std::vector<TimelineEntry>& ascending) {
  const size_t n = std::min(ascending.size(), capacity_);
  const size_t slots = n == 0 ? 0 : std::min(capacity_, std::max(kFirstSlots, n));
  if (slots != slots_) {
    buf_ = slots == 0 ? nullptr : std::make_unique<TimelineEntry[]>(slots);
    slots_ = static_cast<uint32_t>(slots);
  }
  head_ = 0;
  size_ = static_cast<uint32_t>(n);
  std::copy(ascending.end() - static_cast<ptrdiff_t>(n), ascending.end(), buf_.get());
}

}  // namespace chirp
