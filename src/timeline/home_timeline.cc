#include "timeline/home_timeline.h"

#include <algorithm>
#include <unordered_map>

#include "core/no_wait.h"
#include "core/process_stats.h"
#include "timeline/author_merge.h"
#include "timeline/home_entries.h"
#include "timeline/memory_timeline_cache.h"

namespace chirp {
namespace {

// The rule against showing a status twice, as fan-out applies it on push:
// whether `entry`, a reblog, shows a status that one of the last `window`
// of `earlier` (oldest first) shows already.
bool RepeatsRecent(const TimelineEntry& entry, const std::vector<TimelineEntry>& earlier,
                   int window) {
  if (!entry.is_reblog()) return false;
  const size_t n = std::min(earlier.size(), static_cast<size_t>(std::max(window, 0)));
  return std::any_of(earlier.end() - static_cast<ptrdiff_t>(n), earlier.end(),
                     [&](const TimelineEntry& k) { return k.key() == entry.key(); });
}

// The newest `limit` posts of `merge` newer than `after_id` that the home
// rules place in `reader_id`'s timeline, as entries, newest first.
Result<std::vector<TimelineEntry>> NewestPlaced(AuthorMerge& merge, int64_t reader_id,
                                                const FollowSettings& settings, size_t limit,
                                                int64_t after_id) {
  std::vector<TimelineEntry> out;
  while (out.size() < limit) {
    auto item = merge.Next();
    if (!item) return std::move(item).error();
    if (!*item || (*item)->post->status_id <= after_id) break;
    const AuthorMerge::Item& it = **item;
    if (PlacedInHome(reader_id, it.author, *it.mentions, *it.post, settings))
      out.push_back(it.post->Entry(it.author));
  }
  return out;
}

}  // namespace

Status HomeTimeline::Rebuild(int64_t reader_id, std::vector<TimelineEntry>* built) {
  // On a thread that must not wait, the rebuild is left to where it may.
  if (!MayWait()) return Error::WouldBlock();
  const uint64_t cpu_start = ThreadCpuNanos();
  // Live before the store is read: fan-out of anything committed from now on
  // lands in the timeline being built.
  cache_.Reserve(reader_id, clock_.NowMillis());
  auto following = store_.FollowingOf(reader_id);
  if (!following) return std::move(following).error();
  const std::vector<Follow> sorted = SortedByTarget(std::move(*following));
  const FollowSettings settings(sorted);

  // A k-way merge over the reader and the authors followed, newest first,
  // only as far back as needed, keeping what the home rules place: the
  // timeline comes out exactly as fan-out would have built it.
  AuthorMerge merge(author_posts_, store_, static_cast<size_t>(options_.rebuild_per_author), 0);
  if (Status s = merge.Add(reader_id); !s) return s;
  for (const Follow& f : sorted) {
    // Left to the read, which merges the celebrities of the same set.
    if (celebrities_.Contains(f.target_account_id)) continue;
    if (Status s = merge.Add(f.target_account_id); !s) return s;
  }
  auto entries = NewestPlaced(merge, reader_id, settings, options_.rebuild_capacity, 0);
  if (!entries) return std::move(entries).error();
  // The reblog rule fan-out applies on push, applied oldest first here too:
  // a reblog of a status among the previous entries of the window is left out.
  std::vector<TimelineEntry> kept;
  kept.reserve(entries->size());
  for (auto e = entries->rbegin(); e != entries->rend(); ++e) {
    if (!RepeatsRecent(*e, kept, options_.reblog_dedupe_window)) kept.push_back(*e);
  }
  if (built != nullptr) *built = kept;
  cache_.Install(reader_id, std::move(kept), clock_.NowMillis());
  rebuild_cpu_ns_.fetch_add(ThreadCpuNanos() - cpu_start, std::memory_order_relaxed);
  rebuilds_.fetch_add(1, std::memory_order_relaxed);
  return {};
}

Result<std::vector<TimelineEntry>> HomeTimeline::CelebrityEntries(const Merge& merge,
                                                                  const PageRequest& page) {
  if (merge.celebrities.empty()) return std::vector<TimelineEntry>();
  const ViewerVisibility& reader = merge.reader;
  const FollowSettings settings(reader.follows());
  if (page.min_id > 0) return OldestCelebrityEntries(merge, page, settings);
  // The newest `limit` the home rules place, merged across the celebrities
  // newest first: more could not reach the page. Celebrities the reader
  // mutes or is blocked with would only be taken out of it.
  AuthorMerge newest(author_posts_, store_, kCelebrityBatch, page.max_id);
  for (int64_t celebrity : merge.celebrities) {
    if (reader.Mutes(celebrity) || reader.BlockedWith(celebrity)) continue;
    if (Status s = newest.Add(celebrity); !s) return std::move(s).error();
  }
  return NewestPlaced(newest, reader.viewer_id(), settings, static_cast<size_t>(page.limit),
                      page.since_id);
}

Result<std::vector<TimelineEntry>> HomeTimeline::OldestCelebrityEntries(
    const Merge& merge, const PageRequest& page, const FollowSettings& settings) {
  const int want = std::max(kCelebrityFetch, page.limit);
  // From memory where the celebrity's list answers; from the store for the
  // rest (deep pages). A min_id page takes the oldest statuses above min_id:
  // a celebrity with more than `want` of them there is read from min_id up.
  std::vector<TimelineEntry> out;
  std::vector<int64_t> oldest_from_store;
  for (int64_t celebrity : merge.celebrities) {
    auto recent = author_posts_.Recent(celebrity, static_cast<size_t>(want), page.max_id);
    if (!recent) return std::move(recent).error();
    if (!*recent || ((*recent)->posts.size() >= static_cast<size_t>(want) &&
                     (*recent)->posts.back().status_id > page.min_id)) {
      oldest_from_store.push_back(celebrity);
      continue;
    }
    std::vector<TimelineEntry> entries =
        HomeEntriesOf(merge.reader.viewer_id(), celebrity, **recent, settings);
    out.insert(out.end(), entries.begin(), entries.end());
  }
  AccountStatusFilter every_status;
  every_status.visibilities = {Visibility::kPublic, Visibility::kUnlisted, Visibility::kPrivate,
                               Visibility::kDirect};
  for (int64_t celebrity : oldest_from_store) {
    auto listed = store_.ListAccountStatuses(
        celebrity, every_status, {.max_id = page.max_id, .min_id = page.min_id, .limit = want});
    if (!listed) return std::move(listed).error();
    std::vector<StatusRecord> statuses;
    for (Paged<StatusRecord>& p : *listed) statuses.push_back(std::move(p.item));
    auto entries = HomeEntries(store_, merge.reader.viewer_id(), statuses, settings);
    if (!entries) return std::move(entries).error();
    out.insert(out.end(), entries->begin(), entries->end());
  }
  std::erase_if(out, [&](const TimelineEntry& e) {
    return e.status_id <= page.since_id || e.status_id <= page.min_id;
  });
  std::sort(out.begin(), out.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    return a.status_id > b.status_id;
  });
  return out;
}

