// Keeps the process's caches in front of the store right by following the
// event stream: accounts (counters, profiles), statuses (counters, deletes),
// readers' relations and recent favourites and reblogs, bearer tokens, and
// which accounts are celebrities. It is the one place that decides what each
// event changes in them; nothing else forgets cached state.
//
// Two ways in, one decision:
//  - as an event consumer (Handle, Flush) it brings every process up to
//    every change, whichever process wrote it: a batch's changes are
//    gathered and applied once each at Flush, and cached accounts are
//    reloaded in place, so readers of a busy author never miss;
//  - as OwnWrites (social/lookups.h) a domain service applies its own
//    change at once, so the account that wrote reads its write back before
//    the stream brings it (cached entries are dropped and load on next use).
// Both are idempotent, so applying an event twice does no harm.
//
// Handle and Flush run on one thread (the consumer's); Apply on any.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "auth/authenticator.h"
#include "events/outbox_drainer.h"
#include "mastodon/account_directory.h"
#include "mastodon/status_directory.h"
#include "social/lookups.h"
#include "social/viewer_cache.h"
#include "timeline/author_posts.h"
#include "timeline/celebrities.h"

namespace chirp {

class CacheKeeper final : public EventConsumer, public OwnWrites {
 public:
  // What one event changes in the caches, by key.
  struct Touched {
    std::vector<int64_t> accounts;     // counters or profile
    std::vector<int64_t> statuses;     // counters, or deleted
    std::vector<int64_t> readers;      // relations, favourites, reblogs
    std::vector<int64_t> tokens;       // revoked
    std::vector<int64_t> celebrities;  // followers count
  };
  // The decision, added to `touched`.
  static void Collect(const OutboxEvent& event, Touched& touched);

  // Everything must outlive the keeper. `celebrities` and `author_posts`
  // may be null (no home timelines). The authors' lists are kept by fan-out
  // from the stream; the keeper applies the writer's own new and deleted
  // statuses to them at once.
  CacheKeeper(AccountDirectory& accounts, StatusDirectory& statuses, ViewerCache& readers,
              Authenticator& tokens, Celebrities* celebrities, AuthorPosts* author_posts = nullptr);

  Status Handle(const OutboxEvent& event) override;
  // Applies what the batch gathered; on an error (a reload failed) the
  // gathered changes are dropped and the batch is handed out again.
  Status Flush() override;

  void Apply(const OutboxEvent& event) override;
  void ApplyNewStatus(const OutboxEvent& event, const StatusRecord& status) override;

 private:
  // Apply, with `pushed_to_author` when the author's list took the new status.
  void ApplyOwn(const OutboxEvent& event, bool pushed_to_author);
  // Whether the account is a celebrity now, by its followers count as the
  // account directory holds it after the change.
  Status RefreshCelebrity(int64_t id);

  AccountDirectory& accounts_;
  StatusDirectory& statuses_;
  ViewerCache& readers_;
  Authenticator& tokens_;
  Celebrities* celebrities_;
  AuthorPosts* author_posts_;
  // Gathered by Handle; the consumer's thread only.
  Touched pending_;
  std::unordered_map<int64_t, int64_t> account_events_;  // account -> newest event touching it
};

}  // namespace chirp
