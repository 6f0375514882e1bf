#include "events/trim_point.h"

#include <algorithm>
#include <limits>

namespace chirp {

size_t TrimPoint::AddSlot() {
  slots_.emplace_back(0);
  return slots_.size() - 1;
}

void TrimPoint::Set(size_t slot, int64_t position) {
  slots_[slot].store(position, std::memory_order_release);
}

int64_t TrimPoint::FloorWith(size_t slot, int64_t position) const {
  int64_t floor = std::numeric_limits<int64_t>::max();
  for (size_t i = 0; i < slots_.size(); ++i) {
    floor = std::min(floor, i == slot ? position : slots_[i].load(std::memory_order_acquire));
  }
  return floor;
}

bool TrimPoint::Claim(int64_t floor) {
  int64_t seen = claimed_.load(std::memory_order_relaxed);
  while (floor > seen) {
    if (claimed_.compare_exchange_weak(seen, floor, std::memory_order_relaxed)) return true;
  }
  return false;
}

}  // namespace chirp
