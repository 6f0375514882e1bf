// The part of the store that holds statuses and the social graph: posting,
// deleting, favourites, reblogs, follows, follow requests, blocks and mutes.
// The same contract as store.h: thread-safe, may block, writes are durable
// when they return Ok, expected failures are values.
//
// Counters (statuses, followers, following, replies, reblogs, favourites)
// are maintained in the same transaction as the change they count, so they
// are exact after any sequence of actions, repeats and undos included.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/records.h"

namespace chirp {

// A page of a newest-first listing. Ids are exclusive bounds; 0 means none.
// With min_id the page is the oldest `limit` items above it, still returned
// newest first; otherwise the newest `limit` items below max_id (and above
// since_id).
struct PageRequest {
  int64_t max_id = 0;
  int64_t since_id = 0;
  int64_t min_id = 0;
  int limit = 20;
};

// An item of a listing with the id it is paginated by (a follow's or a
// favourite's own id, for instance, rather than the account's or status's).
template <typename T>
struct Paged {
  int64_t cursor = 0;
  T item;
};

// What an account's status listing includes.
struct AccountStatusFilter {
  bool exclude_replies = false;
  bool exclude_reblogs = false;
  bool only_media = false;
  std::string tagged;  // normalised tag name; "" for any
  // The visibilities the viewer may see there (the caller decides).
  std::vector<Visibility> visibilities;
};

// What DeleteStatus removed: the reblogs of the status and then the status
// itself, each beside its account in `account_ids` (the rebloggers, then the
// author), whose counters changed.
struct DeletedStatuses {
  std::vector<int64_t> status_ids;
  std::vector<int64_t> account_ids;
};

// Status ids an account favourited, reblogged and bookmarked, each list
// sorted.
struct Interactions {
  std::vector<int64_t> favourited;
  std::vector<int64_t> reblogged;
  std::vector<int64_t> bookmarked;
};

// One favourite (or bookmark), as ScanFavourites (ScanBookmarks) reads them.
struct FavouriteRow {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t status_id = 0;
};

// How CreateStatus went: the status's id, and whether an earlier status with
// the same idempotency key (or the live reblog) was returned instead of a
// new one.
struct CreatedStatus {
  int64_t id = 0;
  bool existing = false;
  // A new status as the store now holds it (what FindStatus would return);
  // absent when an existing one was returned.
  std::optional<StatusRecord> stored;
  // The id of the new status's event in the outbox (0 for an existing one).
  int64_t event_id = 0;
};

class SocialStore {
 public:
  virtual ~SocialStore() = default;

  // Statuses.
  // Writes the status with its mentions and tags and updates the counters.
  // With a non-empty `idempotency_key` seen for the same account within
  // `idempotency_window_ms`, writes nothing and returns the earlier status;
  // likewise a reblog of a status the account already reblogs returns that
  // reblog. A reblog of a deleted status is kNotFound. Media ids that do not
  // name attachments of the author's that no status uses yet are
  // kUnprocessable (they are attached in the same transaction).
  virtual Result<CreatedStatus> CreateStatus(const StatusRecord& status,
                                             std::string_view idempotency_key,
                                             int64_t idempotency_window_ms) = 0;
  // kNotFound for unknown and deleted statuses.
  virtual Result<StatusRecord> FindStatus(int64_t id) = 0;
  virtual Result<std::vector<StatusRecord>> FindStatuses(const std::vector<int64_t>& ids) = 0;
  // A deleted status as it was, for the consequences of its deletion;
  // kNotFound when unknown or not deleted.
  virtual Result<StatusRecord> FindDeletedStatus(int64_t id) = 0;
  // Every live status (reblogs included) in id order, `limit` at a time
  // after `after_id`: for rebuilding what is derived from them.
  virtual Result<std::vector<StatusRecord>> ScanStatuses(int64_t after_id, int limit) = 0;
  // Every favourite of a live status in the favourites' order, as above.
  virtual Result<std::vector<FavouriteRow>> ScanFavourites(int64_t after_id, int limit) = 0;
  // Marks the status deleted, with the reblogs of it, and updates counters.
  virtual Result<DeletedStatuses> DeleteStatus(int64_t id, int64_t at_ms) = 0;
  // The account's live reblog of `status_id`, if any.
  virtual Result<std::optional<int64_t>> FindReblog(int64_t account_id, int64_t status_id) = 0;
  virtual Result<std::vector<Paged<StatusRecord>>> ListAccountStatuses(
      int64_t account_id, const AccountStatusFilter& filter, const PageRequest& page) = 0;
  // Live replies to any of `parent_ids`.
  virtual Result<std::vector<StatusRecord>> ListReplies(const std::vector<int64_t>& parent_ids) = 0;

  // Favourites. Favourite and Unfavourite are idempotent and report whether
  // they changed anything.
  virtual Result<bool> Favourite(int64_t account_id, int64_t status_id, int64_t id,
                                 int64_t at_ms) = 0;
  virtual Result<bool> Unfavourite(int64_t account_id, int64_t status_id) = 0;
  virtual Result<std::vector<Paged<int64_t>>> ListFavouritedBy(int64_t status_id,
                                                               const PageRequest& page) = 0;
  virtual Result<std::vector<Paged<int64_t>>> ListFavourites(int64_t account_id,
                                                             const PageRequest& page) = 0;
  // Live reblogs of the status: (reblog id, reblogger) pairs, paged by reblog id.
  virtual Result<std::vector<Paged<int64_t>>> ListRebloggedBy(int64_t status_id,
                                                              const PageRequest& page) = 0;
  // Of `status_ids`, those the account favourited and those it reblogged.
  virtual Result<std::vector<int64_t>> FavouritedAmong(int64_t account_id,
                                                       const std::vector<int64_t>& status_ids) = 0;
  virtual Result<std::vector<int64_t>> RebloggedAmong(int64_t account_id,
                                                      const std::vector<int64_t>& status_ids) = 0;
  // Of `status_ids`, those the account favourited, reblogged and
  // bookmarked, in one read (unsorted).
  virtual Result<Interactions> InteractionsAmong(int64_t account_id,
                                                 const std::vector<int64_t>& status_ids) = 0;
  // The statuses with ids from `min_status_id` up that the account has
  // favourited, (live reblogs) reblogged and bookmarked.
  virtual Result<Interactions> InteractionsSince(int64_t account_id, int64_t min_status_id) = 0;

