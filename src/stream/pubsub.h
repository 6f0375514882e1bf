// Publish/subscribe between the producers of real-time events (the event
// stream's consumers) and the processes holding client connections. In the
// embedded deployment both are one process (LocalPubSub); scaled out, it is
// Redis publish/subscribe, with the same channels and messages.
//
// Channels are named as Mastodon's streaming server names them:
//   timeline:<account>                 home updates and deletes for one reader
//   timeline:<account>:notifications   that reader's notifications
//   timeline:direct:<account>          direct conversations of one reader
//   timeline:public, timeline:public:media
//   timeline:hashtag:<lower-case tag>
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace chirp {

class PubSub {
 public:
  using Handler = std::function<void(const std::string& channel, const std::string& message)>;

  virtual ~PubSub() = default;
  // Hands `message` to the subscribers of `channel`, in publishing order.
  virtual void Publish(const std::string& channel, const std::string& message) = 0;
  // Whether anyone listens on `channel`: producers skip rendering for
  // channels without listeners.
  virtual bool HasSubscribers(const std::string& channel) const = 0;
  // `handler` hears every message on `channel` until unsubscribed; it may
  // run on the publisher's thread and must not subscribe or unsubscribe.
  // Returns a handle for Unsubscribe.
  virtual uint64_t Subscribe(const std::string& channel, Handler handler) = 0;
  virtual void Unsubscribe(uint64_t handle) = 0;
};

// In process: Publish calls the handlers on the publisher's thread.
class LocalPubSub final : public PubSub {
 public:
  void Publish(const std::string& channel, const std::string& message) override;
  bool HasSubscribers(const std::string& channel) const override;
  uint64_t Subscribe(const std::string& channel, Handler handler) override;
  void Unsubscribe(uint64_t handle) override;

 private:
  struct Entry {
    uint64_t handle;
    std::shared_ptr<const Handler> handler;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Entry>, std::less<>> channels_;  // guarded by mu_
  std::map<uint64_t, std::string> channel_of_;                       // guarded by mu_
  uint64_t next_handle_ = 1;                                         // guarded by mu_
};

}  // namespace chirp
