#include "social/notifier.h"

#include <algorithm>

namespace chirp {
namespace {

// A missing status or account means the action was undone or the status
// deleted before the event was handled: nothing to notify.
Status IgnoreNotFound(Status s) {
  if (!s && s.error().code == ErrorCode::kNotFound) return {};
  return s;
}

}  // namespace

std::string NotificationGroupKey(NotificationType type, int64_t status_id, int64_t id,
                                 int64_t created_at_ms) {
  const std::string span = std::to_string(created_at_ms / kNotificationGroupSpanMs);
  switch (type) {
    case NotificationType::kFavourite:
      return "favourite-" + std::to_string(status_id) + "-" + span;
    case NotificationType::kReblog:
      return "reblog-" + std::to_string(status_id) + "-" + span;
    case NotificationType::kFollow:
      return "follow-" + span;
    default:
      return "ungrouped-" + std::to_string(id);
  }
}

Status Notifier::Handle(const OutboxEvent& event) {
  switch (event.kind) {
    case EventKind::kFollowed:
    case EventKind::kUnfollowed:
    case EventKind::kFollowChanged:
      notifying_.erase(event.subject_id);
      break;
    case EventKind::kBlocked:
      notifying_.erase(event.subject_id);
      notifying_.erase(event.account_id);
      break;
    default:
      break;
  }
  switch (event.kind) {
    case EventKind::kStatusCreated:
      return IgnoreNotFound(StatusCreated(event.subject_id));
    case EventKind::kStatusDeleted:
      pending_.push_back({.kind = NotificationWrite::Kind::kWithdrawOfStatus,
                          .notification = {.status_id = event.subject_id}});
      return {};
    case EventKind::kFavourited:
      return IgnoreNotFound(Favourited(event.account_id, event.subject_id));
    case EventKind::kUnfavourited:
      Withdraw(0, event.account_id, NotificationType::kFavourite, event.subject_id);
      return {};
    case EventKind::kFollowed:
      return Followed(event.account_id, event.subject_id);
    case EventKind::kUnfollowed:
      Withdraw(event.subject_id, event.account_id, NotificationType::kFollow, 0);
      return {};
    case EventKind::kFollowRequested:
      return FollowRequested(event.account_id, event.subject_id);
    case EventKind::kFollowRequestRemoved:
      Withdraw(event.subject_id, event.account_id, NotificationType::kFollowRequest, 0);
      return {};
    case EventKind::kBlocked:
      for (auto [to, from] : {std::pair{event.account_id, event.subject_id},
                              std::pair{event.subject_id, event.account_id}}) {
        pending_.push_back({.kind = NotificationWrite::Kind::kWithdrawBetween,
                            .notification = {.account_id = to, .from_account_id = from}});
      }
      return {};
    case EventKind::kMuted:
    case EventKind::kFollowChanged:
    case EventKind::kUnblocked:
    case EventKind::kUnmuted:
    case EventKind::kAccountUpdated:
    case EventKind::kTokenRevoked:
    case EventKind::kAccountCreated:
    case EventKind::kBookmarked:  // private to who bookmarks
    case EventKind::kUnbookmarked:
    case EventKind::kNotificationAdded:  // its own
      return {};
  }
  return {};
}

Status Notifier::StatusCreated(int64_t status_id) {
  auto status = find_status_(status_id);
  if (!status) return std::move(status).error();
  const StatusRecord& s = *status;
  if (s.reblog_of_id != 0) {
    auto original = find_status_(s.reblog_of_id);
    if (!original) return std::move(original).error();
    return Notify(original->account_id, s.account_id, NotificationType::kReblog, original->id,
                  s.id);
  }
  for (int64_t mentioned : s.mentioned_account_ids) {
    if (Status st = Notify(mentioned, s.account_id, NotificationType::kMention, s.id, s.id); !st) {
      return st;
    }
  }
  // Followers who asked to hear of every status, when they may see it: a
  // direct status reaches only those it mentions, who were told above.
  if (s.visibility == Visibility::kDirect) return {};
  auto followers = NotifyingFollowersOf(s.account_id);
  if (!followers) return std::move(followers).error();
  for (int64_t follower : **followers) {
    if (std::find(s.mentioned_account_ids.begin(), s.mentioned_account_ids.end(), follower) !=
        s.mentioned_account_ids.end()) {
      continue;
    }
    if (Status st = Notify(follower, s.account_id, NotificationType::kStatus, s.id, s.id); !st) {
      return st;
    }
  }
  return {};
}

Status Notifier::Favourited(int64_t account_id, int64_t status_id) {
  auto still = store_.FavouritedAmong(account_id, {status_id});
  if (!still) return std::move(still).error();
  if (still->empty()) return {};
  auto status = find_status_(status_id);
  if (!status) return std::move(status).error();
  return Notify(status->account_id, account_id, NotificationType::kFavourite, status_id, 0);
}

Result<const std::vector<int64_t>*> Notifier::NotifyingFollowersOf(int64_t author) {
  auto held = notifying_.find(author);
  if (held != notifying_.end()) return &held->second;
  auto loaded = store_.NotifyingFollowersOf(author);
  if (!loaded) return std::move(loaded).error();
  if (notifying_.size() >= kMaxHeldAuthors) notifying_.clear();
  return &notifying_.emplace(author, std::move(loaded).value()).first->second;
}

Status Notifier::Followed(int64_t follower_id, int64_t followed_id) {
  auto follow = store_.FindFollow(follower_id, followed_id);
  if (!follow) return std::move(follow).error();
  if (!*follow) return {};
  return Notify(followed_id, follower_id, NotificationType::kFollow, 0, 0);
}

Status Notifier::FollowRequested(int64_t requester_id, int64_t target_id) {
  auto requested = store_.FollowRequested(requester_id, target_id);
  if (!requested) return std::move(requested).error();
  if (!*requested) return {};
  return Notify(target_id, requester_id, NotificationType::kFollowRequest, 0, 0);
}

Status Notifier::Notify(int64_t recipient, int64_t from, NotificationType type, int64_t status_id,
                        int64_t activity_id) {
  if (recipient == from || recipient == 0) return {};
  const int64_t now = clock_.NowMillis();
  auto silenced = store_.NotificationsSilenced(recipient, from, now);
  if (!silenced) return std::move(silenced).error();
  if (*silenced) return {};
  NotificationRecord n;
  n.id = ids_.Next();
  n.account_id = recipient;
  n.from_account_id = from;
  n.type = type;
  n.status_id = status_id;
  n.activity_id = activity_id;
  n.created_at_ms = SnowflakeGenerator::MillisOf(n.id);
  n.group_key = NotificationGroupKey(type, status_id, n.id, n.created_at_ms);
  pending_.push_back({.kind = NotificationWrite::Kind::kAdd, .notification = std::move(n)});
  return {};
}

void Notifier::Withdraw(int64_t recipient, int64_t from, NotificationType type, int64_t status_id) {
  pending_.push_back({.kind = NotificationWrite::Kind::kWithdraw,
                      .notification = {.account_id = recipient,
                                       .from_account_id = from,
                                       .type = type,
                                       .status_id = status_id}});
}

Status Notifier::Flush() {
  if (pending_.empty()) return {};
  std::vector<NotificationWrite> writes;
  writes.swap(pending_);
  auto added = store_.ApplyNotificationWrites(writes);
  if (!added) return std::move(added).error();
  if (listener_ && !added->empty()) listener_(*added);
  return {};
}

}  // namespace chirp
