// Writing events into the outbox, inside a write transaction of the store.
#pragma once

#include "core/error.h"
#include "store/events.h"
#include "store/records.h"
#include "store/sqlite/sqlite_db.h"

namespace chirp {

// Appends `event` (its id is assigned by the table) to the outbox in the
// caller's transaction, so the event commits with the change it announces.
Status AppendEvent(SqliteDb& db, const OutboxEvent& event);

// The event announcing that `status` was created or deleted, with what it
// replies to or reblogs.
OutboxEvent StatusEvent(EventKind kind, const StatusRecord& status, int64_t at_ms);

}  // namespace chirp
