// Pagination as Mastodon clients expect it: max_id, since_id, min_id and
// limit in, a Link header with absolute next/prev URLs out (reference 1.0).
#pragma once

#include <cstdint>

#include "api/endpoint.h"
#include "store/social_store.h"

namespace chirp {

// Statuses: 20 a page by default, 40 at most; accounts: 40 and 80.
constexpr int kDefaultPageLimit = 20;
constexpr int kMaxPageLimit = 40;
constexpr int kDefaultAccountPageLimit = 40;
constexpr int kMaxAccountPageLimit = 80;

// Reads the paging parameters. `limit` is clamped to [1, max_limit] as
// Mastodon does (absolute value, at most max_limit); ids that are not
// positive integers are kBadRequest; empty values count as absent.
Result<PageRequest> ParsePage(const Params& params, int default_limit = kDefaultPageLimit,
                              int max_limit = kMaxPageLimit);

// Adds `Link: <...max_id=OLDEST>; rel="next", <...min_id=NEWEST>; rel="prev"`
// for a non-empty page, keeping the request's other query parameters.
void AddLinkHeader(const ApiRequest& request, int64_t newest_cursor, int64_t oldest_cursor,
                   HttpResponse& response);

// The same for a Paged listing, in the order the store returned it.
template <typename T>
void AddLinkHeader(const ApiRequest& request, const std::vector<Paged<T>>& page,
                   HttpResponse& response) {
  if (page.empty()) return;
  AddLinkHeader(request, page.front().cursor, page.back().cursor, response);
}

}  // namespace chirp
