// Statuses: posting, reading, deleting, threads, source, favourites and
// reblogs, and an account's statuses.
#include <algorithm>
#include <boost/json/array.hpp>
#include <map>

#include "api/entities.h"
#include "api/pagination.h"
#include "api/routes.h"
#include "api/status_presenter.h"
#include "core/text.h"
#include "social/visibility.h"
#include "text/status_text.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr int64_t kIdempotencyWindowMs = 60 * 60 * 1000;  // Mastodon keeps keys for an hour
constexpr size_t kMaxSpoilerLength = 1000;
constexpr size_t kMaxIdempotencyKey = 200;
constexpr int kAncestorLimit = 4096;
constexpr int kDescendantLimit = 4096;
constexpr int kAnonymousAncestorLimit = 40;
constexpr int kAnonymousDescendantLimit = 60;

// The status named in the path, if the viewer may see it (404 otherwise,
// whether it does not exist or is hidden from them).
Result<StatusRef> VisibleStatus(ApiContext& ctx, const ApiRequest& req,
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

std::optional<Visibility> ParseVisibility(std::string_view v) {
  if (v == "public") return Visibility::kPublic;
  if (v == "unlisted") return Visibility::kUnlisted;
  if (v == "private") return Visibility::kPrivate;
  if (v == "direct") return Visibility::kDirect;
  return std::nullopt;
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

Result<HttpResponse> PostStatus(ApiContext& ctx, ApiRequest& req) {
  const Params& p = req.params;
  auto text = p.String("status");
  if (!text) return std::move(text).error();
  auto media_ids = p.StringList("media_ids");
  if (!media_ids) return std::move(media_ids).error();
  auto spoiler = p.String("spoiler_text");
  if (!spoiler) return std::move(spoiler).error();
  auto sensitive = p.Bool("sensitive");
  if (!sensitive) return std::move(sensitive).error();
  auto visibility_text = p.String("visibility");
  if (!visibility_text) return std::move(visibility_text).error();
  auto language = p.String("language");
  if (!language) return std::move(language).error();
  auto reply_to = p.String("in_reply_to_id");
  if (!reply_to) return std::move(reply_to).error();
  auto latitude = Coordinate(p, "latitude", 90);
  if (!latitude) return std::move(latitude).error();
  auto longitude = Coordinate(p, "longitude", 180);
  if (!longitude) return std::move(longitude).error();
  if (latitude->has_value() != longitude->has_value()) {
    return Error::Unprocessable("Validation failed: latitude and longitude go together");
  }

  auto author = ctx.accounts.Get(req.account_id());
  if (!author) return std::move(author).error();

  StatusRecord s;
  s.account_id = req.account_id();
  s.text = text->value_or("");
  s.spoiler_text = spoiler->value_or("");
  s.latitude = *latitude;
  s.longitude = *longitude;
  if (media_ids->size() > static_cast<size_t>(ctx.config.max_media_attachments)) {
    return Error::Unprocessable("Validation failed: Media attachments are limited to " +
                                std::to_string(ctx.config.max_media_attachments));
  }
  for (const std::string& text_id : *media_ids) {
    const auto media_id = ParseId(text_id);
    if (!media_id)
      return Error::Unprocessable("Validation failed: media attachment " + text_id +
                                  " was not found");
    if (std::find(s.media_ids.begin(), s.media_ids.end(), *media_id) == s.media_ids.end()) {
      s.media_ids.push_back(*media_id);
    }
  }
  if (TrimAscii(s.text).empty() && s.media_ids.empty()) {
    return Error::Unprocessable("Validation failed: Text can't be blank");
  }
  if (CountStatusLength(s.text) + CountGraphemes(s.spoiler_text) >
      static_cast<size_t>(ctx.config.max_characters)) {
    return Error::Unprocessable("Validation failed: Text character limit of " +
                                std::to_string(ctx.config.max_characters) + " exceeded");
  }
  if (CountCodePoints(s.spoiler_text) > kMaxSpoilerLength) {
    return Error::Unprocessable("Validation failed: Spoiler text is too long");
  }
  const std::string visibility_name = visibility_text->value_or((*author)->default_privacy);
  const auto visibility = ParseVisibility(visibility_name.empty() ? "public" : visibility_name);
  if (!visibility)
    return Error::Unprocessable("Validation failed: Visibility is not included in the list");
  s.visibility = *visibility;
  s.sensitive = sensitive->value_or((*author)->default_sensitive) || !s.spoiler_text.empty();
  s.language = language->value_or((*author)->default_language);
  if (!s.language.empty() && !((s.language.size() == 2 || s.language.size() == 3) &&
                               std::all_of(s.language.begin(), s.language.end(),
                                           [](char c) { return c >= 'a' && c <= 'z'; }))) {
    return Error::Unprocessable("Validation failed: Language is not a valid language code");
  }
  if (reply_to->has_value() && !(*reply_to)->empty()) {
    const auto parent_id = ParseId(**reply_to);
    const Error missing =
        Error::NotFound("The post you are trying to reply to does not appear to exist.");
    if (!parent_id) return missing;
    auto parent = ctx.statuses.Get(*parent_id, req.base_url);
    if (!parent) return parent.error().code == ErrorCode::kNotFound ? missing : parent.error();
    StatusPresenter presenter(ctx, req.account_id(), req.base_url);
    auto visible = presenter.Visible((*parent)->record);
    if (!visible) return std::move(visible).error();
    if (!*visible || (*parent)->record.reblog_of_id != 0) return missing;
    s.in_reply_to_id = (*parent)->record.id;
    s.in_reply_to_account_id = (*parent)->record.account_id;
  }

  const ParsedStatusText parsed = ParseStatusText(s.text);
  const auto resolve = [&](std::string_view username,
                           std::string_view domain) -> std::optional<ResolvedMention> {
    if (!domain.empty()) {
      const std::string_view host =
          std::string_view(req.base_url).substr(req.base_url.find("://") + 3);
      if (AsciiLower(domain) != AsciiLower(host)) return std::nullopt;
    }
    auto account = ctx.accounts.GetByUsername(username);
    if (!account) return std::nullopt;
    return ResolvedMention{(*account)->id, (*account)->username,
                           req.base_url + "/@" + (*account)->username, (*account)->username};
  };
  std::vector<ResolvedMention> mentions;
  s.content = RenderStatusHtml(s.text, parsed, resolve, req.base_url, &mentions);
  s.mentioned_account_ids = DistinctMentionedIds(mentions);
  // Each tag once, under its normalised name, shown as first written.
  s.tags = NormalizedTags(parsed, &s.tag_display_names);
  s.application_id = req.principal->app_id;
  s.id = ctx.ids.Next();
  s.created_at_ms = ctx.clock.NowMillis();

  std::string key(TrimAscii(req.http.Header("idempotency-key")));
  if (key.size() > kMaxIdempotencyKey)
    return Error::Unprocessable("Validation failed: Idempotency-Key is too long");
  const uint64_t token = ctx.statuses.LoadToken(s.id);
  auto created = ctx.store.CreateStatus(s, key, kIdempotencyWindowMs);
  if (!created) return std::move(created).error();
  if (created->stored) ctx.accounts.CountStatus(s.account_id, s.visibility, s.created_at_ms);
  if (s.in_reply_to_id != 0) ctx.statuses.Forget(s.in_reply_to_id);  // its replies_count
  auto stored = created->stored ? ctx.statuses.Remember(*created->stored, req.base_url, token)
                                : ctx.statuses.Get(created->id, req.base_url);
  if (!stored) return std::move(stored).error();
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  return RenderResponse(presenter, *stored);
}

Result<HttpResponse> ShowStatus(ApiContext& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  return RenderResponse(presenter, *status);
}

// After statuses were deleted: the caches drop them, the parent (its
// replies_count), the original of a reblog (its reblogs_count), and the
// accounts whose counters and reblogs changed.
void ForgetDeleted(ApiContext& ctx, const StatusRecord& record, const DeletedStatuses& deleted) {
  for (int64_t id : deleted.status_ids) ctx.statuses.Forget(id);
  if (record.in_reply_to_id != 0) ctx.statuses.Forget(record.in_reply_to_id);
  if (record.reblog_of_id != 0) ctx.statuses.Forget(record.reblog_of_id);
  for (int64_t account_id : deleted.account_ids) {
    ctx.accounts.Forget(account_id);
    ctx.viewers.Forget(account_id);
  }
}

Result<HttpResponse> DeleteStatus(ApiContext& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  const StatusRecord& record = (*status)->record;
  if (record.account_id != req.account_id()) return Error::Forbidden("This action is not allowed");
  auto rendered = presenter.Render(*status, /*source_requested=*/true);
  if (!rendered) return std::move(rendered).error();
  auto deleted = ctx.store.DeleteStatus(record.id, ctx.clock.NowMillis());
  if (!deleted) return std::move(deleted).error();
  ForgetDeleted(ctx, record, *deleted);
  return JsonResponse(200, std::move(rendered).value());
}

Result<HttpResponse> StatusSource(ApiContext& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  return JsonBody(200, StatusSourceJson((*status)->record));
}

Result<HttpResponse> Context(ApiContext& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto found = VisibleStatus(ctx, req, presenter);
  if (!found) return std::move(found).error();
  const StatusRecord* status = &(*found)->record;
  const bool anonymous = req.account_id() == 0;
  const int ancestor_limit = anonymous ? kAnonymousAncestorLimit : kAncestorLimit;
  const int descendant_limit = anonymous ? kAnonymousDescendantLimit : kDescendantLimit;

  // Ancestors, oldest first: walk up the reply chain.
  std::vector<StatusRecord> ancestors;
  int64_t parent = status->in_reply_to_id;
  while (parent != 0 && static_cast<int>(ancestors.size()) < ancestor_limit) {
    auto p = ctx.store.FindStatus(parent);
    if (!p) {
      if (p.error().code == ErrorCode::kNotFound) break;
      return std::move(p).error();
    }
    parent = p->in_reply_to_id;
    ancestors.push_back(std::move(p).value());
  }
  std::reverse(ancestors.begin(), ancestors.end());

  // Descendants in depth-first order: load the tree level by level, then walk it.
  std::map<int64_t, std::vector<StatusRecord>> children;
  std::vector<int64_t> frontier{status->id};
  int loaded = 0;
  while (!frontier.empty() && loaded < descendant_limit) {
    auto replies = ctx.store.ListReplies(frontier);
    if (!replies) return std::move(replies).error();
    frontier.clear();
    for (StatusRecord& r : *replies) {
      if (++loaded > descendant_limit) break;
      frontier.push_back(r.id);
      children[r.in_reply_to_id].push_back(std::move(r));
    }
  }
  std::vector<StatusRecord> descendants;
  std::vector<int64_t> stack{status->id};
  std::vector<const StatusRecord*> order;
  std::function<void(int64_t)> walk = [&](int64_t id) {
    auto it = children.find(id);
    if (it == children.end()) return;
    for (const StatusRecord& child : it->second) {
      order.push_back(&child);
      walk(child.id);
    }
  };
  walk(status->id);

  // Mutes hide statuses from threads.
  auto viewer = ctx.viewers.Get(req.account_id());
  if (!viewer) return std::move(viewer).error();
  const auto kept = [&](const std::vector<const StatusRecord*>& list) {
    std::vector<int64_t> out;
    for (const StatusRecord* s : list) {
      if (s->account_id == req.account_id() || !(*viewer)->visibility.Mutes(s->account_id))
        out.push_back(s->id);
    }
    return out;
  };
  std::vector<const StatusRecord*> ancestor_ptrs;
  for (const StatusRecord& a : ancestors) ancestor_ptrs.push_back(&a);
  auto a = presenter.RenderVisibleIds(kept(ancestor_ptrs));
  if (!a) return std::move(a).error();
  auto d = presenter.RenderVisibleIds(kept(order));
  if (!d) return std::move(d).error();
  return JsonResponse(200, "{\"ancestors\":" + *a + ",\"descendants\":" + *d + "}");
}

Result<HttpResponse> FavouriteStatus(ApiContext& ctx, ApiRequest& req, bool favourite) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  // Favouriting a reblog favourites what it wraps, as Mastodon does.
  const StatusRecord& record = (*status)->record;
  int64_t target = record.reblog_of_id != 0 ? record.reblog_of_id : record.id;
  if (favourite) {
    auto r = ctx.store.Favourite(req.account_id(), target, ctx.ids.Next(), ctx.clock.NowMillis());
    if (!r) return std::move(r).error();
  } else {
    auto r = ctx.store.Unfavourite(req.account_id(), target);
    if (!r) return std::move(r).error();
  }
  ctx.statuses.Forget(target);
  ctx.viewers.Forget(req.account_id());
  StatusPresenter after(ctx, req.account_id(), req.base_url);
  auto fresh = ctx.statuses.Get(target, req.base_url);
  if (!fresh) return std::move(fresh).error();
  return RenderResponse(after, *fresh);
}

Result<HttpResponse> Reblog(ApiContext& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  StatusRecord original = (*status)->record;
  if (original.reblog_of_id != 0) {
    auto inner = ctx.statuses.Get(original.reblog_of_id, req.base_url);
    if (!inner) return std::move(inner).error();
    original = (*inner)->record;
  }
  const bool own = original.account_id == req.account_id();
  // Mastodon's rule: direct never; private only one's own.
  if (original.visibility == Visibility::kDirect ||
      (original.visibility == Visibility::kPrivate && !own)) {
    return Error::Forbidden("This action is not allowed");
  }
  auto visibility_text = req.params.String("visibility");
  if (!visibility_text) return std::move(visibility_text).error();
  auto visibility = ParseVisibility(visibility_text->value_or("public"));
  if (!visibility || *visibility == Visibility::kDirect) {
    return Error::Unprocessable("Validation failed: Visibility is not included in the list");
  }
  // The store returns the live reblog when there is one. A concurrent
  // unreblog may delete it before it is read back; then reblog again.
  constexpr int kAttempts = 3;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    StatusRecord wrapper;
    wrapper.id = ctx.ids.Next();
    wrapper.account_id = req.account_id();
    wrapper.reblog_of_id = original.id;
    wrapper.visibility =
        original.visibility == Visibility::kPrivate ? Visibility::kPrivate : *visibility;
    wrapper.application_id = req.principal->app_id;
    wrapper.created_at_ms = ctx.clock.NowMillis();
    const uint64_t token = ctx.statuses.LoadToken(wrapper.id);
    auto created = ctx.store.CreateStatus(wrapper, "", 0);
    if (!created) return std::move(created).error();
    if (!created->existing) {
      ctx.accounts.Forget(req.account_id());
      ctx.statuses.Forget(original.id);  // its reblogs_count
      ctx.viewers.Forget(req.account_id());
    }
    StatusPresenter after(ctx, req.account_id(), req.base_url);
    auto stored = created->stored ? ctx.statuses.Remember(*created->stored, req.base_url, token)
                                  : ctx.statuses.Get(created->id, req.base_url);
    if (stored) return RenderResponse(after, *stored);
    if (stored.error().code != ErrorCode::kNotFound) return std::move(stored).error();
  }
  return Error::Unavailable("There was a temporary problem serving your request, please try again");
}

