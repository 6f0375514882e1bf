#include "timeline/author_posts.h"

#include <algorithm>
#include <limits>
#include <mutex>

#include "core/no_wait.h"
#include "timeline/home_entries.h"

namespace chirp {
namespace {

// Adds `post`'s mentions to `mentions` (sorted) when it is placed by them.
void AddMentions(std::vector<PostMention>& mentions, const AuthorPost& post,
                 const std::vector<int64_t>& mentioned) {
  if (!post.placed_by_mentions()) return;
  for (int64_t account : mentioned) {
    const PostMention m{post.status_id, account};
    auto at = std::lower_bound(mentions.begin(), mentions.end(), m);
    if (at == mentions.end() || *at != m) mentions.insert(at, m);
  }
}

}  // namespace

AuthorPosts::AuthorPosts(Store& store, size_t depth, size_t max_authors)
    : store_(store),
      depth_(std::clamp<size_t>(depth, 1, kMaxDepth)),
      per_shard_(std::max<size_t>(1, max_authors / kShards)) {}

AuthorPosts::Shard& AuthorPosts::ShardOf(int64_t author) {
  uint64_t x = static_cast<uint64_t>(author);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return shards_[x % kShards];
}

void AuthorPosts::Trim(AuthorList& list, size_t depth) {
  if (list.posts.size() <= depth) return;
  const size_t drop = list.posts.size() - depth;
  list.posts.erase(list.posts.begin(), list.posts.begin() + static_cast<ptrdiff_t>(drop));
  list.floor = list.posts.front().status_id;
  std::erase_if(list.mentions, [&](const PostMention& m) { return m.status_id < list.floor; });
}

void AuthorPosts::Insert(AuthorList& list, size_t depth, const AuthorPost& post,
                         const std::vector<int64_t>& mentioned) {
  // Below the floor the store answers: nothing to keep.
  if (list.floor != 0 && post.status_id < list.floor) return;
  auto& v = list.posts;
  if (v.empty() || v.back().status_id < post.status_id) {
    v.push_back(post);
  } else {
    auto at = std::lower_bound(v.begin(), v.end(), post.status_id,
                               [](const AuthorPost& p, int64_t id) { return p.status_id < id; });
    if (at != v.end() && at->status_id == post.status_id) return;
    v.insert(at, post);
  }
  AddMentions(list.mentions, post, mentioned);
  Trim(list, depth);
}

void AuthorPosts::Push(const StatusRecord& status, int64_t original_author_id) {
  Shard& shard = ShardOf(status.account_id);
  std::unique_lock lock(shard.mu);
  auto it = shard.lists.find(status.account_id);
  if (it == shard.lists.end()) return;
  List& list = it->second;
  auto next = std::make_shared<AuthorList>(*list.held);
  Insert(*next, list.depth, PostOf(status, original_author_id), status.mentioned_account_ids);
  list.held = std::move(next);
}

void AuthorPosts::Remove(int64_t author, int64_t status_id) {
  Shard& shard = ShardOf(author);
  std::unique_lock lock(shard.mu);
  ++shard.changes;
  auto it = shard.lists.find(author);
  if (it == shard.lists.end()) return;
  List& list = it->second;
  const auto& posts = list.held->posts;
  if (std::none_of(posts.begin(), posts.end(),
                   [&](const AuthorPost& p) { return p.status_id == status_id; })) {
    return;
  }
  // The floor stays: every status from it up is still here, less this one.
  auto next = std::make_shared<AuthorList>(*list.held);
  std::erase_if(next->posts, [&](const AuthorPost& p) { return p.status_id == status_id; });
  std::erase_if(next->mentions, [&](const PostMention& m) { return m.status_id == status_id; });
  list.held = std::move(next);
}

void AuthorPosts::Forget(int64_t author) {
  Shard& shard = ShardOf(author);
  std::unique_lock lock(shard.mu);
  ++shard.changes;
  shard.lists.erase(author);
}

namespace {

// The newest `limit` posts of each of `authors` below `before_id`, from the
// store, in one read: a slice an author, in the order of `authors`.
Result<std::vector<AuthorSlice>> SlicesFromStore(Store& store, const std::vector<int64_t>& authors,
                                                 size_t limit, int64_t before_id) {
  auto recent = store.RecentPlacementsOf(authors, static_cast<int>(limit), before_id);
  if (!recent) return std::move(recent).error();
  auto found = OriginalAuthors(store, *recent);
  if (!found) return std::move(found).error();
  std::vector<AuthorSlice> out(authors.size());
  std::unordered_map<int64_t, size_t> slot;
  slot.reserve(authors.size());
  for (size_t i = 0; i < authors.size(); ++i) slot.emplace(authors[i], i);
  for (const StatusRecord& s : *recent) {
    auto at = slot.find(s.account_id);
    if (at == slot.end()) continue;
    int64_t original_author = 0;
    if (s.reblog_of_id != 0) {
      auto o = found->find(s.reblog_of_id);
      if (o == found->end()) continue;  // its status is gone
      original_author = o->second;
    }
    AuthorSlice& slice = out[at->second];
    slice.posts.push_back(PostOf(s, original_author));
    AddMentions(slice.mentions, slice.posts.back(), s.mentioned_account_ids);
  }
  return out;
}

}  // namespace

Result<AuthorSlice> AuthorPosts::FromStore(Store& store, int64_t author, size_t limit,
                                           int64_t before_id) {
  auto slices = SlicesFromStore(store, {author}, limit, before_id);
  if (!slices) return std::move(slices).error();
  return std::move(slices->front());
}

uint64_t AuthorPosts::Reserve(int64_t author, size_t depth) {
  Shard& shard = ShardOf(author);
  // Held before the store is read: what fan-out pushes from now on is kept.
  std::unique_lock lock(shard.mu);
  auto [it, added] = shard.lists.try_emplace(author);
  it->second.depth = static_cast<uint32_t>(std::max<size_t>(it->second.depth, depth));
  if (added) {
    shard.order.push_back(author);
    while (shard.lists.size() > per_shard_ && !shard.order.empty()) {
      const int64_t oldest = shard.order.front();
      shard.order.pop_front();
      if (oldest == author) continue;
      shard.lists.erase(oldest);
    }
    // Forgotten authors leave stale places in `order`.
    if (shard.order.size() > 2 * per_shard_ + 16) {
      std::erase_if(shard.order, [&](int64_t a) { return !shard.lists.contains(a); });
    }
  }
  return shard.changes;
}

void AuthorPosts::Install(int64_t author, uint64_t token, size_t depth, AuthorSlice read) {
  Shard& shard = ShardOf(author);
  std::unique_lock lock(shard.mu);
  auto it = shard.lists.find(author);
  if (it == shard.lists.end() || shard.changes != token) return;  // raced: not installed
  List& list = it->second;
  const bool more_below = read.posts.size() > depth;
  if (more_below) read.posts.pop_back();
  // The read replaces what the list held: pushes since the load began are
  // merged back in.
  auto fresh = std::make_shared<AuthorList>();
  fresh->posts.reserve(std::max<size_t>(read.posts.size(), list.depth) + 1);
  fresh->posts.assign(read.posts.rbegin(), read.posts.rend());
  fresh->mentions = std::move(read.mentions);
  fresh->floor = more_below && !fresh->posts.empty() ? fresh->posts.front().status_id.value() : 0;
  for (const AuthorPost& p : list.held->posts) Insert(*fresh, list.depth, p, {});
  for (const PostMention& m : list.held->mentions) {
    auto at = std::lower_bound(fresh->mentions.begin(), fresh->mentions.end(), m);
    if (at == fresh->mentions.end() || *at != m) fresh->mentions.insert(at, m);
  }
  Trim(*fresh, list.depth);
  list.held = std::move(fresh);
  list.loaded = true;
}

Status AuthorPosts::Load(int64_t author, size_t depth) { return LoadMany({author}, depth); }

Status AuthorPosts::LoadMany(const std::vector<int64_t>& authors, size_t depth) {
  if (!MayWait()) return Error::WouldBlock();
  std::vector<uint64_t> tokens;
  tokens.reserve(authors.size());
  for (int64_t author : authors) tokens.push_back(Reserve(author, depth));
  // One more than the depth: whether the author has statuses below it.
  auto read = SlicesFromStore(store_, authors, depth + 1, 0);
  if (!read) return std::move(read).error();
  for (size_t i = 0; i < authors.size(); ++i) {
    Install(authors[i], tokens[i], depth, std::move((*read)[i]));
  }
  return {};
}

bool AuthorPosts::IsHeld(int64_t author) {
  Shard& shard = ShardOf(author);
  std::shared_lock lock(shard.mu);
  return shard.lists.contains(author);
}

Result<size_t> AuthorPosts::Preload(const std::vector<int64_t>& authors,
                                    const std::atomic<bool>& stop) {
  size_t loaded = 0;
  std::vector<int64_t> batch;
  batch.reserve(kPreloadBatch);
  for (size_t i = 0; i < authors.size() && !stop.load(std::memory_order_relaxed); ++i) {
    if (!IsHeld(authors[i])) batch.push_back(authors[i]);
    if (batch.size() < kPreloadBatch && i + 1 < authors.size()) continue;
    if (batch.empty()) continue;
    if (Status s = LoadMany(batch, depth_); !s) return std::move(s).error();
    loaded += batch.size();
    batch.clear();
  }
  return loaded;
}

std::optional<AuthorSlice> AuthorPosts::Answer(const AuthorList& list, size_t limit,
                                               int64_t before_id) {
  const int64_t upper = before_id > 0 ? before_id : std::numeric_limits<int64_t>::max();
  AuthorSlice out;
  for (auto p = list.posts.rbegin(); p != list.posts.rend() && out.posts.size() < limit; ++p) {
    if (p->status_id < upper) out.posts.push_back(*p);
  }
  // Short of `limit`, only a list that holds everything below can say so.
  if (out.posts.size() < limit && list.floor != 0) return std::nullopt;
  if (!list.mentions.empty() && !out.posts.empty()) {
    const int64_t lowest = out.posts.back().status_id;
    for (const PostMention& m : list.mentions) {
      if (m.status_id >= lowest && m.status_id < upper) out.mentions.push_back(m);
    }
  }
  return out;
}

Result<std::optional<AuthorSlice>> AuthorPosts::Recent(int64_t author, size_t limit,
                                                       int64_t before_id) {
  Shard& shard = ShardOf(author);
  size_t want_depth = before_id > 0 ? depth_ : std::clamp(limit, depth_, kMaxDepth);
  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      std::shared_lock lock(shard.mu);
      auto it = shard.lists.find(author);
      if (it != shard.lists.end() && it->second.loaded) {
        const AuthorList& list = *it->second.held;
        if (auto answer = Answer(list, limit, before_id)) return answer;
        // Deeper than the list: a list that would hold the page, within
        // kMaxDepth, is loaded; beyond, the store answers.
        const int64_t upper = before_id > 0 ? before_id : std::numeric_limits<int64_t>::max();
        const size_t above = static_cast<size_t>(
            std::count_if(list.posts.begin(), list.posts.end(),
                          [&](const AuthorPost& p) { return p.status_id >= upper; }));
        want_depth = above + limit;
        if (want_depth > kMaxDepth || want_depth <= it->second.depth)
          return std::optional<AuthorSlice>();
      }
    }
    if (Status s = Load(author, want_depth); !s) return std::move(s).error();
  }
  return std::optional<AuthorSlice>();
}

