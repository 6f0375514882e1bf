#include "stream/stream_publisher.h"

#include <algorithm>

#include "mastodon/notification_presenter.h"
#include "mastodon/status_presenter.h"
#include "timeline/home_rules.h"

namespace chirp {
namespace {

Status IgnoreNotFound(Status s) {
  if (!s && s.error().code == ErrorCode::kNotFound) return {};
  return s;
}

std::string UserChannel(int64_t account_id) { return "timeline:" + std::to_string(account_id); }

// Whether the status belongs in the reader's home timeline and the reader
// has nothing against those it comes from.
bool ForHome(const StatusRecord& s, int64_t original_author, const ViewerState& viewer,
             int64_t reader) {
  const ViewerVisibility& v = viewer.visibility;
  HomeReader home{.id = reader};
  if (reader != s.account_id) {
    const auto& follows = v.follows();
    auto follow = std::find_if(follows.begin(), follows.end(), [&](const Follow& f) {
      return f.target_account_id == s.account_id;
    });
    if (follow == follows.end()) return false;
    home.shows_reblogs_of_author = follow->show_reblogs;
    if (v.BlockedWith(s.account_id) || v.Mutes(s.account_id)) return false;
  }
  if (original_author != 0 && original_author != reader &&
      (v.BlockedWith(original_author) || v.Mutes(original_author))) {
    return false;
  }
  home.follows_replied_to = s.in_reply_to_account_id != 0 && v.Follows(s.in_reply_to_account_id);
  return BelongsInHome(s, home, original_author);
}

}  // namespace

Status StreamPublisher::Handle(const OutboxEvent& event) {
  // This lane may be ahead of fan-out's: forgetting the follower lists an
  // event changes keeps those it reads no older than that event.
  fan_out_.ForgetFollowersChangedBy(event);
  if (hub_.connections() == 0) return {};  // nobody listens: nothing to render
  switch (event.kind) {
    case EventKind::kStatusCreated:
      // The author's counts as of this status, as the posting process
      // rendered them: this lane may be ahead of the cache keeper's, which
      // applies the status of another process (sharing the store) only
      // after. Nothing is read when the directory shows it already (the
      // writer's own status, counted in place).
      if (Status s = read_.accounts.Reload(event.account_id, event.id); !s) return s;
      return IgnoreNotFound(Created(event.subject_id));
    case EventKind::kStatusDeleted:
      return IgnoreNotFound(Deleted(event.subject_id));
    case EventKind::kNotificationAdded:
      return IgnoreNotFound(NotificationAdded(event.account_id, event.subject_id));
    default:
      return {};
  }
}

void StreamPublisher::Publish(const std::string& channel, const StreamMessage& message) {
  if (!pubsub_.HasSubscribers(channel)) return;
  pubsub_.Publish(channel, EncodeStreamMessage(message));
  published_.fetch_add(1, std::memory_order_relaxed);
}

Result<std::vector<int64_t>> StreamPublisher::ConnectedAudience(int64_t author) {
  std::vector<int64_t> out;
  const size_t readers = hub_.reader_count();
  if (readers == 0) return out;
  if (hub_.HasReader(author)) out.push_back(author);
  auto account = read_.accounts.Get(author);
  if (!account) return std::move(account).error();
  if (static_cast<size_t>((*account)->followers_count) > readers) {
    // Fewer readers than followers: ask each reader.
    for (int64_t reader : hub_.Readers()) {
      if (reader == author) continue;
      auto viewer = read_.viewers.Get(reader);
      if (!viewer) return std::move(viewer).error();
      if ((*viewer)->visibility.Follows(author)) out.push_back(reader);
    }
    return out;
  }
  auto followers = fan_out_.FollowersOf(author);
  if (!followers) return std::move(followers).error();
  for (int64_t follower : (*followers)->ids) {
    if (hub_.HasReader(follower)) out.push_back(follower);
  }
  return out;
}

Status StreamPublisher::Created(int64_t status_id) {
  auto status = read_.statuses.Get(status_id, base_url_);
  if (!status) return std::move(status).error();
  const StatusRecord& s = (*status)->record;
  int64_t original_author = 0;
  if (s.reblog_of_id != 0) {
    auto original = read_.statuses.Get(s.reblog_of_id, base_url_);
    if (!original) return std::move(original).error();
    original_author = (*original)->record.account_id;
  }

  // User streams: each reader's own rendering.
  auto audience = ConnectedAudience(s.account_id);
  if (!audience) return std::move(audience).error();
  for (int64_t reader : *audience) {
    auto viewer = read_.viewers.Get(reader);
    if (!viewer) return std::move(viewer).error();
    if (!ForHome(s, original_author, **viewer, reader)) continue;
    StatusPresenter presenter(read_, reader, base_url_, *viewer);
    auto json = presenter.Render(*status);
    if (!json) {
      if (json.error().code == ErrorCode::kNotFound) continue;
      return std::move(json).error();
    }
    Publish(UserChannel(reader), {"update", std::move(json).value(), {}});
  }

  // Public and hashtag streams: one rendering; the hub filters per reader.
  if (s.visibility == Visibility::kPublic && s.reblog_of_id == 0) {
    StatusPresenter anonymous(read_, 0, base_url_);
    auto json = anonymous.Render(*status);
    if (!json) return std::move(json).error();
    StreamMessage message{"update", std::move(json).value(), {s.account_id}};
    for (int64_t m : s.mentioned_account_ids) message.accounts.push_back(m);
    Publish("timeline:public", message);
    if (!s.media_ids.empty()) Publish("timeline:public:media", message);
    for (const std::string& tag : s.tags) Publish("timeline:hashtag:" + tag, message);
  }

  // Direct conversations: to each participant listening.
  if (s.visibility == Visibility::kDirect) {
    std::vector<int64_t> participants = {s.account_id};
    for (int64_t m : s.mentioned_account_ids) {
      if (std::find(participants.begin(), participants.end(), m) == participants.end()) {
        participants.push_back(m);
      }
    }
    auto conversation_id = ConversationOf(s);
    if (!conversation_id) return std::move(conversation_id).error();
    for (int64_t reader : participants) {
      const std::string channel = "timeline:direct:" + std::to_string(reader);
      if (!pubsub_.HasSubscribers(channel)) continue;
      auto viewer = read_.viewers.Get(reader);
      if (!viewer) return std::move(viewer).error();
      if (reader != s.account_id && ((*viewer)->visibility.BlockedWith(s.account_id) ||
                                     (*viewer)->visibility.Mutes(s.account_id))) {
        continue;
      }
      StatusPresenter presenter(read_, reader, base_url_, *viewer);
      auto json = presenter.Render(*status);
      if (!json) {
        if (json.error().code == ErrorCode::kNotFound) continue;
        return std::move(json).error();
      }
      std::string conversation = R"({"id":")" + std::to_string(*conversation_id) +
                                 R"(","unread":)" + (reader == s.account_id ? "false" : "true") +
                                 R"(,"accounts":[)";
      bool first = true;
      for (int64_t other : participants) {
        if (other == reader) continue;
        Status st = read_.accounts.WithJson(other, base_url_, [&](std::string_view account) {
          if (!first) conversation += ',';
          conversation += account;
          first = false;
        });
        if (!st && st.error().code != ErrorCode::kNotFound) return st;
      }
      conversation += R"(],"last_status":)";
      conversation += *json;
      conversation += '}';
      Publish(channel, {"conversation", std::move(conversation), {}});
    }
  }
  return {};
}

