// The outbox's reading side: what consumers read, their cursors, and the
// dead letters of events that kept failing. Events are written by
// outbox_rows.cc, in the transactions of the changes they announce.
#include <mutex>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace chirp {
namespace {

// One condition serves every selection: a zero id, an empty consumer and
// marked_only false each select everything (dead letters are few).
constexpr const char* kSelected =
    "(?1 = 0 OR id = ?1) AND (?2 = '' OR consumer = ?2) AND (?3 = 0 OR replay != 0)";

void BindSelection(SqliteStatement& s, const DeadLetterSelection& selection) {
  s.Bind(1, selection.id).Bind(2, std::string_view(selection.consumer));
  s.Bind(3, selection.marked_only);
}

// Runs a statement that changes rows; returns how many it changed.
Result<int64_t> ChangedRows(SqliteDb& db, SqliteStatement& s) {
  if (Status run = db.Run(s); !run) return std::move(run).error();
  return db.Changes();
}

const std::string kListDeadLetters =
    std::string(
        "SELECT id, consumer, event_id, kind, account_id, subject_id, created_at, related_id, "
        "flags, attempts, last_error, failed_at, replay FROM dead_letters WHERE ") +
    kSelected + " AND id > ?4 ORDER BY id LIMIT ?5";
const std::string kCountDeadLetters =
    std::string("SELECT count(*) FROM dead_letters WHERE ") + kSelected;
const std::string kMarkForReplay =
    std::string("UPDATE dead_letters SET replay = 1 WHERE ") + kSelected;
const std::string kDropDeadLetters = std::string("DELETE FROM dead_letters WHERE ") + kSelected;

}  // namespace

Result<std::vector<OutboxEvent>> SqliteStore::ReadOutbox(int64_t after_id, int limit) {
  return Read<Result<std::vector<OutboxEvent>>>(
      [&](SqliteDb& db) -> Result<std::vector<OutboxEvent>> {
        SqliteStatement q = db.Prepare(
            "SELECT id, kind, account_id, subject_id, created_at, related_id, flags FROM outbox "
            "WHERE id > ? ORDER BY id LIMIT ?");
        q.Bind(1, after_id).Bind(2, int64_t{limit});
        std::vector<OutboxEvent> out;
        while (q.Step()) {
          out.push_back({.id = q.Int(0),
                         .kind = static_cast<EventKind>(q.Int(1)),
                         .account_id = q.Int(2),
                         .subject_id = q.Int(3),
                         .created_at_ms = q.Int(4),
                         .related_id = q.Int(5),
                         .flags = static_cast<uint32_t>(q.Int(6))});
        }
        if (q.failed()) return db.Failure();
        return out;
      });
}

Status SqliteStore::AckOutbox(int64_t up_to_id) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement s = db.Prepare("DELETE FROM outbox WHERE id <= ?");
    s.Bind(1, up_to_id);
    return db.Run(s);
  });
}

Result<int64_t> SqliteStore::NewestOutboxId() {
  return Read<Result<int64_t>>([](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement q = db.Prepare("SELECT coalesce(max(id), 0) FROM outbox");
    if (!q.Step()) return db.Failure();
    return q.Int(0);
  });
}

Result<int64_t> SqliteStore::CountOutbox() {
  return Read<Result<int64_t>>([](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement q = db.Prepare("SELECT count(*) FROM outbox");
    if (!q.Step()) return db.Failure();
    return q.Int(0);
  });
}

void SqliteStore::SetCommitListener(std::function<void()> listener) {
  auto held =
      listener ? std::make_shared<const std::function<void()>>(std::move(listener)) : nullptr;
  std::lock_guard lock(write_mu_);
  commit_listener_ = std::move(held);
}

Result<std::optional<int64_t>> SqliteStore::LoadCursor(const std::string& consumer) {
  return Read<Result<std::optional<int64_t>>>([&](SqliteDb& db) -> Result<std::optional<int64_t>> {
    SqliteStatement q = db.Prepare("SELECT last_id FROM event_cursors WHERE consumer = ?");
    q.Bind(1, std::string_view(consumer));
    if (q.Step()) return std::optional<int64_t>(q.Int(0));
    if (q.failed()) return db.Failure();
    return std::optional<int64_t>();
  });
}

Status SqliteStore::SaveCursor(const std::string& consumer, int64_t last_id, int64_t at_ms,
                               int64_t trim_up_to) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement s = db.Prepare(
        "INSERT INTO event_cursors (consumer, last_id, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (consumer) DO UPDATE SET last_id = excluded.last_id, "
        "updated_at = excluded.updated_at");
    s.Bind(1, std::string_view(consumer)).Bind(2, last_id).Bind(3, at_ms);
    if (Status saved = db.Run(s); !saved) return saved;
    if (trim_up_to <= 0) return {};
    SqliteStatement trim = db.Prepare("DELETE FROM outbox WHERE id <= ?");
    trim.Bind(1, trim_up_to);
    return db.Run(trim);
  });
}

