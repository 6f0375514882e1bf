#include "search/search_service.h"

#include <algorithm>

#include "core/text.h"
#include "search/search_query.h"
#include "social/status_access.h"
#include "text/status_text.h"

namespace chirp {
namespace {

// Rounds of the index a status search reads when what it proposes is
// hidden from the reader (blocked, muted, deleted since): each after the
// first asks for twice what is still missing, so a page is full unless
// hidden statuses are most of what matches.
constexpr int kStatusRounds = 4;
// Accounts read from the index to rank a page by the reader's follows.
constexpr int kAccountCandidates = 200;

// The host of `base_url` ("https://chirp.example" -> "chirp.example").
std::string_view HostOf(std::string_view base_url) {
  if (const size_t scheme = base_url.find("://"); scheme != std::string_view::npos) {
    base_url.remove_prefix(scheme + 3);
  }
  return base_url.substr(0, base_url.find('/'));
}

// The username and status id of a local URL's path: "/@alice/123",
// "/@alice", "/users/alice/statuses/123", "/users/alice". Nothing else.
struct LocalPath {
  std::string_view username;
  std::optional<int64_t> status_id;
};

std::optional<LocalPath> ParseLocalPath(std::string_view path) {
  while (path.ends_with('/')) path.remove_suffix(1);
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const size_t next = path.find('/');
    parts.push_back(path.substr(0, next));
    path = next == std::string_view::npos ? std::string_view() : path.substr(next);
  }
  if (parts.size() == 1 && parts[0].starts_with('@') && parts[0].size() > 1) {
    return LocalPath{parts[0].substr(1), std::nullopt};
  }
  if (parts.size() == 2 && parts[0].starts_with('@') && parts[0].size() > 1) {
    auto id = ParseId(parts[1]);
    if (!id) return std::nullopt;
    return LocalPath{parts[0].substr(1), id};
  }
  if (parts.size() == 2 && parts[0] == "users" && !parts[1].empty()) {
    return LocalPath{parts[1], std::nullopt};
  }
  if (parts.size() == 4 && parts[0] == "users" && parts[2] == "statuses") {
    auto id = ParseId(parts[3]);
    if (!id) return std::nullopt;
    return LocalPath{parts[1], id};
  }
  return std::nullopt;
}

}  // namespace

Result<SearchResults> SearchService::Search(int64_t viewer_id, const SearchRequest& request) {
  if (TrimAscii(request.q).empty())
    return Error::BadRequest("param is missing or the value is empty: q");
  if (request.q.size() > kMaxSearchQueryBytes) {
    return Error::Unprocessable("Search query is too long (at most " +
                                std::to_string(kMaxSearchQueryBytes) + " bytes)");
  }
  if (viewer_id == 0 && request.resolve) {
    return Error::Unauthorized(
        "Search queries that resolve remote resources are not supported without authentication");
  }
  if (viewer_id == 0 && request.offset > 0) {
    return Error::Unauthorized("Search queries pagination is not supported without authentication");
  }
  SearchRequest r = request;
  if (!r.type) r.offset = 0;
  ViewerRef viewer;
  if (viewer_id != 0) {
    auto loaded = viewers_.Get(viewer_id);
    if (!loaded) return std::move(loaded).error();
    viewer = std::move(loaded).value();
  }
  const ViewerVisibility* visibility = viewer ? &viewer->visibility : nullptr;

  SearchResults results;
  const std::string_view q = TrimAscii(r.q);
  if (r.resolve && (q.starts_with("https://") || q.starts_with("http://"))) {
    if (Status s = Resolve(r, visibility, results); !s) return s.error();
    return results;
  }
  const auto wanted = [&](SearchType type) { return !r.type || *r.type == type; };
  if (wanted(SearchType::kAccounts)) {
    auto accounts = FindAccounts(viewer_id, r, visibility);
    if (!accounts) return std::move(accounts).error();
    results.accounts = std::move(accounts).value();
  }
  if (wanted(SearchType::kHashtags)) {
    auto tags = FindTags(r);
    if (!tags) return std::move(tags).error();
    results.hashtags = std::move(tags).value();
  }
  if (wanted(SearchType::kStatuses) && visibility != nullptr) {
    auto statuses = FindStatuses(viewer_id, r, *visibility);
    if (!statuses) return std::move(statuses).error();
    results.statuses = std::move(statuses).value();
  }
  return results;
}

