// Turns stored statuses into what one viewer receives: visibility applied
// (through social/visibility), reblogs joined with the statuses they wrap,
// authors and mentions looked up, and the viewer's own flags filled in.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "api/api_context.h"
#include "core/error.h"
#include "social/visibility.h"
#include "store/records.h"

namespace chirp {

class StatusPresenter {
 public:
  // `viewer_id` 0 is an anonymous reader. `viewer`, when given, is that
  // reader's relations already loaded (it must outlive the presenter).
  StatusPresenter(ApiContext& context, int64_t viewer_id, std::string base_url,
                  const ViewerVisibility* viewer = nullptr)
      : ctx_(context), viewer_id_(viewer_id), base_url_(std::move(base_url)), preloaded_(viewer) {}

  // Renders those of `statuses` the viewer may see, in order; the others are
  // left out. The viewer's relations, flags and reblogged statuses are
  // loaded once for the whole list.
  Result<boost::json::array> RenderVisible(const std::vector<StatusRecord>& statuses);
  // Timelines leave out the statuses of muted accounts, reblogs of them
  // included; single statuses and threads apply their own rules.
  void HideMuted() { hide_muted_ = true; }
  // Allocates what it renders from `sp` (which must outlive the result).
  void UseStorage(boost::json::storage_ptr sp) { sp_ = std::move(sp); }

  // Renders one status, or kNotFound when the viewer may not see it.
  Result<boost::json::object> Render(const StatusRecord& status, bool source_requested = false);
  // True when the viewer may see `status` (and, for a reblog, what it wraps).
  Result<bool> Visible(const StatusRecord& status);

 private:
  // Renders the visible ones of `statuses`; `source_requested` as in Render.
  Result<std::vector<boost::json::object>> RenderList(const std::vector<StatusRecord>& statuses,
                                                      bool source_requested);
  Result<boost::json::object> RenderUnchecked(const StatusRecord& status,
                                              const StatusRecord* original, bool favourited,
                                              bool reblogged, bool source_requested);

  ApiContext& ctx_;
  int64_t viewer_id_;
  std::string base_url_;
  bool hide_muted_ = false;
  const ViewerVisibility* preloaded_;
  boost::json::storage_ptr sp_;
};

}  // namespace chirp