Result<HttpResponse> Unreblog(ApiContext& ctx, ApiRequest& req) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  const StatusRecord& record = (*status)->record;
  const int64_t original_id = record.reblog_of_id != 0 ? record.reblog_of_id : record.id;
  auto existing = ctx.store.FindReblog(req.account_id(), original_id);
  if (!existing) return std::move(existing).error();
  if (*existing) {
    auto deleted = ctx.store.DeleteStatus(**existing, ctx.clock.NowMillis());
    if (!deleted && deleted.error().code != ErrorCode::kNotFound) return std::move(deleted).error();
    ctx.statuses.Forget(**existing);
    ctx.statuses.Forget(original_id);
    ctx.accounts.Forget(req.account_id());
    ctx.viewers.Forget(req.account_id());
  }
  StatusPresenter after(ctx, req.account_id(), req.base_url);
  auto original = ctx.statuses.Get(original_id, req.base_url);
  if (!original) return std::move(original).error();
  return RenderResponse(after, *original);
}

Result<HttpResponse> AccountsWho(ApiContext& ctx, ApiRequest& req, bool favourited) {
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  auto status = VisibleStatus(ctx, req, presenter);
  if (!status) return std::move(status).error();
  auto page = ParsePage(req.params, kDefaultAccountPageLimit, kMaxAccountPageLimit);
  if (!page) return std::move(page).error();
  const int64_t id = (*status)->record.id;
  auto listed =
      favourited ? ctx.store.ListFavouritedBy(id, *page) : ctx.store.ListRebloggedBy(id, *page);
  if (!listed) return std::move(listed).error();
  json::array out;
  for (const auto& entry : *listed) {
    if (req.account_id() != 0 && entry.item != req.account_id()) {
      auto blocked = ctx.store.BlockedEitherWay(req.account_id(), entry.item);
      if (!blocked) return std::move(blocked).error();
      if (*blocked) continue;
    }
    auto a = ctx.accounts.Get(entry.item);
    if (a) out.push_back(AccountJson(**a, req.base_url));
  }
  HttpResponse response = JsonBody(200, out);
  AddLinkHeader(req, *listed, response);
  return response;
}

