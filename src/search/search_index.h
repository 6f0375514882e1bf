// The search index: what statuses, accounts and hashtags a search may find,
// kept by a consumer of the event stream (search/search_indexer.h) and read
// by the search service (search/search_service.h). The embedded
// implementation is SQLite FTS5 in a database file of its own
// (search/sqlite_search_index.h), so that indexing never takes the store's
// write lock.
//
// The index decides which statuses a reader could find at all (the
// "who finds what" rule below); the caller still applies the visibility
// module to every status it returns (blocks, mutes, followers-only,
// deletion), since the index lags the store.
//
// A status is found by:
//  - its author, and the accounts in its library (mentioned, favourited,
//    reblogged or bookmarked it);
//  - anyone signed in, when it is public and its author is indexable.
//
// Thread safety: reads from any number of threads at once; writes from one
// thread at a time (the indexer's lane). Reads and writes may block on I/O.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "search/search_query.h"
#include "store/records.h"

namespace chirp {

// A status as the index holds it. Reblogs are not indexed (they have no
// text of their own): a reblog puts the reblogged status in the reblogger's
// library instead.
struct IndexedStatus {
  int64_t id = 0;
  int64_t author_id = 0;
  Visibility visibility = Visibility::kPublic;
  uint32_t features = 0;               // SearchFeature bits the status has
  std::string language;                // "" when unknown
  std::string text;                    // spoiler text, body and media descriptions
  std::vector<std::string> tags;       // normalised names
  std::vector<int64_t> mentioned_ids;  // in the status's library
};

struct IndexedAccount {
  int64_t id = 0;
  std::string username;
  std::string display_name;
  bool indexable = true;  // its public statuses are found by anyone
  int64_t followers_count = 0;
  int64_t last_status_at_ms = 0;
};

// Why a status is in an account's library; an entry stays while any reason
// holds (unfavouriting a status one also reblogged keeps it).
enum LibraryReason : uint32_t {
  kLibraryMention = 1,
  kLibraryFavourite = 2,
  kLibraryReblog = 4,
  kLibraryBookmark = 8,
};

// The writes of one batch of events, applied in one transaction. Each is
// idempotent: the event stream may deliver an event twice.
class SearchIndexWriter {
 public:
  virtual ~SearchIndexWriter() = default;
  virtual Status PutStatus(const IndexedStatus& status) = 0;
  // Forgets the status, its tags and its library entries.
  virtual Status RemoveStatus(int64_t status_id) = 0;
  virtual Status AddToLibrary(int64_t account_id, int64_t status_id, LibraryReason reason) = 0;
  virtual Status RemoveFromLibrary(int64_t account_id, int64_t status_id, LibraryReason reason) = 0;
  // Creates or replaces the account's entry (names, indexable, figures).
  virtual Status PutAccount(const IndexedAccount& account) = 0;
  // The figures account search ranks by, for an account with an entry
  // (nothing for one without): its followers, and its latest status
  // (kept when later than `last_status_at_ms`).
  virtual Status SetFollowers(int64_t account_id, int64_t followers_count) = 0;
  virtual Status NoteStatusAt(int64_t account_id, int64_t last_status_at_ms) = 0;
};

// What FindStatuses looks for: the parsed query with its accounts resolved.
struct StatusSearch {
  SearchQuery query;
  int64_t viewer_id = 0;                   // signed in; anonymous readers find no statuses
  std::vector<int64_t> from_ids;           // from: accounts (all must be the author: at most one)
  std::vector<int64_t> excluded_from_ids;  // -from: accounts
  int64_t account_id = 0;                  // only this author's statuses when not 0
  int64_t max_id = 0;                      // exclusive bounds on ids when not 0
  int64_t min_id = 0;
  int limit = 20;
  int offset = 0;
};

struct AccountSearch {
  std::string prefix;  // matched against the start of the username and of display-name words
  std::vector<int64_t> only_ids;  // when not empty, only these accounts (following=true)
  int limit = 40;
  int offset = 0;
};

// A hashtag's use on one day.
struct TagDay {
  int64_t day_start_ms = 0;  // UTC midnight
  int64_t uses = 0;          // statuses
  int64_t accounts = 0;      // distinct authors
};

// What the implementations share.

// The one author `search` is limited to (account_id, from:), 0 for none,
// -1 when two different ones are asked for (nothing matches).
int64_t SingleAuthor(const StatusSearch& search);

// The username an account search looks for: without a leading "@" nor a
// domain ("@alice@example.com" is "alice"), trimmed.
std::string AccountPrefix(std::string_view typed);

// The smallest string above every string starting with `prefix` ("" when
// there is none: the prefix is all 0xff bytes), for a prefix as a range.
std::string PrefixEnd(std::string prefix);

// The items of `all` from `offset` on, at most `limit` of them.
template <typename T>
std::vector<T> PageOf(std::vector<T> all, int offset, int limit) {
  const size_t begin = std::min(all.size(), static_cast<size_t>(std::max(0, offset)));
  const size_t end = std::min(all.size(), begin + static_cast<size_t>(std::max(0, limit)));
  return std::vector<T>(std::make_move_iterator(all.begin() + begin),
                        std::make_move_iterator(all.begin() + end));
}

class SearchIndex {
 public:
  virtual ~SearchIndex() = default;

  // Runs `writes` in one transaction: all of it is applied or none.
  virtual Status Write(const std::function<Status(SearchIndexWriter&)>& writes) = 0;

  // Ids of the statuses matching `search` that the viewer could find (see
  // above), newest first, after skipping `offset`. Fewer than `limit` only
  // when no more match.
  virtual Result<std::vector<int64_t>> FindStatuses(const StatusSearch& search) = 0;
  // Ids of the accounts whose username starts with the prefix or with a
  // display-name word that does, the exact username first, then by
  // followers and by the latest status, at most `limit` after `offset`.
  virtual Result<std::vector<int64_t>> FindAccounts(const AccountSearch& search) = 0;
  // Names of the hashtags starting with `prefix` (normalised), the exact
  // one first, then by latest use.
  virtual Result<std::vector<std::string>> FindTags(std::string_view prefix, int limit,
                                                    int offset) = 0;
  // The tag's uses on each of the `days` days ending with the one holding
  // `now_ms`, newest first (days without use included, as zeros).
  virtual Result<std::vector<TagDay>> TagHistory(std::string_view tag, int64_t now_ms,
                                                 int days) = 0;
  // Statuses the index holds (for the reindex command: it reads them all).
  virtual Result<int64_t> CountStatuses() = 0;
  // Whether it holds any status (at once).
  virtual Result<bool> HoldsStatuses() = 0;
  // Forgets everything (before a reindex).
  virtual Status Clear() = 0;
  // Bytes the index takes where it is kept (its files, or its tables).
  virtual Result<int64_t> Bytes() = 0;
};

}  // namespace chirp
