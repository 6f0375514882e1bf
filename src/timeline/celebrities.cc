#include "timeline/celebrities.h"

#include <algorithm>
#include <mutex>

namespace chirp {

Status Celebrities::Load() {
  auto ids = store_.AccountsWithFollowersAtLeast(threshold_);
  if (!ids) return std::move(ids).error();
  std::unique_lock lock(mu_);
  ids_ = std::move(ids).value();
  return {};
}

Status Celebrities::Refresh(int64_t account_id) {
  auto account = store_.FindAccount(account_id);
  if (account) {
    Update(account_id, account->followers_count);
  } else if (account.error().code == ErrorCode::kNotFound) {
    Update(account_id, std::nullopt);
  } else {
    return std::move(account).error();
  }
  return {};
}

void Celebrities::Update(int64_t account_id, std::optional<int64_t> followers_count) {
  const bool celebrity = followers_count.has_value() && *followers_count >= threshold_;
  std::unique_lock lock(mu_);
  auto it = std::lower_bound(ids_.begin(), ids_.end(), account_id);
  const bool present = it != ids_.end() && *it == account_id;
  if (celebrity && !present) ids_.insert(it, account_id);
  if (!celebrity && present) ids_.erase(it);
}

std::vector<int64_t> Celebrities::FollowedBy(const ViewerVisibility& reader) const {
  std::vector<int64_t> out;
  std::shared_lock lock(mu_);
  if (ids_.empty()) return out;
  // Walk the smaller side, look up in the other.
  if (ids_.size() <= reader.follows().size()) {
    for (int64_t id : ids_) {
      if (reader.Follows(id)) out.push_back(id);
    }
  } else {
    for (const Follow& f : reader.follows()) {
      if (std::binary_search(ids_.begin(), ids_.end(), f.target_account_id))
        out.push_back(f.target_account_id);
    }
    std::sort(out.begin(), out.end());
  }
  return out;
}

bool Celebrities::Contains(int64_t account_id) const {
  std::shared_lock lock(mu_);
  return std::binary_search(ids_.begin(), ids_.end(), account_id);
}

size_t Celebrities::size() const {
  std::shared_lock lock(mu_);
  return ids_.size();
}

}  // namespace chirp
