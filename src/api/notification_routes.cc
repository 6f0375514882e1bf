// Notifications (/api/v1/notifications, the grouped /api/v2/notifications)
// and read markers (/api/v1/markers), which say what "unread" means.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <unordered_set>

#include "api/notification_presenter.h"
#include "api/pagination.h"
#include "api/routes.h"
#include "core/text.h"
#include "core/time_format.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr int kDefaultNotificationLimit = 40;
constexpr int kMaxNotificationLimit = 80;
constexpr int64_t kDefaultUnreadCap = 100;
constexpr int64_t kMaxUnreadCap = 1000;
// Accounts a group names in sample_account_ids.
constexpr int kGroupSampleAccounts = 8;
// Notifications read per step while a page of groups fills up, and steps at most.
constexpr int kGroupScanSteps = 4;

constexpr const char* kNotificationsMarker = "notifications";
constexpr const char* kHomeMarker = "home";

int64_t TypeBit(NotificationType type) { return int64_t{1} << static_cast<int>(type); }

// types[], exclude_types[] and account_id, as Mastodon reads them: unknown
// type names are ignored.
Result<NotificationFilter> ParseFilter(const Params& params) {
  NotificationFilter filter;
  auto types = params.StringList("types");
  if (!types) return std::move(types).error();
  if (!types->empty()) {
    filter.type_mask = 0;
    for (const std::string& name : *types) {
      if (auto t = ParseNotificationType(name)) filter.type_mask |= TypeBit(*t);
    }
  }
  auto excluded = params.StringList("exclude_types");
  if (!excluded) return std::move(excluded).error();
  for (const std::string& name : *excluded) {
    if (auto t = ParseNotificationType(name)) filter.type_mask &= ~TypeBit(*t);
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
  auto limit = params.Int("limit");
  if (!limit) return std::move(limit).error();
  if (!*limit) return kDefaultUnreadCap;
  return std::clamp<int64_t>(std::abs(**limit), 1, kMaxUnreadCap);
}

// The id of the newest notification read, from the marker; 0 when unset.
Result<int64_t> LastRead(ApiContext& ctx, int64_t account_id) {
  auto marker = ctx.store.FindMarker(account_id, kNotificationsMarker);
  if (!marker) return std::move(marker).error();
  return *marker ? (*marker)->last_read_id : 0;
}

Result<HttpResponse> List(ApiContext& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params, kDefaultNotificationLimit, kMaxNotificationLimit);
  if (!page) return std::move(page).error();
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto found = ctx.store.ListNotifications(req.account_id(), *filter, *page);
  if (!found) return std::move(found).error();
  NotificationPresenter presenter(ctx, req.account_id(), req.base_url);
  auto rendered = presenter.RenderList(*found);
  if (!rendered) return std::move(rendered).error();
  HttpResponse response = JsonResponse(200, std::move(rendered).value());
  if (!found->empty()) AddLinkHeader(req, found->front().id, found->back().id, response);
  return response;
}

Result<NotificationRecord> Own(ApiContext& ctx, const ApiRequest& req) {
  auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  return ctx.store.FindNotification(req.account_id(), *id);
}

Result<HttpResponse> Show(ApiContext& ctx, ApiRequest& req) {
  auto n = Own(ctx, req);
  if (!n) return std::move(n).error();
  NotificationPresenter presenter(ctx, req.account_id(), req.base_url);
  std::string out;
  auto shown = presenter.Append(out, *n);
  if (!shown) return std::move(shown).error();
  if (!*shown) return Error::NotFound();
  return JsonResponse(200, std::move(out));
}

// Answers a dismissal: {} when something went, else 404.
Result<HttpResponse> Dismissed(const Result<bool>& removed) {
  if (!removed) return removed.error();
  if (!*removed) return Error::NotFound();
  return JsonResponse(200, "{}");
}

