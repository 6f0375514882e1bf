// The outbox's reading side: what consumers read, their cursors, and the
// dead letters of events that kept failing. Events are written by the
// runner (pg_store.cc), just before the commit of the changes they
// announce, with ids from outbox_head.
#include "store/postgres/pg_store.h"

namespace chirp {
namespace {

// One condition serves every selection: a zero id, an empty consumer and
// marked_only false each select everything (dead letters are few).
#define CHIRP_DEAD_LETTER_SELECTED                                                      \
  "($1::bigint = 0 OR id = $1::bigint) AND ($2::text = '' OR consumer = $2::text) AND " \
  "(NOT $3::boolean OR replay)"

PgParams Selection(const DeadLetterSelection& selection) {
  PgParams params;
  params.Add(selection.id).Add(selection.consumer).Add(selection.marked_only);
  return params;
}

// PostgreSQL refuses a negative LIMIT, where SQLite reads it as no limit;
// LIMIT NULL is PostgreSQL's way to say the same.
void AddLimit(PgParams& params, int limit) {
  if (limit < 0) {
    params.AddNull();
  } else {
    params.Add(limit);
  }
}

OutboxEvent ReadEvent(const PgRows& rows, int row, int first) {
  return {.id = rows.Int(row, first),
          .kind = static_cast<EventKind>(rows.Int(row, first + 1)),
          .account_id = rows.Int(row, first + 2),
          .subject_id = rows.Int(row, first + 3),
          .created_at_ms = rows.Int(row, first + 4),
          .related_id = rows.Int(row, first + 5),
          .flags = static_cast<uint32_t>(rows.Int(row, first + 6))};
}

// The first column of the single row of a statement (a count, a max).
Result<int64_t> Single(PgConn& conn, std::string_view sql, const PgParams& params = {}) {
  auto rows = conn.Exec(sql, params);
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return Error::Internal("PostgreSQL: no row from " + std::string(sql));
  return rows->Int(0, 0);
}

}  // namespace

Result<std::vector<OutboxEvent>> PgStore::ReadOutbox(int64_t after_id, int limit) {
  return Read<std::vector<OutboxEvent>>([&](PgConn& conn) -> Result<std::vector<OutboxEvent>> {
    PgParams params;
    params.Add(after_id);
    AddLimit(params, limit);
    auto rows = conn.Exec(
        "SELECT id, kind, account_id, subject_id, created_at, related_id, flags FROM outbox "
        "WHERE id > $1::bigint ORDER BY id LIMIT $2",
        params);
    if (!rows) return std::move(rows).error();
    std::vector<OutboxEvent> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i) out.push_back(ReadEvent(*rows, i, 0));
    return out;
  });
}

Status PgStore::TrimOutbox(PgTx& tx, int64_t up_to_id) {
  // Every process that shares the store reads this outbox. Past what this
  // process's lanes have passed (up_to_id), an event may still be due to a
  // durable consumer another process runs (its saved cursor says how far
  // it came) or to the lanes in another process's memory, which read
  // within the retention. A negative cursor is a consumer set aside for
  // good (kStaleSearchCursor): it holds nothing back; nor does the cursor
  // of one process's own state (named consumer@process, such as its
  // search index), which reads within the retention too and is rebuilt
  // when it finds itself behind.
  constexpr const char* kTrim =
      "DELETE FROM outbox WHERE id <= least($1::bigint, coalesce((SELECT min(last_id) "
      "FROM event_cursors WHERE last_id >= 0 AND strpos(consumer, '@') = 0), $1::bigint))";
  constexpr const char* kTrimRetained =
      "DELETE FROM outbox WHERE id <= least($1::bigint, coalesce((SELECT min(last_id) "
      "FROM event_cursors WHERE last_id >= 0 AND strpos(consumer, '@') = 0), $1::bigint)) "
      "AND created_at < (extract(epoch FROM clock_timestamp()) * 1000)::bigint - $2::bigint";
  auto rows =
      options_.outbox_retention_ms > 0
          ? tx.Exec(kTrimRetained, PgParams().Add(up_to_id).Add(options_.outbox_retention_ms))
          : tx.Exec(kTrim, PgParams().Add(up_to_id));
  if (!rows) return std::move(rows).error();
  return {};
}

