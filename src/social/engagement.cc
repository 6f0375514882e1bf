#include "social/engagement.h"

#include "social/status_access.h"

namespace chirp {

Engagement::Engagement(Store& store, const Clock& clock, SnowflakeGenerator& ids,
                       StatusLookup& statuses, ViewerCache& viewers, OwnWrites& own_writes)
    : store_(store),
      clock_(clock),
      ids_(ids),
      statuses_(statuses),
      viewers_(viewers),
      own_writes_(own_writes) {}

Result<int64_t> Engagement::SetFavourite(int64_t account_id, int64_t status_id, bool favourite) {
  auto status = FindVisibleStatus(statuses_, viewers_, account_id, status_id);
  if (!status) return std::move(status).error();
  const int64_t target = status->reblog_of_id != 0 ? status->reblog_of_id : status->id;
  const int64_t now = clock_.NowMillis();
  Result<bool> changed = favourite ? store_.Favourite(account_id, target, ids_.Next(), now)
                                   : store_.Unfavourite(account_id, target);
  if (!changed) return std::move(changed).error();
  if (*changed) {
    own_writes_.Apply({.kind = favourite ? EventKind::kFavourited : EventKind::kUnfavourited,
                       .account_id = account_id,
                       .subject_id = target,
                       .created_at_ms = now});
  }
  return target;
}

Result<int64_t> Engagement::SetBookmark(int64_t account_id, int64_t status_id, bool bookmark) {
  auto status = FindVisibleStatus(statuses_, viewers_, account_id, status_id);
  if (!status) return std::move(status).error();
  const int64_t target = status->reblog_of_id != 0 ? status->reblog_of_id : status->id;
  const int64_t now = clock_.NowMillis();
  Result<bool> changed = bookmark ? store_.Bookmark(account_id, target, ids_.Next(), now)
                                  : store_.Unbookmark(account_id, target);
  if (!changed) return std::move(changed).error();
  if (*changed) {
    own_writes_.Apply({.kind = bookmark ? EventKind::kBookmarked : EventKind::kUnbookmarked,
                       .account_id = account_id,
                       .subject_id = target,
                       .created_at_ms = now});
  }
  return target;
}

Result<PostedStatus> Engagement::Reblog(int64_t account_id, int64_t application_id,
                                        int64_t status_id,
                                        const std::optional<std::string>& visibility_name) {
  auto status = FindVisibleStatus(statuses_, viewers_, account_id, status_id);
  if (!status) return std::move(status).error();
  StatusRecord original = std::move(status).value();
  if (original.reblog_of_id != 0) {
    auto inner = statuses_.FindLive(original.reblog_of_id);
    if (!inner) return std::move(inner).error();
    original = std::move(inner).value();
  }
  const bool own = original.account_id == account_id;
  // Mastodon's rule: direct never; private only one's own.
  if (original.visibility == Visibility::kDirect ||
      (original.visibility == Visibility::kPrivate && !own)) {
    return Error::Forbidden("This action is not allowed");
  }
  const auto visibility = ParseVisibility(visibility_name.value_or("public"));
  if (!visibility || *visibility == Visibility::kDirect) {
    return Error::Unprocessable("Validation failed: Visibility is not included in the list");
  }
  StatusRecord wrapper;
  wrapper.id = ids_.Next();
  wrapper.account_id = account_id;
  wrapper.reblog_of_id = original.id;
  wrapper.visibility =
      original.visibility == Visibility::kPrivate ? Visibility::kPrivate : *visibility;
  wrapper.application_id = application_id;
  wrapper.created_at_ms = clock_.NowMillis();
  return WriteNewStatus(store_, statuses_, own_writes_, wrapper, "", 0);
}

Result<int64_t> Engagement::Unreblog(int64_t account_id, int64_t status_id) {
  auto status = FindVisibleStatus(statuses_, viewers_, account_id, status_id);
  if (!status) return std::move(status).error();
  const int64_t original_id = status->reblog_of_id != 0 ? status->reblog_of_id : status->id;
  auto existing = store_.FindReblog(account_id, original_id);
  if (!existing) return std::move(existing).error();
  if (!*existing) return original_id;
  const int64_t now = clock_.NowMillis();
  auto deleted = store_.DeleteStatus(**existing, now);
  if (!deleted) {
    // Removed meanwhile by a concurrent unreblog: nothing left to do.
    if (deleted.error().code == ErrorCode::kNotFound) return original_id;
    return std::move(deleted).error();
  }
  StatusRecord reblog;
  reblog.id = **existing;
  reblog.account_id = account_id;
  reblog.reblog_of_id = original_id;
  own_writes_.Apply(StatusEvent(EventKind::kStatusDeleted, reblog, now));
  return original_id;
}

}  // namespace chirp