Result<HttpResponse> Favourites(ApiContext& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params);
  if (!page) return std::move(page).error();
  auto listed = ctx.store.ListFavourites(req.account_id(), *page);
  if (!listed) return std::move(listed).error();
  std::vector<int64_t> ids;
  for (const auto& entry : *listed) ids.push_back(entry.item);
  StatusPresenter presenter(ctx, req.account_id(), req.base_url);
  return ListResponse(presenter, req, ids, *listed);
}

Result<HttpResponse> AccountStatuses(ApiContext& ctx, ApiRequest& req) {
  const auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  auto account = ctx.accounts.Get(*id);
  if (!account) return std::move(account).error();
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
  if (pinned->value_or(false)) return JsonResponse(200, "[]");  // pinning is not offered yet
  auto tagged = req.params.String("tagged");
  if (!tagged) return std::move(tagged).error();
  if (tagged->has_value()) {
    std::string tag = **tagged;
    if (!tag.empty() && tag[0] == '#') tag.erase(0, 1);
    filter.tagged = NormalizeTagName(tag);
  }
  const int64_t viewer = req.account_id();
  if (viewer == *id) {
    filter.visibilities = {Visibility::kPublic, Visibility::kUnlisted, Visibility::kPrivate,
                           Visibility::kDirect};
  } else {
    filter.visibilities = {Visibility::kPublic, Visibility::kUnlisted};
    if (viewer != 0) {
      auto blocked = ctx.store.BlockedEitherWay(viewer, *id);
      if (!blocked) return std::move(blocked).error();
      if (*blocked) return JsonResponse(200, "[]");
      auto follow = ctx.store.FindFollow(viewer, *id);
      if (!follow) return std::move(follow).error();
      if (*follow) filter.visibilities.push_back(Visibility::kPrivate);
    }
  }
  auto listed = ctx.store.ListAccountStatuses(*id, filter, *page);
  if (!listed) return std::move(listed).error();
  std::vector<int64_t> ids;
  for (const auto& entry : *listed) ids.push_back(entry.item.id);
  StatusPresenter presenter(ctx, viewer, req.base_url);
  return ListResponse(presenter, req, ids, *listed);
}

}  // namespace

