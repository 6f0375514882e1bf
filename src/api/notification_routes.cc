// Notifications (/api/v1/notifications, the grouped /api/v2/notifications)
// and read markers (/api/v1/markers), which say what "unread" means.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_set>

#include "api/pagination.h"
#include "api/routes.h"
#include "core/text.h"
#include "core/time_format.h"
#include "mastodon/notification_presenter.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr int kDefaultNotificationLimit = 40;
constexpr int kMaxNotificationLimit = 80;
constexpr int64_t kDefaultUnreadCap = 100;
// Accounts a group names in sample_account_ids.
constexpr size_t kGroupSampleAccounts = NotificationService::kGroupSampleAccounts;

// The markers' timelines, in the order a response lists them.
constexpr std::string_view kMarkerTimelines[] = {NotificationService::kHomeMarker,
                                                 NotificationService::kNotificationsMarker};

// types[], exclude_types[] and account_id, as Mastodon reads them: unknown
// type names are ignored.
Result<NotificationFilter> ParseFilter(const Params& params) {
  NotificationFilter filter;
  auto types = params.StringList("types");
  if (!types) return std::move(types).error();
  if (!types->empty()) {
    filter.type_mask = 0;
    for (const std::string& name : *types) {
      if (auto t = ParseNotificationType(name)) filter.type_mask |= NotificationTypeBit(*t);
    }
  }
  auto excluded = params.StringList("exclude_types");
  if (!excluded) return std::move(excluded).error();
  for (const std::string& name : *excluded) {
    if (auto t = ParseNotificationType(name)) filter.type_mask &= ~NotificationTypeBit(*t);
  }
  auto account = params.String("account_id");
  if (!account) return std::move(account).error();
  if (*account && !(*account)->empty()) {
    auto id = ParseId(**account);
    if (!id) return Error::NotFound();
    filter.from_account_id = *id;
  }
  return filter;
}

Result<int64_t> UnreadCap(const Params& params) {
  auto limit = params.Count("limit", kDefaultUnreadCap, 1, NotificationService::kMaxUnreadCap);
  if (!limit) return std::move(limit).error();
  return *limit;
}

// The notification id in the path; kNotFound when it is not one.
Result<int64_t> PathId(const ApiRequest& req) {
  auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  return *id;
}

// Answers a dismissal: {} when something went, else the error (404 when nothing did).
Result<HttpResponse> Dismissed(const Status& dismissed) {
  if (!dismissed) return dismissed.error();
  return JsonResponse(200, "{}");
}

Result<HttpResponse> List(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params, kDefaultNotificationLimit, kMaxNotificationLimit);
  if (!page) return std::move(page).error();
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto found = ctx.notifications.List(req.account_id(), *filter, *page);
  if (!found) return std::move(found).error();
  NotificationPresenter presenter(ctx.read, req.account_id(), req.base_url);
  auto rendered = presenter.RenderList(*found);
  if (!rendered) return std::move(rendered).error();
  HttpResponse response = JsonResponse(200, std::move(rendered).value());
  if (!found->empty()) AddLinkHeader(req, found->front().id, found->back().id, response);
  return response;
}

Result<HttpResponse> Show(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto id = PathId(req);
  if (!id) return std::move(id).error();
  auto n = ctx.notifications.Find(req.account_id(), *id);
  if (!n) return std::move(n).error();
  NotificationPresenter presenter(ctx.read, req.account_id(), req.base_url);
  std::string out;
  auto shown = presenter.Append(out, *n);
  if (!shown) return std::move(shown).error();
  if (!*shown) return Error::NotFound();
  return JsonResponse(200, std::move(out));
}

Result<HttpResponse> Dismiss(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto id = PathId(req);
  if (!id) return std::move(id).error();
  return Dismissed(ctx.notifications.Dismiss(req.account_id(), *id));
}

Result<HttpResponse> UnreadCount(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto cap = UnreadCap(req.params);
  if (!cap) return std::move(cap).error();
  auto count = ctx.notifications.UnreadCount(req.account_id(), *filter, *cap);
  if (!count) return std::move(count).error();
  return JsonBody(200, json::object{{"count", *count}});
}

// --- Grouped notifications (/api/v2) ---

// The types grouped by their key (grouped_types[]; favourite, follow and
// reblog by default); others stand alone.
Result<int64_t> GroupedTypes(const Params& params) {
  if (!params.Has("grouped_types")) return NotificationService::kDefaultGroupedTypes;
  auto names = params.StringList("grouped_types");
  if (!names) return std::move(names).error();
  int64_t mask = 0;
  for (const std::string& name : *names) {
    if (auto t = ParseNotificationType(name)) mask |= NotificationTypeBit(*t);
  }
  return mask;
}

