// What the domain services read of accounts and statuses, and how they tell
// their own process's caches about a write they just committed.
//
// The lookups are served from memory where the process holds the record
// (the API's account and status directories implement them) and from the
// store otherwise. Every cache is kept by the event stream (api/cache_keeper.h);
// a service also applies its own change at once through OwnWrites, so the
// account that wrote reads its write back before the event stream brings it.
//
// Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "store/events.h"
#include "store/records.h"

namespace chirp {

using AccountRef = std::shared_ptr<const Account>;

class AccountLookup {
 public:
  virtual ~AccountLookup() = default;
  // kNotFound for an unknown account.
  virtual Result<AccountRef> Get(int64_t id) = 0;
  virtual Result<AccountRef> GetByUsername(std::string_view username) = 0;  // any case
};

class StatusLookup {
 public:
  virtual ~StatusLookup() = default;
  // A live status; kNotFound for unknown and deleted ones.
  virtual Result<StatusRecord> FindLive(int64_t id) = 0;
  // The live statuses among `ids`, in the order of `ids` (unknown and
  // deleted ones left out): one read of the store for those not in memory.
  virtual Result<std::vector<StatusRecord>> FindLiveMany(const std::vector<int64_t>& ids) {
    std::vector<StatusRecord> out;
    for (int64_t id : ids) {
      auto found = FindLive(id);
      if (found) {
        out.push_back(std::move(found).value());
      } else if (found.error().code != ErrorCode::kNotFound) {
        return std::move(found).error();
      }
    }
    return out;
  }
  // For a status about to be written with `id`: a token to take before the
  // write, so that caching the status as written is safe afterwards (see
  // core/snapshot_cache.h).
  virtual uint64_t LoadToken(int64_t id) const = 0;
};

class OwnWrites {
 public:
  virtual ~OwnWrites() = default;
  // After the store committed the change `event` announces (the same event
  // the store wrote into the outbox, with its id when the store gave it, 0
  // otherwise): brings this process's caches up to it at once. The event
  // stream applies it again later, in every process; together they count
  // each change once.
  virtual void Apply(const OutboxEvent& event) = 0;
  // The same for a new status, `status` as stored, which caches that hold
  // statuses take in place rather than read again.
  virtual void ApplyNewStatus(const OutboxEvent& event, const StatusRecord& status) {
    (void)status;
    Apply(event);
  }
};

}  // namespace chirp
