// What timelines need from the store: whole follower and following lists for
// fan-out and rebuilds, the recent statuses of a set of authors, the accounts
// a reader filters out, and the public and hashtag timelines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/records.h"
#include "store/social_store.h"

namespace chirp {

// Accounts whose statuses a reader does not see in timelines.
struct ReaderFilters {
  std::vector<int64_t> muted;    // sorted; mutes in force
  std::vector<int64_t> blocked;  // sorted; blocks either way
  // When the first of the mutes in force ends; 0 when none of them ends.
  int64_t next_expiry_ms = 0;
};

// What fan-out needs to deliver one status, read at once.
struct Delivery {
  StatusRecord status;
  int64_t author_followers = 0;
  // For a reblog: the author of the reblogged status; 0 when that status is
  // gone (then the reblog is delivered to nobody).
  int64_t original_author_id = 0;
};

struct PublicTimelineQuery {
  bool only_media = false;
  // The public timeline leaves out replies to other accounts, as Mastodon's
  // does; hashtag timelines keep them.
  bool include_replies = false;
  // Hashtag timelines: statuses with any of `any_tags` (normalised names),
  // all of `all_tags`, none of `none_tags`. Empty `any_tags`: any status.
  std::vector<std::string> any_tags;
  std::vector<std::string> all_tags;
  std::vector<std::string> none_tags;
};

class TimelineStore {
 public:
  virtual ~TimelineStore() = default;
  virtual Result<std::vector<Follow>> FollowersOf(int64_t account_id) = 0;
  virtual Result<std::vector<Follow>> FollowingOf(int64_t account_id) = 0;
  // Followers of `author_id` who also follow `other_id`.
  virtual Result<std::vector<int64_t>> FollowersAlsoFollowing(int64_t author_id,
                                                              int64_t other_id) = 0;
  // The newest `per_author` live statuses of each author below `before_id`
  // (0: no bound), all together, newest first, with only what placing them
  // in a home timeline needs (BelongsInHome): id, author, visibility, the
  // reply and reblog fields, and the mentions of direct statuses and of
  // replies to others. Text, content, times, tags, media and counts are
  // left empty: rebuilds, backfills and read-time merges read thousands of
  // statuses and keep none of that.
  virtual Result<std::vector<StatusRecord>> RecentPlacementsOf(const std::vector<int64_t>& authors,
                                                               int per_author,
                                                               int64_t before_id = 0) = 0;
  // kNotFound when the status is deleted.
  virtual Result<Delivery> DeliveryOf(int64_t status_id) = 0;
  // Every account with at least `min_followers` followers.
  virtual Result<std::vector<int64_t>> AccountsWithFollowersAtLeast(int64_t min_followers) = 0;
  virtual Result<bool> TagExists(std::string_view normalized_name) = 0;
  virtual Result<ReaderFilters> FiltersOf(int64_t reader_id, int64_t now_ms) = 0;
  // Public, non-reblog statuses (and replies to others only with
  // include_replies), paged by id.
  virtual Result<std::vector<StatusRecord>> PublicTimeline(const PublicTimelineQuery& query,
                                                           const PageRequest& page) = 0;
};

}  // namespace chirp