void AddStatusRoutes(ApiRoutes& routes, ApiContext& ctx) {
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses"},
             [&ctx](ApiRequest& r) { return PostStatus(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses"},
             [&ctx](ApiRequest& r) { return ShowStatus(ctx, r); });
  routes.Add({.method = "DELETE",
              .pattern = "/api/v1/statuses/:id",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses",
              .limit = LimitClass::kDeletes},
             [&ctx](ApiRequest& r) { return DeleteStatus(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/context",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses"},
             [&ctx](ApiRequest& r) { return Context(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/source",
              .auth = AuthRequirement::kUser,
              .scopes = "read:statuses"},
             [&ctx](ApiRequest& r) { return StatusSource(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/favourite",
              .auth = AuthRequirement::kUser,
              .scopes = "write:favourites"},
             [&ctx](ApiRequest& r) { return FavouriteStatus(ctx, r, true); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/unfavourite",
              .auth = AuthRequirement::kUser,
              .scopes = "write:favourites"},
             [&ctx](ApiRequest& r) { return FavouriteStatus(ctx, r, false); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/reblog",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses"},
             [&ctx](ApiRequest& r) { return Reblog(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/statuses/:id/unreblog",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses",
              .limit = LimitClass::kDeletes},
             [&ctx](ApiRequest& r) { return Unreblog(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/favourited_by",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [&ctx](ApiRequest& r) { return AccountsWho(ctx, r, true); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/statuses/:id/reblogged_by",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:accounts"},
             [&ctx](ApiRequest& r) { return AccountsWho(ctx, r, false); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/favourites",
              .auth = AuthRequirement::kUser,
              .scopes = "read:favourites"},
             [&ctx](ApiRequest& r) { return Favourites(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/accounts/:id/statuses",
              .auth = AuthRequirement::kOptional,
              .scopes = "read:statuses"},
             [&ctx](ApiRequest& r) { return AccountStatuses(ctx, r); });
}

}  // namespace chirp
