#include "timeline/user_timeline.h"

#include <algorithm>

namespace chirp {

Result<std::vector<int64_t>> UserTimeline::Page(int64_t viewer_id, int64_t account_id,
                                                AccountStatusFilter filter,
                                                const PageRequest& page) {
  auto account = accounts_.Get(account_id);
  if (!account) return std::move(account).error();
  if (viewer_id == account_id) {
    filter.visibilities = {Visibility::kPublic, Visibility::kUnlisted, Visibility::kPrivate,
                           Visibility::kDirect};
  } else {
    filter.visibilities = {Visibility::kPublic, Visibility::kUnlisted};
    if (viewer_id != 0) {
      auto viewer = viewers_.Get(viewer_id);
      if (!viewer) return std::move(viewer).error();
      if ((*viewer)->visibility.BlockedWith(account_id)) return std::vector<int64_t>();
      if ((*viewer)->visibility.Follows(account_id)) {
        filter.visibilities.push_back(Visibility::kPrivate);
      }
    }
  }
  // Media and tags are not in the lists; pages from min_id up read oldest
  // first, which the lists are not kept for.
  if (!filter.only_media && filter.tagged.empty() && page.min_id == 0) {
    uint32_t shown = 0;
    for (Visibility v : filter.visibilities) shown |= 1u << static_cast<int>(v);
    auto held = posts_.Select(
        account_id, std::max<int64_t>(0, page.since_id), page.max_id,
        static_cast<size_t>(std::max(0, page.limit)), [&](const AuthorPost& p) {
          if ((shown & (1u << p.visibility)) == 0) return false;
          if (filter.exclude_reblogs && p.is_reblog()) return false;
          // Replies to oneself are threads, kept.
          return !(filter.exclude_replies && p.is_reply() && p.other_account_id != account_id);
        });
    if (!held) return std::move(held).error();
    if (*held) return std::move(**held);
  }
  auto listed = store_.ListAccountStatuses(account_id, filter, page);
  if (!listed) return std::move(listed).error();
  std::vector<int64_t> ids;
  ids.reserve(listed->size());
  for (const auto& entry : *listed) ids.push_back(entry.item.id);
  return ids;
}

}  // namespace chirp