Result<std::vector<TimelineEntry>> HomeTimeline::Merged(const Merge& merge, const PageRequest& page,
                                                        int64_t now, bool* rebuilt) {
  const int64_t reader_id = merge.reader.viewer_id();
  auto cached = cache_.Read(reader_id, page, now);
  if (!cached) {
    std::vector<TimelineEntry> built;
    if (Status s = Rebuild(reader_id, &built); !s) return std::move(s).error();
    if (rebuilt != nullptr) *rebuilt = true;
    cached = cache_.Read(reader_id, page, now);
    if (!cached) {
      // The cache did not keep it (it cannot be reached, or dropped it at
      // once): the page comes from what was just built, paged as any cache
      // pages.
      MemoryTimelineCache just_built(options_.rebuild_capacity);
      just_built.Install(reader_id, std::move(built), now);
      cached = just_built.Read(reader_id, page, now);
    }
  }
  const bool more_beyond = cached->size() >= static_cast<size_t>(page.limit);
  std::optional<int64_t> newest_cached;
  std::optional<int64_t> oldest_cached;
  if (!cached->empty()) {
    newest_cached = cached->front().status_id;
    oldest_cached = cached->back().status_id;
  }
  auto celebrity = CelebrityEntries(merge, page);
  if (!celebrity) return std::move(celebrity).error();
  std::vector<TimelineEntry> entries = std::move(*cached);
  for (const TimelineEntry& e : *celebrity) {
    // Past the edge of a full cached read, cached entries were not read: a
    // merged one there could jump the queue.
    if (more_beyond && page.min_id == 0 && e.status_id < *oldest_cached) continue;
    if (more_beyond && page.min_id > 0 && e.status_id > *newest_cached) continue;
    entries.push_back(e);
  }
  std::sort(entries.begin(), entries.end(), [](const TimelineEntry& a, const TimelineEntry& b) {
    return a.status_id > b.status_id;
  });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const TimelineEntry& a, const TimelineEntry& b) {
                              return a.status_id == b.status_id;
                            }),
                entries.end());
  return entries;
}

