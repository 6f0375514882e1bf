// Reading statuses beyond single ones and timelines: a status's thread, who
// favourited or reblogged it, an account's favourites (an account's own
// statuses are timeline/user_timeline.h). Each returns status or account
// ids; what a reader may see of the statuses is applied again when they are
// presented, as for every list.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "social/lookups.h"
#include "social/viewer_cache.h"
#include "store/store.h"

namespace chirp {

// A thread around one status, in the order Mastodon answers it.
struct Thread {
  std::vector<int64_t> ancestors;    // oldest first
  std::vector<int64_t> descendants;  // depth first, each reply before its own replies
};

class StatusReads {
 public:
  // How much of a thread is read, in statuses and in levels of replies
  // below the status; anonymous readers get less, as on Mastodon.
  static constexpr int kAncestorLimit = 4096;
  static constexpr int kDescendantLimit = 4096;
  static constexpr int kDescendantDepthLimit = 4096;
  static constexpr int kAnonymousAncestorLimit = 40;
  static constexpr int kAnonymousDescendantLimit = 60;
  static constexpr int kAnonymousDescendantDepthLimit = 20;

  // Everything must outlive the service.
  StatusReads(Store& store, AccountLookup& accounts, StatusLookup& statuses, ViewerCache& viewers);

  // The thread of `status_id` as `viewer_id` (0: anonymous) reads it,
  // statuses of accounts the viewer mutes left out. kNotFound when the
  // viewer may not see the status.
  Result<Thread> Context(int64_t viewer_id, int64_t status_id);

  // Who favourited (or, with `favourited` false, reblogged) `status_id`,
  // accounts blocked either way with the viewer left out. kNotFound when the
  // viewer may not see the status. Paged by the favourite's or reblog's id.
  Result<std::vector<Paged<int64_t>>> WhoActed(int64_t viewer_id, int64_t status_id,
                                               bool favourited, const PageRequest& page);

  // The statuses the account favourited, paged by the favourite's id.
  Result<std::vector<Paged<int64_t>>> Favourites(int64_t account_id, const PageRequest& page);
  // The account's bookmarks, as Favourites.
  Result<std::vector<Paged<int64_t>>> Bookmarks(int64_t account_id, const PageRequest& page);

 private:
  Store& store_;
  AccountLookup& accounts_;
  StatusLookup& statuses_;
  ViewerCache& viewers_;
};

}  // namespace chirp
