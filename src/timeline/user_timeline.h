// An account's statuses as one reader may list them
// (GET /api/v1/accounts/:id/statuses): all of one's own, public and unlisted
// for others, private too for followers, none across a block. Served from
// the author's list in memory (timeline/author_posts.h) where it answers,
// which is every first page and most pages below it; from the store for
// the rest (deep pages, min_id pages, only_media and tagged).
//
// What a reader may see is applied again when the statuses are presented,
// as for every list.
//
// Thread-safe. On a thread that must not wait, what needs the store
// refuses with kWouldBlock (core/no_wait.h).
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "social/lookups.h"
#include "social/viewer_cache.h"
#include "store/store.h"
#include "timeline/author_posts.h"

namespace chirp {

class UserTimeline {
 public:
  // Everything must outlive the service.
  UserTimeline(Store& store, AccountLookup& accounts, ViewerCache& viewers, AuthorPosts& posts)
      : store_(store), accounts_(accounts), viewers_(viewers), posts_(posts) {}

  // The ids of the page, newest first. `filter.visibilities` is set here.
  // kNotFound for an unknown account.
  Result<std::vector<int64_t>> Page(int64_t viewer_id, int64_t account_id,
                                    AccountStatusFilter filter, const PageRequest& page);

 private:
  Store& store_;
  AccountLookup& accounts_;
  ViewerCache& viewers_;
  AuthorPosts& posts_;
};

}  // namespace chirp
