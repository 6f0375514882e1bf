#include "timeline/home_entries.h"

#include "timeline/home_rules.h"

namespace chirp {

FollowSettings FollowSettingsOf(const std::vector<Follow>& following) {
  FollowSettings out;
  for (const Follow& f : following) out.emplace(f.target_account_id, f.show_reblogs);
  return out;
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
  std::vector<AuthoredStatus> authored;
  authored.reserve(statuses.size());
  for (const StatusRecord& s : statuses) {
    int64_t original_author = 0;
    if (s.reblog_of_id != 0) {
      auto it = original_authors.find(s.reblog_of_id);
      if (it == original_authors.end()) continue;  // its status is gone
      original_author = it->second;
    }
    authored.push_back(Authored(s, original_author));
  }
  return HomeEntriesOf(reader_id, authored, following);
}

std::vector<TimelineEntry> HomeEntriesOf(int64_t reader_id,
                                         const std::vector<AuthoredStatus>& statuses,
                                         const FollowSettings& following) {
  std::vector<TimelineEntry> out;
  out.reserve(statuses.size());
  for (const AuthoredStatus& a : statuses) {
    const StatusRecord& s = a.status;
    auto follow = following.find(s.account_id);
    const HomeReader reader{reader_id, follow == following.end() || follow->second,
                            following.contains(s.in_reply_to_account_id)};
    if (!BelongsInHome(s, reader, a.original_author_id)) continue;
    out.push_back(TimelineEntry::Of(s.id, s.account_id, s.reblog_of_id));
  }
  return out;
}

}  // namespace chirp
