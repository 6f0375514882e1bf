// Timelines: home (cached, fan-out on write, celebrities merged at read),
// public and hashtag.
#include <algorithm>
#include <boost/json/array.hpp>

#include "api/pagination.h"
#include "api/routes.h"
#include "core/text.h"
#include "mastodon/status_presenter.h"
#include "text/status_text.h"

namespace chirp {
namespace json = boost::json;

namespace {

// Renders the statuses of `ids` for the viewer (blocked and muted accounts
// left out by the presenter), with the Link header of their ids.
Result<HttpResponse> StatusPage(const TimelineRouteParts& ctx, const ApiRequest& req,
                                const std::vector<int64_t>& ids, ViewerRef viewer = nullptr) {
  auto statuses = ctx.statuses.GetMany(ids, req.base_url);  // deleted ones drop out here
  if (!statuses) return std::move(statuses).error();
  StatusPresenter presenter(ctx.read, req.account_id(), req.base_url, std::move(viewer));
  presenter.HideMuted();
  auto rendered = presenter.RenderVisible(*statuses);
  if (!rendered) return std::move(rendered).error();
  HttpResponse response = JsonResponse(200, std::move(rendered).value());
  if (!statuses->empty())
    AddLinkHeader(req, statuses->front()->record.id, statuses->back()->record.id, response);
  return response;
}

Result<HttpResponse> Home(const TimelineRouteParts& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params);
  if (!page) return std::move(page).error();
  auto viewer = ctx.viewers.Get(req.account_id());
  if (!viewer) return std::move(viewer).error();
  auto ids = ctx.home->Page((*viewer)->visibility, *page);
  if (!ids) return std::move(ids).error();
  return StatusPage(ctx, req, *ids, std::move(viewer).value());
}

Result<PublicTimelineQuery> TimelineQuery(const Params& params) {
  PublicTimelineQuery q;
  auto only_media = params.Bool("only_media");
  if (!only_media) return std::move(only_media).error();
  q.only_media = only_media->value_or(false);
  return q;
}

Result<HttpResponse> Public(const TimelineRouteParts& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params);
  if (!page) return std::move(page).error();
  auto query = TimelineQuery(req.params);
  if (!query) return std::move(query).error();
  auto remote = req.params.Bool("remote");
  if (!remote) return std::move(remote).error();
  if (remote->value_or(false)) return JsonResponse(200, "[]");  // every status here is local
  auto ids = ctx.public_timelines.Public(*query, *page);
  if (!ids) return std::move(ids).error();
  return StatusPage(ctx, req, *ids);
}

Result<std::vector<std::string>> TagList(const Params& params, const char* key) {
  auto list = params.StringList(key);
  if (!list) return std::move(list).error();
  std::vector<std::string> out;
  for (const std::string& t : *list) {
    std::string_view name = TrimAscii(t);
    if (name.starts_with('#')) name.remove_prefix(1);
    if (!name.empty()) out.push_back(NormalizeTagName(name));
  }
  return out;
}

Result<HttpResponse> Tag(const TimelineRouteParts& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params);
  if (!page) return std::move(page).error();
  auto query = TimelineQuery(req.params);
  if (!query) return std::move(query).error();
  const auto name = UrlDecode(req.path.Get("hashtag"));
  if (!name || name->empty()) return Error::NotFound();
  const std::string tag = NormalizeTagName(*name);
  for (auto [key, target] : {std::pair{"any", &query->any_tags},
                             {"all", &query->all_tags},
                             {"none", &query->none_tags}}) {
    auto list = TagList(req.params, key);
    if (!list) return std::move(list).error();
    target->insert(target->end(), list->begin(), list->end());
  }
  auto ids = ctx.public_timelines.Tagged(tag, *query, *page);
  if (!ids) return std::move(ids).error();
  return StatusPage(ctx, req, *ids);
}

}  // namespace

void AddTimelineRoutes(ApiRoutes& routes, const TimelineRouteParts& ctx) {
  routes.Add({.method = "GET",
              .pattern = "/api/v1/timelines/home",
              .auth = AuthRequirement::kUser,
              .scopes = "read:statuses",
              .execution = Execution::kMemoryFirst},
             [ctx](ApiRequest& r) { return Home(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/timelines/public",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses"},
             [ctx](ApiRequest& r) { return Public(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/timelines/tag/:hashtag",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses"},
             [ctx](ApiRequest& r) { return Tag(ctx, r); });
}

}  // namespace chirp
