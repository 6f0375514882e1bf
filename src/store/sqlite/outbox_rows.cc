#include "store/sqlite/outbox_rows.h"

namespace chirp {

Status AppendEvent(SqliteDb& db, const OutboxEvent& e) {
  SqliteStatement s = db.Prepare(
      "INSERT INTO outbox (kind, account_id, subject_id, created_at, related_id, flags) "
      "VALUES (?,?,?,?,?,?)");
  s.Bind(1, static_cast<int64_t>(e.kind)).Bind(2, e.account_id).Bind(3, e.subject_id);
  s.Bind(4, e.created_at_ms).Bind(5, e.related_id).Bind(6, static_cast<int64_t>(e.flags));
  if (Status st = db.Run(s); !st) return st;
  db.CountEventAppended();
  return {};
}

}  // namespace chirp
