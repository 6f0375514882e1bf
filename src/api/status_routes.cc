// Statuses: posting, reading, deleting, threads, source, bookmarks, favourites and
// reblogs, and an account's statuses.
#include <algorithm>
#include <boost/json/array.hpp>
#include <map>

#include "api/pagination.h"
#include "api/routes.h"
#include "core/text.h"
#include "mastodon/entities.h"
#include "mastodon/status_presenter.h"
#include "social/posting.h"
#include "text/status_text.h"

namespace chirp {
namespace json = boost::json;

namespace {

// The status named in the path, if the viewer may see it (404 otherwise,
// whether it does not exist or is hidden from them).
Result<StatusRef> VisibleStatus(const StatusRouteParts& ctx, const ApiRequest& req,
                                StatusPresenter& presenter) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto status = ctx.statuses.Get(*id, req.base_url);
  if (!status) return std::move(status).error();
  auto visible = presenter.Visible((*status)->record);
  if (!visible) return std::move(visible).error();
  if (!*visible) return Error::NotFound();
  return status;
}

Result<HttpResponse> RenderResponse(StatusPresenter& presenter, const StatusRef& status,
                                    bool source_requested = false) {
  auto rendered = presenter.Render(status, source_requested);
  if (!rendered) return std::move(rendered).error();
  return JsonResponse(200, std::move(rendered).value());
}

// Renders a status just written (or the earlier one an idempotency key or
// a live reblog named), caching it as the store returned it.
Result<HttpResponse> RenderPosted(const StatusRouteParts& ctx, const ApiRequest& req,
                                  const PostedStatus& posted) {
  const CreatedStatus& created = posted.created;
  auto stored = created.stored
                    ? ctx.statuses.Remember(*created.stored, req.base_url, posted.cache_token)
                    : ctx.statuses.Get(created.id, req.base_url);
  if (!stored) return std::move(stored).error();
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  return RenderResponse(presenter, *stored);
}

// Renders a list of statuses by id, with the Link header of `listed`.
template <typename T>
Result<HttpResponse> ListResponse(StatusPresenter& presenter, const ApiRequest& req,
                                  const std::vector<int64_t>& ids,
                                  const std::vector<Paged<T>>& listed) {
  auto rendered = presenter.RenderVisibleIds(ids);
  if (!rendered) return std::move(rendered).error();
  HttpResponse response = JsonResponse(200, std::move(rendered).value());
  AddLinkHeader(req, listed, response);
  return response;
}

Result<std::optional<double>> Coordinate(const Params& params, const char* key, double limit) {
  const json::value* v = params.root().if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<double>();
  double d = 0;
  if (v->is_double()) {
    d = v->get_double();
  } else if (v->is_int64()) {
    d = static_cast<double>(v->get_int64());
  } else if (v->is_string()) {
    const std::string s(v->get_string());
    char* end = nullptr;
    d = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0')
      return Error::Unprocessable(std::string("Validation failed: ") + key + " is not a number");
  } else {
    return Error::Unprocessable(std::string("Validation failed: ") + key + " is not a number");
  }
  if (!(d >= -limit && d <= limit)) {
    return Error::Unprocessable(std::string("Validation failed: ") + key + " is out of range");
  }
  return std::optional<double>(d);
}

Result<HttpResponse> PostStatus(const StatusRouteParts& ctx, ApiRequest& req) {
  const Params& p = req.params;
  StatusDraft draft;
  draft.account_id = req.account_id();
  draft.application_id = req.principal->app_id;
  draft.base_url = req.base_url;
  draft.idempotency_key = std::string(TrimAscii(req.http.Header("idempotency-key")));
  for (auto [key, target] :
       {std::pair{"status", &draft.text}, {"spoiler_text", &draft.spoiler_text}}) {
    auto value = p.String(key);
    if (!value) return std::move(value).error();
    *target = value->value_or("");
  }
  for (auto [key, target] :
       {std::pair{"visibility", &draft.visibility}, {"language", &draft.language}}) {
    auto value = p.String(key);
    if (!value) return std::move(value).error();
    *target = std::move(value).value();
  }
  auto reply_to = p.String("in_reply_to_id");
  if (!reply_to) return std::move(reply_to).error();
  draft.in_reply_to_id = reply_to->value_or("");
  auto media_ids = p.StringList("media_ids");
  if (!media_ids) return std::move(media_ids).error();
  draft.media_ids = std::move(media_ids).value();
  auto sensitive = p.Bool("sensitive");
  if (!sensitive) return std::move(sensitive).error();
  draft.sensitive = *sensitive;
  auto latitude = Coordinate(p, "latitude", 90);
  if (!latitude) return std::move(latitude).error();
  draft.latitude = *latitude;
  auto longitude = Coordinate(p, "longitude", 180);
  if (!longitude) return std::move(longitude).error();
  draft.longitude = *longitude;

  auto posted = ctx.posting.Post(draft);
  if (!posted) return std::move(posted).error();
  return PresentCommitted([&] { return RenderPosted(ctx, req, *posted); });
}

Result<HttpResponse> ShowStatus(const StatusRouteParts& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  return RenderResponse(presenter, *status);
}

Result<HttpResponse> DeleteStatus(const StatusRouteParts& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  // Rendered before it goes, with its source for delete and redraft.
  auto rendered = presenter.Render(*status, /*source_requested=*/true);
  if (!rendered) return std::move(rendered).error();
  auto deleted = ctx.posting.Delete(req.account_id(), (*status)->record.id);
  if (!deleted) return std::move(deleted).error();
  return JsonResponse(200, std::move(rendered).value());
}

Result<HttpResponse> StatusSource(const StatusRouteParts& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  auto whole = ctx.statuses.FindWhole((*status)->record.id);  // the cache holds no text
  if (!whole) return std::move(whole).error();
  return JsonBody(200, StatusSourceJson(*whole));
}

Result<HttpResponse> Context(const StatusRouteParts& ctx, ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto thread = ctx.status_reads.Context(req.account_id(), *id);
  if (!thread) return std::move(thread).error();
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto a = presenter.RenderVisibleIds(thread->ancestors);
  if (!a) return std::move(a).error();
  auto d = presenter.RenderVisibleIds(thread->descendants);
  if (!d) return std::move(d).error();
  return JsonResponse(200, "{\"ancestors\":" + *a + ",\"descendants\":" + *d + "}");
}

// Renders the status `id` as the viewer now sees it.
Result<HttpResponse> RenderCurrent(const StatusRouteParts& ctx, const ApiRequest& req, int64_t id) {
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto status = ctx.statuses.Get(id, req.base_url);
  if (!status) return std::move(status).error();
  return RenderResponse(presenter, *status);
}

Result<HttpResponse> FavouriteStatus(const StatusRouteParts& ctx, ApiRequest& req, bool favourite) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto target = ctx.engagement.SetFavourite(req.account_id(), *id, favourite);
  if (!target) return std::move(target).error();
  return PresentCommitted([&] { return RenderCurrent(ctx, req, *target); });
}