Result<std::optional<std::vector<int64_t>>> AuthorPosts::Select(
    int64_t author, int64_t after_id, int64_t before_id, size_t limit,
    const std::function<bool(const AuthorPost&)>& keep) {
  const int64_t upper = before_id > 0 ? before_id : std::numeric_limits<int64_t>::max();
  Shard& shard = ShardOf(author);
  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      std::shared_lock lock(shard.mu);
      auto it = shard.lists.find(author);
      if (it != shard.lists.end() && it->second.loaded) {
        const AuthorList& list = *it->second.held;
        std::vector<int64_t> out;
        for (auto p = list.posts.rbegin(); p != list.posts.rend() && out.size() < limit; ++p) {
          if (p->status_id <= after_id) break;
          if (p->status_id < upper && keep(*p)) out.push_back(p->status_id);
        }
        // Short of `limit`, the list must hold every post down to after_id.
        if (out.size() < limit && list.floor != 0 && list.floor > after_id + 1)
          return std::optional<std::vector<int64_t>>();
        return std::optional<std::vector<int64_t>>(std::move(out));
      }
    }
    if (Status s = Load(author, depth_); !s) return std::move(s).error();
  }
  return std::optional<std::vector<int64_t>>();
}

Result<std::shared_ptr<const AuthorList>> AuthorPosts::Held(int64_t author) {
  Shard& shard = ShardOf(author);
  for (int attempt = 0; attempt < 2; ++attempt) {
    {
      std::shared_lock lock(shard.mu);
      auto it = shard.lists.find(author);
      if (it != shard.lists.end() && it->second.loaded) return it->second.held;
    }
    if (Status s = Load(author, depth_); !s) return std::move(s).error();
  }
  return std::shared_ptr<const AuthorList>();
}

AuthorPostsStats AuthorPosts::Stats() const {
  AuthorPostsStats out;
  for (const Shard& shard : shards_) {
    std::shared_lock lock(shard.mu);
    out.authors += shard.lists.size();
    for (const auto& [author, list] : shard.lists) {
      // The map's node and the shared list with its control block.
      constexpr size_t kShared = 16;
      out.posts += list.held->posts.size();
      out.bytes += sizeof(List) + 2 * sizeof(void*) + sizeof(int64_t) + sizeof(AuthorList) +
                   kShared + list.held->posts.capacity() * sizeof(AuthorPost) +
                   list.held->mentions.capacity() * sizeof(PostMention);
    }
  }
  return out;
}

}  // namespace chirp