Result<int64_t> StreamPublisher::ConversationOf(const StatusRecord& status) {
  int64_t root = status.id;
  int64_t parent = status.in_reply_to_id;
  for (int depth = 0; parent != 0 && depth < kMaxConversationDepth; ++depth) {
    auto up = read_.statuses.Get(parent, base_url_);
    if (!up) {
      if (up.error().code == ErrorCode::kNotFound) break;  // the thread goes on from here
      return std::move(up).error();
    }
    root = parent;
    parent = (*up)->record.in_reply_to_id;
  }
  return root;
}

Status StreamPublisher::Deleted(int64_t status_id) {
  auto status = read_.store.FindDeletedStatus(status_id);
  if (!status) return std::move(status).error();
  const StatusRecord& s = *status;
  const std::string id = std::to_string(s.id);
  if (s.visibility == Visibility::kPublic && s.reblog_of_id == 0) {
    StreamMessage message{"delete", id, {s.account_id}};
    Publish("timeline:public", message);
    if (!s.media_ids.empty()) Publish("timeline:public:media", message);
    for (const std::string& tag : s.tags) Publish("timeline:hashtag:" + tag, message);
  }
  auto audience = ConnectedAudience(s.account_id);
  if (!audience) return std::move(audience).error();
  for (int64_t m : s.mentioned_account_ids) {
    if (hub_.HasReader(m) && std::find(audience->begin(), audience->end(), m) == audience->end()) {
      audience->push_back(m);
    }
  }
  for (int64_t reader : *audience) {
    auto viewer = read_.viewers.Get(reader);
    if (!viewer) return std::move(viewer).error();
    if (!(*viewer)->visibility.CanSee(s)) continue;
    Publish(UserChannel(reader), {"delete", id, {}});
  }
  return {};
}

Status StreamPublisher::NotificationAdded(int64_t recipient, int64_t notification_id) {
  if (!hub_.HasReader(recipient)) return {};
  auto record = read_.store.FindNotification(recipient, notification_id);
  if (!record) return std::move(record).error();
  NotificationsAdded({*record});
  return {};
}

void StreamPublisher::NotificationsAdded(const std::vector<NotificationRecord>& added) {
  for (const NotificationRecord& n : added) {
    const std::string channel = UserChannel(n.account_id) + ":notifications";
    if (!pubsub_.HasSubscribers(channel)) continue;
    NotificationPresenter presenter(read_, n.account_id, base_url_);
    std::string json;
    auto shown = presenter.Append(json, n);
    if (!shown || !*shown) continue;  // no longer visible, or the store failed: not sent
    Publish(channel, {"notification", std::move(json), {}});
  }
}

}  // namespace chirp