Result<HttpResponse> BookmarkStatus(const StatusRouteParts& ctx, ApiRequest& req, bool bookmark) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto target = ctx.engagement.SetBookmark(req.account_id(), *id, bookmark);
  if (!target) return std::move(target).error();
  return PresentCommitted([&] { return RenderCurrent(ctx, req, *target); });
}

Result<HttpResponse> Reblog(const StatusRouteParts& ctx, ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto visibility = req.params.String("visibility");
  if (!visibility) return std::move(visibility).error();
  // The store returns the live reblog when there is one. A concurrent
  // unreblog may delete it before it is read back; then reblog again.
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto posted = ctx.engagement.Reblog(req.account_id(), req.principal->app_id, *id, *visibility);
    if (!posted) return std::move(posted).error();
    auto rendered = PresentCommitted([&] { return RenderPosted(ctx, req, *posted); });
    if (rendered || rendered.error().code != ErrorCode::kNotFound) return rendered;
  }
  return Error::Unavailable("There was a temporary problem serving your request, please try again");
}

Result<HttpResponse> Unreblog(const StatusRouteParts& ctx, ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto original = ctx.engagement.Unreblog(req.account_id(), *id);
  if (!original) return std::move(original).error();
  return PresentCommitted([&] { return RenderCurrent(ctx, req, *original); });
}

Result<HttpResponse> AccountsWho(const StatusRouteParts& ctx, ApiRequest& req, bool favourited) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto page = ParsePage(req.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
  if (!page) return std::move(page).error();
  auto listed = ctx.status_reads.WhoActed(req.account_id(), *id, favourited, *page);
  if (!listed) return std::move(listed).error();
  json::array out;
  for (const auto& entry : *listed) {
    auto a = ctx.accounts.Get(entry.item);
    if (a) out.push_back(AccountJson(**a, req.base_url));
  }
  HttpResponse response = JsonBody(200, out);
  AddLinkHeader(req, *listed, response);
  return response;
}

