#include "social/notification_service.h"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "core/text.h"

namespace chirp {
namespace {

// Notifications read per step while a page of groups fills up, and steps at most.
constexpr int kGroupScanSteps = 4;
constexpr int kGroupScanFactor = 2;

// The key of a group of one; the notifier gives the same to the types it
// never groups (social/notifier.h).
constexpr std::string_view kUngrouped = "ungrouped-";

std::string KeyOf(const NotificationRecord& n, int64_t grouped_types) {
  if ((grouped_types & NotificationTypeBit(n.type)) != 0) return n.group_key;
  return std::string(kUngrouped) + std::to_string(n.id);
}

// The notification a key of a group of one names ("ungrouped-<id>").
std::optional<int64_t> UngroupedId(std::string_view key) {
  if (!key.starts_with(kUngrouped)) return std::nullopt;
  return ParseId(key.substr(kUngrouped.size()));
}

Status Removed(const Result<bool>& removed) {
  if (!removed) return removed.error();
  if (!*removed) return Error::NotFound();
  return {};
}

Status CheckTimeline(std::string_view timeline) {
  if (timeline == NotificationService::kHomeMarker ||
      timeline == NotificationService::kNotificationsMarker) {
    return {};
  }
  return Error::Unprocessable("Validation failed: Timeline is not included in the list");
}

}  // namespace

NotificationService::NotificationService(NotificationStore& store, const Clock& clock)
    : store_(store), clock_(clock) {}

Result<std::vector<NotificationRecord>> NotificationService::List(int64_t account_id,
                                                                  const NotificationFilter& filter,
                                                                  const PageRequest& page) {
  return store_.ListNotifications(account_id, filter, page);
}

Result<NotificationRecord> NotificationService::Find(int64_t account_id, int64_t id) {
  return store_.FindNotification(account_id, id);
}

Status NotificationService::Dismiss(int64_t account_id, int64_t id) {
  return Removed(store_.DismissNotification(account_id, id));
}

Status NotificationService::DismissGroup(int64_t account_id, std::string_view key) {
  if (key.starts_with(kUngrouped)) {
    auto id = UngroupedId(key);
    if (!id) return Error::NotFound();
    return Dismiss(account_id, *id);
  }
  return Removed(store_.DismissNotificationGroup(account_id, std::string(key)));
}

Status NotificationService::Clear(int64_t account_id) {
  return store_.ClearNotifications(account_id);
}

Result<int64_t> NotificationService::LastRead(int64_t account_id) {
  auto marker = store_.FindMarker(account_id, std::string(kNotificationsMarker));
  if (!marker) return std::move(marker).error();
  return *marker ? (*marker)->last_read_id : 0;
}

Result<int64_t> NotificationService::UnreadCount(int64_t account_id,
                                                 const NotificationFilter& filter, int64_t cap) {
  auto last_read = LastRead(account_id);
  if (!last_read) return std::move(last_read).error();
  return store_.CountNotifications(account_id, filter, *last_read,
                                   std::clamp<int64_t>(cap, 1, kMaxUnreadCap));
}

Result<int64_t> NotificationService::UnreadGroupCount(int64_t account_id,
                                                      const NotificationFilter& filter,
                                                      int64_t grouped_types, int64_t cap) {
  auto last_read = LastRead(account_id);
  if (!last_read) return std::move(last_read).error();
  auto unread = store_.ListNotifications(
      account_id, filter, {.since_id = *last_read, .limit = static_cast<int>(kMaxUnreadCap)});
  if (!unread) return std::move(unread).error();
  std::unordered_set<std::string> keys;
  for (const NotificationRecord& n : *unread) {
    keys.insert(KeyOf(n, grouped_types));
    if (static_cast<int64_t>(keys.size()) == cap) break;
  }
  return static_cast<int64_t>(keys.size());
}

Status NotificationService::Complete(int64_t account_id, NotificationGroup& group) {
  const NotificationRecord& newest = group.in_page.front();
  group.newest = group.in_page;
  group.count = static_cast<int64_t>(group.in_page.size());
  // A notification standing alone has no others; nor has a group whose
  // type the client did not ask to group (its key is not the stored one).
  if (group.key != newest.group_key || group.key.starts_with(kUngrouped)) return {};
  auto all = store_.ListNotificationGroup(account_id, group.key, kGroupSampleAccounts);
  if (!all) return std::move(all).error();
  auto total = store_.CountNotificationGroup(account_id, group.key);
  if (!total) return std::move(total).error();
  if (!all->empty()) group.newest = std::move(all).value();
  group.count = std::max(group.count, *total);
  return {};
}

Result<NotificationGroupPage> NotificationService::ListGroups(int64_t account_id,
                                                              const NotificationFilter& filter,
                                                              int64_t grouped_types,
                                                              const PageRequest& page) {
  NotificationGroupPage out;
  std::map<std::string, size_t> index;
  PageRequest step = page;
  step.limit = page.limit * kGroupScanFactor;
  bool full = false;
  for (int i = 0; i < kGroupScanSteps && !full; ++i) {
    auto found = store_.ListNotifications(account_id, filter, step);
    if (!found) return std::move(found).error();
    for (const NotificationRecord& n : *found) {
      std::string key = KeyOf(n, grouped_types);
      auto it = index.find(key);
      if (it == index.end()) {
        if (out.groups.size() == static_cast<size_t>(page.limit)) {
          full = true;
          break;
        }
        it = index.emplace(key, out.groups.size()).first;
        out.groups.push_back({.key = std::move(key)});
      }
      out.groups[it->second].in_page.push_back(n);
      if (out.newest_id == 0) out.newest_id = n.id;
      out.oldest_id = n.id;
    }
    // A page after min_id is read upwards: one read covers it.
    if (found->size() < static_cast<size_t>(step.limit) || page.min_id > 0) break;
    step.max_id = found->back().id;
  }
  for (NotificationGroup& group : out.groups) {
    if (Status s = Complete(account_id, group); !s) return std::move(s).error();
  }
  return out;
}

Result<std::vector<NotificationRecord>> NotificationService::Members(int64_t account_id,
                                                                     std::string_view key,
                                                                     int limit) {
  if (key.starts_with(kUngrouped)) {
    auto id = UngroupedId(key);
    if (!id) return Error::NotFound();
    auto n = store_.FindNotification(account_id, *id);
    if (!n) return std::move(n).error();
    return std::vector<NotificationRecord>{std::move(n).value()};
  }
  auto members = store_.ListNotificationGroup(account_id, std::string(key), limit);
  if (!members) return std::move(members).error();
  if (members->empty()) return Error::NotFound();
  return members;
}

Result<NotificationGroup> NotificationService::Group(int64_t account_id, std::string_view key) {
  auto members = Members(account_id, key, kGroupSampleAccounts);
  if (!members) return std::move(members).error();
  NotificationGroup group{.key = std::string(key), .in_page = std::move(members).value()};
  if (Status s = Complete(account_id, group); !s) return std::move(s).error();
  return group;
}

Result<std::vector<int64_t>> NotificationService::GroupAccounts(int64_t account_id,
                                                                std::string_view key) {
  auto members = Members(account_id, key, kMaxGroupAccounts);
  if (!members) return std::move(members).error();
  std::vector<int64_t> out;
  std::unordered_set<int64_t> seen;
  for (const NotificationRecord& n : *members) {
    if (seen.insert(n.from_account_id).second) out.push_back(n.from_account_id);
  }
  return out;
}

Result<std::optional<Marker>> NotificationService::FindMarker(int64_t account_id,
                                                              std::string_view timeline) {
  if (Status s = CheckTimeline(timeline); !s) return std::move(s).error();
  return store_.FindMarker(account_id, std::string(timeline));
}

Result<Marker> NotificationService::SaveMarker(int64_t account_id, std::string_view timeline,
                                               int64_t last_read_id) {
  if (Status s = CheckTimeline(timeline); !s) return std::move(s).error();
  return store_.SaveMarker(account_id, std::string(timeline), last_read_id, clock_.NowMillis());
}

}  // namespace chirp
