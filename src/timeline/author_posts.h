// Every author's recent statuses, in memory, as AuthorPosts: what rebuilding
// a home timeline, merging a celebrity's statuses into one, and listing an
// author's statuses read, so that none of them asks the store for each
// author followed (which is what made a rebuild cost milliseconds).
//
// Fan-out keeps the lists in event order (a new status pushed, a deleted one
// removed); the writing process pushes a new status of its own into its
// author's list at once (a reblog: forgets the list, loaded again on next
// read), so an author sees their status on their profile right after
// posting, and fan-out's later push of it keeps one. A list absent from memory is
// loaded from the store on first need, with the same care as a timeline
// rebuild: pushes that arrive while the store is read are kept, and a load
// that raced with a removal or a forget is not installed.
//
// A list holds the author's newest statuses, `depth` of them (deeper for an
// author read deeper, up to kMaxDepth), and answers for statuses from its
// floor up: below that, the store does. At most `max_authors` lists are held
// (the oldest loaded are dropped first, and loaded again when read). Lists
// may also be loaded ahead of reads, many authors to a store read
// (Preload): what a server does at its start, so that the first reads after
// it do not each load the lists of every author they follow.
//
// Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "store/store.h"
#include "timeline/author_post.h"

namespace chirp {

struct AuthorPostsStats {
  uint64_t authors = 0;
  uint64_t posts = 0;
  uint64_t bytes = 0;  // an estimate of the memory the lists take
};

class AuthorPosts {
 public:
  static constexpr size_t kMaxDepth = 200;

  AuthorPosts(Store& store, size_t depth, size_t max_authors);

  // The newest `limit` posts of `author` below `before_id` (0: no bound),
  // newest first, fewer only when the author has no more; nullopt when
  // memory cannot answer for all of them (the caller asks the store, see
  // FromStore). Loads the author's list when absent or too shallow for the
  // page, which needs the store (kWouldBlock on a thread that must not wait).
  Result<std::optional<AuthorSlice>> Recent(int64_t author, size_t limit, int64_t before_id);

  // The author's list as held (loading it when absent, as Recent does), or
  // null when memory cannot hold it (a load raced with changes twice). The
  // list never changes: a reader walks it without a lock for as long as it
  // keeps it, and reads below its floor from the store.
  Result<std::shared_ptr<const AuthorList>> Held(int64_t author);

  // The ids of the newest `limit` posts of `author` between `after_id` and
  // `before_id` (both excluded; 0: no bound) that `keep` accepts, newest
  // first; nullopt when memory cannot answer for all of them. Loads the
  // author's list when absent, as Recent does.
  Result<std::optional<std::vector<int64_t>>> Select(
      int64_t author, int64_t after_id, int64_t before_id, size_t limit,
      const std::function<bool(const AuthorPost&)>& keep);

  // The same from the store alone.
  static Result<AuthorSlice> FromStore(Store& store, int64_t author, size_t limit,
                                       int64_t before_id);

  // Loads the lists of `authors` not held yet, kPreloadBatch to a store
  // read, stopping early once `stop` is set. Returns how many were loaded.
  static constexpr size_t kPreloadBatch = 128;
  Result<size_t> Preload(const std::vector<int64_t>& authors, const std::atomic<bool>& stop);

  // Fan-out: a new status of an author whose list is held (others: nothing).
  void Push(const StatusRecord& status, int64_t original_author_id);
  // Fan-out, and the process that deleted: a deleted status.
  void Remove(int64_t author, int64_t status_id);
  // The process that posted: the author's list is loaded again on next read.
  void Forget(int64_t author);

  AuthorPostsStats Stats() const;

 private:
  struct List {
    // Never null; replaced, never changed, by pushes, removals and loads.
    std::shared_ptr<const AuthorList> held = std::make_shared<const AuthorList>();
    uint32_t depth = 0;   // posts kept
    bool loaded = false;  // false while the store is read
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<int64_t, List> lists;  // guarded by mu
    std::deque<int64_t> order;                // loading order, for eviction; guarded by mu
    // Bumped by every forget and removal: a load that saw it move is not
    // installed. Guarded by mu.
    uint64_t changes = 0;
  };
  static constexpr size_t kShards = 32;
  Shard& ShardOf(int64_t author);
  // Inserts in order without duplicates, trimming the oldest beyond depth.
  static void Insert(AuthorList& list, size_t depth, const AuthorPost& post,
                     const std::vector<int64_t>& mentioned);
  static void Trim(AuthorList& list, size_t depth);
  Status Load(int64_t author, size_t depth);
  // Loads the lists of `authors` (distinct) in one store read.
  Status LoadMany(const std::vector<int64_t>& authors, size_t depth);
  // Makes room for `author`'s list before the store is read: the token
  // Install checks.
  uint64_t Reserve(int64_t author, size_t depth);
  // Installs what the store gave for `author` (newest first, `depth` + 1 at
  // most), unless a change since `token` makes it stale.
  void Install(int64_t author, uint64_t token, size_t depth, AuthorSlice read);
  bool IsHeld(int64_t author);
  // What the list answers of the page; nullopt when it cannot.
  static std::optional<AuthorSlice> Answer(const AuthorList& list, size_t limit, int64_t before_id);

  Store& store_;
  const size_t depth_;
  const size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace chirp