// Renders groups as the v2 results: {accounts, statuses, notification_groups}.
// A group whose status the reader may no longer see is left out.
Result<std::string> RenderGroups(const NotificationRouteParts& ctx, const ApiRequest& req,
                                 const std::vector<NotificationGroup>& groups) {
  NotificationPresenter presenter(ctx.read, req.account_id(), req.base_url);
  std::vector<int64_t> account_ids;
  std::string statuses = "[";
  std::unordered_set<int64_t> statuses_seen;
  json::array entries;
  for (const NotificationGroup& g : groups) {
    const NotificationRecord& newest = g.in_page.front();
    if (newest.status_id != 0 && !statuses_seen.contains(newest.status_id)) {
      auto status = presenter.RenderStatus(newest.status_id);
      if (!status) {
        if (status.error().code == ErrorCode::kNotFound) continue;  // no longer visible
        return std::move(status).error();
      }
      if (statuses.size() > 1) statuses += ',';
      statuses += *status;
      statuses_seen.insert(newest.status_id);
    }
    json::array sample;
    for (const NotificationRecord& m : g.newest) {
      const std::string id = std::to_string(m.from_account_id);
      if (std::find(sample.begin(), sample.end(), json::value(id)) != sample.end()) continue;
      if (sample.size() == kGroupSampleAccounts) break;
      sample.push_back(json::value(id));
      if (std::find(account_ids.begin(), account_ids.end(), m.from_account_id) ==
          account_ids.end()) {
        account_ids.push_back(m.from_account_id);
      }
    }
    json::object entry;
    entry["group_key"] = g.key;
    entry["notifications_count"] = g.count;
    entry["type"] = NotificationTypeName(newest.type);
    entry["most_recent_notification_id"] = std::to_string(std::max(newest.id, g.newest.front().id));
    entry["page_min_id"] = std::to_string(g.in_page.back().id);
    entry["page_max_id"] = std::to_string(newest.id);
    entry["latest_page_notification_at"] = FormatIso8601Millis(newest.created_at_ms);
    entry["sample_account_ids"] = std::move(sample);
    entry["status_id"] =
        newest.status_id != 0 ? json::value(std::to_string(newest.status_id)) : json::value();
    entries.push_back(std::move(entry));
  }
  statuses += ']';
  std::string accounts = "[";
  for (int64_t id : account_ids) {
    Status s = ctx.accounts.WithJson(id, req.base_url, [&](std::string_view account) {
      if (accounts.size() > 1) accounts += ',';
      accounts += account;
    });
    if (!s && s.error().code != ErrorCode::kNotFound) return std::move(s).error();
  }
  accounts += ']';
  return R"({"accounts":)" + accounts + R"(,"statuses":)" + statuses +
         R"(,"notification_groups":)" + json::serialize(entries) + "}";
}

Result<HttpResponse> ListGroups(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params, kDefaultNotificationLimit, kMaxNotificationLimit);
  if (!page) return std::move(page).error();
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto grouped = GroupedTypes(req.params);
  if (!grouped) return std::move(grouped).error();
  auto found = ctx.notifications.ListGroups(req.account_id(), *filter, *grouped, *page);
  if (!found) return std::move(found).error();
  auto body = RenderGroups(ctx, req, found->groups);
  if (!body) return std::move(body).error();
  HttpResponse response = JsonResponse(200, std::move(body).value());
  if (found->newest_id != 0) AddLinkHeader(req, found->newest_id, found->oldest_id, response);
  return response;
}

Result<HttpResponse> ShowGroup(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto group = ctx.notifications.Group(req.account_id(), req.path.Get("group_key"));
  if (!group) return std::move(group).error();
  auto body = RenderGroups(ctx, req, {std::move(group).value()});
  if (!body) return std::move(body).error();
  if (body->find(R"("notification_groups":[])") != std::string::npos) return Error::NotFound();
  return JsonResponse(200, std::move(body).value());
}

Result<HttpResponse> GroupAccounts(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto ids = ctx.notifications.GroupAccounts(req.account_id(), req.path.Get("group_key"));
  if (!ids) return std::move(ids).error();
  std::string out = "[";
  for (int64_t id : *ids) {
    Status s = ctx.accounts.WithJson(id, req.base_url, [&](std::string_view a) {
      if (out.size() > 1) out += ',';
      out += a;
    });
    if (!s && s.error().code != ErrorCode::kNotFound) return std::move(s).error();
  }
  out += ']';
  return JsonResponse(200, std::move(out));
}

