// The social graph: follow and unfollow (follow requests for locked
// accounts), followers and following, relationships, blocks and mutes.
#include <boost/json/array.hpp>

#include "api/entities.h"
#include "api/pagination.h"
#include "api/routes.h"
#include "core/text.h"
#include "core/time_format.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr int kMaxRelationshipIds = 100;

// The account named in the path, which must exist.
Result<AccountRef> TargetAccount(ApiContext& ctx, const ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  return ctx.accounts.Get(*id);
}

// After a committed change to who follows `account_id`: its counters and
// whether it is a celebrity (timeline/celebrities.h).
Status FollowersChanged(ApiContext& ctx, int64_t account_id) {
  ctx.accounts.Forget(account_id);
  return ctx.home != nullptr ? ctx.home->celebrities().Refresh(account_id) : Status();
}

Result<HttpResponse> RelationshipResponse(ApiContext& ctx, int64_t viewer, int64_t target) {
  auto r = ctx.store.Relationship(viewer, target, ctx.clock.NowMillis());
  if (!r) return std::move(r).error();
  return JsonBody(200, RelationshipJson(target, *r));
}

// Renders the accounts of a paged listing, skipping any that vanished.
Result<HttpResponse> AccountPage(ApiContext& ctx, const ApiRequest& req,
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

Result<HttpResponse> FollowAccount(ApiContext& ctx, ApiRequest& req) {
  auto target = TargetAccount(ctx, req);
  if (!target) return std::move(target).error();
  const int64_t viewer = req.account_id();
  if ((*target)->id == viewer) return Error::Forbidden("This action is not allowed");
  auto blocked = ctx.store.BlockedEitherWay(viewer, (*target)->id);
  if (!blocked) return std::move(blocked).error();
  if (*blocked) return Error::Forbidden("This action is not allowed");
  auto reblogs = req.params.Bool("reblogs");
  if (!reblogs) return std::move(reblogs).error();
  auto notify = req.params.Bool("notify");
  if (!notify) return std::move(notify).error();
  Follow f;
  f.id = ctx.ids.Next();
  f.account_id = viewer;
  f.target_account_id = (*target)->id;
  f.created_at_ms = ctx.clock.NowMillis();
  auto existing = ctx.store.FindFollow(viewer, f.target_account_id);
  if (!existing) return std::move(existing).error();
  // Settings left out keep their current value on an existing follow.
  f.show_reblogs = reblogs->value_or(*existing ? (*existing)->show_reblogs : true);
  f.notify = notify->value_or(*existing ? (*existing)->notify : false);
  if (*existing || !(*target)->locked) {
    auto created = ctx.store.CreateFollow(f);
    if (!created) return std::move(created).error();
  } else {
    auto requested = ctx.store.CreateFollowRequest(f);
    if (!requested) return std::move(requested).error();
  }
  ctx.accounts.Forget(viewer);
  ctx.viewers.Forget(viewer);
  if (Status s = FollowersChanged(ctx, f.target_account_id); !s) return std::move(s).error();
  return RelationshipResponse(ctx, viewer, f.target_account_id);
}

Result<HttpResponse> UnfollowAccount(ApiContext& ctx, ApiRequest& req) {
  auto target = TargetAccount(ctx, req);
  if (!target) return std::move(target).error();
  const int64_t viewer = req.account_id();
  if (auto r = ctx.store.DeleteFollow(viewer, (*target)->id); !r) return std::move(r).error();
  if (auto r = ctx.store.DeleteFollowRequest(viewer, (*target)->id); !r)
    return std::move(r).error();
  ctx.accounts.Forget(viewer);
  ctx.viewers.Forget(viewer);
  if (Status s = FollowersChanged(ctx, (*target)->id); !s) return std::move(s).error();
  return RelationshipResponse(ctx, viewer, (*target)->id);
}

Result<HttpResponse> Relationships(ApiContext& ctx, ApiRequest& req) {
  auto ids = req.params.StringList("id");
  if (!ids) return std::move(ids).error();
  json::array out;
  int count = 0;
  for (const std::string& text : *ids) {
    if (++count > kMaxRelationshipIds) break;
    const auto id = ParseId(text);
    if (!id || !ctx.accounts.Get(*id)) continue;
    auto r = ctx.store.Relationship(req.account_id(), *id, ctx.clock.NowMillis());
    if (!r) return std::move(r).error();
    out.push_back(RelationshipJson(*id, *r));
  }
  return JsonBody(200, out);
}

Result<HttpResponse> FollowLists(ApiContext& ctx, ApiRequest& req, bool followers) {
  auto target = TargetAccount(ctx, req);
  if (!target) return std::move(target).error();
  auto page = ParsePage(req.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
  if (!page) return std::move(page).error();
  // Blocked readers see nothing of the account's connections.
  if (req.account_id() != 0) {
    auto blocked = ctx.store.BlockedEitherWay(req.account_id(), (*target)->id);
    if (!blocked) return std::move(blocked).error();
    if (*blocked) return JsonResponse(200, "[]");
  }
  return AccountPage(ctx, req,
                     followers ? ctx.store.ListFollowers((*target)->id, *page)
                               : ctx.store.ListFollowing((*target)->id, *page));
}

Result<HttpResponse> FollowRequestDecision(ApiContext& ctx, ApiRequest& req, bool authorize) {
  auto requester = TargetAccount(ctx, req);
  if (!requester) return std::move(requester).error();
  const int64_t viewer = req.account_id();
  if (authorize) {
    Status s = ctx.store.AuthorizeFollowRequest((*requester)->id, viewer, ctx.ids.Next(),
                                                ctx.clock.NowMillis());
    if (!s) return std::move(s).error();
  } else {
    auto removed = ctx.store.DeleteFollowRequest((*requester)->id, viewer);
    if (!removed) return std::move(removed).error();
    if (!*removed) return Error::NotFound();
  }
  ctx.accounts.Forget((*requester)->id);
  ctx.viewers.Forget((*requester)->id);
  if (Status s = FollowersChanged(ctx, viewer); !s) return std::move(s).error();
  return RelationshipResponse(ctx, viewer, (*requester)->id);
}

Result<HttpResponse> BlockAccount(ApiContext& ctx, ApiRequest& req, bool block) {
  auto target = TargetAccount(ctx, req);
  if (!target) return std::move(target).error();
  const int64_t viewer = req.account_id();
  if ((*target)->id == viewer) return Error::Forbidden("This action is not allowed");
  if (block) {
    auto r = ctx.store.CreateBlock(ctx.ids.Next(), viewer, (*target)->id, ctx.clock.NowMillis());
    if (!r) return std::move(r).error();
  } else {
    auto r = ctx.store.DeleteBlock(viewer, (*target)->id);
    if (!r) return std::move(r).error();
  }
  // A block removes follows both ways and hides each from the other.
  ctx.viewers.Forget(viewer);
  ctx.viewers.Forget((*target)->id);
  if (Status s = FollowersChanged(ctx, viewer); !s) return std::move(s).error();
  if (Status s = FollowersChanged(ctx, (*target)->id); !s) return std::move(s).error();
  return RelationshipResponse(ctx, viewer, (*target)->id);
}

Result<HttpResponse> MuteAccount(ApiContext& ctx, ApiRequest& req, bool mute) {
  auto target = TargetAccount(ctx, req);
  if (!target) return std::move(target).error();
  const int64_t viewer = req.account_id();
  if ((*target)->id == viewer) return Error::Forbidden("This action is not allowed");
  if (mute) {
    auto notifications = req.params.Bool("notifications");
    if (!notifications) return std::move(notifications).error();
    auto duration = req.params.Int("duration");
    if (!duration) return std::move(duration).error();
    if (duration->value_or(0) < 0)
      return Error::Unprocessable("Validation failed: Duration must be positive");
    Mute m;
    m.id = ctx.ids.Next();
    m.account_id = viewer;
    m.target_account_id = (*target)->id;
    m.hide_notifications = notifications->value_or(true);
    m.created_at_ms = ctx.clock.NowMillis();
    m.expires_at_ms = duration->value_or(0) > 0 ? m.created_at_ms + **duration * 1000 : 0;
    if (Status s = ctx.store.CreateMute(m); !s) return std::move(s).error();
  } else {
    auto r = ctx.store.DeleteMute(viewer, (*target)->id);
    if (!r) return std::move(r).error();
  }
  ctx.viewers.Forget(viewer);
  return RelationshipResponse(ctx, viewer, (*target)->id);
}

}  // namespace

void AddGraphRoutes(ApiRoutes& routes, ApiContext& ctx) {
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/relationships",
              .auth = AuthRequirement::kUser,
              .scopes = "read:follows"},
             [&ctx](ApiRequest& r) { return Relationships(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/follow",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [&ctx](ApiRequest& r) { return FollowAccount(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/unfollow",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [&ctx](ApiRequest& r) { return UnfollowAccount(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id/followers",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [&ctx](ApiRequest& r) { return FollowLists(ctx, r, true); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id/following",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [&ctx](ApiRequest& r) { return FollowLists(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/follow_requests",
              .auth = AuthRequirement::kUser,
              .scopes = "read:follows"},
             [&ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto page = ParsePage(r.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
               if (!page) return std::move(page).error();
               return AccountPage(ctx, r, ctx.store.ListFollowRequests(r.account_id(), *page));
             });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/follow_requests/:id/authorize",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [&ctx](ApiRequest& r) { return FollowRequestDecision(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/follow_requests/:id/reject",
              .auth = AuthRequirement::kUser,
              .scopes = "write:follows"},
             [&ctx](ApiRequest& r) { return FollowRequestDecision(ctx, r, false); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/block",
              .auth = AuthRequirement::kUser,
              .scopes = "write:blocks"},
             [&ctx](ApiRequest& r) { return BlockAccount(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/unblock",
              .auth = AuthRequirement::kUser,
              .scopes = "write:blocks"},
             [&ctx](ApiRequest& r) { return BlockAccount(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/blocks",
              .auth = AuthRequirement::kUser,
              .scopes = "read:blocks"},
             [&ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto page = ParsePage(r.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
               if (!page) return std::move(page).error();
               return AccountPage(ctx, r, ctx.store.ListBlocks(r.account_id(), *page));
             });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/mute",
              .auth = AuthRequirement::kUser,
              .scopes = "write:mutes"},
             [&ctx](ApiRequest& r) { return MuteAccount(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/accounts/:id/unmute",
              .auth = AuthRequirement::kUser,
              .scopes = "write:mutes"},
             [&ctx](ApiRequest& r) { return MuteAccount(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/mutes",
              .auth = AuthRequirement::kUser,
              .scopes = "read:mutes"},
             [&ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto page = ParsePage(r.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
               if (!page) return std::move(page).error();
               auto mutes = ctx.store.ListMutes(r.account_id(), *page);
               if (!mutes) return std::move(mutes).error();
               json::array out;
               const int64_t now = ctx.clock.NowMillis();
               for (const auto& entry : *mutes) {
                 if (entry.item.expires_at_ms != 0 && entry.item.expires_at_ms <= now)
                   continue;  // expired
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
