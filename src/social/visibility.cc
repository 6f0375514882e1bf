#include "social/visibility.h"

#include <algorithm>

namespace chirp {

bool MaySee(Visibility visibility, const ViewerRelation& r) {
  if (r.is_author) return true;
  if (r.blocked_either_way) return false;
  switch (visibility) {
    case Visibility::kPublic:
    case Visibility::kUnlisted: return true;
    case Visibility::kPrivate: return !r.anonymous && (r.follows_author || r.mentioned);
    case Visibility::kDirect: return !r.anonymous && r.mentioned;
  }
  return false;
}

Result<bool> CanSee(SocialStore& store, int64_t viewer_id, const StatusRecord& status) {
  ViewerRelation r;
  r.anonymous = viewer_id == 0;
  r.is_author = viewer_id != 0 && viewer_id == status.account_id;
  if (r.anonymous || r.is_author) return MaySee(status.visibility, r);
  r.mentioned = std::find(status.mentioned_account_ids.begin(), status.mentioned_account_ids.end(),
                          viewer_id) != status.mentioned_account_ids.end();
  auto blocked = store.BlockedEitherWay(viewer_id, status.account_id);
  if (!blocked) return std::move(blocked).error();
  r.blocked_either_way = *blocked;
  if (status.visibility == Visibility::kPrivate && !r.mentioned && !r.blocked_either_way) {
    auto follow = store.FindFollow(viewer_id, status.account_id);
    if (!follow) return std::move(follow).error();
    r.follows_author = follow->has_value();
  }
  return MaySee(status.visibility, r);
}

}  // namespace chirp
