// What each signed-in reader's pages need about them, from memory: their
// relations (ViewerVisibility: follows, blocks either way, mutes in force)
// and which recent statuses they have favourited and reblogged.
//
// Writers keep it right by calling Forget after the store commits a change
// to any of these (see core/snapshot_cache.h for why that is enough): a
// follow, unfollow or authorised request forgets the follower; a block or
// unblock both accounts; a mute or unmute, a favourite or unfavourite, a
// reblog or unreblog the account acting. A state also lapses by itself when
// the first of the reader's mutes ends.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/snapshot_cache.h"
#include "social/visibility.h"
#include "store/store.h"

namespace chirp {

struct ViewerState {
  ViewerVisibility visibility;
  // Favourites, reblogs and bookmarks are held for statuses with ids from
  // horizon_id up; older statuses are asked of the store.
  int64_t horizon_id = 0;
  Interactions interactions;

  bool Covers(int64_t status_id) const { return status_id >= horizon_id; }
  // Meaningful when Covers(status_id).
  bool Favourited(int64_t status_id) const {
    return std::binary_search(interactions.favourited.begin(), interactions.favourited.end(),
                              status_id);
  }
  bool Reblogged(int64_t status_id) const {
    return std::binary_search(interactions.reblogged.begin(), interactions.reblogged.end(),
                              status_id);
  }
  bool Bookmarked(int64_t status_id) const {
    return std::binary_search(interactions.bookmarked.begin(), interactions.bookmarked.end(),
                              status_id);
  }
  // What this reader's state takes in memory.
  size_t ResidentBytes() const;
};

using ViewerRef = std::shared_ptr<const ViewerState>;

struct ViewerCacheOptions {
  size_t capacity = 100000;              // readers held
  size_t max_bytes = size_t{512} << 20;  // and the memory they may take
  // How far back favourites and reblogs are held, by the statuses' age.
  int64_t horizon_ms = int64_t{14} * 24 * 3600 * 1000;
};

class ViewerCache {
 public:
  ViewerCache(Store& store, const Clock& clock, ViewerCacheOptions options = {})
      : store_(store),
        clock_(clock),
        options_(options),
        cache_(options.capacity, options.max_bytes) {}

  // The reader's state; viewer 0 (anonymous) has no relations and no store
  // access. Loads it from the store when absent or lapsed.
  Result<ViewerRef> Get(int64_t viewer_id);
  // Drops the account's state, after a committed change to it.
  void Forget(int64_t account_id) { cache_.Forget(account_id); }
  size_t size() const { return cache_.size(); }
  size_t bytes() const { return cache_.bytes(); }

 private:
  Store& store_;
  const Clock& clock_;
  const ViewerCacheOptions options_;
  SnapshotCache<ViewerState> cache_;
};

}  // namespace chirp
