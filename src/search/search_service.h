// Search as Mastodon's GET /api/v2/search and /api/v1/accounts/search
// answer it: statuses, accounts and hashtags for one reader. The index
// (search/search_index.h) proposes what the reader could find; this
// service applies the rules of every read path on top (social/visibility.h:
// blocks either way, followers-only and direct statuses, and the reader's
// mutes), reads each status from the live lookups so that a deleted one is
// gone at once whatever the index's lag, and resolves local URLs.
//
// Thread-safe; blocks on the index and the store (call it from the blocking
// pool).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "search/search_index.h"
#include "social/lookups.h"
#include "social/viewer_cache.h"
#include "store/social_store.h"

namespace chirp {

enum class SearchType { kAccounts, kHashtags, kStatuses };

inline constexpr size_t kMaxSearchQueryBytes = 1000;

struct SearchRequest {
  std::string q;
  std::optional<SearchType> type;  // all three when absent
  int limit = 20;                  // per type, 1..40
  int offset = 0;                  // honoured with `type` only
  int64_t min_id = 0;              // statuses: exclusive bounds, 0 for none
  int64_t max_id = 0;
  bool following = false;  // accounts: only those the reader follows
  int64_t account_id = 0;  // statuses: only this account's, 0 for any
  bool resolve = false;    // a local status or profile URL in `q` finds that status or account
  // Where this server answers (scheme and host, as statuses' URLs start):
  // what a URL must start with to resolve, and the domain of local handles.
  std::string base_url;
  // Where the statuses found are read; the service's own lookup when null.
  // A route passes the one it renders through, so that a status read from
  // the store is read once.
  StatusLookup* statuses = nullptr;
};

struct SearchResults {
  std::vector<AccountRef> accounts;
  std::vector<StatusRecord> statuses;
  std::vector<std::string> hashtags;  // normalised names
};

class SearchService {
 public:
  // Everything must outlive the service.
  // `graph` tells who follows the reader among the accounts found.
  SearchService(SearchIndex& index, SocialStore& graph, AccountLookup& accounts,
                StatusLookup& statuses, ViewerCache& viewers, const Clock& clock)
      : index_(index),
        graph_(graph),
        accounts_(accounts),
        statuses_(statuses),
        viewers_(viewers),
        clock_(clock) {}

  // `viewer_id` 0 is an anonymous reader: accounts and hashtags only.
  // Errors: kBadRequest for an empty query, kUnauthorized for `resolve` or
  // `offset` without a reader, kUnprocessable for a query longer than
  // kMaxSearchQueryBytes or a malformed operator (search/search_query.h).
  Result<SearchResults> Search(int64_t viewer_id, const SearchRequest& request);

  // Accounts only, as /api/v1/accounts/search asks (`q` as a prefix of a
  // username or display-name word; `following`, `limit`, `offset` and
  // `resolve` as above).
  Result<std::vector<AccountRef>> SearchAccounts(int64_t viewer_id, const SearchRequest& request);

  // The hashtag's use over the last `days` days, newest first.
  Result<std::vector<TagDay>> TagHistory(std::string_view name, int days = 7);

 private:
  Result<std::vector<AccountRef>> FindAccounts(int64_t viewer_id, const SearchRequest& request,
                                               const ViewerVisibility* visibility);
  Result<std::vector<StatusRecord>> FindStatuses(int64_t viewer_id, const SearchRequest& request,
                                                 const ViewerVisibility& visibility);
  Result<std::vector<std::string>> FindTags(const SearchRequest& request);
  // The local status or account `q` is the URL of, when it is one.
  Status Resolve(const SearchRequest& request, const ViewerVisibility* visibility,
                 SearchResults& results);

  SearchIndex& index_;
  SocialStore& graph_;
  AccountLookup& accounts_;
  StatusLookup& statuses_;
  ViewerCache& viewers_;
  const Clock& clock_;
};

}  // namespace chirp
