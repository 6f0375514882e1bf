// Keeps the search index (search/search_index.h) by following the event
// stream: statuses posted and deleted; favourites, reblogs and bookmarks
// (which put a status in an account's library); accounts created and
// changed (names, indexable), followed (the follower counts account search
// ranks by) and posting (the time of their latest status, which it ranks
// by too).
//
// A durable consumer: the index is in a file of its own and outlives the
// process, so its lane saves a cursor and resumes after a restart. Handle
// only notes what a batch changes; Flush reads the statuses and accounts
// from the store and writes the whole batch in one transaction of the
// index. Idempotent: an event handled twice writes the same entries.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.h"
#include "events/event_consumer.h"
#include "search/search_index.h"
#include "store/store.h"

namespace chirp {

// The entry of `status` (an original, not a reblog) in the index.
IndexedStatus IndexEntryOf(const StatusRecord& status);
// The entry of `account`.
IndexedAccount IndexEntryOf(const Account& account);

class SearchIndexer final : public EventConsumer {
 public:
  // `store` and `index` must outlive the indexer.
  SearchIndexer(Store& store, SearchIndex& index) : store_(store), index_(index) {}

  Status Handle(const OutboxEvent& event) override;
  Status Flush() override;

  // Rebuilds the whole index from the store: every account and every live
  // status, with favourites, reblogs and bookmarks in the libraries; `progress` is
  // told how many statuses are done. For `chirpd admin reindex` and a first
  // start over an existing store.
  static Status Rebuild(Store& store, SearchIndex& index,
                        const std::function<void(int64_t)>& progress = {});

 private:
  // One change of the batch, in event order.
  struct Change {
    EventKind kind;
    int64_t account_id;
    int64_t subject_id;
    int64_t related_id;
    uint32_t flags;
    int64_t at_ms;
  };

  Store& store_;
  SearchIndex& index_;
  std::vector<Change> pending_;
};

}  // namespace chirp