Status PgStore::AckOutbox(int64_t up_to_id) {
  return WriteStatus([&](PgTx& tx) { return TrimOutbox(tx, up_to_id); });
}

Result<int64_t> PgStore::NewestOutboxId() {
  // outbox_head's id, trimmed or not: it is committed with the events, so
  // it is never ahead of what a reader can see, and a consumer back after
  // a long while can tell what it missed (the next event it finds is not
  // the one after its cursor, or there is none).
  return Read<int64_t>([](PgConn& conn) -> Result<int64_t> {
    return Single(conn, "SELECT last_id FROM outbox_head");
  });
}

Result<int64_t> PgStore::CountOutbox() {
  return Read<int64_t>(
      [](PgConn& conn) -> Result<int64_t> { return Single(conn, "SELECT count(*) FROM outbox"); });
}

Result<std::optional<int64_t>> PgStore::LoadCursor(const std::string& consumer) {
  return Read<std::optional<int64_t>>([&](PgConn& conn) -> Result<std::optional<int64_t>> {
    auto rows = conn.Exec("SELECT last_id FROM event_cursors WHERE consumer = $1",
                          PgParams().Add(consumer));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<int64_t>();
    return std::optional<int64_t>(rows->Int(0, 0));
  });
}

Status PgStore::SaveCursor(const std::string& consumer, int64_t last_id, int64_t at_ms,
                           int64_t trim_up_to) {
  return WriteStatus([&](PgTx& tx) -> Status {
    auto saved = tx.Exec(
        "INSERT INTO event_cursors (consumer, last_id, updated_at) VALUES ($1, $2, $3) "
        "ON CONFLICT (consumer) DO UPDATE SET last_id = excluded.last_id, "
        "updated_at = excluded.updated_at",
        PgParams().Add(consumer).Add(last_id).Add(at_ms));
    if (!saved) return std::move(saved).error();
    if (trim_up_to <= 0) return {};
    return TrimOutbox(tx, trim_up_to);
  });
}

Result<bool> PgStore::HoldLane(const std::string& consumer) {
  return session_->Hold(LaneLockKey(consumer));
}

void PgStore::ReleaseLane(const std::string& consumer) { session_->Release(LaneLockKey(consumer)); }

Result<int> PgStore::JoinLaneGroup(const std::string& group) {
  const int64_t worker_id = worker_id_.load(std::memory_order_relaxed);
  if (worker_id < 0) return Error::Internal("a lane group joined before the worker id was held");
  const int64_t key = GroupLockKey(group, worker_id);
  auto held = session_->Hold(key);
  if (!held) return std::move(held).error();
  if (!*held) return Error::Internal("another process holds this worker id's place in " + group);
  // A bigint key shows in pg_locks as classid (its upper half) and objid
  // (its lower half) with objsubid 1: the group's members share classid.
  return Read<int>([&](PgConn& conn) -> Result<int> {
    auto rows = conn.Exec(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 "
        "AND granted AND classid = $1::bigint::oid "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        PgParams().Add(static_cast<int64_t>(static_cast<uint64_t>(key) >> 32)));
    if (!rows) return std::move(rows).error();
    return static_cast<int>(rows->Int(0, 0));
  });
}

Result<std::vector<EventCursor>> PgStore::ListCursors() {
  return Read<std::vector<EventCursor>>([](PgConn& conn) -> Result<std::vector<EventCursor>> {
    // COLLATE "C": the byte order SQLite sorts text in, whatever the
    // database's locale.
    auto rows = conn.Exec(
        "SELECT consumer, last_id, updated_at FROM event_cursors ORDER BY consumer COLLATE \"C\"");
    if (!rows) return std::move(rows).error();
    std::vector<EventCursor> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i) {
      out.push_back({rows->Text(i, 0), rows->Int(i, 1), rows->Int(i, 2)});
    }
    return out;
  });
}

