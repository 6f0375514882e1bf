#include "timeline/home_timeline.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/no_wait.h"
#include "timeline/home_entries.h"

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

}  // namespace

Status HomeTimeline::Rebuild(int64_t reader_id) {
  // On a thread that must not wait, the rebuild is left to where it may.
  if (!MayWait()) return Error::WouldBlock();
  // Live before the store is read: fan-out of anything committed from now on
  // lands in the timeline being built.
  cache_.Reserve(reader_id, clock_.NowMillis());
  auto following = store_.FollowingOf(reader_id);
  if (!following) return std::move(following).error();
  auto celebrities = store_.FollowedWithFollowersAtLeast(reader_id, options_.celebrity_threshold);
  if (!celebrities) return std::move(celebrities).error();
  std::unordered_set<int64_t> merged_at_read;
  for (const Follow& f : *celebrities) merged_at_read.insert(f.target_account_id);
  const FollowSettings settings = FollowSettingsOf(*following);
  std::vector<int64_t> authors{reader_id};
  for (const Follow& f : *following) {
    if (!merged_at_read.contains(f.target_account_id)) authors.push_back(f.target_account_id);
  }

  // A k-way merge over the authors, newest first, reading each author's
  // posts `rebuild_per_author` at a time (from memory, or from the store
  // below what memory holds) and only as far back as needed, keeping what
  // the home rules place: the timeline comes out exactly as fan-out would
  // have built it.
  struct Cursor {
    int64_t author = 0;
    AuthorSlice batch;  // newest first
    size_t next = 0;
    int64_t before = 0;  // the oldest post read so far
    bool exhausted = false;
  };
  const size_t per_author = static_cast<size_t>(std::max(1, options_.rebuild_per_author));
  std::vector<Cursor> cursors(authors.size());
  const auto refill = [&](Cursor& c) -> Status {
    auto held = author_posts_.Recent(c.author, per_author, c.before);
    if (!held) return std::move(held).error();
    if (*held) {
      c.batch = std::move(**held);
    } else {
      auto stored = AuthorPosts::FromStore(store_, c.author, per_author, c.before);
      if (!stored) return std::move(stored).error();
      c.batch = std::move(*stored);
    }
    c.exhausted = c.batch.posts.size() < per_author;
    c.next = 0;
    if (!c.batch.posts.empty()) c.before = c.batch.posts.back().status_id;
    return {};
  };
  // A heap of the cursors with posts left, by their next post's id.
  std::vector<Cursor*> heap;
  heap.reserve(cursors.size());
  const auto newer = [](const Cursor* a, const Cursor* b) {
    return a->batch.posts[a->next].status_id < b->batch.posts[b->next].status_id;
  };
  for (size_t i = 0; i < authors.size(); ++i) {
    cursors[i].author = authors[i];
    if (Status s = refill(cursors[i]); !s) return s;
    if (!cursors[i].batch.posts.empty()) heap.push_back(&cursors[i]);
  }
  std::make_heap(heap.begin(), heap.end(), newer);
  std::vector<TimelineEntry> entries;  // newest first
  entries.reserve(options_.rebuild_capacity);
  while (entries.size() < options_.rebuild_capacity && !heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), newer);
    Cursor& c = *heap.back();
    const AuthorPost& post = c.batch.posts[c.next];
    if (PlacedInHome(reader_id, c.author, c.batch, post, settings))
      entries.push_back(post.Entry(c.author));
    ++c.next;
    if (c.next >= c.batch.posts.size()) {
      if (c.exhausted) {
        heap.pop_back();
        continue;
      }
      if (Status s = refill(c); !s) return s;
      if (c.batch.posts.empty()) {
        heap.pop_back();
        continue;
      }
    }
    std::push_heap(heap.begin(), heap.end(), newer);
  }
  // The reblog rule fan-out applies on push, applied oldest first here too:
  // a reblog of a status among the previous entries of the window is left out.
  std::vector<TimelineEntry> kept;
  kept.reserve(entries.size());
  for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
    if (!RepeatsRecent(*e, kept, options_.reblog_dedupe_window)) kept.push_back(*e);
  }
  cache_.Install(reader_id, std::move(kept), clock_.NowMillis());
  return {};
}

Result<std::vector<TimelineEntry>> HomeTimeline::CelebrityEntries(const Merge& merge,
                                                                  const PageRequest& page) {
  if (merge.celebrities.empty()) return std::vector<TimelineEntry>();
  const int want = std::max(kCelebrityFetch, page.limit);
  const FollowSettings settings = FollowSettingsOf(merge.reader.follows());
  // From memory where the celebrity's list answers; from the store for the
  // rest (deep pages).
  std::vector<TimelineEntry> out;
  std::vector<int64_t> from_store;
  // A min_id page takes the oldest statuses above min_id: a celebrity with
  // more than `want` of them there is read from min_id up instead.
  std::vector<int64_t> oldest_from_store;
  for (int64_t celebrity : merge.celebrities) {
    auto recent = author_posts_.Recent(celebrity, static_cast<size_t>(want), page.max_id);
    if (!recent) return std::move(recent).error();
    const bool above_min_id = *recent && page.min_id > 0 &&
                              (*recent)->posts.size() >= static_cast<size_t>(want) &&
                              (*recent)->posts.back().status_id > page.min_id;
    if (!*recent || above_min_id) {
      (page.min_id > 0 ? oldest_from_store : from_store).push_back(celebrity);
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
  if (!from_store.empty()) {
    auto recent = store_.RecentPlacementsOf(from_store, want, page.max_id);
    if (!recent) return std::move(recent).error();
    auto entries = HomeEntries(store_, merge.reader.viewer_id(), *recent, settings);
    if (!entries) return std::move(entries).error();
    out.insert(out.end(), entries->begin(), entries->end());
  }
  std::erase_if(out, [&](const TimelineEntry& e) {
    return e.status_id <= page.since_id || (page.min_id > 0 && e.status_id <= page.min_id);
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
    if (Status s = Rebuild(reader_id); !s) return std::move(s).error();
    if (rebuilt != nullptr) *rebuilt = true;
    cached = cache_.Read(reader_id, page, now);
    if (!cached) cached.emplace();
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
