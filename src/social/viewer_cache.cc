#include "social/viewer_cache.h"

#include "core/resident_bytes.h"
#include "core/snowflake.h"

namespace chirp {

size_t ViewerState::ResidentBytes() const {
  return sizeof(ViewerState) + visibility.HeapBytes() + HeapBytes(interactions.favourited) +
         HeapBytes(interactions.reblogged) + HeapBytes(interactions.bookmarked);
}

Result<ViewerRef> ViewerCache::Get(int64_t viewer_id) {
  const int64_t now = clock_.NowMillis();
  if (viewer_id == 0) {
    static const ViewerRef anonymous = std::make_shared<const ViewerState>();
    return anonymous;
  }
  if (ViewerRef cached = cache_.Find(viewer_id)) {
    const int64_t until = cached->visibility.valid_until_ms();
    if (until == 0 || now < until) return cached;
    cache_.Forget(viewer_id);
  }
  const uint64_t token = cache_.LoadToken(viewer_id);
  auto state = std::make_shared<ViewerState>();
  auto visibility = ViewerVisibility::Load(store_, viewer_id, now);
  if (!visibility) return std::move(visibility).error();
  state->visibility = std::move(visibility).value();
  state->horizon_id = SnowflakeGenerator::FirstIdAt(
      std::max<int64_t>(SnowflakeGenerator::kEpochMillis, now - options_.horizon_ms));
  auto interactions = store_.InteractionsSince(viewer_id, state->horizon_id);
  if (!interactions) return std::move(interactions).error();
  state->interactions = std::move(interactions).value();
  return cache_.Insert(viewer_id, std::move(state), token);
}

}  // namespace chirp
