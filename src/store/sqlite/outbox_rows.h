// Writing events into the outbox, inside a write transaction of the store.
#pragma once

#include "core/error.h"
#include "store/events.h"
#include "store/sqlite/sqlite_db.h"

namespace chirp {

// Appends `event` (its id is assigned by the table) to the outbox in the
// caller's transaction, so the event commits with the change it announces.
Status AppendEvent(SqliteDb& db, const OutboxEvent& event);

}  // namespace chirp
