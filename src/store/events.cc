#include "store/events.h"

namespace chirp {

OutboxEvent StatusEvent(EventKind kind, const StatusRecord& status, int64_t at_ms) {
  OutboxEvent e{.kind = kind,
                .account_id = status.account_id,
                .subject_id = status.id,
                .created_at_ms = at_ms};
  if (status.reblog_of_id != 0) {
    e.related_id = status.reblog_of_id;
    e.flags = kEventReblog;
  } else {
    e.related_id = status.in_reply_to_id;
  }
  if (status.visibility == Visibility::kDirect) e.flags |= kEventUncounted;
  return e;
}

}  // namespace chirp
