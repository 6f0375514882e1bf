#include "mastodon/account_directory.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <mutex>

#include "mastodon/entities.h"
#include "core/text.h"

namespace chirp {

AccountRef AccountDirectory::Insert(Account account, uint64_t loaded_at) {
  auto ref = std::make_shared<const Account>(std::move(account));
  std::unique_lock lock(mu_);
  if (loaded_at != forgets_) return ref;  // raced with a change
  auto [it, inserted] = by_id_.try_emplace(ref->id, ref);
  if (!inserted) return it->second;
  id_by_username_[AsciiLower(ref->username)] = ref->id;
  return ref;
}

Result<AccountRef> AccountDirectory::Get(int64_t id) {
  uint64_t generation;
  {
    std::shared_lock lock(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end()) return it->second;
    generation = forgets_;
  }
  auto loaded = store_.FindAccount(id);
  if (!loaded) return std::move(loaded).error();
  return Insert(std::move(loaded).value(), generation);
}

Result<AccountRef> AccountDirectory::GetByUsername(std::string_view username) {
  const std::string key = AsciiLower(username);
  uint64_t generation;
  {
    std::shared_lock lock(mu_);
    generation = forgets_;
    auto it = id_by_username_.find(key);
    if (it != id_by_username_.end()) {
      auto found = by_id_.find(it->second);
      if (found != by_id_.end()) return found->second;
    }
  }
  auto loaded = store_.FindAccountByUsername(key);
  if (!loaded) return std::move(loaded).error();
  return Insert(std::move(loaded).value(), generation);
}

Result<std::shared_ptr<const std::string>> AccountDirectory::Json(int64_t id,
                                                                  const std::string& base_url) {
  if (auto held = rendered_.Find(id); held != nullptr && held->base_url == base_url) {
    return held->json;
  }
  const uint64_t token = rendered_.LoadToken(id);
  auto account = Get(id);
  if (!account) return std::move(account).error();
  auto rendered = std::make_shared<Rendered>();
  rendered->base_url = base_url;
  rendered->json =
      std::make_shared<const std::string>(boost::json::serialize(AccountJson(**account, base_url)));
  auto json = rendered->json;
  rendered_.Insert(id, std::move(rendered), token);
  return json;
}

void AccountDirectory::Forget(int64_t id) {
  std::unique_lock lock(mu_);
  ++forgets_;
  by_id_.erase(id);
  rendered_.Forget(id);
}

Status AccountDirectory::Reload(int64_t id) {
  uint64_t generation;
  {
    std::unique_lock lock(mu_);
    ++forgets_;  // a load in flight may predate the change
    rendered_.Forget(id);
    if (!by_id_.contains(id)) return {};
    generation = forgets_;
  }
  auto loaded = store_.FindAccount(id);
  if (!loaded && loaded.error().code != ErrorCode::kNotFound) return std::move(loaded).error();
  std::unique_lock lock(mu_);
  if (!loaded || forgets_ != generation) {  // gone, or changed again meanwhile
    ++forgets_;
    by_id_.erase(id);
    rendered_.Forget(id);
    return {};
  }
  auto ref = std::make_shared<const Account>(std::move(loaded).value());
  by_id_[id] = ref;
  rendered_.Forget(id);
  return {};
}

size_t AccountDirectory::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

}  // namespace chirp
