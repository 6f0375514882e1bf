#include "social/graph_service.h"

namespace chirp {
namespace {
constexpr int kRequestBatch = 100;
}

GraphService::GraphService(Store& store, const Clock& clock, SnowflakeGenerator& ids,
                           AccountLookup& accounts, OwnWrites& own_writes)
    : store_(store), clock_(clock), ids_(ids), accounts_(accounts), own_writes_(own_writes) {}

void GraphService::Applied(EventKind kind, int64_t account_id, int64_t subject_id, int64_t at_ms) {
  own_writes_.Apply(
      {.kind = kind, .account_id = account_id, .subject_id = subject_id, .created_at_ms = at_ms});
}

Result<AccountRef> GraphService::Other(int64_t account_id, int64_t target_id) {
  auto target = accounts_.Get(target_id);
  if (!target) return std::move(target).error();
  if ((*target)->id == account_id) return Error::Forbidden("This action is not allowed");
  return target;
}

Status GraphService::Follow(int64_t account_id, int64_t target_id, const FollowOptions& options) {
  auto target = Other(account_id, target_id);
  if (!target) return std::move(target).error();
  // A block either way is refused by the write itself (403), which checks
  // inside its transaction: no read for it here.
  ::chirp::Follow f;
  f.id = ids_.Next();
  f.account_id = account_id;
  f.target_account_id = target_id;
  f.created_at_ms = clock_.NowMillis();
  f.show_reblogs = options.show_reblogs.value_or(true);
  f.notify = options.notify.value_or(false);
  // A locked account is asked, unless it is followed already (then its
  // settings change): only then is the follow read ahead of the write.
  bool follows_now = !(*target)->locked;
  if (!follows_now) {
    auto existing = store_.FindFollow(account_id, target_id);
    if (!existing) return std::move(existing).error();
    follows_now = existing->has_value();
  }
  if (!follows_now) {
    auto requested = store_.CreateFollowRequest(f);
    if (!requested) return std::move(requested).error();
    if (*requested) Applied(EventKind::kFollowRequested, account_id, target_id, f.created_at_ms);
    return {};
  }
  // An existing follow keeps the settings the request leaves out.
  auto created = store_.CreateFollow(f, {.show_reblogs = options.show_reblogs.has_value(),
                                         .notify = options.notify.has_value()});
  if (!created) return std::move(created).error();
  Applied(*created ? EventKind::kFollowed : EventKind::kFollowChanged, account_id, target_id,
          f.created_at_ms);
  return {};
}

Status GraphService::Unfollow(int64_t account_id, int64_t target_id) {
  auto target = accounts_.Get(target_id);
  if (!target) return std::move(target).error();
  auto removed = store_.Unfollow(account_id, target_id);
  if (!removed) return std::move(removed).error();
  if (removed->follow) Applied(EventKind::kUnfollowed, account_id, target_id, 0);
  if (removed->request) Applied(EventKind::kFollowRequestRemoved, account_id, target_id, 0);
  return {};
}

Status GraphService::DecideRequest(int64_t account_id, int64_t requester_id, bool authorize) {
  auto requester = accounts_.Get(requester_id);
  if (!requester) return std::move(requester).error();
  const int64_t now = clock_.NowMillis();
  if (authorize) {
    Status s = store_.AuthorizeFollowRequest(requester_id, account_id, ids_.Next(), now);
    if (!s) return s;
    Applied(EventKind::kFollowed, requester_id, account_id, now);
  } else {
    auto removed = store_.DeleteFollowRequest(requester_id, account_id);
    if (!removed) return std::move(removed).error();
    if (!*removed) return Error::NotFound();
  }
  Applied(EventKind::kFollowRequestRemoved, requester_id, account_id, now);
  return {};
}

Status GraphService::AuthorizeAllRequests(int64_t account_id) {
  for (;;) {
    auto page = store_.ListFollowRequests(account_id, {.limit = kRequestBatch});
    if (!page) return std::move(page).error();
    if (page->empty()) return {};
    for (const auto& entry : *page) {
      const int64_t now = clock_.NowMillis();
      Status s = store_.AuthorizeFollowRequest(entry.item, account_id, ids_.Next(), now);
      if (!s) {
        if (s.error().code == ErrorCode::kNotFound) continue;  // withdrawn meanwhile
        return s;
      }
      Applied(EventKind::kFollowed, entry.item, account_id, now);
    }
  }
}

Status GraphService::SetBlock(int64_t account_id, int64_t target_id, bool block) {
  auto target = Other(account_id, target_id);
  if (!target) return std::move(target).error();
  const int64_t now = clock_.NowMillis();
  Result<bool> changed = block ? store_.CreateBlock(ids_.Next(), account_id, target_id, now)
                               : store_.DeleteBlock(account_id, target_id);
  if (!changed) return std::move(changed).error();
  // A block also ends follows both ways; the cache keeper's answer to a
  // block covers what those change (api/cache_keeper.h).
  if (*changed) {
    Applied(block ? EventKind::kBlocked : EventKind::kUnblocked, account_id, target_id, now);
  }
  return {};
}

Status GraphService::Mute(int64_t account_id, int64_t target_id, const MuteOptions& options) {
  auto target = Other(account_id, target_id);
  if (!target) return std::move(target).error();
  if (options.duration_seconds < 0) {
    return Error::Unprocessable("Validation failed: Duration must be positive");
  }
  if (options.duration_seconds > kMaxMuteSeconds) {
    return Error::Unprocessable("Validation failed: Duration is too long");
  }
  ::chirp::Mute m;
  m.id = ids_.Next();
  m.account_id = account_id;
  m.target_account_id = target_id;
  m.hide_notifications = options.hide_notifications;
  m.created_at_ms = clock_.NowMillis();
  m.expires_at_ms =
      options.duration_seconds > 0 ? m.created_at_ms + options.duration_seconds * 1000 : 0;
  if (Status s = store_.CreateMute(m); !s) return s;
  Applied(EventKind::kMuted, account_id, target_id, m.created_at_ms);
  return {};
}

Status GraphService::Unmute(int64_t account_id, int64_t target_id) {
  auto target = Other(account_id, target_id);
  if (!target) return std::move(target).error();
  auto removed = store_.DeleteMute(account_id, target_id);
  if (!removed) return std::move(removed).error();
  if (*removed) Applied(EventKind::kUnmuted, account_id, target_id, 0);
  return {};
}

Result<RelationshipRecord> GraphService::Relationship(int64_t account_id, int64_t target_id) {
  return store_.Relationship(account_id, target_id, clock_.NowMillis());
}

Result<std::vector<Paged<int64_t>>> GraphService::Connections(int64_t viewer_id, int64_t target_id,
                                                              bool followers,
                                                              const PageRequest& page) {
  auto target = accounts_.Get(target_id);
  if (!target) return std::move(target).error();
  // Blocked readers see nothing of the account's connections.
  if (viewer_id != 0) {
    auto blocked = store_.BlockedEitherWay(viewer_id, target_id);
    if (!blocked) return std::move(blocked).error();
    if (*blocked) return std::vector<Paged<int64_t>>();
  }
  return followers ? store_.ListFollowers(target_id, page) : store_.ListFollowing(target_id, page);
}

Result<std::vector<Paged<int64_t>>> GraphService::FollowRequests(int64_t account_id,
                                                                 const PageRequest& page) {
  return store_.ListFollowRequests(account_id, page);
}

Result<std::vector<Paged<int64_t>>> GraphService::Blocks(int64_t account_id,
                                                         const PageRequest& page) {
  return store_.ListBlocks(account_id, page);
}

Result<std::vector<Paged<::chirp::Mute>>> GraphService::Mutes(int64_t account_id,
                                                              const PageRequest& page) {
  auto mutes = store_.ListMutes(account_id, page);
  if (!mutes) return std::move(mutes).error();
  const int64_t now = clock_.NowMillis();
  std::erase_if(*mutes, [now](const Paged<::chirp::Mute>& m) {
    return m.item.expires_at_ms != 0 && m.item.expires_at_ms <= now;
  });
  return mutes;
}

}  // namespace chirp
