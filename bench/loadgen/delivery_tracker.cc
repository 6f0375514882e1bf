#include "delivery_tracker.h"

#include <algorithm>

namespace chirp::loadgen {

void DeliveryTracker::PostAnswered(const std::string& id, Clock::time_point answered) {
  std::lock_guard lock(mu_);
  auto [it, added] = posts_.try_emplace(id, Post{.answered = answered});
  if (!added) return;  // the same status answered twice: keep the first answer
  auto early = early_.find(id);
  if (early == early_.end()) return;
  for (Clock::time_point arrived : early->second) Match(it->second, arrived);
  early_.erase(early);
}

void DeliveryTracker::UpdateReceived(const std::string& id, Clock::time_point arrived) {
  std::lock_guard lock(mu_);
  auto it = posts_.find(id);
  if (it == posts_.end()) {
    early_[id].push_back(arrived);
    return;
  }
  Match(it->second, arrived);
}

void DeliveryTracker::Match(Post& post, Clock::time_point arrived) {
  ++post.events;
  ++events_;
  const auto waited =
      std::chrono::duration_cast<std::chrono::microseconds>(arrived - post.answered).count();
  if (waited < 0) ++early_events_;
  latency_.Record(static_cast<uint64_t>(std::max<int64_t>(0, waited)));
}

uint64_t DeliveryTracker::Missing(uint64_t expected_per_post) const {
  std::lock_guard lock(mu_);
  uint64_t missing = 0;
  for (const auto& [id, post] : posts_) {
    if (post.events < expected_per_post) missing += expected_per_post - post.events;
  }
  return missing;
}

DeliveryReport DeliveryTracker::Report(uint64_t expected_per_post) const {
  std::lock_guard lock(mu_);
  DeliveryReport r;
  r.posts = posts_.size();
  r.events = events_;
  r.early = early_events_;
  for (const auto& [id, post] : posts_) {
    if (post.events < expected_per_post) r.missing += expected_per_post - post.events;
    if (post.events > expected_per_post) r.duplicates += post.events - expected_per_post;
  }
  for (const auto& [id, arrivals] : early_) r.unmatched += arrivals.size();
  r.latency.Merge(latency_);
  return r;
}

}  // namespace chirp::loadgen