Result<int64_t> PgStore::AddDeadLetter(const DeadLetter& letter) {
  return Write<int64_t>([&](PgTx& tx) -> Result<int64_t> {
    const OutboxEvent& e = letter.event;
    PgParams params;
    params.Add(letter.consumer).Add(e.id).Add(static_cast<int64_t>(e.kind)).Add(e.account_id);
    params.Add(e.subject_id).Add(e.created_at_ms).Add(e.related_id);
    params.Add(static_cast<int64_t>(e.flags)).Add(letter.attempts).Add(letter.last_error);
    params.Add(letter.failed_at_ms).Add(letter.replay);
    auto rows = tx.Exec(
        "INSERT INTO dead_letters (consumer, event_id, kind, account_id, subject_id, created_at, "
        "related_id, flags, attempts, last_error, failed_at, replay) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        params);
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::Internal("PostgreSQL: no id for a dead letter");
    return rows->Int(0, 0);
  });
}

Result<std::vector<DeadLetter>> PgStore::ListDeadLetters(const DeadLetterSelection& selection,
                                                         int64_t after_id, int limit) {
  return Read<std::vector<DeadLetter>>([&](PgConn& conn) -> Result<std::vector<DeadLetter>> {
    PgParams params = Selection(selection);
    params.Add(after_id);
    AddLimit(params, limit);
    auto rows = conn.Exec(
        "SELECT event_id, kind, account_id, subject_id, created_at, related_id, flags, id, "
        "consumer, attempts, last_error, failed_at, replay FROM dead_letters "
        "WHERE " CHIRP_DEAD_LETTER_SELECTED " AND id > $4::bigint ORDER BY id LIMIT $5",
        params);
    if (!rows) return std::move(rows).error();
    std::vector<DeadLetter> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i) {
      DeadLetter& d = out.emplace_back();
      d.event = ReadEvent(*rows, i, 0);
      d.id = rows->Int(i, 7);
      d.consumer = rows->Text(i, 8);
      d.attempts = static_cast<int>(rows->Int(i, 9));
      d.last_error = rows->Text(i, 10);
      d.failed_at_ms = rows->Int(i, 11);
      d.replay = rows->Bool(i, 12);
    }
    return out;
  });
}

Result<int64_t> PgStore::CountDeadLetters(const DeadLetterSelection& selection) {
  return Read<int64_t>([&](PgConn& conn) -> Result<int64_t> {
    return Single(conn, "SELECT count(*) FROM dead_letters WHERE " CHIRP_DEAD_LETTER_SELECTED,
                  Selection(selection));
  });
}

Result<int64_t> PgStore::MarkForReplay(const DeadLetterSelection& selection) {
  return Write<int64_t>([&](PgTx& tx) -> Result<int64_t> {
    // Every selected row counts, as SQLite's changes() counts them, even
    // those already marked.
    auto rows = tx.Exec("UPDATE dead_letters SET replay = true WHERE " CHIRP_DEAD_LETTER_SELECTED,
                        Selection(selection));
    if (!rows) return std::move(rows).error();
    return rows->affected();
  });
}

Result<int64_t> PgStore::DropDeadLetters(const DeadLetterSelection& selection) {
  return Write<int64_t>([&](PgTx& tx) -> Result<int64_t> {
    auto rows =
        tx.Exec("DELETE FROM dead_letters WHERE " CHIRP_DEAD_LETTER_SELECTED, Selection(selection));
    if (!rows) return std::move(rows).error();
    return rows->affected();
  });
}

Status PgStore::RecordReplayFailure(int64_t id, const std::string& error, int64_t at_ms) {
  return WriteStatus([&](PgTx& tx) -> Status {
    auto rows = tx.Exec(
        "UPDATE dead_letters SET attempts = attempts + 1, last_error = $1, failed_at = $2, "
        "replay = false WHERE id = $3",
        PgParams().Add(error).Add(at_ms).Add(id));
    if (!rows) return std::move(rows).error();
    if (rows->affected() == 0) return Error::NotFound("no dead letter " + std::to_string(id));
    return {};
  });
}

#undef CHIRP_DEAD_LETTER_SELECTED

}  // namespace chirp
