// The social graph: follow and unfollow (follow requests for locked
// accounts), followers and following, relationships, blocks and mutes.
#include <boost/json/array.hpp>

#include "api/pagination.h"
#include "api/routes.h"
#include "core/text.h"
#include "core/time_format.h"
#include "mastodon/entities.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr int kMaxRelationshipIds = 100;

// The relationship of the viewer to `target` after a change.
Result<HttpResponse> RelationshipResponse(const GraphRouteParts& ctx, int64_t viewer,
                                          int64_t target) {
  return PresentCommitted([&]() -> Result<HttpResponse> {
    auto r = ctx.graph.Relationship(viewer, target);
    if (!r) return std::move(r).error();
    return JsonBody(200, RelationshipJson(target, *r));
  });
}

// The account id in the path, or kNotFound.
Result<int64_t> PathAccount(const ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  return *id;
}

// Renders the accounts of a paged listing, skipping any that vanished.
Result<HttpResponse> AccountPage(const GraphRouteParts& ctx, const ApiRequest& req,
                                 const Result<std::vector<Paged<int64_t>>>& page) {
  if (!page) return page.error();
  json::array out;
  for (const auto& entry : *page) {
    auto a = ctx.accounts.Get(entry.item);
    if (a) out.push_back(AccountJson(**a, req.base_url));
  }
  HttpResponse response = JsonBody(200, out);
  AddLinkHeader(req, *page, response);
  return response;
}

Result<HttpResponse> FollowAccount(const GraphRouteParts& ctx, ApiRequest& req) {
  auto target = PathAccount(req);
  if (!target) return std::move(target).error();
  FollowOptions options;
  auto reblogs = req.params.Bool("reblogs");
  if (!reblogs) return std::move(reblogs).error();
  options.show_reblogs = *reblogs;
  auto notify = req.params.Bool("notify");
  if (!notify) return std::move(notify).error();
  options.notify = *notify;
  if (Status s = ctx.graph.Follow(req.account_id(), *target, options); !s) {
    return std::move(s).error();
  }
  return RelationshipResponse(ctx, req.account_id(), *target);
}

Result<HttpResponse> UnfollowAccount(const GraphRouteParts& ctx, ApiRequest& req) {
  auto target = PathAccount(req);
  if (!target) return std::move(target).error();
  if (Status s = ctx.graph.Unfollow(req.account_id(), *target); !s) return std::move(s).error();
  return RelationshipResponse(ctx, req.account_id(), *target);
}

Result<HttpResponse> Relationships(const GraphRouteParts& ctx, ApiRequest& req) {
  auto ids = req.params.StringList("id");
  if (!ids) return std::move(ids).error();
  json::array out;
  int count = 0;
  for (const std::string& text : *ids) {
    if (++count > kMaxRelationshipIds) break;
    const auto id = ParseId(text);
    if (!id || !ctx.accounts.Get(*id)) continue;
    auto r = ctx.graph.Relationship(req.account_id(), *id);
    if (!r) return std::move(r).error();
    out.push_back(RelationshipJson(*id, *r));
  }
  return JsonBody(200, out);
}

