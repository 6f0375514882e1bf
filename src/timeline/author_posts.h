// The recent statuses of the authors whose statuses are merged at read time
// (celebrities), in memory, so that merging them into a home page asks the
// store nothing. Fan-out keeps each list up to date as it keeps home
// timelines (a new status is pushed, a deleted one removed, in event order);
// a list absent from memory is loaded from the store on first need, with the
// same care as a timeline rebuild: pushes that arrive while the store is
// read are kept.
//
// Each list holds the author's newest `capacity` statuses, stripped of what
// the home rules do not need, with the author of each reblogged status. It
// answers for statuses from its floor up: below that, the store does.
//
// Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace chirp {

// A status as the home rules see it (home_rules.h).
struct AuthoredStatus {
  StatusRecord status;             // without text, content, tags or media
  int64_t original_author_id = 0;  // for a reblog: the reblogged status's author
};

class AuthorPosts {
 public:
  AuthorPosts(Store& store, size_t capacity) : store_(store), capacity_(capacity) {}

  // The newest `limit` statuses of `author` below `before_id` (0: no bound),
  // newest first; nullopt when memory cannot answer for all of them (the
  // caller asks the store). Loads the author's list when absent, which needs
  // the store (kWouldBlock on a thread that must not wait).
  Result<std::optional<std::vector<AuthoredStatus>>> Recent(int64_t author, int limit,
                                                            int64_t before_id);
  // Fan-out: a new status of an author whose list is held (others: nothing).
  void Push(const AuthoredStatus& s);
  // Fan-out: a deleted status.
  void Remove(int64_t author, int64_t status_id);
  size_t authors() const;

 private:
  struct List {
    std::deque<AuthoredStatus> statuses;  // ascending by id
    bool loaded = false;                  // false while the store is read
    int64_t floor = 0;                    // every status of the author from this id up is here
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<int64_t, List> lists;  // guarded by mu
  };
  static constexpr size_t kShards = 16;
  Shard& ShardOf(int64_t author) { return shards_[static_cast<uint64_t>(author) % kShards]; }
  // Inserts in order without duplicates, trimming the oldest beyond capacity.
  void Insert(List& list, const AuthoredStatus& s);
  Status Load(int64_t author);

  Store& store_;
  const size_t capacity_;
  std::array<Shard, kShards> shards_;
};

// Strips a status to what AuthoredStatus keeps.
AuthoredStatus Authored(const StatusRecord& s, int64_t original_author_id);

}  // namespace chirp
