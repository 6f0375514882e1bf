// A recipient's notifications as they read and tidy them: listings with
// filters and paging, single notifications, dismissals (of one, of a group,
// of all), the unread counts that the notifications read marker bounds, the
// groups of /api/v2/notifications with their sample accounts and counts,
// and the read markers themselves. The notifications are written by the
// notifier (social/notifier.h); this service never adds one.
//
// Every call is about the notifications of one recipient, `account_id`:
// another recipient's notification is kNotFound, never shown.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "store/notification_store.h"

namespace chirp {

// The bit a type has in NotificationFilter::type_mask and in grouped-type masks.
constexpr int64_t NotificationTypeBit(NotificationType type) {
  return int64_t{1} << static_cast<int>(type);
}

// A group of /api/v2/notifications as one page shows it.
struct NotificationGroup {
  // The notifications' shared group_key, or "ungrouped-<id>" for one that
  // stands alone (its type is not grouped).
  std::string key;
  std::vector<NotificationRecord> in_page;  // those on this page, newest first; never empty
  // The group's newest notifications, for its sample accounts, newest
  // first: the kGroupSampleAccounts newest of the whole group, beyond this
  // page; in_page for a notification that stands alone. Never empty.
  std::vector<NotificationRecord> newest;
  int64_t count = 0;  // notifications in the group in all, at least in_page's
};

// One page of groups, newest first, and the ids of the newest and the
// oldest notification it covers (0 for an empty page), for the Link header.
struct NotificationGroupPage {
  std::vector<NotificationGroup> groups;
  int64_t newest_id = 0;
  int64_t oldest_id = 0;
};

class NotificationService {
 public:
  // The read markers' timelines; no other may be read or saved.
  static constexpr std::string_view kHomeMarker = "home";
  static constexpr std::string_view kNotificationsMarker = "notifications";
  // Unread counts never count beyond this.
  static constexpr int64_t kMaxUnreadCap = 1000;
  // Accounts a group samples (NotificationGroup::newest).
  static constexpr int kGroupSampleAccounts = 8;
  // Notifications GroupAccounts reads at most.
  static constexpr int kMaxGroupAccounts = 80;
  // The types grouped when a client names none: favourite, follow, reblog.
  static constexpr int64_t kDefaultGroupedTypes =
      NotificationTypeBit(NotificationType::kFavourite) |
      NotificationTypeBit(NotificationType::kFollow) |
      NotificationTypeBit(NotificationType::kReblog);

  // Both must outlive the service.
  NotificationService(NotificationStore& store, const Clock& clock);

  // The recipient's notifications matching `filter`, newest first, paged by id.
  Result<std::vector<NotificationRecord>> List(int64_t account_id, const NotificationFilter& filter,
                                               const PageRequest& page);
  // kNotFound unless `id` is a notification of the recipient.
  Result<NotificationRecord> Find(int64_t account_id, int64_t id);

  // Dismissals: kNotFound when nothing was removed.
  Status Dismiss(int64_t account_id, int64_t id);
  // Of the group `key` (a group_key, or "ungrouped-<id>" for one notification).
  Status DismissGroup(int64_t account_id, std::string_view key);
  Status Clear(int64_t account_id);

  // Notifications matching `filter` above the notifications marker (all of
  // them when it is unset), counting at most `cap`, which is clamped to
  // [1, kMaxUnreadCap].
  Result<int64_t> UnreadCount(int64_t account_id, const NotificationFilter& filter, int64_t cap);
  // The same in groups: the distinct groups among the newest kMaxUnreadCap
  // unread notifications matching `filter`, counting at most `cap`. Types
  // outside `grouped_types` (a mask of NotificationTypeBit) stand alone.
  Result<int64_t> UnreadGroupCount(int64_t account_id, const NotificationFilter& filter,
                                   int64_t grouped_types, int64_t cap);

  // Up to `page.limit` groups of the notifications matching `filter`,
  // newest first. Notifications are read in the page's order until that
  // many groups are found (in a bounded number of reads); the page ends
  // before the first notification of a group beyond them, and holds only
  // groups with at least one notification in it. With min_id, one read.
  Result<NotificationGroupPage> ListGroups(int64_t account_id, const NotificationFilter& filter,
                                           int64_t grouped_types, const PageRequest& page);
  // The group `key` alone: its newest kGroupSampleAccounts notifications
  // as the page. kNotFound when it has none.
  Result<NotificationGroup> Group(int64_t account_id, std::string_view key);
  // The accounts that acted in the group `key`, newest first, each once,
  // from its newest kMaxGroupAccounts notifications. kNotFound when it has none.
  Result<std::vector<int64_t>> GroupAccounts(int64_t account_id, std::string_view key);

  // A read marker; nullopt when never set. kUnprocessable for an unknown timeline.
  Result<std::optional<Marker>> FindMarker(int64_t account_id, std::string_view timeline);
  // Sets the marker to `last_read_id` now and bumps its version.
  // kUnprocessable for an unknown timeline.
  Result<Marker> SaveMarker(int64_t account_id, std::string_view timeline, int64_t last_read_id);

 private:
  // The notifications of the group `key`, newest first, at most `limit`.
  Result<std::vector<NotificationRecord>> Members(int64_t account_id, std::string_view key,
                                                  int limit);
  // Fills in the newest members and the count of a group found in a page.
  Status Complete(int64_t account_id, NotificationGroup& group);
  // The id of the newest notification read; 0 when the marker is unset.
  Result<int64_t> LastRead(int64_t account_id);

  NotificationStore& store_;
  const Clock& clock_;
};

}  // namespace chirp
