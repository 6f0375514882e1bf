// Reading a home timeline: the reader's cached entries (rebuilt from the
// store when the reader has no live timeline, at a cost bounded by the
// accounts followed × TimelineOptions::rebuild_per_author), merged with the
// recent statuses of the celebrities the reader follows, less what the
// reader mutes or blocks, paged as the API pages.
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/clock.h"
#include "social/visibility.h"
#include "store/store.h"
#include "timeline/author_posts.h"
#include "timeline/celebrities.h"
#include "timeline/fan_out.h"
#include "timeline/home_entries.h"
#include "timeline/timeline_cache.h"

namespace chirp {

class HomeTimeline {
 public:
  HomeTimeline(Store& store, TimelineCache& cache, const TimelineOptions& options,
               const Clock& clock)
      : store_(store),
        cache_(cache),
        options_(options),
        clock_(clock),
        celebrities_(store, options.celebrity_threshold),
        author_posts_(store, options.author_posts_depth, options.author_posts_max_authors) {}

  // Statuses of one celebrity a min_id page merges at most.
  static constexpr int kCelebrityFetch = 80;
  // Statuses of one celebrity read at a time by the newest-first merge.
  static constexpr size_t kCelebrityBatch = 16;

  // The celebrities merged at read time; loaded by the app at start and
  // refreshed by the writers (see timeline/celebrities.h).
  Celebrities& celebrities() { return celebrities_; }
  // Every author's recent statuses, kept by fan-out: what rebuilds and
  // merges read.
  AuthorPosts& author_posts() { return author_posts_; }

  // The status ids of one page, newest first, for the reader whose
  // relations `reader` holds. Thread-safe.
  Result<std::vector<int64_t>> Page(const ViewerVisibility& reader, const PageRequest& page);

  // Builds the reader's timeline from the authors' lists (and the store
  // below them) and installs it. The celebrities of celebrities() are left
  // out: reads merge those, so a rebuild and the reads after it cover the
  // follows from the same set. With `built`, also hands the entries
  // installed (oldest first) to the caller, who can page them when the
  // cache could not keep them (Redis unreachable).
  Status Rebuild(int64_t reader_id, std::vector<TimelineEntry>* built = nullptr);

  // Pages served from a live cached timeline, and pages that rebuilt one.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  // CPU time the rebuilds took (of the threads that ran them), in
  // nanoseconds, and how many there were (each Rebuild that got as far as
  // installing a timeline).
  uint64_t rebuild_cpu_ns() const { return rebuild_cpu_ns_.load(std::memory_order_relaxed); }
  uint64_t rebuilds() const { return rebuilds_.load(std::memory_order_relaxed); }

 private:
  // What a page merges at read time: the reader's celebrities.
  struct Merge {
    const ViewerVisibility& reader;
    std::vector<int64_t> celebrities;
  };
  // The entries the reader's celebrities add to `page`, newest first.
  Result<std::vector<TimelineEntry>> CelebrityEntries(const Merge& merge, const PageRequest& page);
  // The same for a min_id page, whose entries are the oldest above min_id.
  Result<std::vector<TimelineEntry>> OldestCelebrityEntries(const Merge& merge,
                                                            const PageRequest& page,
                                                            const FollowSettings& settings);
  // Cached entries of `page` (rebuilding when absent, which sets
  // `*rebuilt`) merged with the celebrities' statuses in the same bounds,
  // newest first.
  Result<std::vector<TimelineEntry>> Merged(const Merge& merge, const PageRequest& page,
                                            int64_t now, bool* rebuilt = nullptr);

  Store& store_;
  TimelineCache& cache_;
  const TimelineOptions options_;
  const Clock& clock_;
  Celebrities celebrities_;
  AuthorPosts author_posts_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> rebuild_cpu_ns_{0};
  std::atomic<uint64_t> rebuilds_{0};
};

}  // namespace chirp
