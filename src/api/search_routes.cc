// Search: /api/v2/search, /api/v1/accounts/search, and the hashtag entity
// at /api/v1/tags/:name.
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "api/pagination.h"
#include "api/routes.h"
#include "core/text.h"
#include "mastodon/status_presenter.h"
#include "search/search_service.h"
#include "text/status_text.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr int kTagHistoryDays = 7;
constexpr int kMaxOffset = 1 << 20;
constexpr int64_t kMillisPerSecond = 1000;

// The directory's statuses as a request renders them: the statuses a search
// finds are read once, and held rendered for the request's host when the
// presenter asks for them.
class RenderedStatuses final : public StatusLookup {
 public:
  RenderedStatuses(StatusDirectory& statuses, const std::string& base_url)
      : statuses_(statuses), base_url_(base_url) {}

  Result<StatusRecord> FindLive(int64_t id) override {
    auto found = statuses_.Get(id, base_url_);
    if (!found) return std::move(found).error();
    return (*found)->record;
  }
  Result<std::vector<StatusRecord>> FindLiveMany(const std::vector<int64_t>& ids) override {
    auto found = statuses_.GetMany(ids, base_url_);
    if (!found) return std::move(found).error();
    std::vector<StatusRecord> out;
    out.reserve(found->size());
    for (const StatusRef& s : *found) out.push_back(s->record);
    return out;
  }
  uint64_t LoadToken(int64_t id) const override { return statuses_.LoadToken(id); }

 private:
  StatusDirectory& statuses_;
  const std::string& base_url_;
};

// The request's parameters as /api/v2/search reads them; `default_limit`
// and `max_limit` differ between it and /api/v1/accounts/search.
Result<SearchRequest> ParseSearch(const ApiRequest& req, int default_limit, int max_limit) {
  SearchRequest r{.base_url = req.base_url};
  auto q = req.params.String("q");
  if (!q) return std::move(q).error();
  r.q = q->value_or("");
  auto type = req.params.String("type");
  if (!type) return std::move(type).error();
  if (*type && !(*type)->empty()) {
    if (**type == "accounts") {
      r.type = SearchType::kAccounts;
    } else if (**type == "hashtags") {
      r.type = SearchType::kHashtags;
    } else if (**type == "statuses") {
      r.type = SearchType::kStatuses;
    } else {
      return Error::BadRequest("type must be accounts, hashtags or statuses");
    }
  }
  auto page = ParsePage(req.params, default_limit, max_limit);
  if (!page) return std::move(page).error();
  r.limit = page->limit;
  r.max_id = page->max_id;
  r.min_id = page->min_id;
  auto offset = req.params.Count("offset", 0, 0, kMaxOffset);
  if (!offset) return std::move(offset).error();
  r.offset = *offset;
  for (auto [key, target] : {std::pair{"resolve", &r.resolve}, {"following", &r.following}}) {
    auto flag = req.params.Bool(key);
    if (!flag) return std::move(flag).error();
    *target = flag->value_or(false);
  }
  // Every hashtag is shown without review, so exclude_unreviewed changes
  // nothing; it is read so that a malformed value is refused.
  if (auto unreviewed = req.params.Bool("exclude_unreviewed"); !unreviewed) {
    return std::move(unreviewed).error();
  }
  auto account_id = req.params.String("account_id");
  if (!account_id) return std::move(account_id).error();
  if (*account_id && !(*account_id)->empty()) {
    auto id = ParseId(**account_id);
    if (!id) return Error::NotFound();
    r.account_id = *id;
  }
  return r;
}

