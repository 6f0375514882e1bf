#include "api/pagination.h"

#include <algorithm>
#include <limits>

#include "core/text.h"

namespace chirp {
namespace {

// A cursor: 0 when absent. "0" is a cursor too, below every id: as min_id
// it asks for the oldest page, as max_id for nothing; since ids start at 1,
// it becomes 1 (since_id=0 bounds nothing and stays absent).
Result<int64_t> CursorParam(const Params& params, const char* key) {
  auto value = params.String(key);
  if (!value) return std::move(value).error();
  if (!*value || (*value)->empty()) return int64_t{0};
  if (**value == "0") return std::string_view(key) == "since_id" ? int64_t{0} : int64_t{1};
  const auto id = ParseId(**value);
  if (!id) return Error::BadRequest(std::string("Invalid ") + key);
  return *id;
}

bool IsPagingKey(std::string_view key) {
  return key == "max_id" || key == "min_id" || key == "since_id";
}

}  // namespace

Result<PageRequest> ParsePage(const Params& params, int default_limit, int max_limit) {
  PageRequest page;
  for (auto [key, target] : {std::pair{"max_id", &page.max_id},
                             {"since_id", &page.since_id},
                             {"min_id", &page.min_id}}) {
    auto v = CursorParam(params, key);
    if (!v) return std::move(v).error();
    *target = *v;
  }
  auto limit = params.Count("limit", default_limit, 1, max_limit);
  if (!limit)
    return Error::BadRequest("Pagination values for `offset` and `limit` must be positive");
  page.limit = *limit;
  return page;
}

void AddLinkHeader(const ApiRequest& request, int64_t newest_cursor, int64_t oldest_cursor,
                   HttpResponse& response) {
  // The request's own parameters, less the cursors, re-encoded so that no
  // ',' or ';' reaches the header (megalodon splits on them).
  std::string carried;
  std::string_view query = request.http.query;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    const auto key = UrlDecode(pair.substr(0, eq));
    const auto value = UrlDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!key || !value || key->empty() || IsPagingKey(*key)) continue;
    carried += UrlEncode(*key) + "=" + UrlEncode(*value) + "&";
  }
  const std::string base = request.base_url + request.http.path + "?" + carried;
  response.AddHeader("Link", "<" + base + "max_id=" + std::to_string(oldest_cursor) +
                                 ">; rel=\"next\", <" + base +
                                 "min_id=" + std::to_string(newest_cursor) + ">; rel=\"prev\"");
}

}  // namespace chirp
