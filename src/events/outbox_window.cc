#include "events/outbox_window.h"

#include <algorithm>

namespace chirp {

void OutboxWindow::Collect(int64_t after_id, int limit, std::vector<OutboxEvent>& out) const {
  auto it = std::upper_bound(events_.begin(), events_.end(), after_id,
                             [](int64_t id, const OutboxEvent& e) { return id < e.id; });
  for (; it != events_.end() && static_cast<int>(out.size()) < limit; ++it) out.push_back(*it);
}

Result<std::vector<OutboxEvent>> OutboxWindow::Read(int64_t after_id, int limit) {
  std::lock_guard lock(mu_);
  if (!anchored_) {
    anchored_ = true;
    start_ = end_ = after_id;
  }
  if (after_id < start_ || after_id > end_) {
    store_reads_.fetch_add(1, std::memory_order_relaxed);
    return log_.ReadOutbox(after_id, limit);  // outside the window
  }
  std::vector<OutboxEvent> out;
  Collect(after_id, limit, out);
  if (static_cast<int>(out.size()) == limit) return out;
  const uint64_t commits = commits_.load(std::memory_order_acquire);
  if (following_.load() && commits == end_as_of_commits_) return out;  // nothing new since
  const int fetch = std::max(limit, kFetch);
  auto more = log_.ReadOutbox(end_, fetch);
  store_reads_.fetch_add(1, std::memory_order_relaxed);
  if (!more) return std::move(more).error();
  // A short read reached the store's end as of `commits` (taken before it).
  if (static_cast<int>(more->size()) < fetch) end_as_of_commits_ = commits;
  for (OutboxEvent& e : *more) {
    end_ = e.id;
    events_.push_back(std::move(e));
  }
  while (events_.size() > capacity_) {
    start_ = events_.front().id;
    events_.pop_front();
  }
  if (after_id < start_) return log_.ReadOutbox(after_id, limit);  // pushed out meanwhile
  out.clear();
  Collect(after_id, limit, out);
  return out;
}

}  // namespace chirp
