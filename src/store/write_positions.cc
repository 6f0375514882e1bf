#include "store/write_positions.h"

#include <algorithm>

#include "core/clock.h"

namespace chirp {

Status MemoryWritePositions::Record(int64_t account_id, uint64_t position) {
  const int64_t now_ms = SteadyMillis();
  std::lock_guard lock(mu_);
  // Positions past their time go in one sweep a period, so the map holds
  // the accounts that wrote in the last two periods at most.
  if (now_ms >= next_sweep_ms_) {
    std::erase_if(kept_, [&](const auto& entry) { return entry.second.at_ms < now_ms - keep_ms_; });
    next_sweep_ms_ = now_ms + keep_ms_;
  }
  Kept& kept = kept_[account_id];
  kept.position = std::max(kept.position, position);
  kept.at_ms = now_ms;
  return {};
}

Result<uint64_t> MemoryWritePositions::Find(int64_t account_id) {
  std::lock_guard lock(mu_);
  auto it = kept_.find(account_id);
  return it == kept_.end() ? 0 : it->second.position;
}

}  // namespace chirp
