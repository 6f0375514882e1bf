// The event stream between a change and its consequences (fan-out,
// notifications, streaming; search and trends later). Every change that
// has consequences writes an event into the outbox in the same transaction
// as the change itself, so an answered request never loses its event, even
// when the process dies right after answering. Consumers drain the outbox
// after the answer, in event order (so in order per account), at least once:
// they must be idempotent. Each consumer reads at its own pace, behind its own
// cursor (events/outbox_drainer.h); the outbox keeps an event until every
// consumer has passed it, and an event that keeps failing for a consumer is
// kept as a dead letter of that consumer instead.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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
  kUnblocked = 12,             // account: the former blocker; subject: the unblocked
  kUnmuted = 13,               // account: the former muter; subject: the unmuted
  kAccountUpdated = 14,        // the profile or its settings changed; account and subject: it
  kTokenRevoked = 15,          // account: the token's (0 for an app's); subject: the token
  kAccountCreated = 16,        // registered; account and subject: it
  kBookmarked = 17,            // account: who bookmarked; subject: the status
  kUnbookmarked = 18,          // account: who removed the bookmark; subject: the status
  // A notification was added; account: its recipient; subject: it. Only
  // where the processes that stream to clients are not the one whose
  // notifier added it (the PostgreSQL store writes it; in one process the
  // notifier hands its notifications to the streams itself).
  kNotificationAdded = 19,
};

// OutboxEvent::flags.
inline constexpr uint32_t kEventReblog = 1;     // a status event's status is a reblog
inline constexpr uint32_t kEventUncounted = 2;  // direct: not in the author's statuses_count

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

// Where a durable consumer of the event stream has come to: every event up
// to `last_id` is handled.
struct EventCursor {
  std::string consumer;
  int64_t last_id = 0;
  int64_t updated_at_ms = 0;
};

// The saved positions of the consumers whose work survives a restart
// (events/outbox_drainer.h): each resumes from its own after a restart.
class EventCursors {
 public:
  virtual ~EventCursors() = default;
  // The consumer's saved position; nullopt when it never saved one.
  virtual Result<std::optional<int64_t>> LoadCursor(const std::string& consumer) = 0;
  // Saves the consumer's position and, when `trim_up_to` > 0, forgets the
  // outbox's events up to it, in one transaction (one write per batch).
  virtual Status SaveCursor(const std::string& consumer, int64_t last_id, int64_t at_ms,
                            int64_t trim_up_to) = 0;
  // Every saved cursor, by consumer name.
  virtual Result<std::vector<EventCursor>> ListCursors() = 0;
};

// An event that kept failing for one consumer, set aside so that the
// consumer could go on; an operator may mark it for replay, and the
// consumer's lane then hands it out again.
struct DeadLetter {
  int64_t id = 0;  // the dead letter's own, assigned when it is added
  std::string consumer;
  OutboxEvent event;  // every field of the event, its id included
  int attempts = 0;   // handlings that failed
  std::string last_error;
  int64_t failed_at_ms = 0;  // of the last failure
  bool replay = false;       // marked for replay
};

// Which dead letters an operator command or a lane acts on. `id` 0 means
// every one; an empty `consumer` every consumer's.
struct DeadLetterSelection {
  int64_t id = 0;
  std::string consumer;
  bool marked_only = false;  // only those marked for replay
};

class DeadLetters {
 public:
  virtual ~DeadLetters() = default;
  // Adds `letter` (its id is assigned); returns the id.
  virtual Result<int64_t> AddDeadLetter(const DeadLetter& letter) = 0;
  // The selected dead letters with ids above `after_id`, oldest first, at
  // most `limit`.
  virtual Result<std::vector<DeadLetter>> ListDeadLetters(const DeadLetterSelection& selection,
                                                          int64_t after_id, int limit) = 0;
  virtual Result<int64_t> CountDeadLetters(const DeadLetterSelection& selection) = 0;
  // Marks the selected ones for replay; returns how many were selected.
  virtual Result<int64_t> MarkForReplay(const DeadLetterSelection& selection) = 0;
  // Deletes the selected ones (a replay that succeeded, or an operator's
  // drop); returns how many went.
  virtual Result<int64_t> DropDeadLetters(const DeadLetterSelection& selection) = 0;
  // A replay failed again: one more attempt, its error, and the mark
  // cleared (an operator marks it again to retry). kNotFound when absent.
  virtual Status RecordReplayFailure(int64_t id, const std::string& error, int64_t at_ms) = 0;
};

// The outbox, with its consumers' cursors and dead letters.
class EventLog : public EventCursors, public DeadLetters {
 public:
  ~EventLog() override = default;
  // Events after `after_id`, oldest first, at most `limit`.
  virtual Result<std::vector<OutboxEvent>> ReadOutbox(int64_t after_id, int limit) = 0;
  // Forgets the events up to `up_to_id`: every consumer has handled them.
  virtual Status AckOutbox(int64_t up_to_id) = 0;
  // The id of the newest event in the outbox; 0 when it is empty (ids of
  // events appended later are higher than any it held). The PostgreSQL
  // store answers the id of the newest event appended, trimmed or not.
  virtual Result<int64_t> NewestOutboxId() = 0;
  // How many events the outbox holds.
  virtual Result<int64_t> CountOutbox() = 0;
  // Whether this process may run the durable consumer `consumer` now. One
  // process at a time does, among all that share the store (the embedded
  // store has one: always true); another stands by and takes over when
  // the holder ends. Once true, it stays true until the holder loses its
  // hold (its session with the store ended); ask before each batch. Cheap
  // when held: no round trip.
  virtual Result<bool> HoldLane(const std::string& consumer) = 0;
  // Gives up a lane HoldLane took, so that another process may take it.
  virtual void ReleaseLane(const std::string& consumer) = 0;
  // Counts this process among those that run the partitions of `group` (a
  // durable consumer split by account, events/lane_group.h) and answers how
  // many processes do, this one included: each then holds its share of the
  // partitions. Needs the process's worker id held (Store::HoldWorkerId)
  // on a shared store; the embedded store has one process: always 1.
  virtual Result<int> JoinLaneGroup(const std::string& group) = 0;
  // Called (on the writer's thread; it must not block) after each commit
  // that appended events, so that consumers can wake up instead of polling. One listener: a new
  // one replaces the last, and an empty one removes it. Thread-safe.
  virtual void SetCommitListener(std::function<void()> listener) = 0;
};

}  // namespace chirp
