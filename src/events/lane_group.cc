#include "events/lane_group.h"

#include <algorithm>

namespace chirp {

int PartitionOf(int64_t account_id, int partitions) {
  if (partitions <= 1) return 0;
  // Account ids are snowflakes, whose low bits are a worker and a
  // sequence: mixed first (SplitMix64's finalizer), so that every bit
  // counts.
  auto x = static_cast<uint64_t>(account_id);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return static_cast<int>(x % static_cast<uint64_t>(partitions));
}

LaneGroup::LaneGroup(EventLog& log, std::string name, int partitions, int64_t refresh_ms)
    : log_(log), name_(std::move(name)), partitions_(partitions), refresh_ms_(refresh_ms) {}

std::string LaneGroup::LaneName(int partition) const {
  return name_ + "." + std::to_string(partition) + "of" + std::to_string(partitions_);
}

Result<int> LaneGroup::ShareLocked(int64_t now_ms) {
  if (now_ms >= next_count_ms_) {
    auto counted = log_.JoinLaneGroup(name_);
    if (!counted) return std::move(counted).error();
    processes_ = std::max(1, *counted);
    next_count_ms_ = now_ms + refresh_ms_;
  }
  return (partitions_ + processes_ - 1) / processes_;
}

Result<bool> LaneGroup::Reserve(int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto share = ShareLocked(now_ms);
  if (!share) return std::move(share).error();
  if (held_ >= *share) return false;
  ++held_;
  return true;
}

void LaneGroup::Unreserve() {
  std::lock_guard lock(mu_);
  if (held_ > 0) --held_;
}

Result<bool> LaneGroup::GiveUpOne(int64_t now_ms) {
  std::lock_guard lock(mu_);
  auto share = ShareLocked(now_ms);
  if (!share) return std::move(share).error();
  if (held_ <= *share) return false;
  --held_;
  return true;
}

int LaneGroup::held() const {
  std::lock_guard lock(mu_);
  return held_;
}

int LaneGroup::processes() const {
  std::lock_guard lock(mu_);
  return processes_;
}

}  // namespace chirp
