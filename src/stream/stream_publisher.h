// The producer of the streaming API's events: an event consumer (in a lane
// of its own) that renders what connected readers are to receive and
// publishes it (stream/pubsub.h).
//
//  - A new status goes to the user stream of each connected reader whose
//    home timeline it belongs in (timeline/home_rules.h, visibility, blocks
//    and mutes), rendered for that reader; to the public, media and hashtag
//    channels when public and not a reblog, rendered once for everyone (the
//    hub leaves it out for readers who block or mute those it concerns); and
//    as a conversation to the direct channels of those a direct status
//    addresses.
//    The conversation is the thread: its id is that of the thread's first
//    status, so replies continue it.
//  - A deleted status sends "delete" where it was delivered.
//  - A new notification goes to its recipient's notification channel.
//
// Only readers with a live connection cost anything: the publisher renders
// nothing for accounts nobody is listening for.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "events/outbox_drainer.h"
#include "mastodon/read_models.h"
#include "store/notification_store.h"
#include "stream/pubsub.h"
#include "stream/stream_hub.h"
#include "timeline/fan_out.h"

namespace chirp {

class StreamPublisher final : public EventConsumer {
 public:
  // All must outlive the publisher.
  StreamPublisher(ReadModels& read, PubSub& pubsub, StreamHub& hub, FanOut& fan_out)
      : read_(read), pubsub_(pubsub), hub_(hub), fan_out_(fan_out) {}

  // What every URL rendered starts with; set before the drainer starts.
  void SetBaseUrl(std::string base_url) { base_url_ = std::move(base_url); }

  Status Handle(const OutboxEvent& event) override;
  // The notifier's listener: publishes each to its recipient. Runs on the
  // notifier's lane, beside Handle on the publisher's: both only read what
  // they share (the context's caches, the hub and pub/sub are thread-safe)
  // but the count of published messages.
  void NotificationsAdded(const std::vector<NotificationRecord>& added);

  uint64_t published() const { return published_.load(std::memory_order_relaxed); }

 private:
  Status Created(int64_t status_id);
  // A notification another process's notifier added (kNotificationAdded).
  Status NotificationAdded(int64_t recipient, int64_t notification_id);
  Status Deleted(int64_t status_id);
  // Connected readers who follow `author` (and the author, when connected).
  Result<std::vector<int64_t>> ConnectedAudience(int64_t author);
  void Publish(const std::string& channel, const StreamMessage& message);
  // A direct status's conversation: the id of the first status of its
  // thread (reached through at most kMaxConversationDepth replies).
  Result<int64_t> ConversationOf(const StatusRecord& status);

  static constexpr int kMaxConversationDepth = 64;

  ReadModels& read_;
  PubSub& pubsub_;
  StreamHub& hub_;
  FanOut& fan_out_;
  std::string base_url_ = "http://localhost";  // set before the lanes start
  std::atomic<uint64_t> published_{0};         // by both lanes
};

}  // namespace chirp
