#include "mastodon/cache_keeper.h"

#include <algorithm>

namespace chirp {
namespace {

void Dedupe(std::vector<int64_t>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

void CacheKeeper::Collect(const OutboxEvent& e, Touched& t) {
  const int64_t actor = e.account_id;
  const int64_t subject = e.subject_id;
  switch (e.kind) {
    case EventKind::kStatusCreated:
    case EventKind::kStatusDeleted:
      t.accounts.push_back(actor);  // statuses_count, last_status_at
      if (e.kind == EventKind::kStatusDeleted) t.statuses.push_back(subject);
      // The parent's replies_count, or the original's reblogs_count.
      if (e.related_id != 0) t.statuses.push_back(e.related_id);
      if (e.flags & kEventReblog) t.readers.push_back(actor);  // what the reader reblogged
      return;
    case EventKind::kFollowed:
    case EventKind::kUnfollowed:
      t.accounts.push_back(actor);    // following_count
      t.accounts.push_back(subject);  // followers_count
      t.readers.push_back(actor);
      t.celebrities.push_back(subject);
      return;
    case EventKind::kFollowChanged:  // show_reblogs and notify of the follow
    case EventKind::kMuted:
    case EventKind::kUnmuted:
      t.readers.push_back(actor);
      return;
    case EventKind::kBlocked:
      // A block ends follows both ways: both accounts' counters, and
      // whether either is still a celebrity.
      t.accounts.push_back(actor);
      t.accounts.push_back(subject);
      t.celebrities.push_back(actor);
      t.celebrities.push_back(subject);
      [[fallthrough]];
    case EventKind::kUnblocked:
      t.readers.push_back(actor);
      t.readers.push_back(subject);
      return;
    case EventKind::kFavourited:
    case EventKind::kUnfavourited:
      t.statuses.push_back(subject);  // favourites_count
      t.readers.push_back(actor);
      return;
    case EventKind::kBookmarked:  // what the reader bookmarked
    case EventKind::kUnbookmarked:
      t.readers.push_back(actor);
      return;
    case EventKind::kAccountUpdated:
      t.accounts.push_back(actor);
      return;
    case EventKind::kTokenRevoked:
      t.tokens.push_back(subject);
      return;
    case EventKind::kNotificationAdded:  // notifications are read from the store
    case EventKind::kFollowRequested:  // requests are read from the store
    case EventKind::kFollowRequestRemoved:
    case EventKind::kAccountCreated:  // nothing held of an account not yet read
      return;
  }
}

CacheKeeper::CacheKeeper(AccountDirectory& accounts, StatusDirectory& statuses,
                         ViewerCache& readers, Authenticator& tokens, Celebrities* celebrities,
                         AuthorPosts* author_posts)
    : accounts_(accounts),
      statuses_(statuses),
      readers_(readers),
      tokens_(tokens),
      celebrities_(celebrities),
      author_posts_(author_posts) {}

Status CacheKeeper::Handle(const OutboxEvent& event) {
  const size_t accounts_before = pending_.accounts.size();
  Collect(event, pending_);
  for (size_t i = accounts_before; i < pending_.accounts.size(); ++i) {
    int64_t& newest = account_events_[pending_.accounts[i]];
    newest = std::max(newest, event.id);
  }
  return {};
}

Status CacheKeeper::Flush() {
  Touched t = std::move(pending_);
  pending_ = {};
  std::unordered_map<int64_t, int64_t> account_events = std::move(account_events_);
  account_events_.clear();
  for (auto* ids : {&t.accounts, &t.statuses, &t.readers, &t.tokens, &t.celebrities}) {
    Dedupe(*ids);
  }
  for (int64_t id : t.statuses) statuses_.Forget(id);
  for (int64_t id : t.readers) readers_.Forget(id);
  for (int64_t id : t.tokens) tokens_.Forget(id);
  for (int64_t id : t.accounts) {
    if (Status s = accounts_.Reload(id, account_events[id]); !s) return s;
  }
  for (int64_t id : t.celebrities) {
    if (Status s = RefreshCelebrity(id); !s) return s;
  }
  return {};
}

Status CacheKeeper::RefreshCelebrity(int64_t id) {
  if (celebrities_ == nullptr) return {};
  // The account as the directory holds it after the change (reloaded or
  // loaded now), so its count is read from the store once, not twice.
  auto account = accounts_.Get(id);
  if (account) {
    celebrities_->Update(id, (*account)->followers_count);
  } else if (account.error().code == ErrorCode::kNotFound) {
    celebrities_->Update(id, std::nullopt);
  } else {
    return std::move(account).error();
  }
  return {};
}

void CacheKeeper::Apply(const OutboxEvent& event) { ApplyOwn(event, false); }

void CacheKeeper::ApplyOwn(const OutboxEvent& event, bool pushed_to_author) {
  Touched t;
  Collect(event, t);
  for (int64_t id : t.statuses) statuses_.Forget(id);
  for (int64_t id : t.readers) readers_.Forget(id);
  for (int64_t id : t.tokens) tokens_.Forget(id);
  if (event.kind == EventKind::kStatusCreated && event.id != 0) {
    // The author's own new status: counted in place, exactly once with the
    // stream's pass (AccountDirectory::CountOwnStatus).
    accounts_.CountOwnStatus(event.account_id, event.id, !(event.flags & kEventUncounted),
                             event.created_at_ms);
  } else {
    for (int64_t id : t.accounts) accounts_.Forget(id);
  }
  // The author reads their new status on their profile at once (the list
  // took it, or loads again with it), and no longer reads a deleted one.
  if (author_posts_ != nullptr) {
    if (event.kind == EventKind::kStatusCreated && !pushed_to_author)
      author_posts_->Forget(event.account_id);
    if (event.kind == EventKind::kStatusDeleted)
      author_posts_->Remove(event.account_id, event.subject_id);
  }
  // A celebrity's status must not be missed by its new followers: refresh
  // now (the account forgotten above is loaded again, as the next request
  // naming it would). On failure the stream's own pass refreshes it moments
  // later.
  for (int64_t id : t.celebrities) (void)RefreshCelebrity(id);
}

void CacheKeeper::ApplyNewStatus(const OutboxEvent& event, const StatusRecord& status) {
  // The author's list takes the status in place (fan-out's push of it later
  // keeps one), so the next read of it needs no store. A reblog's entry
  // needs the reblogged status's author: its list is loaded again instead.
  const bool pushed =
      author_posts_ != nullptr && status.reblog_of_id == 0 && status.id == event.subject_id;
  if (pushed) author_posts_->Push(status, 0);
  ApplyOwn(event, pushed);
}

}  // namespace chirp
