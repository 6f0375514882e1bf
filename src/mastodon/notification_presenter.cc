#include "mastodon/notification_presenter.h"

#include "core/time_format.h"

namespace chirp {

const char* NotificationTypeName(NotificationType type) {
  switch (type) {
    case NotificationType::kMention:
      return "mention";
    case NotificationType::kStatus:
      return "status";
    case NotificationType::kReblog:
      return "reblog";
    case NotificationType::kFollow:
      return "follow";
    case NotificationType::kFollowRequest:
      return "follow_request";
    case NotificationType::kFavourite:
      return "favourite";
    case NotificationType::kUpdate:
      return "update";
  }
  return "mention";
}

std::optional<NotificationType> ParseNotificationType(std::string_view name) {
  for (NotificationType t :
       {NotificationType::kMention, NotificationType::kStatus, NotificationType::kReblog,
        NotificationType::kFollow, NotificationType::kFollowRequest, NotificationType::kFavourite,
        NotificationType::kUpdate}) {
    if (name == NotificationTypeName(t)) return t;
  }
  return std::nullopt;
}

Result<std::string> NotificationPresenter::RenderStatus(int64_t status_id) {
  auto status = read_.statuses.Get(status_id, base_url_);
  if (!status) return std::move(status).error();
  return statuses_.Render(*status);
}

Result<bool> NotificationPresenter::Append(std::string& out, const NotificationRecord& n) {
  std::string status;
  if (n.status_id != 0) {
    auto rendered = RenderStatus(n.status_id);
    if (!rendered) {
      if (rendered.error().code == ErrorCode::kNotFound) return false;
      return std::move(rendered).error();
    }
    status = std::move(rendered).value();
  }
  std::string entity;
  entity.reserve(256 + status.size());
  entity += R"({"id":")";
  entity += std::to_string(n.id);
  entity += R"(","type":")";
  entity += NotificationTypeName(n.type);
  entity += R"(","created_at":")";
  entity += FormatIso8601Millis(n.created_at_ms);
  entity += R"(","group_key":")";
  entity += n.group_key;  // digits, letters and dashes: nothing to escape
  entity += R"(","account":)";
  bool found = false;
  Status s = read_.accounts.WithJson(n.from_account_id, base_url_, [&](std::string_view json) {
    entity += json;
    found = true;
  });
  if (!s) {
    if (s.error().code == ErrorCode::kNotFound) return false;
    return std::move(s).error();
  }
  if (!found) return false;
  if (!status.empty()) {
    entity += R"(,"status":)";
    entity += status;
  }
  entity += '}';
  if (!out.empty() && out.back() != '[') out += ',';
  out += entity;
  return true;
}

Result<std::string> NotificationPresenter::RenderList(
    const std::vector<NotificationRecord>& notifications) {
  std::string out = "[";
  for (const NotificationRecord& n : notifications) {
    auto appended = Append(out, n);
    if (!appended) return std::move(appended).error();
  }
  out += ']';
  return out;
}

}  // namespace chirp
