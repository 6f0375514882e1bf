#include "api/account_directory.h"

#include <mutex>

#include "core/text.h"

namespace chirp {

AccountRef AccountDirectory::Insert(Account account, bool replace) {
  auto ref = std::make_shared<const Account>(std::move(account));
  std::unique_lock lock(mu_);
  auto [it, inserted] = by_id_.try_emplace(ref->id, ref);
  if (!inserted) {
    if (!replace) return it->second;
    it->second = ref;
  }
  id_by_username_[AsciiLower(ref->username)] = ref->id;
  return ref;
}

Result<AccountRef> AccountDirectory::Get(int64_t id) {
  {
    std::shared_lock lock(mu_);
    auto it = by_id_.find(id);
    if (it != by_id_.end()) return it->second;
  }
  auto loaded = store_.FindAccount(id);
  if (!loaded) return std::move(loaded).error();
  return Insert(std::move(loaded).value(), false);
}

Result<AccountRef> AccountDirectory::GetByUsername(std::string_view username) {
  const std::string key = AsciiLower(username);
  {
    std::shared_lock lock(mu_);
    auto it = id_by_username_.find(key);
    if (it != id_by_username_.end()) {
      auto found = by_id_.find(it->second);
      if (found != by_id_.end()) return found->second;
    }
  }
  auto loaded = store_.FindAccountByUsername(key);
  if (!loaded) return std::move(loaded).error();
  return Insert(std::move(loaded).value(), false);
}

Status AccountDirectory::UpdateProfile(const Account& account) {
  std::lock_guard serial(update_mu_);
  if (Status s = store_.UpdateProfile(account); !s) return s;
  Insert(account, true);
  return {};
}

void AccountDirectory::Remember(const Account& account) { Insert(account, true); }

size_t AccountDirectory::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

}  // namespace chirp