Result<HttpResponse> DismissGroup(const NotificationRouteParts& ctx, ApiRequest& req) {
  return Dismissed(ctx.notifications.DismissGroup(req.account_id(), req.path.Get("group_key")));
}

// Unread groups: the distinct groups among the notifications above the marker.
Result<HttpResponse> UnreadGroupCount(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto cap = UnreadCap(req.params);
  if (!cap) return std::move(cap).error();
  auto grouped = GroupedTypes(req.params);
  if (!grouped) return std::move(grouped).error();
  auto count = ctx.notifications.UnreadGroupCount(req.account_id(), *filter, *grouped, *cap);
  if (!count) return std::move(count).error();
  return JsonBody(200, json::object{{"count", *count}});
}

// --- Markers ---

json::object MarkerJson(const Marker& m) {
  return {{"last_read_id", std::to_string(m.last_read_id)},
          {"version", m.version},
          {"updated_at", FormatIso8601Millis(m.updated_at_ms)}};
}

Result<HttpResponse> GetMarkers(const NotificationRouteParts& ctx, ApiRequest& req) {
  auto timelines = req.params.StringList("timeline");
  if (!timelines) return std::move(timelines).error();
  json::object out;
  for (std::string_view timeline : kMarkerTimelines) {
    if (std::find(timelines->begin(), timelines->end(), timeline) == timelines->end()) continue;
    auto marker = ctx.notifications.FindMarker(req.account_id(), timeline);
    if (!marker) return std::move(marker).error();
    if (*marker) out[timeline] = MarkerJson(**marker);
  }
  return JsonBody(200, out);
}

Result<HttpResponse> SaveMarkers(const NotificationRouteParts& ctx, ApiRequest& req) {
  json::object out;
  for (std::string_view timeline : kMarkerTimelines) {
    auto group = req.params.Group(timeline);
    if (!group) continue;
    auto last_read = group->String("last_read_id");
    if (!last_read) return std::move(last_read).error();
    if (!*last_read) continue;
    auto id = ParseId(**last_read);
    if (!id) {
      return Error::Unprocessable("Validation failed: Last read id is invalid");
    }
    auto saved = ctx.notifications.SaveMarker(req.account_id(), timeline, *id);
    if (!saved) return std::move(saved).error();
    out[timeline] = MarkerJson(*saved);
  }
  return JsonBody(200, out);
}

}  // namespace

void AddNotificationRoutes(ApiRoutes& routes, const NotificationRouteParts& ctx) {
  const auto read = [&](std::string pattern, auto handler) {
    routes.Add({.method = "GET",
                .pattern = std::move(pattern),
                .auth = AuthRequirement::kUser,
                .scopes = "read:notifications"},
               [ctx, handler](ApiRequest& r) { return handler(ctx, r); });
  };
  const auto write = [&](std::string pattern, auto handler) {
    routes.Add({.method = "POST",
                .pattern = std::move(pattern),
                .auth = AuthRequirement::kUser,
                .scopes = "write:notifications"},
               [ctx, handler](ApiRequest& r) { return handler(ctx, r); });
  };
  read("/api/v1/notifications", List);
  read("/api/v1/notifications/unread_count", UnreadCount);
  write("/api/v1/notifications/clear", [](const NotificationRouteParts& c, ApiRequest& r) {
    return Dismissed(c.notifications.Clear(r.account_id()));
  });
  read("/api/v1/notifications/:id", Show);
  write("/api/v1/notifications/:id/dismiss", Dismiss);

  read("/api/v2/notifications", ListGroups);
  read("/api/v2/notifications/unread_count", UnreadGroupCount);
  read("/api/v2/notifications/:group_key", ShowGroup);
  read("/api/v2/notifications/:group_key/accounts", GroupAccounts);
  write("/api/v2/notifications/:group_key/dismiss", DismissGroup);

  routes.Add({.method = "GET",
              .pattern = "/api/v1/markers",
              .auth = AuthRequirement::kUser,
              .scopes = "read:statuses"},
             [ctx](ApiRequest& r) { return GetMarkers(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/markers",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses"},
             [ctx](ApiRequest& r) { return SaveMarkers(ctx, r); });
}

}  // namespace chirp
