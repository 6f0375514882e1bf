// Finding a status as one viewer may see it: the one rule every service
// that acts on a status uses before acting (favourite, reblog, reply,
// delete), so that what is hidden from a viewer is also out of their reach.
#pragma once

#include <cstdint>

#include "core/error.h"
#include "social/lookups.h"
#include "social/viewer_cache.h"

namespace chirp {

// The live status `status_id` when `viewer_id` may see it (and, for a reblog,
// what it wraps: social/visibility.h); kNotFound when it is unknown, deleted
// or hidden from the viewer, so that a hidden status is indistinguishable
// from a missing one.
Result<StatusRecord> FindVisibleStatus(StatusLookup& statuses, ViewerCache& viewers,
                                       int64_t viewer_id, int64_t status_id);

// Whether a reader with `visibility` may see `status`: the status itself
// and, for a reblog, what it wraps. The rule FindVisibleStatus applies, for
// callers that hold the reader's state already (the presenters).
Result<bool> MayView(StatusLookup& statuses, const ViewerVisibility& visibility,
                     const StatusRecord& status);

}  // namespace chirp
