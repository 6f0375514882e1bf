// Statuses by id, served from memory and filled from the store on a miss,
// each with the members of its JSON that never change once it is posted
// rendered once (StatusFixedJson), so that a page of statuses is assembled
// from text rather than built and serialized again for every reader.
//
// What a cached status holds that can change (its counters, its being
// deleted) is kept right by the cache keeper (api/cache_keeper.h), which
// forgets a status after the store committed a change to it: a favourite,
// a reply or reblog of it, its deletion (see core/snapshot_cache.h for why
// that is enough).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/snapshot_cache.h"
#include "mastodon/account_directory.h"
#include "social/lookups.h"
#include "store/store.h"

namespace chirp {

struct CachedStatus {
  // The status as stored, less its text and content: `fixed` holds what is
  // shown of them, and a status's source is read from the store when asked
  // for (StatusDirectory::FindWhole), so a cached status does not hold its
  // words three times.
  StatusRecord record;
  std::string base_url;  // that `fixed` was rendered with
  std::string fixed;     // StatusFixedJson(record as stored, ...)

  // What this status takes in memory, its strings and lists included.
  size_t ResidentBytes() const;
};

using StatusRef = std::shared_ptr<const CachedStatus>;

class StatusDirectory final : public StatusLookup {
 public:
  // Holds at most `capacity` statuses and about `max_bytes` of them (see
  // CachedStatus::ResidentBytes).
  StatusDirectory(Store& store, AccountDirectory& accounts, size_t capacity,
                  size_t max_bytes = std::numeric_limits<size_t>::max())
      : store_(store), accounts_(accounts), cache_(capacity, max_bytes) {}

  // The live statuses among `ids`, in the order of `ids`; unknown and
  // deleted ones are left out. `base_url` as ApiRequest::base_url.
  Result<std::vector<StatusRef>> GetMany(const std::vector<int64_t>& ids,
                                         const std::string& base_url);
  // One live status, or kNotFound.
  Result<StatusRef> Get(int64_t id, const std::string& base_url);
  // `status`, a record as stored (with its text and content), rendered
  // afresh and not cached.
  Result<StatusRef> Render(const StatusRecord& status, const std::string& base_url,
                           bool source_requested);
  // Live status `id` read from the store and rendered with its source text
  // in place of its content (delete and redraft), not cached.
  Result<StatusRef> RenderSource(int64_t id, const std::string& base_url);
  // Live status `id` as stored, its text and content included; kNotFound
  // for unknown and deleted ones.
  Result<StatusRecord> FindWhole(int64_t id);

  // For a status about to be written: a token taken before the write, to
  // cache it afterwards as the store returned it (Remember).
  uint64_t LoadToken(int64_t id) const override { return cache_.LoadToken(id); }
  // Caches `stored`, a status just written (CreatedStatus::stored), unless
  // it was forgotten since `token`; returns it rendered.
  Result<StatusRef> Remember(const StatusRecord& stored, const std::string& base_url,
                             uint64_t token);

  // The record of a live status, from the cache when held (whatever it was
  // rendered for), from the store otherwise; its text and content may be
  // empty (see CachedStatus::record).
  Result<StatusRecord> FindLive(int64_t id) override;
  Result<std::vector<StatusRecord>> FindLiveMany(const std::vector<int64_t>& ids) override;

  // Drops a status after a committed change to it.
  void Forget(int64_t id) { cache_.Forget(id); }
  size_t size() const { return cache_.size(); }
  size_t bytes() const { return cache_.bytes(); }

 private:
  Store& store_;
  AccountDirectory& accounts_;
  SnapshotCache<CachedStatus> cache_;
};

}  // namespace chirp
