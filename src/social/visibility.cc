#include "social/visibility.h"

#include <algorithm>

#include "core/resident_bytes.h"

namespace chirp {

size_t ViewerVisibility::HeapBytes() const {
  return chirp::HeapBytes(blocked_) + chirp::HeapBytes(muted_) + chirp::HeapBytes(following_) +
         chirp::HeapBytes(follows_);
}

bool MaySee(Visibility visibility, const ViewerRelation& r) {
  if (r.is_author) return true;
  if (r.blocked_either_way) return false;
  switch (visibility) {
    case Visibility::kPublic:
    case Visibility::kUnlisted:
      return true;
    case Visibility::kPrivate:
      return !r.anonymous && (r.follows_author || r.mentioned);
    case Visibility::kDirect:
      return !r.anonymous && r.mentioned;
  }
  return false;
}

Result<ViewerVisibility> ViewerVisibility::Load(Store& store, int64_t viewer_id, int64_t now_ms) {
  ViewerVisibility v;
  v.viewer_id_ = viewer_id;
  if (viewer_id == 0) return v;
  auto filters = store.FiltersOf(viewer_id, now_ms);
  if (!filters) return std::move(filters).error();
  v.blocked_ = std::move(filters->blocked);
  v.muted_ = std::move(filters->muted);
  v.valid_until_ms_ = filters->next_expiry_ms;
  auto following = store.FollowingOf(viewer_id);
  if (!following) return std::move(following).error();
  for (const Follow& f : *following) v.following_.push_back(f.target_account_id);
  std::sort(v.following_.begin(), v.following_.end());
  v.follows_ = std::move(*following);
  std::sort(v.follows_.begin(), v.follows_.end(), [](const Follow& a, const Follow& b) {
    return a.target_account_id < b.target_account_id;
  });
  return v;
}

bool ViewerVisibility::CanSee(const StatusRecord& status) const {
  ViewerRelation r;
  r.anonymous = viewer_id_ == 0;
  r.is_author = !r.anonymous && viewer_id_ == status.account_id;
  if (!r.anonymous && !r.is_author) {
    r.mentioned =
        std::find(status.mentioned_account_ids.begin(), status.mentioned_account_ids.end(),
                  viewer_id_) != status.mentioned_account_ids.end();
    r.blocked_either_way = BlockedWith(status.account_id);
    r.follows_author = Follows(status.account_id);
  }
  return MaySee(status.visibility, r);
}

}  // namespace chirp
