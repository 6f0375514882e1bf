// The streaming API's side of publish/subscribe in one process: which
// client connection listens to which channel under which stream name, and
// the delivery of each published message to them.
//
// A message on a channel shared by many readers (public, hashtag) names the
// accounts it concerns; a reader who blocks, is blocked by or mutes any of
// them does not receive it. Messages on one reader's own channels were
// filtered by their producer (api/stream_publisher.h), which knew the reader.
//
// Delivery never waits for a client: a connection queues what it is sent
// up to its bound and is closed when a message would exceed it, so a slow
// reader costs its own connection, not anyone else's.
//
// What clients hold is bounded (StreamLimits): connections per account and
// subscriptions per connection, so that one account cannot make the hub
// hold an unbounded number of channels.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "social/viewer_cache.h"
#include "stream/pubsub.h"

namespace chirp {

// What a producer publishes: one event of the Mastodon streaming API.
struct StreamMessage {
  std::string event;    // "update", "delete", "notification", "conversation"
  std::string payload;  // the entity's JSON, or a status id for "delete"
  // The accounts it concerns, for the filtering of shared channels; empty
  // on a reader's own channels.
  std::vector<int64_t> accounts;
};

// The wire form of a message on a pub/sub channel, and back; nullopt for
// text that is not one.
std::string EncodeStreamMessage(const StreamMessage& message);
std::optional<StreamMessage> DecodeStreamMessage(std::string_view text);

// One client connection (a WebSocket or a stream of server-sent events).
// Every method is thread-safe and returns without waiting.
class StreamConnection {
 public:
  explicit StreamConnection(int64_t account_id) : account_id_(account_id) {}
  virtual ~StreamConnection() = default;

  // Queues one event: `stream` names the subscription as a JSON array
  // (["hashtag","Foo"]); `payload_json` is the payload as a JSON string.
  virtual void Send(std::string_view stream, const StreamMessage& message,
                    std::string_view payload_json) = 0;
  // Queues a message of the connection's own (an error answer).
  virtual void SendText(std::string_view text) = 0;
  // Keeps the connection alive and finds dead ones (ping or comment).
  virtual void Heartbeat() = 0;
  // Ends the connection; `going_away` when the server stops.
  virtual void Close(bool going_away) = 0;

  int64_t account_id() const { return account_id_; }

 private:
  const int64_t account_id_;
};

struct StreamLimits {
  size_t connections_per_account = 32;
  size_t subscriptions_per_connection = 100;
};

enum class SubscribeResult {
  kSubscribed,
  kAlready,  // the connection listens to that stream already
  kTooMany,  // the connection holds StreamLimits::subscriptions_per_connection
  kGone,     // the connection is not (or no longer) registered
};

class StreamHub {
 public:
  static constexpr std::chrono::seconds kHeartbeat{15};

  // `pubsub`, `viewers` and `clock` must outlive the hub.
  StreamHub(PubSub& pubsub, ViewerCache& viewers, const Clock& clock, StreamLimits limits = {})
      : pubsub_(pubsub),
        viewers_(viewers),
        clock_(clock),
        limits_(limits),
        last_beat_ms_(clock.NowMillis()) {}
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // Registers a new connection; it receives heartbeats until removed. False
  // when its account holds as many as the limit allows already or the hub is
  // stopping: the caller then drops the connection.
  bool Add(const std::shared_ptr<StreamConnection>& connection);
  // Whether a new connection of `account_id` would be registered now, for
  // refusing it before it is taken over (Add decides for good).
  bool Admits(int64_t account_id) const;
  // Forgets a connection that ended, with its subscriptions.
  void Remove(StreamConnection* connection);

  // Subscribes `connection` to `channel` under the name `stream` (a JSON
  // array).
  SubscribeResult Subscribe(StreamConnection* connection, const std::string& channel,
                            const std::string& stream);
  void Unsubscribe(StreamConnection* connection, const std::string& channel,
                   const std::string& stream);

  // Sends every connection a heartbeat when kHeartbeat has passed on the
  // clock since the last one; returns whether it did. The heartbeat thread
  // (Start) asks every second.
  bool BeatIfDue();

  // Starts the heartbeat thread; CloseAll stops it.
  void Start();
  // Closes every connection (the server is stopping) and forgets them.
  void CloseAll();

  size_t connections() const;
  // Accounts with a connection listening to their own timeline channel
  // ("timeline:<id>", the user stream), for producers deciding whom to
  // render for. In process only: scaled out, each process knows its own.
  bool HasReader(int64_t account_id) const;
  std::vector<int64_t> Readers() const;
  size_t reader_count() const;
  uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }

 private:
  struct Listener {
    std::shared_ptr<StreamConnection> connection;
    std::string stream;
  };
  struct Channel {
    uint64_t handle = 0;  // of the pub/sub subscription
    std::vector<Listener> listeners;
  };

  // Counts a user-stream subscription in or out (`delta` 1 or -1) when
  // `channel` is one. With mu_ held.
  void CountReader(const std::string& channel, int delta);
  // A pub/sub message arrived on `channel`.
  void Deliver(const std::string& channel, const std::string& text);
  // Whether the reader's relations keep `message` from them.
  bool Filtered(int64_t reader, const StreamMessage& message);
  void HeartbeatLoop();

  PubSub& pubsub_;
  ViewerCache& viewers_;
  const Clock& clock_;
  const StreamLimits limits_;
  int64_t last_beat_ms_;  // guarded by mu_
  mutable std::mutex mu_;
  std::map<StreamConnection*, std::shared_ptr<StreamConnection>> connections_;  // guarded by mu_
  std::map<StreamConnection*, std::set<std::pair<std::string, std::string>>>
      subscriptions_;                        // guarded by mu_
  std::map<std::string, Channel> channels_;  // guarded by mu_
  std::map<int64_t, int> readers_;  // guarded by mu_: user-stream subscriptions per account
  std::map<int64_t, size_t> connections_by_account_;  // guarded by mu_; no zero counts
  bool stopping_ = false;                             // guarded by mu_
  std::condition_variable wake_;
  std::atomic<uint64_t> delivered_{0};
  std::thread heartbeat_;
};

}  // namespace chirp