// The Tag entity: name, URL, use over the last week (Mastodon's strings)
// and, for a signed-in reader, whether they follow it (following hashtags
// is not offered, so never).
Result<json::object> TagJson(SearchService& search, const std::string& name,
                             const ApiRequest& req) {
  auto history = search.TagHistory(name, kTagHistoryDays);
  if (!history) return std::move(history).error();
  json::array days;
  for (const TagDay& d : *history) {
    days.push_back(json::object({{"day", std::to_string(d.day_start_ms / kMillisPerSecond)},
                                 {"uses", std::to_string(d.uses)},
                                 {"accounts", std::to_string(d.accounts)}}));
  }
  json::object tag(
      {{"name", name}, {"url", req.base_url + "/tags/" + name}, {"history", std::move(days)}});
  if (req.account_id() != 0) tag["following"] = false;
  return tag;
}

// A JSON array of the accounts, each rendered once and kept by the
// directory.
Result<std::string> AccountsJson(const SearchRouteParts& ctx,
                                 const std::vector<AccountRef>& accounts,
                                 const std::string& base_url) {
  std::string out = "[";
  for (const AccountRef& a : accounts) {
    if (out.size() > 1) out += ',';
    Status s =
        ctx.read.accounts.WithJson(a->id, base_url, [&](std::string_view json) { out += json; });
    if (!s) return std::move(s).error();
  }
  out += ']';
  return out;
}

Result<HttpResponse> Search(const SearchRouteParts& ctx, ApiRequest& req) {
  auto request = ParseSearch(req, kDefaultPageLimit, kMaxPageLimit);
  if (!request) return std::move(request).error();
  RenderedStatuses rendered(ctx.read.statuses, req.base_url);
  request->statuses = &rendered;
  auto found = ctx.search.Search(req.account_id(), *request);
  if (!found) return std::move(found).error();
  json::array tags;
  for (const std::string& name : found->hashtags) {
    auto tag = TagJson(ctx.search, name, req);
    if (!tag) return std::move(tag).error();
    tags.push_back(std::move(tag).value());
  }
  std::vector<int64_t> ids;
  for (const StatusRecord& s : found->statuses) ids.push_back(s.id);
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto statuses = presenter.RenderVisibleIds(ids);
  if (!statuses) return std::move(statuses).error();
  auto accounts = AccountsJson(ctx, found->accounts, req.base_url);
  if (!accounts) return std::move(accounts).error();
  std::string body = "{\"accounts\":";
  body += *accounts;
  body += ",\"statuses\":";
  body += *statuses;
  body += ",\"hashtags\":";
  body += json::serialize(tags);
  body += '}';
  return JsonResponse(200, std::move(body));
}

Result<HttpResponse> SearchAccounts(const SearchRouteParts& ctx, ApiRequest& req) {
  auto request = ParseSearch(req, kDefaultAccountPageLimit, kMaxAccountPageLimit);
  if (!request) return std::move(request).error();
  auto found = ctx.search.SearchAccounts(req.account_id(), *request);
  if (!found) return std::move(found).error();
  auto accounts = AccountsJson(ctx, *found, req.base_url);
  if (!accounts) return std::move(accounts).error();
  return JsonResponse(200, std::move(accounts).value());
}

Result<HttpResponse> ShowTag(const SearchRouteParts& ctx, ApiRequest& req) {
  std::string_view name = req.path.Get("name");
  if (name.starts_with('#')) name.remove_prefix(1);
  const std::string key = NormalizeTagName(name);
  if (key.empty()) return Error::NotFound();
  auto tag = TagJson(ctx.search, key, req);
  if (!tag) return std::move(tag).error();
  return JsonBody(200, *tag);
}

}  // namespace

void AddSearchRoutes(ApiRoutes& routes, const SearchRouteParts& ctx) {
  routes.Add({.method = "GET",
              .pattern = "/api/v2/search",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:search"},
             [ctx](ApiRequest& r) { return Search(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/search",
              .auth = AuthRequirement::kUser,
              .scopes = "read:accounts"},
             [ctx](ApiRequest& r) { return SearchAccounts(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/tags/:name",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:follows"},
             [ctx](ApiRequest& r) { return ShowTag(ctx, r); });
}

}  // namespace chirp
