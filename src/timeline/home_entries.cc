#include "timeline/home_entries.h"

#include <algorithm>

#include "timeline/home_rules.h"

namespace chirp {

const Follow* FollowSettings::Find(int64_t account_id) const {
  auto it = std::lower_bound(follows_.begin(), follows_.end(), account_id,
                             [](const Follow& f, int64_t id) { return f.target_account_id < id; });
  return it != follows_.end() && it->target_account_id == account_id ? &*it : nullptr;
}

std::vector<Follow> SortedByTarget(std::vector<Follow> following) {
  std::sort(following.begin(), following.end(), [](const Follow& a, const Follow& b) {
    return a.target_account_id < b.target_account_id;
  });
  return following;
}

Result<std::unordered_map<int64_t, int64_t>> OriginalAuthors(
    Store& store, const std::vector<StatusRecord>& statuses) {
  std::vector<int64_t> reblogged;
  for (const StatusRecord& s : statuses) {
    if (s.reblog_of_id != 0) reblogged.push_back(s.reblog_of_id);
  }
  std::unordered_map<int64_t, int64_t> authors;
  if (reblogged.empty()) return authors;
  auto originals = store.FindStatuses(reblogged);
  if (!originals) return std::move(originals).error();
  for (const StatusRecord& o : *originals) authors.emplace(o.id, o.account_id);
  return authors;
}

Result<std::vector<TimelineEntry>> HomeEntries(Store& store, int64_t reader_id,
                                               const std::vector<StatusRecord>& statuses,
                                               const FollowSettings& following) {
  auto found = OriginalAuthors(store, statuses);
  if (!found) return std::move(found).error();
  const std::unordered_map<int64_t, int64_t>& original_authors = *found;
  std::vector<TimelineEntry> out;
  out.reserve(statuses.size());
  for (const StatusRecord& s : statuses) {
    int64_t original_author = 0;
    if (s.reblog_of_id != 0) {
      auto it = original_authors.find(s.reblog_of_id);
      if (it == original_authors.end()) continue;  // its status is gone
      original_author = it->second;
    }
    const HomeReader reader{reader_id, following.ShowsReblogsOf(s.account_id),
                            following.Follows(s.in_reply_to_account_id)};
    if (!BelongsInHome(s, reader, original_author)) continue;
    out.push_back(TimelineEntry::Of(s.id, s.account_id, s.reblog_of_id));
  }
  return out;
}

bool PlacedInHome(int64_t reader_id, int64_t author_id, const std::vector<PostMention>& mentions,
                  const AuthorPost& post, const FollowSettings& following) {
  // Only reblogs and replies ask about the reader's follows.
  const HomeReader reader{reader_id, !post.is_reblog() || following.ShowsReblogsOf(author_id),
                          post.is_reply() && following.Follows(post.other_account_id)};
  const bool mentioned =
      post.placed_by_mentions() && Mentioned(mentions, post.status_id, reader_id);
  return BelongsInHome(post, author_id, mentioned, reader);
}

std::vector<TimelineEntry> HomeEntriesOf(int64_t reader_id, int64_t author_id,
                                         const AuthorSlice& slice,
                                         const FollowSettings& following) {
  std::vector<TimelineEntry> out;
  out.reserve(slice.posts.size());
  for (const AuthorPost& p : slice.posts) {
    if (PlacedInHome(reader_id, author_id, slice.mentions, p, following))
      out.push_back(p.Entry(author_id));
  }
  return out;
}

}  // namespace chirp
