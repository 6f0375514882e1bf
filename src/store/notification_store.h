// The part of the store that holds notifications and read markers. The same
// contract as store.h: thread-safe, may block, writes durable when they
// return Ok, expected failures as values.
//
// Notifications are written by the notifier (social/notifier.h), a consumer
// of the event stream that may see an event more than once: adding a
// notification that exists (same recipient, type, actor and status) changes
// nothing, so replays never duplicate one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/social_store.h"

namespace chirp {

// The stored values are part of the schema: never renumber.
enum class NotificationType : int {
  kMention = 1,
  kStatus = 2,  // a status by an account followed with notify on
  kReblog = 3,
  kFollow = 4,
  kFollowRequest = 5,
  kFavourite = 6,
  kUpdate = 7,
};

struct NotificationRecord {
  int64_t id = 0;
  int64_t account_id = 0;       // the recipient
  int64_t from_account_id = 0;  // who acted
  NotificationType type = NotificationType::kMention;
  int64_t status_id = 0;    // the status shown with it; 0 for follows
  int64_t activity_id = 0;  // the status that caused it (a mention, a reblog); 0 when none
  std::string group_key;    // what /api/v2/notifications groups by
  int64_t created_at_ms = 0;
};

// Which notifications a listing includes: a bit (1 << type) for each type
// wanted, and optionally only those of one actor.
struct NotificationFilter {
  static constexpr int64_t kAllTypes = ~int64_t{0};
  int64_t type_mask = kAllTypes;
  int64_t from_account_id = 0;  // 0 for any

  bool Includes(NotificationType type) const {
    return (type_mask & (int64_t{1} << static_cast<int>(type))) != 0;
  }
};

// One change the notifier makes; a batch of them commits together, in order.
struct NotificationWrite {
  enum class Kind {
    kAdd,       // `notification`, unless an equal one exists
    kWithdraw,  // of `type` by `from_account_id` about `status_id`, to `account_id` (0: anyone)
    kWithdrawOfStatus,  // every one showing, or caused by, `status_id`
    kWithdrawBetween,   // every one to `account_id` from `from_account_id`
  };
  Kind kind = Kind::kAdd;
  NotificationRecord notification;
};

// A read marker (/api/v1/markers): how far a user has read a timeline.
struct Marker {
  std::string timeline;  // "home" or "notifications"
  int64_t last_read_id = 0;
  int64_t version = 0;  // counts the updates
  int64_t updated_at_ms = 0;
};

class NotificationStore {
 public:
  virtual ~NotificationStore() = default;

  // Applies `writes` in order in one transaction and returns the
  // notifications that were added (those not already present).
  virtual Result<std::vector<NotificationRecord>> ApplyNotificationWrites(
      const std::vector<NotificationWrite>& writes) = 0;

  // The recipient's notifications matching `filter`, newest first, paged by
  // id (PageRequest as for statuses).
  virtual Result<std::vector<NotificationRecord>> ListNotifications(
      int64_t account_id, const NotificationFilter& filter, const PageRequest& page) = 0;
  // kNotFound unless `id` is a notification of `account_id`.
  virtual Result<NotificationRecord> FindNotification(int64_t account_id, int64_t id) = 0;
  // How many of the recipient's notifications above `after_id` match, counting at most `cap`.
  virtual Result<int64_t> CountNotifications(int64_t account_id, const NotificationFilter& filter,
                                             int64_t after_id, int64_t cap) = 0;
  // Whether anything was removed.
  virtual Result<bool> DismissNotification(int64_t account_id, int64_t id) = 0;
  virtual Status ClearNotifications(int64_t account_id) = 0;

  // The notifications of one group, newest first, at most `limit`, and how
  // many it has in all.
  virtual Result<std::vector<NotificationRecord>> ListNotificationGroup(
      int64_t account_id, const std::string& group_key, int limit) = 0;
  virtual Result<int64_t> CountNotificationGroup(int64_t account_id,
                                                 const std::string& group_key) = 0;
  virtual Result<bool> DismissNotificationGroup(int64_t account_id,
                                                const std::string& group_key) = 0;

  // The followers of `account_id` who asked to be notified of its statuses.
  virtual Result<std::vector<int64_t>> NotifyingFollowersOf(int64_t account_id) = 0;
  // Whether `account_id` has asked to follow `target_account_id`.
  virtual Result<bool> FollowRequested(int64_t account_id, int64_t target_account_id) = 0;

  // Markers: absent when never set. SaveMarker bumps the version.
  virtual Result<std::optional<Marker>> FindMarker(int64_t account_id,
                                                   const std::string& timeline) = 0;
  virtual Result<Marker> SaveMarker(int64_t account_id, const std::string& timeline,
                                    int64_t last_read_id, int64_t at_ms) = 0;
};

}  // namespace chirp
