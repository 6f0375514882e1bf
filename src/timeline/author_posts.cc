#include "timeline/author_posts.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "core/no_wait.h"
#include "timeline/home_entries.h"

namespace chirp {

AuthoredStatus Authored(const StatusRecord& s, int64_t original_author_id) {
  AuthoredStatus a;
  a.status.id = s.id;
  a.status.account_id = s.account_id;
  a.status.visibility = s.visibility;
  a.status.in_reply_to_id = s.in_reply_to_id;
  a.status.in_reply_to_account_id = s.in_reply_to_account_id;
  a.status.reblog_of_id = s.reblog_of_id;
  a.status.mentioned_account_ids = s.mentioned_account_ids;
  a.original_author_id = original_author_id;
  return a;
}

void AuthorPosts::Insert(List& list, const AuthoredStatus& s) {
  auto& v = list.statuses;
  if (v.empty() || v.back().status.id < s.status.id) {
    v.push_back(s);
  } else {
    auto pos =
        std::lower_bound(v.begin(), v.end(), s.status.id,
                         [](const AuthoredStatus& a, int64_t id) { return a.status.id < id; });
    if (pos != v.end() && pos->status.id == s.status.id) return;
    v.insert(pos, s);
  }
  while (v.size() > capacity_) {
    v.pop_front();
    list.floor = v.front().status.id;
  }
}

void AuthorPosts::Push(const AuthoredStatus& s) {
  Shard& shard = ShardOf(s.status.account_id);
  std::unique_lock lock(shard.mu);
  auto it = shard.lists.find(s.status.account_id);
  if (it != shard.lists.end()) Insert(it->second, s);
}

void AuthorPosts::Remove(int64_t author, int64_t status_id) {
  Shard& shard = ShardOf(author);
  std::unique_lock lock(shard.mu);
  auto it = shard.lists.find(author);
  if (it == shard.lists.end()) return;
  std::erase_if(it->second.statuses,
                [&](const AuthoredStatus& a) { return a.status.id == status_id; });
}

Status AuthorPosts::Load(int64_t author) {
  if (!MayWait()) return Error::WouldBlock();
  Shard& shard = ShardOf(author);
  {
    // Held before the store is read: what fan-out pushes from now on is kept.
    std::unique_lock lock(shard.mu);
    shard.lists.try_emplace(author);
  }
  auto recent = store_.RecentPlacementsOf({author}, static_cast<int>(capacity_));
  if (!recent) return std::move(recent).error();
  auto found = OriginalAuthors(store_, *recent);
  if (!found) return std::move(found).error();
  const std::unordered_map<int64_t, int64_t>& original_authors = *found;
  std::unique_lock lock(shard.mu);
  List& list = shard.lists[author];
  for (const StatusRecord& s : *recent) {
    int64_t original_author = 0;
    if (s.reblog_of_id != 0) {
      auto o = original_authors.find(s.reblog_of_id);
      if (o == original_authors.end()) continue;  // its status is gone
      original_author = o->second;
    }
    Insert(list, Authored(s, original_author));
  }
  // A full read leaves older statuses in the store only.
  if (recent->size() >= capacity_ && !list.statuses.empty())
    list.floor = std::max(list.floor, recent->back().id);
  list.loaded = true;
  return {};
}

Result<std::optional<std::vector<AuthoredStatus>>> AuthorPosts::Recent(int64_t author, int limit,
                                                                       int64_t before_id) {
  const int64_t upper = before_id > 0 ? before_id : std::numeric_limits<int64_t>::max();
  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      Shard& shard = ShardOf(author);
      std::shared_lock lock(shard.mu);
      auto it = shard.lists.find(author);
      if (it != shard.lists.end() && it->second.loaded) {
        const List& list = it->second;
        std::vector<AuthoredStatus> out;
        for (auto s = list.statuses.rbegin();
             s != list.statuses.rend() && static_cast<int>(out.size()) < limit; ++s) {
          if (s->status.id < upper) out.push_back(*s);
        }
        // Short of `limit`, only a list that holds everything below can say so.
        if (static_cast<int>(out.size()) < limit && list.floor != 0)
          return std::optional<std::vector<AuthoredStatus>>();
        return std::optional<std::vector<AuthoredStatus>>(std::move(out));
      }
    }
    if (Status s = Load(author); !s) return std::move(s).error();
  }
  return std::optional<std::vector<AuthoredStatus>>();
}

size_t AuthorPosts::authors() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    n += shard.lists.size();
  }
  return n;
}

}  // namespace chirp
