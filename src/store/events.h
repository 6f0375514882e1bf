// The event stream between a change and its consequences (fan-out,
// notifications, streaming; search and trends later). Every change that
// has consequences writes an event into the outbox in the same transaction
// as the change itself, so an answered request never loses its event, even
// when the process dies right after answering. Consumers drain the outbox
// after the answer, in event order (so in order per account), at least once:
// they must be idempotent.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/error.h"
#include "store/records.h"

namespace chirp {

enum class EventKind : int {
  kStatusCreated = 1,  // account: the author; subject: the status
  kStatusDeleted = 2,  // account: the author; subject: the status
  kFollowed = 3,       // account: the follower; subject: the followed
  kUnfollowed = 4,     // account: the former follower; subject: the unfollowed
  kFavourited = 5,     // account: who favourited; subject: the status
  kUnfavourited = 6,   // account: who unfavourited; subject: the status
  kBlocked = 7,        // account: the blocker; subject: the blocked
  kMuted = 8,          // account: the muter; subject: the muted
  kFollowChanged = 9,  // a follow's settings changed; account: the follower; subject: the followed
  kFollowRequested = 10,       // account: who asks; subject: the locked account
  kFollowRequestRemoved = 11,  // withdrawn, rejected or authorised; as above
  kUnblocked = 12,              // account: the former blocker; subject: the unblocked
  kUnmuted = 13,                // account: the former muter; subject: the unmuted
  kAccountUpdated = 14,         // the profile or its settings changed; account and subject: it
  kTokenRevoked = 15,           // account: the token's (0 for an app's); subject: the token
};

// OutboxEvent::flags.
inline constexpr uint32_t kEventReblog = 1;  // a status event's status is a reblog

// One event. `related_id` depends on the kind: for kStatusCreated and
// kStatusDeleted, the status replied to or, with kEventReblog, the status
// reblogged (0 for neither), so that a consumer can tell which counters
// changed without reading the status.
struct OutboxEvent {
  int64_t id = 0;  // increasing in commit order
  EventKind kind = EventKind::kStatusCreated;
  int64_t account_id = 0;
  int64_t subject_id = 0;
  int64_t created_at_ms = 0;
  int64_t related_id = 0;
  uint32_t flags = 0;
};

// The event announcing that `status` was created or deleted, with what it
// replies to or reblogs: what the store writes, and what a writer applies to
// its own caches (social/lookups.h).
OutboxEvent StatusEvent(EventKind kind, const StatusRecord& status, int64_t at_ms);

class EventLog {
 public:
  virtual ~EventLog() = default;
  // Events after `after_id`, oldest first, at most `limit`.
  virtual Result<std::vector<OutboxEvent>> ReadOutbox(int64_t after_id, int limit) = 0;
  // Forgets the events up to `up_to_id`: every consumer has handled them.
  virtual Status AckOutbox(int64_t up_to_id) = 0;
  // Called (on the writer's thread; it must not block) after each commit,
  // so a drainer can wake up instead of polling.
  virtual void SetCommitListener(std::function<void()> listener) = 0;
};

}  // namespace chirp
