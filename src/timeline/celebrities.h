// The accounts whose statuses readers merge at read time instead of having
// them pushed: those with at least TimelineOptions::celebrity_threshold
// followers. Held in memory so that a home read asks the store nothing.
//
// Loaded from the store at start; Refresh(account) after each committed
// change to an account's followers (follow, unfollow, authorised request,
// block) keeps it equal to the store. Fan-out decides from a set of its own,
// refreshed as it handles those changes' events, so between a commit and its
// Refresh a new celebrity's post can be missing from reads for that moment,
// never lost: it is merged once the set knows.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "core/error.h"
#include "social/visibility.h"
#include "store/store.h"

namespace chirp {

class Celebrities {
 public:
  Celebrities(Store& store, int64_t threshold) : store_(store), threshold_(threshold) {}

  Status Load();
  // Re-reads the account's followers count.
  Status Refresh(int64_t account_id);
  // The same from a count read already (an account just loaded after the
  // change); a missing account is none.
  void Update(int64_t account_id, std::optional<int64_t> followers_count);
  // Of the accounts `reader` follows, the celebrities, ascending.
  std::vector<int64_t> FollowedBy(const ViewerVisibility& reader) const;
  bool Contains(int64_t account_id) const;
  size_t size() const;

 private:
  Store& store_;
  const int64_t threshold_;
  mutable std::shared_mutex mu_;
  std::vector<int64_t> ids_;  // sorted; guarded by mu_
};

}  // namespace chirp