Result<std::vector<AccountRef>> SearchService::SearchAccounts(int64_t viewer_id,
                                                              const SearchRequest& request) {
  SearchRequest r = request;
  r.type = SearchType::kAccounts;
  auto results = Search(viewer_id, r);
  if (!results) return std::move(results).error();
  return std::move(results->accounts);
}

Result<std::vector<TagDay>> SearchService::TagHistory(std::string_view name, int days) {
  return index_.TagHistory(NormalizeTagName(name), clock_.NowMillis(), days);
}

Result<std::vector<AccountRef>> SearchService::FindAccounts(int64_t viewer_id,
                                                            const SearchRequest& request,
                                                            const ViewerVisibility* visibility) {
  AccountSearch search{.prefix = std::string(TrimAscii(request.q))};
  if (request.following) {
    if (visibility == nullptr) return std::vector<AccountRef>{};
    for (const Follow& f : visibility->follows()) search.only_ids.push_back(f.target_account_id);
    if (search.only_ids.empty()) return std::vector<AccountRef>{};
  }
  // A handle names one account: "@alice@this.host" is alice, another
  // domain no local account.
  if (const size_t at = search.prefix.find('@', 1); at != std::string::npos) {
    if (search.prefix.substr(at + 1) != HostOf(request.base_url)) {
      return std::vector<AccountRef>{};
    }
  }
  // The index ranks by followers; the accounts the reader follows or is
  // followed by come first among what it proposes, after an exact username.
  const int wanted = request.offset + request.limit;
  search.limit = std::max(wanted, std::min(kAccountCandidates, 2 * wanted));
  auto ids = index_.FindAccounts(search);
  if (!ids) return std::move(ids).error();
  std::vector<AccountRef> found;
  for (int64_t id : *ids) {
    if (visibility != nullptr && visibility->BlockedWith(id)) continue;
    auto account = accounts_.Get(id);
    if (!account) {
      if (account.error().code == ErrorCode::kNotFound) continue;
      return std::move(account).error();
    }
    found.push_back(std::move(account).value());
  }
  if (visibility != nullptr && !found.empty()) {
    std::string exact = AsciiLower(search.prefix);
    if (exact.starts_with('@')) exact.erase(0, 1);
    exact = exact.substr(0, exact.find('@'));
    const auto first =
        AsciiLower(found.front()->username) == exact ? found.begin() + 1 : found.begin();
    std::vector<int64_t> candidates;
    for (auto it = first; it != found.end(); ++it) candidates.push_back((*it)->id);
    auto followers = graph_.FollowersAmong(viewer_id, candidates);
    if (!followers) return std::move(followers).error();
    std::sort(followers->begin(), followers->end());
    std::stable_partition(first, found.end(), [&](const AccountRef& a) {
      return visibility->Follows(a->id) ||
             std::binary_search(followers->begin(), followers->end(), a->id);
    });
  }
  const size_t begin = std::min(found.size(), static_cast<size_t>(request.offset));
  const size_t end = std::min(found.size(), begin + static_cast<size_t>(request.limit));
  return std::vector<AccountRef>(found.begin() + begin, found.begin() + end);
}

Result<std::vector<std::string>> SearchService::FindTags(const SearchRequest& request) {
  std::string_view q = TrimAscii(request.q);
  if (q.starts_with('#')) q.remove_prefix(1);
  const std::string key = NormalizeTagName(q);
  if (key.empty()) return std::vector<std::string>{};
  return index_.FindTags(key, request.limit, request.offset);
}