Result<std::vector<int64_t>> HomeTimeline::Page(const ViewerVisibility& reader,
                                                const PageRequest& page) {
  const int64_t now = clock_.NowMillis();
  const int64_t reader_id = reader.viewer_id();
  Merge merge{reader, celebrities_.FollowedBy(reader)};
  // Read more than a page: muted and blocked authors are taken out below.
  PageRequest wide = page;
  wide.limit = page.limit * 2 + 10;
  bool rebuilt = false;
  auto entries = Merged(merge, wide, now, &rebuilt);
  if (!entries) return std::move(entries).error();
  (rebuilt ? misses_ : hits_).fetch_add(1, std::memory_order_relaxed);

  // The rule against showing a status twice, over pushed and merged entries
  // alike: oldest first, a reblog whose status shows among the previous
  // `reblog_dedupe_window` entries is left out. The entries just below the
  // page are read as context, so the rule does not depend on paging.
  std::vector<TimelineEntry> context;
  const bool any_reblog = std::any_of(entries->begin(), entries->end(),
                                      [](const TimelineEntry& e) { return e.is_reblog(); });
  if (any_reblog && options_.reblog_dedupe_window > 0) {
    auto below = Merged(
        merge, {.max_id = entries->back().status_id, .limit = options_.reblog_dedupe_window}, now);
    if (!below) return std::move(below).error();
    context = std::move(*below);
    if (context.size() > static_cast<size_t>(options_.reblog_dedupe_window)) {
      context.resize(static_cast<size_t>(options_.reblog_dedupe_window));
    }
  }
  // Oldest first: the context, then what the page keeps.
  std::vector<TimelineEntry> window;
  window.reserve(context.size() + entries->size());
  window.assign(context.rbegin(), context.rend());
  for (auto e = entries->rbegin(); e != entries->rend(); ++e) {
    if (!RepeatsRecent(*e, window, options_.reblog_dedupe_window)) window.push_back(*e);
  }
  // What the page keeps, newest first again.
  const std::vector<TimelineEntry> kept(window.rbegin(),
                                        window.rend() - static_cast<ptrdiff_t>(context.size()));

  // Only accounts followed now (an unfollow that raced with a rebuild can
  // leave entries behind in the cache, never on the page), and none muted or
  // blocked.
  std::vector<int64_t> ids;
  ids.reserve(kept.size());
  for (const TimelineEntry& e : kept) {
    const int64_t a = e.author_id;
    if (a != reader_id && (!reader.Follows(a) || reader.Mutes(a) || reader.BlockedWith(a)))
      continue;
    ids.push_back(e.status_id);
  }
  if (page.min_id > 0) {
    // The oldest `limit` above min_id, still newest first.
    if (ids.size() > static_cast<size_t>(page.limit))
      ids.erase(ids.begin(), ids.end() - page.limit);
  } else if (ids.size() > static_cast<size_t>(page.limit)) {
    ids.resize(static_cast<size_t>(page.limit));
  }
  return ids;
}

}  // namespace chirp