Result<std::vector<EventCursor>> SqliteStore::ListCursors() {
  return Read<Result<std::vector<EventCursor>>>(
      [](SqliteDb& db) -> Result<std::vector<EventCursor>> {
        SqliteStatement q =
            db.Prepare("SELECT consumer, last_id, updated_at FROM event_cursors ORDER BY consumer");
        std::vector<EventCursor> out;
        while (q.Step()) out.push_back({q.Text(0), q.Int(1), q.Int(2)});
        if (q.failed()) return db.Failure();
        return out;
      });
}

Result<int64_t> SqliteStore::AddDeadLetter(const DeadLetter& letter) {
  return WriteValue<int64_t>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement s = db.Prepare(
        "INSERT INTO dead_letters (consumer, event_id, kind, account_id, subject_id, created_at, "
        "related_id, flags, attempts, last_error, failed_at, replay) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id");
    const OutboxEvent& e = letter.event;
    s.Bind(1, std::string_view(letter.consumer)).Bind(2, e.id);
    s.Bind(3, static_cast<int64_t>(e.kind)).Bind(4, e.account_id).Bind(5, e.subject_id);
    s.Bind(6, e.created_at_ms).Bind(7, e.related_id).Bind(8, static_cast<int64_t>(e.flags));
    s.Bind(9, letter.attempts).Bind(10, std::string_view(letter.last_error));
    s.Bind(11, letter.failed_at_ms).Bind(12, letter.replay);
    if (!s.Step()) return db.Failure();
    const int64_t id = s.Int(0);
    while (s.Step()) {
    }
    if (s.failed()) return db.Failure();
    return id;
  });
}

Result<std::vector<DeadLetter>> SqliteStore::ListDeadLetters(const DeadLetterSelection& selection,
                                                             int64_t after_id, int limit) {
  return Read<Result<std::vector<DeadLetter>>>(
      [&](SqliteDb& db) -> Result<std::vector<DeadLetter>> {
        SqliteStatement q = db.Prepare(kListDeadLetters.c_str());
        BindSelection(q, selection);
        q.Bind(4, after_id).Bind(5, int64_t{limit});
        std::vector<DeadLetter> out;
        while (q.Step()) {
          DeadLetter d;
          d.id = q.Int(0);
          d.consumer = q.Text(1);
          d.event = {.id = q.Int(2),
                     .kind = static_cast<EventKind>(q.Int(3)),
                     .account_id = q.Int(4),
                     .subject_id = q.Int(5),
                     .created_at_ms = q.Int(6),
                     .related_id = q.Int(7),
                     .flags = static_cast<uint32_t>(q.Int(8))};
          d.attempts = static_cast<int>(q.Int(9));
          d.last_error = q.Text(10);
          d.failed_at_ms = q.Int(11);
          d.replay = q.Bool(12);
          out.push_back(std::move(d));
        }
        if (q.failed()) return db.Failure();
        return out;
      });
}

Result<int64_t> SqliteStore::CountDeadLetters(const DeadLetterSelection& selection) {
  return Read<Result<int64_t>>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement q = db.Prepare(kCountDeadLetters.c_str());
    BindSelection(q, selection);
    if (!q.Step()) return db.Failure();
    return q.Int(0);
  });
}

Result<int64_t> SqliteStore::MarkForReplay(const DeadLetterSelection& selection) {
  return WriteValue<int64_t>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement s = db.Prepare(kMarkForReplay.c_str());
    BindSelection(s, selection);
    return ChangedRows(db, s);
  });
}

Result<int64_t> SqliteStore::DropDeadLetters(const DeadLetterSelection& selection) {
  return WriteValue<int64_t>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement s = db.Prepare(kDropDeadLetters.c_str());
    BindSelection(s, selection);
    return ChangedRows(db, s);
  });
}

Status SqliteStore::RecordReplayFailure(int64_t id, const std::string& error, int64_t at_ms) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement s = db.Prepare(
        "UPDATE dead_letters SET attempts = attempts + 1, last_error = ?, failed_at = ?, "
        "replay = 0 WHERE id = ?");
    s.Bind(1, std::string_view(error)).Bind(2, at_ms).Bind(3, id);
    if (Status run = db.Run(s); !run) return run;
    if (db.Changes() == 0) return Error::NotFound("no dead letter " + std::to_string(id));
    return {};
  });
}

}  // namespace chirp
