// Turns notifications into the Notification entity one recipient receives:
// the acting account, and the status it concerns rendered for the
// recipient. A notification whose status the recipient may no longer see
// (or that is gone), or whose account is gone, is left out, so nothing
// reaches a recipient through a notification that visibility would hide.
// Used by /api/v1 and /api/v2 notifications and by the streaming API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mastodon/read_models.h"
#include "mastodon/status_presenter.h"
#include "store/notification_store.h"

namespace chirp {

// "mention", "status", "reblog", "follow", "follow_request", "favourite", "update".
const char* NotificationTypeName(NotificationType type);
std::optional<NotificationType> ParseNotificationType(std::string_view name);

class NotificationPresenter {
 public:
  NotificationPresenter(ReadModels& read, int64_t recipient_id, std::string base_url)
      : read_(read), base_url_(base_url), statuses_(read, recipient_id, std::move(base_url)) {}

  // Appends the entity of `n` (with a comma before it when `out` does not
  // end an opening bracket); false, with nothing appended, when it is left out.
  Result<bool> Append(std::string& out, const NotificationRecord& n);
  // A JSON array of those of `notifications` that are shown, in order.
  Result<std::string> RenderList(const std::vector<NotificationRecord>& notifications);

  // The status of a notification rendered for the recipient; kNotFound
  // when it may not be seen.
  Result<std::string> RenderStatus(int64_t status_id);

 private:
  ReadModels& read_;
  std::string base_url_;
  StatusPresenter statuses_;
};

}  // namespace chirp
