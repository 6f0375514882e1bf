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

#include <cstdint>

#include "core/error.h"
#include "store/records.h"
#include "store/social_store.h"

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

// Gathers the relation of `viewer_id` (0: anonymous) to `status` from the
// store and applies MaySee. For a reblog, checks the wrapper only; callers
// check the reblogged status too (CanSeeWithReblog does both).
Result<bool> CanSee(SocialStore& store, int64_t viewer_id, const StatusRecord& status);

}  // namespace chirp