Result<std::vector<StatusRecord>> SearchService::FindStatuses(int64_t viewer_id,
                                                              const SearchRequest& request,
                                                              const ViewerVisibility& visibility) {
  auto query = ParseSearchQuery(request.q);
  if (!query) return std::move(query).error();
  StatusSearch search{.viewer_id = viewer_id,
                      .account_id = request.account_id,
                      .max_id = request.max_id,
                      .min_id = request.min_id,
                      .offset = request.offset};
  // The accounts of from: and -from:. An unknown one in from: matches
  // nothing; in -from: it excludes nothing.
  const auto resolve = [&](const std::string& handle) -> Result<std::optional<int64_t>> {
    if (handle == "me") return std::optional<int64_t>(viewer_id);
    std::string_view name = handle;
    if (const size_t at = name.find('@'); at != std::string_view::npos) {
      if (name.substr(at + 1) != HostOf(request.base_url)) return std::optional<int64_t>();
      name = name.substr(0, at);
    }
    auto account = accounts_.GetByUsername(name);
    if (!account) {
      if (account.error().code == ErrorCode::kNotFound) return std::optional<int64_t>();
      return std::move(account).error();
    }
    return std::optional<int64_t>((*account)->id);
  };
  for (const std::string& handle : query->from) {
    auto id = resolve(handle);
    if (!id) return std::move(id).error();
    if (!*id) return std::vector<StatusRecord>{};
    search.from_ids.push_back(**id);
  }
  for (const std::string& handle : query->excluded_from) {
    auto id = resolve(handle);
    if (!id) return std::move(id).error();
    if (*id) search.excluded_from_ids.push_back(**id);
  }
  for (auto* tags : {&query->tags, &query->excluded_tags}) {
    for (std::string& tag : *tags) tag = NormalizeTagName(tag);
    std::erase(*tags, std::string());
  }
  search.query = std::move(query).value();

  StatusLookup& lookup = request.statuses != nullptr ? *request.statuses : statuses_;
  std::vector<StatusRecord> found;
  for (int round = 0; round < kStatusRounds && static_cast<int>(found.size()) < request.limit;
       ++round) {
    // A page's worth first (the index proposes what the reader may find, so
    // little is usually left out), then twice what is still missing.
    const int missing = request.limit - static_cast<int>(found.size());
    search.limit = round == 0 ? missing : 2 * missing;
    auto ids = index_.FindStatuses(search);
    if (!ids) return std::move(ids).error();
    // Deleted since they were indexed: left out here.
    auto live = lookup.FindLiveMany(*ids);
    if (!live) return std::move(live).error();
    for (StatusRecord& status : *live) {
      if (visibility.Mutes(status.account_id)) continue;
      auto visible = MayView(lookup, visibility, status);
      if (!visible) return std::move(visible).error();
      if (!*visible) continue;
      found.push_back(std::move(status));
      if (static_cast<int>(found.size()) == request.limit) break;
    }
    if (static_cast<int>(ids->size()) < search.limit) break;
    search.max_id = ids->back();
    search.offset = 0;
  }
  return found;
}

Status SearchService::Resolve(const SearchRequest& request, const ViewerVisibility* visibility,
                              SearchResults& results) {
  std::string_view q = TrimAscii(request.q);
  std::string_view base = request.base_url;
  while (base.ends_with('/')) base.remove_suffix(1);
  if (base.empty() || !q.starts_with(base)) return {};
  q.remove_prefix(base.size());
  q = q.substr(0, q.find_first_of("?#"));
  const std::optional<LocalPath> path = ParseLocalPath(q);
  if (!path) return {};
  auto account = accounts_.GetByUsername(path->username);
  if (!account) {
    if (account.error().code == ErrorCode::kNotFound) return {};
    return std::move(account).error();
  }
  if (visibility != nullptr && visibility->BlockedWith((*account)->id)) return {};
  if (!path->status_id) {
    if (!request.type || *request.type == SearchType::kAccounts) {
      results.accounts.push_back(std::move(account).value());
    }
    return {};
  }
  if (visibility == nullptr || (request.type && *request.type != SearchType::kStatuses)) return {};
  auto status = statuses_.FindLive(*path->status_id);
  if (!status) {
    if (status.error().code == ErrorCode::kNotFound) return {};
    return std::move(status).error();
  }
  if (status->account_id != (*account)->id) return {};
  auto visible = MayView(statuses_, *visibility, *status);
  if (!visible) return std::move(visible).error();
  if (*visible) results.statuses.push_back(std::move(status).value());
  return {};
}

}  // namespace chirp
