#include "stream/pubsub.h"

#include <algorithm>

namespace chirp {

void LocalPubSub::Publish(const std::string& channel, const std::string& message) {
  // Handlers run outside the lock, so that one may take locks of its own
  // that a subscriber holds while it subscribes.
  std::vector<std::shared_ptr<const Handler>> handlers;
  {
    std::lock_guard lock(mu_);
    auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    for (const Entry& e : it->second) handlers.push_back(e.handler);
  }
  for (const auto& handler : handlers) (*handler)(channel, message);
}

bool LocalPubSub::HasSubscribers(const std::string& channel) const {
  std::lock_guard lock(mu_);
  return channels_.contains(channel);
}

uint64_t LocalPubSub::Subscribe(const std::string& channel, Handler handler) {
  std::lock_guard lock(mu_);
  const uint64_t handle = next_handle_++;
  channels_[channel].push_back({handle, std::make_shared<const Handler>(std::move(handler))});
  channel_of_[handle] = channel;
  return handle;
}

void LocalPubSub::Unsubscribe(uint64_t handle) {
  std::lock_guard lock(mu_);
  auto owner = channel_of_.find(handle);
  if (owner == channel_of_.end()) return;
  auto it = channels_.find(owner->second);
  if (it != channels_.end()) {
    std::erase_if(it->second, [&](const Entry& e) { return e.handle == handle; });
    if (it->second.empty()) channels_.erase(it);
  }
  channel_of_.erase(owner);
}

}  // namespace chirp
