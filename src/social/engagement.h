// Favourites, reblogs and bookmarks: acting on a status one may see. Favouriting or
// reblogging a reblog acts on what it wraps, as Mastodon does; each action
// is idempotent, and its undo too.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "social/lookups.h"
#include "social/posting.h"
#include "social/viewer_cache.h"
#include "store/store.h"

namespace chirp {

class Engagement {
 public:
  // Everything must outlive the service.
  Engagement(Store& store, const Clock& clock, SnowflakeGenerator& ids, StatusLookup& statuses,
             ViewerCache& viewers, OwnWrites& own_writes);

  // Favourites (or, with `favourite` false, unfavourites) the status, or
  // what it wraps; returns the id of the status acted on. kNotFound when the
  // account may not see it.
  Result<int64_t> SetFavourite(int64_t account_id, int64_t status_id, bool favourite);
  // Bookmarks (or removes the bookmark of) the status, or what it wraps, as
  // SetFavourite: bookmarks are seen by their account alone.
  Result<int64_t> SetBookmark(int64_t account_id, int64_t status_id, bool bookmark);

  // Reblogs the status, or what it wraps, with `visibility` (public when
  // absent; a private status's reblog stays private). The account's live
  // reblog is returned when there is one. kForbidden for direct statuses and
  // others' private ones, kUnprocessable for a visibility other than public,
  // unlisted or private.
  Result<PostedStatus> Reblog(int64_t account_id, int64_t application_id, int64_t status_id,
                              const std::optional<std::string>& visibility);
  // Removes the account's reblog of the status (or of what it wraps), if
  // any; returns the id of the original.
  Result<int64_t> Unreblog(int64_t account_id, int64_t status_id);

 private:
  Store& store_;
  const Clock& clock_;
  SnowflakeGenerator& ids_;
  StatusLookup& statuses_;
  ViewerCache& viewers_;
  OwnWrites& own_writes_;
};

}  // namespace chirp