Result<HttpResponse> Dismiss(ApiContext& ctx, ApiRequest& req) {
  auto id = ParseId(req.path.Get("id"));
  if (!id) return Error::NotFound();
  return Dismissed(ctx.store.DismissNotification(req.account_id(), *id));
}

Result<HttpResponse> UnreadCount(ApiContext& ctx, ApiRequest& req) {
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto cap = UnreadCap(req.params);
  if (!cap) return std::move(cap).error();
  auto last_read = LastRead(ctx, req.account_id());
  if (!last_read) return std::move(last_read).error();
  auto count = ctx.store.CountNotifications(req.account_id(), *filter, *last_read, *cap);
  if (!count) return std::move(count).error();
  return JsonBody(200, json::object{{"count", *count}});
}

// --- Grouped notifications (/api/v2) ---

// The types grouped by their key (grouped_types[]; favourite, follow and
// reblog by default); others stand alone.
Result<int64_t> GroupedTypes(const Params& params) {
  if (!params.Has("grouped_types")) {
    return TypeBit(NotificationType::kFavourite) | TypeBit(NotificationType::kFollow) |
           TypeBit(NotificationType::kReblog);
  }
  auto names = params.StringList("grouped_types");
  if (!names) return std::move(names).error();
  int64_t mask = 0;
  for (const std::string& name : *names) {
    if (auto t = ParseNotificationType(name)) mask |= TypeBit(*t);
  }
  return mask;
}

constexpr std::string_view kUngrouped = "ungrouped-";

std::string KeyOf(const NotificationRecord& n, int64_t grouped_types) {
  if ((grouped_types & TypeBit(n.type)) != 0) return n.group_key;
  return std::string(kUngrouped) + std::to_string(n.id);
}

// The notification a key of a group of one names ("ungrouped-<id>").
std::optional<int64_t> UngroupedId(std::string_view key) {
  if (!key.starts_with(kUngrouped)) return std::nullopt;
  return ParseId(key.substr(kUngrouped.size()));
}

struct Group {
  std::string key;
  std::vector<NotificationRecord> in_page;  // newest first
};

