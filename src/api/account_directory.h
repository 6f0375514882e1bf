// Accounts by id and by username, served from memory and filled from the
// store on a miss. Writers go through the directory so that the cache and the
// store agree: the store first, then the cache.
//
// Thread-safe. Entries are immutable snapshots (shared_ptr<const Account>):
// a reader keeps rendering the snapshot it got while an update replaces it.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/error.h"
#include "core/snapshot_cache.h"
#include "store/store.h"

namespace chirp {

using AccountRef = std::shared_ptr<const Account>;

class AccountDirectory {
 public:
  explicit AccountDirectory(Store& store) : store_(store) {}

  Result<AccountRef> Get(int64_t id);
  Result<AccountRef> GetByUsername(std::string_view username);  // any case
  // The account's Account JSON (api/entities.h) with URLs under `base_url`,
  // rendered once per version of the account.
  Result<std::shared_ptr<const std::string>> Json(int64_t id, const std::string& base_url);
  // Calls `use` with the account's JSON, from the cache without taking a
  // reference to it when it is there (a page does this for every status).
  // `use` must not call the directory.
  template <typename Use>
  Status WithJson(int64_t id, const std::string& base_url, Use&& use) {
    bool used = false;
    rendered_.Visit(id, [&](const Rendered& r) {
      if (r.base_url != base_url) return;
      use(std::string_view(*r.json));
      used = true;
    });
    if (used) return {};
    auto json = Json(id, base_url);
    if (!json) return std::move(json).error();
    use(std::string_view(**json));
    return {};
  }
  // Stores the profile; the next read loads it afresh.
  Status UpdateProfile(const Account& account);
  // Caches an account just committed by someone else (registration).
  void Remember(const Account& account);
  // Drops the cached entry, after a write that changed what the store holds
  // for the account (its counters); the next Get reloads it.
  void Forget(int64_t id);
  // After a committed status: the cached entry, if any, counts it as the
  // store did (statuses_count unless direct, last_status_at), without a
  // reload. Posts by one account commute, so the order of calls does not
  // matter.
  void CountStatus(int64_t id, Visibility visibility, int64_t created_at_ms);
  size_t size() const;

 private:
  // `replace`: an update replaces the cached entry; a load after a miss keeps
  // whatever an update cached meanwhile, which is newer.
  AccountRef Insert(Account account, bool replace,
                    std::optional<uint64_t> loaded_at = std::nullopt);

  Store& store_;
  mutable std::shared_mutex mu_;
  std::unordered_map<int64_t, AccountRef> by_id_;            // guarded by mu_
  std::unordered_map<std::string, int64_t> id_by_username_;  // lower-cased; guarded by mu_
  // Account JSON by account id, forgotten with the account: sharded and
  // apart from mu_, since every status on every page looks one up.
  struct Rendered {
    std::string base_url;
    std::shared_ptr<const std::string> json;
  };
  SnapshotCache<Rendered> rendered_{1 << 20};
  // Bumped by every Forget: a load that raced with one is not cached, so a
  // stale copy read before a write never outlives the write's Forget.
  uint64_t forgets_ = 0;  // guarded by mu_
};

}  // namespace chirp
