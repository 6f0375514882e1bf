// Accounts by id and by username, served from memory and filled from the
// store on a miss, each with its Account JSON rendered once. Kept right by
// the cache keeper (api/cache_keeper.h), which follows the event stream: a
// change is committed to the store first, then the keeper forgets or
// reloads what it touched.
//
// Bounded in bytes: half the budget holds accounts (with the username map),
// half their rendered JSON; past it, the accounts loaded first are let go
// and loaded again when next read.
//
// Thread-safe. Entries are immutable snapshots (shared_ptr<const Account>):
// a reader keeps rendering the snapshot it got while an update replaces it.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/snapshot_cache.h"
#include "social/lookups.h"
#include "store/store.h"

namespace chirp {

class AccountDirectory final : public AccountLookup {
 public:
  static constexpr size_t kDefaultBytes = size_t{256} << 20;

  explicit AccountDirectory(Store& store, size_t max_bytes = kDefaultBytes);

  Result<AccountRef> Get(int64_t id) override;
  Result<AccountRef> GetByUsername(std::string_view username) override;  // any case
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
  // Drops the cached entry, after a write that changed what the store holds
  // for the account; the next Get reloads it.
  void Forget(int64_t id);
  // After event `event_id` changed the account: a cached entry that does not
  // show it yet is replaced by the account as the store now holds it rather
  // than dropped, so that its readers never miss; one loaded after the
  // event (its as_of_event, Store::FindAccountAsOf) is kept as it is.
  Status Reload(int64_t id, int64_t event_id);
  // The account's own new status, event `event_id`, applied in place by
  // the process that wrote it (statuses_count unless `counted` is false,
  // last_status_at), so that its author reads it back without a reload.
  // Exact with Reload: an entry that shows the event already is left as it
  // is, and the event stream's Reload of that event then skips the entry.
  void CountOwnStatus(int64_t id, int64_t event_id, bool counted, int64_t created_at_ms);
  size_t size() const;
  // What the accounts held and their rendered JSON take in memory (an
  // estimate, core/resident_bytes.h), within the budget.
  size_t bytes() const;

 private:
  static constexpr size_t kAppliedAheadKept = 16;
  struct Entry {
    AccountRef account;
    int64_t as_of_event = 0;  // it shows every event up to this one; 0 when unknown
    // Events past as_of_event it shows too, applied in place (CountOwnStatus);
    // the newest kAppliedAheadKept.
    std::vector<int64_t> applied_ahead;
    size_t bytes = 0;     // what it weighs, with its username's entry
    uint64_t loaded = 0;  // when it was cached, in the order of loads
  };
  static bool Shows(const Entry& e, int64_t event_id);
  // What `e` takes in memory, with its node in each map.
  static size_t Weigh(const Entry& e);
  // Holds `e` for its account, replacing what was there, and lets the
  // oldest loads go past the budget. With mu_ held.
  void Put(Entry e);
  // Drops the account's entry and its username. With mu_ held.
  void Drop(int64_t id);
  // Caches an account loaded after a miss, unless a change was applied
  // since `loaded_at` (forgets_ then); an entry cached meanwhile is kept.
  AccountRef Insert(Account account, int64_t as_of_event, uint64_t loaded_at);

  Store& store_;
  const size_t max_entry_bytes_;
  mutable std::shared_mutex mu_;
  std::unordered_map<int64_t, Entry> by_id_;                 // guarded by mu_
  std::unordered_map<std::string, int64_t> id_by_username_;  // lower-cased; guarded by mu_
  size_t entry_bytes_ = 0;                                   // of by_id_; guarded by mu_
  // Accounts by when they were cached (id, Entry::loaded), oldest first; an
  // account dropped or loaded again leaves a pair that no longer matches.
  std::deque<std::pair<int64_t, uint64_t>> load_order_;  // guarded by mu_
  uint64_t loads_ = 0;                                   // guarded by mu_
  // Account JSON by account id, forgotten with the account: sharded and
  // apart from mu_, since every status on every page looks one up.
  struct Rendered {
    std::string base_url;
    std::shared_ptr<const std::string> json;
    size_t ResidentBytes() const;
  };
  SnapshotCache<Rendered> rendered_;
  // Bumped by every Forget: a load that raced with one is not cached, so a
  // stale copy read before a write never outlives the write's Forget.
  uint64_t forgets_ = 0;  // guarded by mu_
};

}  // namespace chirp
