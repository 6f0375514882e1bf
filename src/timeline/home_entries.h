// Turning stored statuses into one reader's home-timeline entries: the
// home rules (home_rules.h) applied with what they need from the store (the
// authors of reblogged statuses). Shared by rebuilds, read-time merges and
// follow backfills, so the three agree with fan-out.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "timeline/author_post.h"
#include "timeline/timeline_cache.h"

namespace chirp {

// The reader's follows: each followed account with the follow's reblogs
// setting.
using FollowSettings = std::unordered_map<int64_t, bool>;

FollowSettings FollowSettingsOf(const std::vector<Follow>& following);

// The authors of the statuses that the reblogs among `statuses` wrap, by
// status id; statuses that are gone are absent.
Result<std::unordered_map<int64_t, int64_t>> OriginalAuthors(
    Store& store, const std::vector<StatusRecord>& statuses);

// The entries `statuses` make in `reader_id`'s home, in the same order.
// Reblogs of statuses that are gone are left out.
Result<std::vector<TimelineEntry>> HomeEntries(Store& store, int64_t reader_id,
                                               const std::vector<StatusRecord>& statuses,
                                               const FollowSettings& following);

// Whether `post`, one of `author_id`'s in `slice`, belongs in `reader_id`'s
// home (home_rules.h).
bool PlacedInHome(int64_t reader_id, int64_t author_id, const AuthorSlice& slice,
                  const AuthorPost& post, const FollowSettings& following);

// The entries `author_id`'s posts in `slice` make in `reader_id`'s home, in
// the same order (no store access).
std::vector<TimelineEntry> HomeEntriesOf(int64_t reader_id, int64_t author_id,
                                         const AuthorSlice& slice, const FollowSettings& following);

}  // namespace chirp
