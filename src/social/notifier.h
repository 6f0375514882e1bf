// The event consumer that tells people what others did to them: mentions,
// statuses of accounts they follow with notify on, reblogs and favourites of
// their statuses, follows and follow requests. Undoing an action withdraws
// its notification (unfavourite, unfollow, unreblog, a deleted status, a
// withdrawn or settled request); a block withdraws everything between the
// two accounts.
//
// The rules: nothing for one's own actions; nothing across a block (either
// way); nothing from an account the recipient mutes with notifications
// hidden. An event handled late checks that its action still stands (a
// favourite since undone notifies nobody), and a replayed event adds nothing
// twice (store/notification_store.h), as the event stream requires.
//
// What a batch of events decides is written in one transaction (Flush);
// then the listener hears of the notifications that are new, for the
// streaming API.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/snowflake.h"
#include "events/outbox_drainer.h"
#include "store/store.h"

namespace chirp {

// Notifications of these types are grouped by /api/v2/notifications when
// they concern the same status (or, for follows, the same recipient) within
// this span.
constexpr int64_t kNotificationGroupSpanMs = int64_t{12} * 3600 * 1000;

// The group key of a notification: "favourite-<status>-<span>",
// "reblog-<status>-<span>", "follow-<span>", otherwise "ungrouped-<id>".
std::string NotificationGroupKey(NotificationType type, int64_t status_id, int64_t id,
                                 int64_t created_at_ms);

class Notifier final : public EventConsumer {
 public:
  using Listener = std::function<void(const std::vector<NotificationRecord>&)>;

  // Reads a live status; kNotFound when unknown or deleted.
  using FindStatusFn = std::function<Result<StatusRecord>(int64_t status_id)>;

  // `store`, `clock` and `ids` must outlive the notifier. `find_status`
  // reads statuses (a cache, say); by default the store.
  Notifier(Store& store, const Clock& clock, SnowflakeGenerator& ids,
           FindStatusFn find_status = nullptr)
      : store_(store), clock_(clock), ids_(ids), find_status_(std::move(find_status)) {
    if (!find_status_) find_status_ = [this](int64_t id) { return store_.FindStatus(id); };
  }

  // Set before the drainer starts; called after each flush that added any.
  void SetListener(Listener listener) { listener_ = std::move(listener); }

  Status Handle(const OutboxEvent& event) override;
  Status Flush() override;

 private:
  Status StatusCreated(int64_t status_id);
  Status Favourited(int64_t account_id, int64_t status_id);
  Status Followed(int64_t follower_id, int64_t followed_id);
  Status FollowRequested(int64_t requester_id, int64_t target_id);
  // Queues a notification unless the rules forbid it.
  Status Notify(int64_t recipient, int64_t from, NotificationType type, int64_t status_id,
                int64_t activity_id);
  void Withdraw(int64_t recipient, int64_t from, NotificationType type, int64_t status_id);
  // The author's followers with notify on, from memory when held: most
  // authors have none, and every status asks.
  Result<const std::vector<int64_t>*> NotifyingFollowersOf(int64_t author);

  // Authors whose notifying followers are held at most; past it they are
  // all forgotten.
  static constexpr size_t kMaxHeldAuthors = 100'000;

  Store& store_;
  const Clock& clock_;
  SnowflakeGenerator& ids_;
  FindStatusFn find_status_;
  Listener listener_;
  std::vector<NotificationWrite> pending_;
  // Forgotten on every event that changes an author's follows, which the
  // notifier handles in order: never older than the event in hand.
  std::unordered_map<int64_t, std::vector<int64_t>> notifying_;
};

}  // namespace chirp
