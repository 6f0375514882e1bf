#include "social/status_reads.h"

#include <algorithm>
#include <map>

#include "social/status_access.h"

namespace chirp {

StatusReads::StatusReads(Store& store, AccountLookup& accounts, StatusLookup& statuses,
                         ViewerCache& viewers)
    : store_(store), accounts_(accounts), statuses_(statuses), viewers_(viewers) {}

Result<Thread> StatusReads::Context(int64_t viewer_id, int64_t status_id) {
  auto status = FindVisibleStatus(statuses_, viewers_, viewer_id, status_id);
  if (!status) return std::move(status).error();
  const bool anonymous = viewer_id == 0;
  const int ancestor_limit = anonymous ? kAnonymousAncestorLimit : kAncestorLimit;
  const int descendant_limit = anonymous ? kAnonymousDescendantLimit : kDescendantLimit;
  const int depth_limit = anonymous ? kAnonymousDescendantDepthLimit : kDescendantDepthLimit;
  auto viewer = viewers_.Get(viewer_id);
  if (!viewer) return std::move(viewer).error();
  // Mutes hide statuses from threads.
  const auto shown = [&](const StatusRecord& s) {
    return s.account_id == viewer_id || !(*viewer)->visibility.Mutes(s.account_id);
  };

  Thread thread;
  // Ancestors, oldest first: walk up the reply chain.
  int64_t parent = status->in_reply_to_id;
  int walked = 0;
  while (parent != 0 && walked < ancestor_limit) {
    auto p = store_.FindStatus(parent);
    if (!p) {
      if (p.error().code == ErrorCode::kNotFound) break;
      return std::move(p).error();
    }
    ++walked;
    parent = p->in_reply_to_id;
    if (shown(*p)) thread.ancestors.push_back(p->id);
  }
  std::reverse(thread.ancestors.begin(), thread.ancestors.end());

  // Descendants in depth-first order: load the tree level by level, then
  // walk it with a stack of its own (a thread may be thousands of levels
  // deep: no recursion).
  std::map<int64_t, std::vector<StatusRecord>> children;
  std::vector<int64_t> frontier{status->id};
  int loaded = 0;
  for (int depth = 0; !frontier.empty() && loaded < descendant_limit && depth < depth_limit;
       ++depth) {
    auto replies = store_.ListReplies(frontier);
    if (!replies) return std::move(replies).error();
    frontier.clear();
    for (StatusRecord& r : *replies) {
      if (++loaded > descendant_limit) break;
      frontier.push_back(r.id);
      children[r.in_reply_to_id].push_back(std::move(r));
    }
  }
  // Each entry: a status's replies and the next of them to visit.
  using Level = std::pair<const std::vector<StatusRecord>*, size_t>;
  std::vector<Level> stack;
  if (auto top = children.find(status->id); top != children.end())
    stack.push_back({&top->second, 0});
  while (!stack.empty()) {
    auto& [replies, next] = stack.back();
    if (next == replies->size()) {
      stack.pop_back();
      continue;
    }
    const StatusRecord& child = (*replies)[next++];
    if (shown(child)) thread.descendants.push_back(child.id);
    if (auto below = children.find(child.id); below != children.end()) {
      stack.push_back({&below->second, 0});
    }
  }
  return thread;
}

Result<std::vector<Paged<int64_t>>> StatusReads::WhoActed(int64_t viewer_id, int64_t status_id,
                                                          bool favourited,
                                                          const PageRequest& page) {
  auto status = FindVisibleStatus(statuses_, viewers_, viewer_id, status_id);
  if (!status) return std::move(status).error();
  auto listed = favourited ? store_.ListFavouritedBy(status->id, page)
                           : store_.ListRebloggedBy(status->id, page);
  if (!listed) return std::move(listed).error();
  if (viewer_id == 0) return listed;
  auto viewer = viewers_.Get(viewer_id);
  if (!viewer) return std::move(viewer).error();
  std::erase_if(*listed, [&](const Paged<int64_t>& entry) {
    return entry.item != viewer_id && (*viewer)->visibility.BlockedWith(entry.item);
  });
  return listed;
}

Result<std::vector<Paged<int64_t>>> StatusReads::Favourites(int64_t account_id,
                                                            const PageRequest& page) {
  return store_.ListFavourites(account_id, page);
}

Result<std::vector<Paged<int64_t>>> StatusReads::Bookmarks(int64_t account_id,
                                                           const PageRequest& page) {
  return store_.ListBookmarks(account_id, page);
}

}  // namespace chirp