  // Bookmarks, private to their account. Bookmark and Unbookmark are
  // idempotent and report whether they changed anything; Bookmark is
  // kNotFound for a status that is not live.
  virtual Result<bool> Bookmark(int64_t account_id, int64_t status_id, int64_t id,
                                int64_t at_ms) = 0;
  virtual Result<bool> Unbookmark(int64_t account_id, int64_t status_id) = 0;
  // The account's bookmarks of live statuses: (bookmark id, status id)
  // pairs, newest bookmark first, paged by bookmark id.
  virtual Result<std::vector<Paged<int64_t>>> ListBookmarks(int64_t account_id,
                                                            const PageRequest& page) = 0;
  // Of `status_ids`, those the account bookmarked.
  virtual Result<std::vector<int64_t>> BookmarkedAmong(int64_t account_id,
                                                       const std::vector<int64_t>& status_ids) = 0;
  // Every bookmark of a live status in the bookmarks' order, `limit` at a
  // time after `after_id` (for rebuilding the search index).
  virtual Result<std::vector<FavouriteRow>> ScanBookmarks(int64_t after_id, int limit) = 0;

  // Follows. CreateFollow inserts or updates the settings of an existing
  // follow; it reports whether the follow is new. Following (or asking to)
  // across a block either way is kForbidden, checked in the same transaction.
  // An existing follow takes only the settings `change` names, keeping the
  // others (a new one takes all of `follow`'s): no read ahead of the write.
  struct FollowSettingsChange {
    bool show_reblogs = true;
    bool notify = true;
  };
  virtual Result<bool> CreateFollow(const Follow& follow, FollowSettingsChange change) = 0;
  Result<bool> CreateFollow(const Follow& follow) { return CreateFollow(follow, {}); }
  virtual Result<bool> DeleteFollow(int64_t account_id, int64_t target_account_id) = 0;
  // Unfollowing as Mastodon does: the follow and the request to follow, each
  // removed if there is one, in one transaction; reports which were.
  struct Unfollowed {
    bool follow = false;
    bool request = false;
  };
  virtual Result<Unfollowed> Unfollow(int64_t account_id, int64_t target_account_id) = 0;
  virtual Result<std::optional<Follow>> FindFollow(int64_t account_id,
                                                   int64_t target_account_id) = 0;
  // Followers of / accounts followed by `account_id`, paged by follow id.
  virtual Result<std::vector<Paged<int64_t>>> ListFollowers(int64_t account_id,
                                                            const PageRequest& page) = 0;
  virtual Result<std::vector<Paged<int64_t>>> ListFollowing(int64_t account_id,
                                                            const PageRequest& page) = 0;

  // Follow requests to locked accounts.
  virtual Result<bool> CreateFollowRequest(const Follow& request) = 0;
  virtual Result<bool> DeleteFollowRequest(int64_t account_id, int64_t target_account_id) = 0;
  // Turns the request of `account_id` to `target_account_id` into a follow.
  // kNotFound when there is no such request.
  virtual Status AuthorizeFollowRequest(int64_t account_id, int64_t target_account_id,
                                        int64_t follow_id, int64_t at_ms) = 0;
  virtual Result<std::vector<Paged<int64_t>>> ListFollowRequests(int64_t target_account_id,
                                                                 const PageRequest& page) = 0;
  virtual Result<int64_t> CountFollowRequests(int64_t target_account_id) = 0;

  // Blocks: creating one removes follows and follow requests both ways.
  virtual Result<bool> CreateBlock(int64_t id, int64_t account_id, int64_t target_account_id,
                                   int64_t at_ms) = 0;
  virtual Result<bool> DeleteBlock(int64_t account_id, int64_t target_account_id) = 0;
  virtual Result<std::vector<Paged<int64_t>>> ListBlocks(int64_t account_id,
                                                         const PageRequest& page) = 0;
  // True when either account blocks the other.
  virtual Result<bool> BlockedEitherWay(int64_t a, int64_t b) = 0;
  // Of `account_ids`, those that follow `account_id` (a few hundred at most:
  // one index look-up each).
  virtual Result<std::vector<int64_t>> FollowersAmong(int64_t account_id,
                                                      const std::vector<int64_t>& account_ids) = 0;

  // Mutes: CreateMute inserts or updates.
  virtual Status CreateMute(const Mute& mute) = 0;
  virtual Result<bool> DeleteMute(int64_t account_id, int64_t target_account_id) = 0;
  virtual Result<std::vector<Paged<Mute>>> ListMutes(int64_t account_id,
                                                     const PageRequest& page) = 0;

  virtual Result<RelationshipRecord> Relationship(int64_t account_id, int64_t target_account_id,
                                                  int64_t now_ms) = 0;
  // True when `recipient` hears nothing from `from`: either blocks the other,
  // or `recipient` mutes `from` with notifications hidden (a mute in force
  // at `now_ms`). Three index lookups, where Relationship takes eleven.
  virtual Result<bool> NotificationsSilenced(int64_t recipient, int64_t from, int64_t now_ms) = 0;
};

}  // namespace chirp
