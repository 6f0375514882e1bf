// Turns statuses into what one viewer receives: visibility applied (through
// social/visibility), reblogs joined with the statuses they wrap, authors
// and mentions looked up, and the viewer's own flags filled in. Everything
// comes from memory when cached (api/status_directory.h,
// api/account_directory.h, social/viewer_cache.h); the answer is JSON text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "mastodon/read_models.h"
#include "mastodon/status_directory.h"
#include "social/viewer_cache.h"

namespace chirp {

class StatusPresenter {
 public:
  // `viewer_id` 0 is an anonymous reader. `viewer`, when given, is that
  // reader's state already loaded.
  StatusPresenter(ReadModels& read, int64_t viewer_id, std::string base_url,
                  ViewerRef viewer = nullptr)
      : read_(read),
        viewer_id_(viewer_id),
        base_url_(std::move(base_url)),
        viewer_(std::move(viewer)) {}

  // Timelines leave out the statuses of muted accounts, reblogs of them
  // included; single statuses and threads apply their own rules.
  void HideMuted() { hide_muted_ = true; }

  // A JSON array of those of `statuses` the viewer may see, in order; the
  // others are left out.
  Result<std::string> RenderVisible(const std::vector<StatusRef>& statuses);
  // The same for statuses by id; unknown and deleted ones are left out.
  Result<std::string> RenderVisibleIds(const std::vector<int64_t>& ids);

  // One status, or kNotFound when the viewer may not see it. With
  // `source_requested` (delete and redraft), `text` replaces `content`.
  Result<std::string> Render(const StatusRef& status, bool source_requested = false);
  // True when the viewer may see `status` (and, for a reblog, what it wraps).
  Result<bool> Visible(const StatusRecord& status);

 private:
  Result<ViewerRef> Viewer();
  // Appends the visible ones of `statuses`, comma separated.
  Status AppendVisible(std::string& out, const std::vector<StatusRef>& statuses,
                       bool source_requested);

  ReadModels& read_;
  int64_t viewer_id_;
  std::string base_url_;
  bool hide_muted_ = false;
  ViewerRef viewer_;
};

}  // namespace chirp
