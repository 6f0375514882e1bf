// The social graph as people change it: follows (requests to locked
// accounts), their settings, decisions on requests, blocks and mutes. Each
// action is idempotent. What follows from a change (timelines, counters,
// notifications, caches) comes from the event the store writes with it.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "social/lookups.h"
#include "store/store.h"

namespace chirp {

// How a follow is asked for; absent settings keep those of an existing
// follow (new ones: reblogs shown, no notifications).
struct FollowOptions {
  std::optional<bool> show_reblogs;
  std::optional<bool> notify;
};

struct MuteOptions {
  bool hide_notifications = true;
  int64_t duration_seconds = 0;  // 0: until unmuted
};

class GraphService {
 public:
  // The longest mute with an end; longer ones are refused.
  static constexpr int64_t kMaxMuteSeconds = int64_t{100} * 365 * 24 * 3600;

  // Everything must outlive the service.
  GraphService(Store& store, const Clock& clock, SnowflakeGenerator& ids, AccountLookup& accounts,
               OwnWrites& own_writes);

  // Follows `target_id`, or asks to when it is locked and not yet followed.
  // kNotFound for an unknown account; kForbidden for oneself and across a
  // block either way.
  Status Follow(int64_t account_id, int64_t target_id, const FollowOptions& options);
  // Ends the follow and withdraws a request, whichever there is.
  Status Unfollow(int64_t account_id, int64_t target_id);

  // The locked account `account_id` accepts or rejects the request of
  // `requester_id`; kNotFound when there is none.
  Status DecideRequest(int64_t account_id, int64_t requester_id, bool authorize);
  // Accepts every request waiting for `account_id` (when it is unlocked).
  Status AuthorizeAllRequests(int64_t account_id);

  // A block ends follows and requests both ways. kForbidden for oneself.
  Status SetBlock(int64_t account_id, int64_t target_id, bool block);
  // kUnprocessable for a negative or overlong duration; kForbidden for oneself.
  Status Mute(int64_t account_id, int64_t target_id, const MuteOptions& options);
  Status Unmute(int64_t account_id, int64_t target_id);

  // How `account_id` stands to `target_id`.
  Result<RelationshipRecord> Relationship(int64_t account_id, int64_t target_id);

  // Listings, newest first, paged by the id of the follow, request, block
  // or mute; each item is the other account's id.
  // The followers of `target_id` (or, with `followers` false, whom it
  // follows) as `viewer_id` (0: anonymous) may list them: nothing across a
  // block. kNotFound for an unknown account.
  Result<std::vector<Paged<int64_t>>> Connections(int64_t viewer_id, int64_t target_id,
                                                  bool followers, const PageRequest& page);
  Result<std::vector<Paged<int64_t>>> FollowRequests(int64_t account_id, const PageRequest& page);
  Result<std::vector<Paged<int64_t>>> Blocks(int64_t account_id, const PageRequest& page);
  // The account's mutes in force (expired ones left out).
  Result<std::vector<Paged<::chirp::Mute>>> Mutes(int64_t account_id, const PageRequest& page);

 private:
  // The target account, which must exist and not be `account_id`.
  Result<AccountRef> Other(int64_t account_id, int64_t target_id);
  void Applied(EventKind kind, int64_t account_id, int64_t subject_id, int64_t at_ms);

  Store& store_;
  const Clock& clock_;
  SnowflakeGenerator& ids_;
  AccountLookup& accounts_;
  OwnWrites& own_writes_;
};

}  // namespace chirp
