// Turning stored statuses into one reader's home-timeline entries: the
// home rules (home_rules.h) applied with what they need from the store (the
// authors of reblogged statuses). Shared by rebuilds, read-time merges and
// follow backfills, so the three agree with fan-out.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "store/store.h"
#include "timeline/author_post.h"
#include "timeline/timeline_cache.h"

namespace chirp {

// The reader's follows, each with its reblogs setting, looked up by the
// followed account: a view of follows sorted by target_account_id (as
// ViewerVisibility::follows() and SortedByTarget give them), which must
// outlive it. Built for nothing, so a read can take one per page.
class FollowSettings {
 public:
  explicit FollowSettings(std::span<const Follow> sorted_by_target) : follows_(sorted_by_target) {}

  bool Follows(int64_t account_id) const { return Find(account_id) != nullptr; }
  // The follow's reblogs setting; true for an account not followed (the
  // reader's own statuses).
  bool ShowsReblogsOf(int64_t account_id) const {
    const Follow* f = Find(account_id);
    return f == nullptr || f->show_reblogs;
  }

 private:
  const Follow* Find(int64_t account_id) const;

  std::span<const Follow> follows_;
};

// `following` sorted by followed account, for FollowSettings.
std::vector<Follow> SortedByTarget(std::vector<Follow> following);

// The authors of the statuses that the reblogs among `statuses` wrap, by
// status id; statuses that are gone are absent.
Result<std::unordered_map<int64_t, int64_t>> OriginalAuthors(
    Store& store, const std::vector<StatusRecord>& statuses);

// The entries `statuses` make in `reader_id`'s home, in the same order.
// Reblogs of statuses that are gone are left out.
Result<std::vector<TimelineEntry>> HomeEntries(Store& store, int64_t reader_id,
                                               const std::vector<StatusRecord>& statuses,
                                               const FollowSettings& following);

// Whether `post`, one of `author_id`'s, belongs in `reader_id`'s home
// (home_rules.h); `mentions` (sorted) holds the accounts it mentions when it
// is placed by them.
bool PlacedInHome(int64_t reader_id, int64_t author_id, const std::vector<PostMention>& mentions,
                  const AuthorPost& post, const FollowSettings& following);

// The entries `author_id`'s posts in `slice` make in `reader_id`'s home, in
// the same order (no store access).
std::vector<TimelineEntry> HomeEntriesOf(int64_t reader_id, int64_t author_id,
                                         const AuthorSlice& slice, const FollowSettings& following);

}  // namespace chirp
