#include "social/status_access.h"

namespace chirp {

Result<bool> MayView(StatusLookup& statuses, const ViewerVisibility& visibility,
                     const StatusRecord& status) {
  if (!visibility.CanSee(status)) return false;
  if (status.reblog_of_id == 0) return true;
  auto original = statuses.FindLive(status.reblog_of_id);
  if (!original) {
    return original.error().code == ErrorCode::kNotFound ? Result<bool>(false) : original.error();
  }
  return visibility.CanSee(*original);
}

Result<StatusRecord> FindVisibleStatus(StatusLookup& statuses, ViewerCache& viewers,
                                       int64_t viewer_id, int64_t status_id) {
  auto status = statuses.FindLive(status_id);
  if (!status) return std::move(status).error();
  auto viewer = viewers.Get(viewer_id);
  if (!viewer) return std::move(viewer).error();
  auto visible = MayView(statuses, (*viewer)->visibility, *status);
  if (!visible) return std::move(visible).error();
  if (!*visible) return Error::NotFound();
  return status;
}

}  // namespace chirp
