// Fan-out on write: the event consumer that keeps cached home timelines up
// to date. A new status is pushed to its author's timeline and to the live
// timelines of the followers it belongs to (home_rules.h); a celebrity's
// statuses (followers at or above the threshold) are not pushed at all, and
// readers merge them in at read time instead, so a post by an account with a
// million followers costs what a post by an account with ten does. Follows
// backfill recent statuses, unfollows and blocks purge them, and a deleted
// status leaves the timelines it was pushed to.
//
// Idempotent, as the event stream requires: pushing a status twice keeps
// one entry, removing twice removes once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/clock.h"
#include "core/snapshot_cache.h"
#include "events/outbox_drainer.h"
#include "store/store.h"
#include "timeline/author_posts.h"
#include "timeline/celebrities.h"
#include "timeline/timeline_cache.h"

namespace chirp {

struct TimelineOptions {
  // Authors with at least this many followers are read-merged, not pushed.
  int64_t celebrity_threshold = 10'000;
  // Statuses per followed account read at a time when a timeline is rebuilt.
  int rebuild_per_author = 32;
  // Every author's newest statuses held in memory (timeline/author_posts.h),
  // for this many authors at most.
  size_t author_posts_depth = 32;
  size_t author_posts_max_authors = 200'000;
  // Entries a rebuild collects, and statuses a follow backfills: the
  // capacity of a cached timeline.
  size_t rebuild_capacity = 800;
  // A reblog of a status among this many newest entries is not shown again.
  int reblog_dedupe_window = 40;
  // Timelines not read for this long are dropped (and rebuilt when read).
  int64_t live_window_ms = 7LL * 24 * 3600 * 1000;
  // Authors whose followers fan-out keeps in memory.
  size_t follower_cache_size = 20'000;
};

// An author's followers as fan-out needs them.
struct FollowerList {
  std::vector<int64_t> ids;           // ascending
  std::vector<int64_t> hide_reblogs;  // ascending; those who follow with reblogs off
};

class FanOut final : public EventConsumer {
 public:
  // `author_posts`, when given, is kept up to date with every status too
  // (what rebuilds and read-time merges read).
  FanOut(Store& store, TimelineCache& cache, const TimelineOptions& options,
         AuthorPosts* author_posts = nullptr)
      : store_(store),
        cache_(cache),
        options_(options),
        author_posts_(author_posts),
        followers_(options.follower_cache_size),
        celebrities_(store, options.celebrity_threshold) {}

  // An event whose pushes or removals did not all reach the cache (Redis
  // unreachable past its retry window) fails as unavailable, so that the
  // lane hands it out again rather than leave a timeline without it (every
  // step is idempotent).
  Status Handle(const OutboxEvent& event) override;
  // Another process ran fan-out meanwhile: the follower lists and
  // celebrities held are loaded again.
  void Resumed() override;

  uint64_t pushes() const { return pushes_.load(std::memory_order_relaxed); }

  // The author's followers, from memory when held; thread-safe. A list is
  // forgotten on every event that changes it (follows, unfollows, blocks),
  // so on fan-out's lane it is never older than the event being handled.
  // Another consumer reading it on its own lane, which may be ahead of
  // fan-out's, gets the same promise by calling ForgetFollowersChangedBy
  // with each event it handles.
  Result<std::shared_ptr<const FollowerList>> FollowersOf(int64_t account_id);
  // Forgets the follower lists that `event` changes. Thread-safe.
  void ForgetFollowersChangedBy(const OutboxEvent& event);

 private:
  Status HandleEvent(const OutboxEvent& event);
  Status Deliver(int64_t status_id);
  // A deleted status out of the timelines it was pushed to.
  Status Purge(int64_t author_id, int64_t status_id);
  Status Backfill(int64_t follower_id, int64_t followed_id);
  // Backfill from the authors' lists in memory (author_posts_), after the
  // checks.
  Status BackfillHeld(int64_t follower_id, int64_t followed_id);
  // After a change to the account's followers: brings celebrities_ up to
  // date, and pushes the account's statuses if it has just stopped being one.
  Status PushIfNoLongerCelebrity(int64_t account_id);

  Store& store_;
  TimelineCache& cache_;
  const TimelineOptions options_;
  AuthorPosts* const author_posts_;
  SnapshotCache<FollowerList> followers_;
  // The celebrities as fan-out has seen them: loaded from the store with the
  // first event, refreshed on every change of followers and on a status of
  // an account the store counts as one. A status left to read-time merges
  // is always of an account in this set, so fan-out sees it leave the set
  // and pushes its statuses then, however many followers it has lost by the
  // time fan-out handles the first of its unfollows (the store's counts run
  // ahead of the events).
  Celebrities celebrities_;
  bool celebrities_loaded_ = false;  // handled on the draining thread only
  std::atomic<uint64_t> pushes_{0};
};

}  // namespace chirp
