#include "http/connection_limits.h"

#include <mutex>
#include <string>
#include <unordered_map>

namespace chirp {

struct ConnectionLimits::State {
  ConnectionCaps caps;
  std::atomic<int64_t>* gauge = nullptr;
  mutable std::mutex mu;
  size_t total = 0;                                // guarded by mu
  std::unordered_map<std::string, size_t> by_key;  // guarded by mu; no zero counts

  void Release(const std::string& key) {
    std::lock_guard lock(mu);
    --total;
    if (gauge != nullptr) gauge->store(static_cast<int64_t>(total), std::memory_order_relaxed);
    if (key.empty()) return;
    auto it = by_key.find(key);
    if (it != by_key.end() && --it->second == 0) by_key.erase(it);
  }
};

// What a lease holds: the key it counted under ("" when only the total).
struct ConnectionLimits::Slot {
  Slot(std::shared_ptr<State> state, std::string key)
      : state(std::move(state)), key(std::move(key)) {}
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  ~Slot() { state->Release(key); }

  const std::shared_ptr<State> state;
  const std::string key;
};

ConnectionLimits::ConnectionLimits(ConnectionCaps caps, std::atomic<int64_t>* gauge)
    : state_(std::make_shared<State>()) {
  state_->caps = std::move(caps);
  state_->gauge = gauge;
}

ConnectionLimits::Lease ConnectionLimits::Admit(std::string_view peer_address) {
  std::string key;
  if (!AnyContains(state_->caps.unlimited_networks, peer_address)) {
    key = RateLimitAddressKey(peer_address);
  }
  {
    std::lock_guard lock(state_->mu);
    if (state_->total >= state_->caps.total) return nullptr;
    if (!key.empty()) {
      size_t& held = state_->by_key[key];
      if (held >= state_->caps.per_address) return nullptr;
      ++held;
    }
    ++state_->total;
    if (state_->gauge != nullptr) {
      state_->gauge->store(static_cast<int64_t>(state_->total), std::memory_order_relaxed);
    }
  }
  return std::make_shared<const Slot>(state_, std::move(key));
}

size_t ConnectionLimits::total() const {
  std::lock_guard lock(state_->mu);
  return state_->total;
}

size_t ConnectionLimits::held_for(std::string_view peer_address) const {
  const std::string key = RateLimitAddressKey(peer_address);
  std::lock_guard lock(state_->mu);
  auto it = state_->by_key.find(key);
  return it == state_->by_key.end() ? 0 : it->second;
}

}  // namespace chirp