// Renders groups as the v2 results: {accounts, statuses, notification_groups}.
Result<std::string> RenderGroups(ApiContext& ctx, const ApiRequest& req,
                                 const std::vector<Group>& groups) {
  NotificationPresenter presenter(ctx, req.account_id(), req.base_url);
  std::vector<int64_t> account_ids;
  std::string statuses = "[";
  std::unordered_set<int64_t> statuses_seen;
  json::array entries;
  for (const Group& g : groups) {
    const NotificationRecord& newest = g.in_page.front();
    // The whole group (beyond this page) for its count and sample accounts.
    std::vector<NotificationRecord> members = g.in_page;
    int64_t count = static_cast<int64_t>(g.in_page.size());
    if (g.key == newest.group_key && !g.key.starts_with(kUngrouped)) {
      auto all = ctx.store.ListNotificationGroup(req.account_id(), g.key, kGroupSampleAccounts);
      if (!all) return std::move(all).error();
      auto total = ctx.store.CountNotificationGroup(req.account_id(), g.key);
      if (!total) return std::move(total).error();
      if (!all->empty()) members = std::move(all).value();
      count = std::max(count, *total);
    }
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
    for (const NotificationRecord& m : members) {
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
    entry["notifications_count"] = count;
    entry["type"] = NotificationTypeName(newest.type);
    entry["most_recent_notification_id"] = std::to_string(std::max(newest.id, members.front().id));
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

Result<HttpResponse> ListGroups(ApiContext& ctx, ApiRequest& req) {
  auto page = ParsePage(req.params, kDefaultNotificationLimit, kMaxNotificationLimit);
  if (!page) return std::move(page).error();
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto grouped = GroupedTypes(req.params);
  if (!grouped) return std::move(grouped).error();
  // Reads notifications until `limit` groups are found; the page ends
  // before the first notification of a group beyond them.
  std::vector<Group> groups;
  std::map<std::string, size_t> index;
  PageRequest step = *page;
  step.limit = page->limit * 2;
  int64_t newest_id = 0;
  int64_t oldest_id = 0;
  bool full = false;
  for (int i = 0; i < kGroupScanSteps && !full; ++i) {
    auto found = ctx.store.ListNotifications(req.account_id(), *filter, step);
    if (!found) return std::move(found).error();
    for (const NotificationRecord& n : *found) {
      const std::string key = KeyOf(n, *grouped);
      auto it = index.find(key);
      if (it == index.end()) {
        if (groups.size() == static_cast<size_t>(page->limit)) {
          full = true;
          break;
        }
        it = index.emplace(key, groups.size()).first;
        groups.push_back({key, {}});
      }
      groups[it->second].in_page.push_back(n);
      if (newest_id == 0) newest_id = n.id;
      oldest_id = n.id;
    }
    if (found->size() < static_cast<size_t>(step.limit) || page->min_id > 0) break;
    step.max_id = found->back().id;
  }
  auto body = RenderGroups(ctx, req, groups);
  if (!body) return std::move(body).error();
  HttpResponse response = JsonResponse(200, std::move(body).value());
  if (newest_id != 0) AddLinkHeader(req, newest_id, oldest_id, response);
  return response;
}

// The notifications of the group named in the path, newest first.
Result<std::vector<NotificationRecord>> GroupMembers(ApiContext& ctx, const ApiRequest& req,
                                                     int limit) {
  const std::string key(req.path.Get("group_key"));
  if (key.starts_with(kUngrouped)) {
    auto id = UngroupedId(key);
    if (!id) return Error::NotFound();
    auto n = ctx.store.FindNotification(req.account_id(), *id);
    if (!n) return std::move(n).error();
    return std::vector<NotificationRecord>{*n};
  }
  auto members = ctx.store.ListNotificationGroup(req.account_id(), key, limit);
  if (!members) return std::move(members).error();
  if (members->empty()) return Error::NotFound();
  return members;
}

Result<HttpResponse> ShowGroup(ApiContext& ctx, ApiRequest& req) {
  auto members = GroupMembers(ctx, req, kGroupSampleAccounts);
  if (!members) return std::move(members).error();
  const std::string key(req.path.Get("group_key"));
  auto body = RenderGroups(ctx, req, {Group{key, std::move(members).value()}});
  if (!body) return std::move(body).error();
  if (body->find(R"("notification_groups":[])") != std::string::npos) return Error::NotFound();
  return JsonResponse(200, std::move(body).value());
}

Result<HttpResponse> GroupAccounts(ApiContext& ctx, ApiRequest& req) {
  auto members = GroupMembers(ctx, req, kMaxNotificationLimit);
  if (!members) return std::move(members).error();
  std::string out = "[";
  std::unordered_set<int64_t> seen;
  for (const NotificationRecord& n : *members) {
    if (!seen.insert(n.from_account_id).second) continue;
    Status s = ctx.accounts.WithJson(n.from_account_id, req.base_url, [&](std::string_view a) {
      if (out.size() > 1) out += ',';
      out += a;
    });
    if (!s && s.error().code != ErrorCode::kNotFound) return std::move(s).error();
  }
  out += ']';
  return JsonResponse(200, std::move(out));
}

Result<HttpResponse> DismissGroup(ApiContext& ctx, ApiRequest& req) {
  const std::string key(req.path.Get("group_key"));
  if (key.starts_with(kUngrouped)) {
    auto id = UngroupedId(key);
    if (!id) return Error::NotFound();
    return Dismissed(ctx.store.DismissNotification(req.account_id(), *id));
  }
  return Dismissed(ctx.store.DismissNotificationGroup(req.account_id(), key));
}

// Unread groups: the distinct groups among the notifications above the marker.
Result<HttpResponse> UnreadGroupCount(ApiContext& ctx, ApiRequest& req) {
  auto filter = ParseFilter(req.params);
  if (!filter) return std::move(filter).error();
  auto cap = UnreadCap(req.params);
  if (!cap) return std::move(cap).error();
  auto grouped = GroupedTypes(req.params);
  if (!grouped) return std::move(grouped).error();
  auto last_read = LastRead(ctx, req.account_id());
  if (!last_read) return std::move(last_read).error();
  auto unread = ctx.store.ListNotifications(
      req.account_id(), *filter,
      {.since_id = *last_read, .limit = static_cast<int>(kMaxUnreadCap)});
  if (!unread) return std::move(unread).error();
  std::unordered_set<std::string> keys;
  for (const NotificationRecord& n : *unread) {
    keys.insert(KeyOf(n, *grouped));
    if (static_cast<int64_t>(keys.size()) == *cap) break;
  }
  return JsonBody(200, json::object{{"count", keys.size()}});
}

// --- Markers ---

json::object MarkerJson(const Marker& m) {
  return {{"last_read_id", std::to_string(m.last_read_id)},
          {"version", m.version},
          {"updated_at", FormatIso8601Millis(m.updated_at_ms)}};
}

Result<HttpResponse> GetMarkers(ApiContext& ctx, ApiRequest& req) {
  auto timelines = req.params.StringList("timeline");
  if (!timelines) return std::move(timelines).error();
  json::object out;
  for (const char* timeline : {kHomeMarker, kNotificationsMarker}) {
    if (std::find(timelines->begin(), timelines->end(), timeline) == timelines->end()) continue;
    auto marker = ctx.store.FindMarker(req.account_id(), timeline);
    if (!marker) return std::move(marker).error();
    if (*marker) out[timeline] = MarkerJson(**marker);
  }
  return JsonBody(200, out);
}

Result<HttpResponse> SaveMarkers(ApiContext& ctx, ApiRequest& req) {
  json::object out;
  for (const char* timeline : {kHomeMarker, kNotificationsMarker}) {
    auto group = req.params.Group(timeline);
    if (!group) continue;
    auto last_read = group->String("last_read_id");
    if (!last_read) return std::move(last_read).error();
    if (!*last_read) continue;
    auto id = ParseId(**last_read);
    if (!id) {
      return Error::Unprocessable("Validation failed: Last read id is invalid");
    }
    auto saved = ctx.store.SaveMarker(req.account_id(), timeline, *id, ctx.clock.NowMillis());
    if (!saved) return std::move(saved).error();
    out[timeline] = MarkerJson(*saved);
  }
  return JsonBody(200, out);
}

}  // namespace

void AddNotificationRoutes(ApiRoutes& routes, ApiContext& ctx) {
  const auto read = [&](std::string pattern, auto handler) {
    routes.Add({.method = "GET",
                .pattern = std::move(pattern),
                .auth = AuthRequirement::kUser,
                .scopes = "read:notifications"},
               [&ctx, handler](ApiRequest& r) { return handler(ctx, r); });
  };
  const auto write = [&](std::string pattern, auto handler) {
    routes.Add({.method = "POST",
                .pattern = std::move(pattern),
                .auth = AuthRequirement::kUser,
                .scopes = "write:notifications"},
               [&ctx, handler](ApiRequest& r) { return handler(ctx, r); });
  };
  read("/api/v1/notifications", List);
  read("/api/v1/notifications/unread_count", UnreadCount);
  write("/api/v1/notifications/clear", [](ApiContext& c, ApiRequest& r) -> Result<HttpResponse> {
    if (Status s = c.store.ClearNotifications(r.account_id()); !s) return std::move(s).error();
    return JsonResponse(200, "{}");
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
             [&ctx](ApiRequest& r) { return GetMarkers(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/api/v1/markers",
              .auth = AuthRequirement::kUser,
              .scopes = "write:statuses"},
             [&ctx](ApiRequest& r) { return SaveMarkers(ctx, r); });
}

}  // namespace chirp
