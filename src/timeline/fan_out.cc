#include "timeline/fan_out.h"

#include <algorithm>
#include <unordered_set>

#include "timeline/author_merge.h"
#include "timeline/home_entries.h"
#include "timeline/home_rules.h"

namespace chirp {

void FanOut::ForgetFollowersChangedBy(const OutboxEvent& event) {
  switch (event.kind) {
    case EventKind::kFollowed:
    case EventKind::kUnfollowed:
    case EventKind::kFollowChanged:  // its reblogs setting shows in the list
      followers_.Forget(event.subject_id);
      return;
    case EventKind::kBlocked:  // a block removes follows both ways
      followers_.Forget(event.account_id);
      followers_.Forget(event.subject_id);
      return;
    default:
      return;
  }
}

void FanOut::Resumed() {
  followers_.ForgetAll();
  celebrities_loaded_ = false;
}

Status FanOut::Handle(const OutboxEvent& event) {
  const uint64_t failures_before = cache_.failures();
  Status handled = HandleEvent(event);
  if (handled && cache_.failures() != failures_before) {
    return Error::Unavailable("the cache of home timelines could not be reached");
  }
  return handled;
}

Status FanOut::HandleEvent(const OutboxEvent& event) {
  if (!celebrities_loaded_) {
    if (Status s = celebrities_.Load(); !s) return s;
    celebrities_loaded_ = true;
  }
  ForgetFollowersChangedBy(event);
  switch (event.kind) {
    case EventKind::kStatusCreated:
      return Deliver(event.subject_id);
    case EventKind::kStatusDeleted:
      return Purge(event.account_id, event.subject_id);
    case EventKind::kFollowed:
      if (Status s = PushIfNoLongerCelebrity(event.subject_id); !s) return s;
      return Backfill(event.account_id, event.subject_id);
    case EventKind::kUnfollowed:
      cache_.RemoveAuthor(event.account_id, event.subject_id);
      return PushIfNoLongerCelebrity(event.subject_id);
    case EventKind::kBlocked: {
      // A block removes follows both ways.
      cache_.RemoveAuthor(event.account_id, event.subject_id);
      cache_.RemoveAuthor(event.subject_id, event.account_id);
      if (Status s = PushIfNoLongerCelebrity(event.subject_id); !s) return s;
      return PushIfNoLongerCelebrity(event.account_id);
    }
    case EventKind::kFollowChanged:
      // Statuses already delivered stay as they are, as in Mastodon.
      return {};
    case EventKind::kMuted:
      cache_.RemoveAuthor(event.account_id, event.subject_id);
      return {};
    case EventKind::kFavourited:
    case EventKind::kUnfavourited:
    case EventKind::kFollowRequested:
    case EventKind::kFollowRequestRemoved:
    case EventKind::kUnblocked:  // nothing comes back until a new follow
    case EventKind::kUnmuted:    // entries are not restored; a rebuild brings them
    case EventKind::kAccountUpdated:
    case EventKind::kTokenRevoked:
    case EventKind::kAccountCreated:  // followed by nobody yet
    case EventKind::kBookmarked:
    case EventKind::kUnbookmarked:
    case EventKind::kNotificationAdded:
      return {};
  }
  return {};
}

Status FanOut::Deliver(int64_t status_id) {
  auto delivery = store_.DeliveryOf(status_id);
  if (!delivery) {
    return delivery.error().code == ErrorCode::kNotFound ? Status()
                                                         : Status(std::move(delivery).error());
  }
  const StatusRecord& status = delivery->status;
  const int64_t original_author = delivery->original_author_id;
  if (status.reblog_of_id != 0 && original_author == 0) return {};  // its status is gone
  const TimelineEntry entry = TimelineEntry::Of(status.id, status.account_id, status.reblog_of_id);
  if (cache_.Push(status.account_id, entry, options_.reblog_dedupe_window)) ++pushes_;
  if (author_posts_ != nullptr) author_posts_->Push(status, original_author);

  if (status.visibility != Visibility::kDirect) {
    // A celebrity by the store's count of now, ahead of the events, becomes
    // one to fan-out as well, so that its statuses are pushed when fan-out
    // sees it stop being one.
    if (!celebrities_.Contains(status.account_id) &&
        delivery->author_followers >= options_.celebrity_threshold) {
      if (Status s = celebrities_.Refresh(status.account_id); !s) return s;
    }
    if (celebrities_.Contains(status.account_id)) return {};  // merged at read time
  }
  if (status.visibility == Visibility::kDirect) {
    // Only the mentioned accounts that follow the author: no follower list
    // needed, which matters for a celebrity's direct statuses.
    std::vector<int64_t> recipients;
    for (int64_t id : status.mentioned_account_ids) {
      auto follow = store_.FindFollow(id, status.account_id);
      if (!follow) return std::move(follow).error();
      if (*follow) recipients.push_back(id);
    }
    pushes_ += cache_.PushMany(recipients, entry, options_.reblog_dedupe_window);
    return {};
  }
  auto followers = FollowersOf(status.account_id);
  if (!followers) return std::move(followers).error();
  const bool reply_to_other =
      status.in_reply_to_id != 0 && status.in_reply_to_account_id != status.account_id;
  if (status.reblog_of_id == 0 && !reply_to_other) {
    // The common case: every follower's timeline takes it.
    pushes_ += cache_.PushMany((*followers)->ids, entry, options_.reblog_dedupe_window);
    return {};
  }
  std::unordered_set<int64_t> follow_replied_to;
  if (reply_to_other) {
    auto both = store_.FollowersAlsoFollowing(status.account_id, status.in_reply_to_account_id);
    if (!both) return std::move(both).error();
    follow_replied_to.insert(both->begin(), both->end());
  }
  const std::vector<int64_t>& hide_reblogs = (*followers)->hide_reblogs;
  std::vector<int64_t> recipients;
  for (int64_t id : (*followers)->ids) {
    const HomeReader reader{id, !std::binary_search(hide_reblogs.begin(), hide_reblogs.end(), id),
                            follow_replied_to.contains(id)};
    if (BelongsInHome(status, reader, original_author)) recipients.push_back(id);
  }
  pushes_ += cache_.PushMany(recipients, entry, options_.reblog_dedupe_window);
  return {};
}

Status FanOut::Purge(int64_t author_id, int64_t status_id) {
  cache_.Remove(author_id, status_id);
  if (author_posts_ != nullptr) author_posts_->Remove(author_id, status_id);
  // Left in a follower's timeline, a deleted status would still take a
  // place there and count towards the reader's pages, which could come out
  // empty while older statuses remain. A celebrity's statuses are merged from
  // its list instead of pushed: only those pushed before it became one stay,
  // which a million followers' timelines are not searched for.
  if (celebrities_.Contains(author_id)) return {};
  auto followers = FollowersOf(author_id);
  if (!followers) return std::move(followers).error();
  for (int64_t id : (*followers)->ids) cache_.Remove(id, status_id);
  return {};
}

Result<std::shared_ptr<const FollowerList>> FanOut::FollowersOf(int64_t account_id) {
  if (auto held = followers_.Find(account_id)) return held;
  const uint64_t token = followers_.LoadToken(account_id);
  auto follows = store_.FollowersOf(account_id);
  if (!follows) return std::move(follows).error();
  auto list = std::make_shared<FollowerList>();
  list->ids.reserve(follows->size());
  for (const Follow& f : *follows) {
    list->ids.push_back(f.account_id);
    if (!f.show_reblogs) list->hide_reblogs.push_back(f.account_id);
  }
  std::sort(list->ids.begin(), list->ids.end());
  std::sort(list->hide_reblogs.begin(), list->hide_reblogs.end());
  return followers_.Insert(account_id, std::move(list), token);
}

Status FanOut::PushIfNoLongerCelebrity(int64_t account_id) {
  // Statuses posted while the author was a celebrity were merged at read
  // time, never pushed. Once the author drops below the threshold they are
  // no longer merged either, so they go into the live timelines now.
  const bool was_celebrity = celebrities_.Contains(account_id);
  if (Status s = celebrities_.Refresh(account_id); !s) return s;
  if (!was_celebrity || celebrities_.Contains(account_id)) return {};
  auto followers = store_.FollowersOf(account_id);
  if (!followers) return std::move(followers).error();
  for (const Follow& f : *followers) {
    if (Status s = Backfill(f.account_id, account_id); !s) return s;
  }
  return {};
}

Status FanOut::Backfill(int64_t follower_id, int64_t followed_id) {
  // A celebrity's statuses are merged at read, as a rebuild leaves them to.
  if (!cache_.IsLive(follower_id) || celebrities_.Contains(followed_id)) return {};
  auto follow = store_.FindFollow(follower_id, followed_id);
  if (!follow) return std::move(follow).error();
  if (!*follow) return {};  // unfollowed since
  if (author_posts_ != nullptr) return BackfillHeld(follower_id, followed_id);
  // As far back as a rebuild would reach, so a backfilled timeline and a
  // rebuilt one agree.
  auto recent =
      store_.RecentPlacementsOf({followed_id}, static_cast<int>(options_.rebuild_capacity));
  if (!recent) return std::move(recent).error();
  auto following = store_.FollowingOf(follower_id);
  if (!following) return std::move(following).error();
  const std::vector<Follow> sorted = SortedByTarget(std::move(*following));
  auto entries = HomeEntries(store_, follower_id, *recent, FollowSettings(sorted));
  if (!entries) return std::move(entries).error();
  for (const TimelineEntry& e : *entries)
    cache_.Push(follower_id, e, options_.reblog_dedupe_window);
  return {};
}

Status FanOut::BackfillHeld(int64_t follower_id, int64_t followed_id) {
  // The followed account's posts newest first, from its list in memory and
  // below it from the store, as far back as a rebuild would reach (so a
  // backfilled timeline and a rebuilt one agree) and no further than the
  // timeline keeps: a full timeline keeps nothing older than its oldest.
  const int64_t oldest_kept = cache_.OldestIfFull(follower_id);
  AuthorMerge merge(*author_posts_, store_, static_cast<size_t>(options_.rebuild_per_author), 0);
  if (Status s = merge.Add(followed_id); !s) return s;
  // The follower's follows decide only for reblogs and replies: read once
  // one comes.
  std::vector<Follow> follows;
  bool follows_read = false;
  std::vector<TimelineEntry> newest_first;
  while (newest_first.size() < options_.rebuild_capacity) {
    auto item = merge.Next();
    if (!item) return std::move(item).error();
    if (!*item || (*item)->post->status_id <= oldest_kept) break;
    const AuthorPost& post = *(*item)->post;
    if ((post.is_reblog() || post.is_reply()) && !follows_read) {
      auto following = store_.FollowingOf(follower_id);
      if (!following) return std::move(following).error();
      follows = SortedByTarget(std::move(*following));
      follows_read = true;
    }
    if (PlacedInHome(follower_id, followed_id, *(*item)->mentions, post, FollowSettings(follows)))
      newest_first.push_back(post.Entry(followed_id));
  }
  const std::vector<TimelineEntry> oldest_first(newest_first.rbegin(), newest_first.rend());
  cache_.PushEach(follower_id, oldest_first, options_.reblog_dedupe_window);
  return {};
}

}  // namespace chirp
