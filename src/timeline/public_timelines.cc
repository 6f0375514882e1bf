#include "timeline/public_timelines.h"

namespace chirp {
namespace {

Result<std::vector<int64_t>> IdsOf(Result<std::vector<StatusRecord>> statuses) {
  if (!statuses) return std::move(statuses).error();
  std::vector<int64_t> ids;
  ids.reserve(statuses->size());
  for (const StatusRecord& s : *statuses) ids.push_back(s.id);
  return ids;
}

}  // namespace

Result<std::vector<int64_t>> PublicTimelines::Public(const PublicTimelineQuery& query,
                                                     const PageRequest& page) {
  return IdsOf(store_.PublicTimeline(query, page));
}

Result<std::vector<int64_t>> PublicTimelines::Tagged(const std::string& tag,
                                                     PublicTimelineQuery query,
                                                     const PageRequest& page) {
  auto exists = store_.TagExists(tag);
  if (!exists) return std::move(exists).error();
  if (!*exists) return Error::NotFound();
  query.any_tags.push_back(tag);
  query.include_replies = true;
  return IdsOf(store_.PublicTimeline(query, page));
}

}  // namespace chirp