Result<HttpResponse> Favourites(const StatusRouteParts& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params);
  if (!page) return std::move(page).error();
  auto listed = ctx.status_reads.Favourites(req.account_id(), *page);
  if (!listed) return std::move(listed).error();
  std::vector<int64_t> ids;
  for (const auto& entry : *listed) ids.push_back(entry.item);
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  return ListResponse(presenter, req, ids, *listed);
}

Result<HttpResponse> Bookmarks(const StatusRouteParts& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params);
  if (!page) return std::move(page).error();
  auto listed = ctx.status_reads.Bookmarks(req.account_id(), *page);
  if (!listed) return std::move(listed).error();
  std::vector<int64_t> ids;
  for (const auto& entry : *listed) ids.push_back(entry.item);
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  return ListResponse(presenter, req, ids, *listed);
}

Result<HttpResponse> AccountStatuses(const StatusRouteParts& ctx, ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto page = ParsePage(req.params);
  if (!page) return std::move(page).error();
  AccountStatusFilter filter;
  for (auto [key, target] : {std::pair{"exclude_replies", &filter.exclude_replies},
                             {"exclude_reblogs", &filter.exclude_reblogs},
                             {"only_media", &filter.only_media}}) {
    auto v = req.params.Bool(key);
    if (!v) return std::move(v).error();
    *target = v->value_or(false);
  }
  auto pinned = req.params.Bool("pinned");
  if (!pinned) return std::move(pinned).error();
  auto tagged = req.params.String("tagged");
  if (!tagged) return std::move(tagged).error();
  if (tagged->has_value()) {
    std::string tag = **tagged;
    if (!tag.empty() && tag[0] == '#') tag.erase(0, 1);
    filter.tagged = NormalizeTagName(tag);
  }
  auto ids = ctx.user_timeline.Page(req.account_id(), *id, filter, *page);
  if (!ids) return std::move(ids).error();
  if (pinned->value_or(false)) return JsonResponse(200, "[]");  // pinning is not offered yet
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto rendered = presenter.RenderVisibleIds(*ids);
  if (!rendered) return std::move(rendered).error();
  HttpResponse response = JsonResponse(200, std::move(rendered).value());
  if (!ids->empty()) AddLinkHeader(req, ids->front(), ids->back(), response);
  return response;
}

}  // namespace

void AddStatusRoutes(ApiRoutes& routes, const StatusRouteParts& ctx) {
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses"},
             [ctx](ApiRequest& r) { return PostStatus(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses"},
             [ctx](ApiRequest& r) { return ShowStatus(ctx, r); });
  routes.Add({.method = "DELETE",
              .pattern = "/api/v1/statuses/:id",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses",
              .limit = LimitClass::kDeletes},
             [ctx](ApiRequest& r) { return DeleteStatus(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/context",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses"},
             [ctx](ApiRequest& r) { return Context(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/source",
              .auth = AuthRequirement::kUser,
              .scopes = "read:statuses"},
             [ctx](ApiRequest& r) { return StatusSource(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/favourite",
              .auth = AuthRequirement::kUser,
              .scopes = "write:favourites"},
             [ctx](ApiRequest& r) { return FavouriteStatus(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/unfavourite",
              .auth = AuthRequirement::kUser,
              .scopes = "write:favourites"},
             [ctx](ApiRequest& r) { return FavouriteStatus(ctx, r, false); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/bookmark",
              .auth = AuthRequirement::kUser,
              .scopes = "write:bookmarks"},
             [ctx](ApiRequest& r) { return BookmarkStatus(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/unbookmark",
              .auth = AuthRequirement::kUser,
              .scopes = "write:bookmarks"},
             [ctx](ApiRequest& r) { return BookmarkStatus(ctx, r, false); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/reblog",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses"},
             [ctx](ApiRequest& r) { return Reblog(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/unreblog",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses",
              .limit = LimitClass::kDeletes},
             [ctx](ApiRequest& r) { return Unreblog(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/favourited_by",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [ctx](ApiRequest& r) { return AccountsWho(ctx, r, true); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/reblogged_by",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [ctx](ApiRequest& r) { return AccountsWho(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/favourites",
              .auth = AuthRequirement::kUser,
              .scopes = "read:favourites"},
             [ctx](ApiRequest& r) { return Favourites(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/bookmarks",
              .auth = AuthRequirement::kUser,
              .scopes = "read:bookmarks"},
             [ctx](ApiRequest& r) { return Bookmarks(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id/statuses",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses",
              .execution = Execution::kMemoryFirst},
             [ctx](ApiRequest& r) { return AccountStatuses(ctx, r); });
}

}  // namespace chirp