Result<HttpResponse> FollowLists(const GraphRouteParts& ctx, ApiRequest& req, bool followers) {
  auto target = PathAccount(req);
  if (!target) return std::move(target).error();
  auto page = ParsePage(req.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
  if (!page) return std::move(page).error();
  return AccountPage(ctx, req, ctx.graph.Connections(req.account_id(), *target, followers, *page));
}

Result<HttpResponse> FollowRequestDecision(const GraphRouteParts& ctx, ApiRequest& req,
                                           bool authorize) {
  auto requester = PathAccount(req);
  if (!requester) return std::move(requester).error();
  if (Status s = ctx.graph.DecideRequest(req.account_id(), *requester, authorize); !s) {
    return std::move(s).error();
  }
  return RelationshipResponse(ctx, req.account_id(), *requester);
}

Result<HttpResponse> BlockAccount(const GraphRouteParts& ctx, ApiRequest& req, bool block) {
  auto target = PathAccount(req);
  if (!target) return std::move(target).error();
  if (Status s = ctx.graph.SetBlock(req.account_id(), *target, block); !s) {
    return std::move(s).error();
  }
  return RelationshipResponse(ctx, req.account_id(), *target);
}

Result<HttpResponse> MuteAccount(const GraphRouteParts& ctx, ApiRequest& req, bool mute) {
  auto target = PathAccount(req);
  if (!target) return std::move(target).error();
  Status done;
  if (mute) {
    auto notifications = req.params.Bool("notifications");
    if (!notifications) return std::move(notifications).error();
    auto duration = req.params.Int("duration");
    if (!duration) return std::move(duration).error();
    done = ctx.graph.Mute(req.account_id(), *target,
                          {.hide_notifications = notifications->value_or(true),
                           .duration_seconds = duration->value_or(0)});
  } else {
    done = ctx.graph.Unmute(req.account_id(), *target);
  }
  if (!done) return std::move(done).error();
  return RelationshipResponse(ctx, req.account_id(), *target);
}

}  // namespace

void AddGraphRoutes(ApiRoutes& routes, const GraphRouteParts& ctx) {
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/relationships",
              .auth = AuthRequirement::kUser,
              .scopes = "read:follows"},
             [ctx](ApiRequest& r) { return Relationships(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/follow",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [ctx](ApiRequest& r) { return FollowAccount(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/unfollow",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [ctx](ApiRequest& r) { return UnfollowAccount(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id/followers",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [ctx](ApiRequest& r) { return FollowLists(ctx, r, true); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id/following",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [ctx](ApiRequest& r) { return FollowLists(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/follow_requests",
              .auth = AuthRequirement::kUser,
              .scopes = "read:follows"},
             [ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto page = ParsePage(r.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
               if (!page) return std::move(page).error();
               return AccountPage(ctx, r, ctx.graph.FollowRequests(r.account_id(), *page));
             });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/follow_requests/:id/authorize",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [ctx](ApiRequest& r) { return FollowRequestDecision(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/follow_requests/:id/reject",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [ctx](ApiRequest& r) { return FollowRequestDecision(ctx, r, false); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/block",
              .auth = AuthRequirement::kUser,
              .scopes = "write:blocks"},
             [ctx](ApiRequest& r) { return BlockAccount(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/unblock",
              .auth = AuthRequirement::kUser,
              .scopes = "write:blocks"},
             [ctx](ApiRequest& r) { return BlockAccount(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/blocks",
              .auth = AuthRequirement::kUser,
              .scopes = "read:blocks"},
             [ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto page = ParsePage(r.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
               if (!page) return std::move(page).error();
               return AccountPage(ctx, r, ctx.graph.Blocks(r.account_id(), *page));
             });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/mute",
              .auth = AuthRequirement::kUser,
              .scopes = "write:mutes"},
             [ctx](ApiRequest& r) { return MuteAccount(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/unmute",
              .auth = AuthRequirement::kUser,
              .scopes = "write:mutes"},
             [ctx](ApiRequest& r) { return MuteAccount(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/mutes",
              .auth = AuthRequirement::kUser,
              .scopes = "read:mutes"},
             [ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto page = ParsePage(r.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
               if (!page) return std::move(page).error();
               auto mutes = ctx.graph.Mutes(r.account_id(), *page);
               if (!mutes) return std::move(mutes).error();
               json::array out;
               for (const auto& entry : *mutes) {
                 auto a = ctx.accounts.Get(entry.item.target_account_id);
                 if (!a) continue;
                 json::object o = AccountJson(**a, r.base_url);
                 o["mute_expires_at"] =
                     entry.item.expires_at_ms != 0
                         ? json::value(FormatIso8601Millis(entry.item.expires_at_ms))
                         : json::value(nullptr);
                 out.push_back(std::move(o));
               }
               HttpResponse response = JsonBody(200, out);
               AddLinkHeader(r, *mutes, response);
               return response;
             });
}

}  // namespace chirp
