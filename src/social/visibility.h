// Who may see a status: the one place that decides it, used by every read
// path (single statuses, threads, account listings, favourites, and later
// timelines, search, notifications and streaming).
//
// The rules, as Mastodon's StatusPolicy with blocks made mutual:
//  - the author always sees their own statuses;
//  - a block in either direction hides the statuses of each from the other;
//  - direct: the author and the mentioned accounts only;
//  - private (followers-only): the author, followers and mentioned accounts;
//  - public and unlisted: anyone, anonymous readers included;
//  - a reblog is visible when both the reblog and the reblogged status are.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "store/records.h"
#include "store/social_store.h"
#include "store/store.h"

namespace chirp {

// How the viewer stands to the author of one status.
struct ViewerRelation {
  bool anonymous = false;
  bool is_author = false;
  bool follows_author = false;
  bool mentioned = false;
  bool blocked_either_way = false;
};

// The rule itself: pure, so it can be tested against every combination.
bool MaySee(Visibility visibility, const ViewerRelation& relation);

// What one viewer's visibility checks need, loaded once for a whole page:
// the accounts blocked either way and the accounts followed. Then each check
// is MaySee over in-memory sets, with no store access.
class ViewerVisibility {
 public:
  // `viewer_id` 0 is an anonymous reader (no store access at all).
  static Result<ViewerVisibility> Load(Store& store, int64_t viewer_id, int64_t now_ms);

  // Whether the viewer may see `status` itself (for a reblog, the wrapper;
  // callers check what it wraps too).
  bool CanSee(const StatusRecord& status) const;
  // Whether the viewer mutes (a mute in force) `account_id`.
  bool Mutes(int64_t account_id) const {
    return std::binary_search(muted_.begin(), muted_.end(), account_id);
  }
  // Whether a block stands between the viewer and `account_id`, either way.
  bool BlockedWith(int64_t account_id) const {
    return std::binary_search(blocked_.begin(), blocked_.end(), account_id);
  }
  bool Follows(int64_t account_id) const {
    return std::binary_search(following_.begin(), following_.end(), account_id);
  }
  // The viewer's follows with their settings, sorted by followed account.
  const std::vector<Follow>& follows() const { return follows_; }
  int64_t viewer_id() const { return viewer_id_; }
  // When the first of the viewer's mutes ends, after which these relations
  // are out of date; 0 when none ends.
  int64_t valid_until_ms() const { return valid_until_ms_; }

  // The heap memory these relations take (core/resident_bytes.h).
  size_t HeapBytes() const;

 private:
  int64_t viewer_id_ = 0;
  std::vector<int64_t> blocked_;    // sorted
  std::vector<int64_t> muted_;      // sorted
  std::vector<int64_t> following_;  // sorted
  std::vector<Follow> follows_;     // sorted by target_account_id
  int64_t valid_until_ms_ = 0;
};

}  // namespace chirp
