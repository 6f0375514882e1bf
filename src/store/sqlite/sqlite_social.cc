// SqliteStore's statuses and social graph (store/social_store.h).
#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <map>

#include "store/media_rows.h"
#include "store/sqlite/outbox_rows.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/status_rows.h"

namespace chirp {
namespace {

constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

bool Distributable(Visibility v) { return v == Visibility::kPublic || v == Visibility::kUnlisted; }

// Runs a paged listing: `newest_sql` takes (key, upper bound, lower bound,
// limit) and orders by cursor descending; `oldest_sql` takes (key, lower
// bound, upper bound, limit) ordered ascending, for min_id pages. The first
// column of each row is the cursor.
template <typename T, typename ReadRow>
Result<std::vector<Paged<T>>> Page(SqliteDb& db, const char* newest_sql, const char* oldest_sql,
                                   int64_t key, const PageRequest& page, ReadRow read) {
  const int64_t upper = page.max_id > 0 ? page.max_id : kNoUpperBound;
  std::vector<Paged<T>> out;
  if (page.min_id > 0) {
    SqliteStatement q = db.Prepare(oldest_sql);
    q.Bind(1, key).Bind(2, page.min_id).Bind(3, upper).Bind(4, int64_t{page.limit});
    while (q.Step()) out.push_back({q.Int(0), read(q)});
    if (q.failed()) return db.Failure();
    std::reverse(out.begin(), out.end());
  } else {
    SqliteStatement q = db.Prepare(newest_sql);
    q.Bind(1, key)
        .Bind(2, upper)
        .Bind(3, std::max<int64_t>(0, page.since_id))
        .Bind(4, int64_t{page.limit});
    while (q.Step()) out.push_back({q.Int(0), read(q)});
    if (q.failed()) return db.Failure();
  }
  return out;
}

int64_t SecondColumn(const SqliteStatement& q) { return q.Int(1); }

// Writes an event into the outbox, inside the caller's transaction.
Status Emit(SqliteDb& db, EventKind kind, int64_t account_id, int64_t subject_id, int64_t at_ms) {
  return AppendEvent(
      db,
      {.kind = kind, .account_id = account_id, .subject_id = subject_id, .created_at_ms = at_ms});
}

// Adds `delta` to a counter column of one row; counters never go below zero.
Status Bump(SqliteDb& db, const char* sql, int64_t id, int64_t delta) {
  SqliteStatement s = db.Prepare(sql);
  s.Bind(1, delta).Bind(2, id);
  return db.Run(s);
}

constexpr const char* kBumpStatuses =
    "UPDATE accounts SET statuses_count = max(0, statuses_count + ?) WHERE id = ?";
constexpr const char* kBumpFollowers =
    "UPDATE accounts SET followers_count = max(0, followers_count + ?) WHERE id = ?";
constexpr const char* kBumpFollowing =
    "UPDATE accounts SET following_count = max(0, following_count + ?) WHERE id = ?";
constexpr const char* kBumpReplies =
    "UPDATE statuses SET replies_count = max(0, replies_count + ?) WHERE id = ?";
constexpr const char* kBumpReblogs =
    "UPDATE statuses SET reblogs_count = max(0, reblogs_count + ?) WHERE id = ?";
constexpr const char* kBumpFavourites =
    "UPDATE statuses SET favourites_count = max(0, favourites_count + ?) WHERE id = ?";

// Marks one live status deleted and undoes what it counted.
Status DeleteOne(SqliteDb& db, const StatusRecord& s, int64_t at_ms) {
  SqliteStatement del =
      db.Prepare("UPDATE statuses SET deleted_at = ? WHERE id = ? AND deleted_at = 0");
  del.Bind(1, at_ms).Bind(2, s.id);
  if (Status st = db.Run(del); !st) return st;
  if (db.Changes() == 0) return {};
  if (Status st = AppendEvent(db, StatusEvent(EventKind::kStatusDeleted, s, at_ms)); !st) return st;
  if (s.visibility != Visibility::kDirect) {
    if (Status st = Bump(db, kBumpStatuses, s.account_id, -1); !st) return st;
  }
  if (s.reblog_of_id != 0) {
    if (Status st = Bump(db, kBumpReblogs, s.reblog_of_id, -1); !st) return st;
  }
  if (s.in_reply_to_id != 0 && Distributable(s.visibility)) {
    if (Status st = Bump(db, kBumpReplies, s.in_reply_to_id, -1); !st) return st;
  }
  // Its media's files may go (AttachmentStore::ListDisposableMedia).
  SqliteStatement discard = db.Prepare(
      "UPDATE media_attachments SET discarded_at = ? WHERE status_id = ? AND status_id != 0");
  discard.Bind(1, at_ms).Bind(2, s.id);
  return db.Run(discard);
}

// Removes the follow of a by b, if any, with its counters.
Result<bool> RemoveFollow(SqliteDb& db, int64_t account_id, int64_t target_id) {
  SqliteStatement del =
      db.Prepare("DELETE FROM follows WHERE account_id = ? AND target_account_id = ?");
  del.Bind(1, account_id).Bind(2, target_id);
  if (Status st = db.Run(del); !st) return std::move(st).error();
  if (db.Changes() == 0) return false;
  if (Status st = Emit(db, EventKind::kUnfollowed, account_id, target_id, 0); !st)
    return std::move(st).error();
  if (Status st = Bump(db, kBumpFollowing, account_id, -1); !st) return std::move(st).error();
  if (Status st = Bump(db, kBumpFollowers, target_id, -1); !st) return std::move(st).error();
  return true;
}

Result<bool> BlockedEitherWayIn(SqliteDb& db, int64_t a, int64_t b) {
  SqliteStatement q = db.Prepare(
      "SELECT 1 FROM blocks WHERE (account_id = ?1 AND target_account_id = ?2) "
      "OR (account_id = ?2 AND target_account_id = ?1) LIMIT 1");
  q.Bind(1, a).Bind(2, b);
  if (q.Step()) return true;
  if (q.failed()) return db.Failure();
  return false;
}

// Checked inside the writing transaction, so that no follow or request can
// slip in beside a block committed a moment earlier.
Status RefuseIfBlocked(SqliteDb& db, int64_t a, int64_t b) {
  auto blocked = BlockedEitherWayIn(db, a, b);
  if (!blocked) return std::move(blocked).error();
  if (*blocked) return Error::Forbidden("This action is not allowed");
  return {};
}

Result<bool> InsertFollow(SqliteDb& db, const Follow& f,
                          SocialStore::FollowSettingsChange change = {}) {
  if (Status st = RefuseIfBlocked(db, f.account_id, f.target_account_id); !st)
    return std::move(st).error();
  SqliteStatement existing = db.Prepare(
      "UPDATE follows SET show_reblogs = iif(?1, ?2, show_reblogs), notify = iif(?3, ?4, notify) "
      "WHERE account_id = ?5 AND target_account_id = ?6");
  existing.Bind(1, change.show_reblogs)
      .Bind(2, f.show_reblogs)
      .Bind(3, change.notify)
      .Bind(4, f.notify)
      .Bind(5, f.account_id)
      .Bind(6, f.target_account_id);
  if (Status st = db.Run(existing); !st) return std::move(st).error();
  if (db.Changes() > 0) {
    if (Status st =
            Emit(db, EventKind::kFollowChanged, f.account_id, f.target_account_id, f.created_at_ms);
        !st) {
      return std::move(st).error();
    }
    return false;
  }
  SqliteStatement ins = db.Prepare(
      "INSERT INTO follows (id, account_id, target_account_id, show_reblogs, notify, created_at) "
      "VALUES (?,?,?,?,?,?)");
  ins.Bind(1, f.id).Bind(2, f.account_id).Bind(3, f.target_account_id).Bind(4, f.show_reblogs);
  ins.Bind(5, f.notify).Bind(6, f.created_at_ms);
  if (Status st = db.Run(ins); !st) return std::move(st).error();
  if (Status st =
          Emit(db, EventKind::kFollowed, f.account_id, f.target_account_id, f.created_at_ms);
      !st) {
    return std::move(st).error();
  }
  if (Status st = Bump(db, kBumpFollowing, f.account_id, 1); !st) return std::move(st).error();
  if (Status st = Bump(db, kBumpFollowers, f.target_account_id, 1); !st)
    return std::move(st).error();
  return true;
}

// Removes the request of a to follow b, if any, with its event; reports
// whether there was one.
Result<bool> RemoveRequest(SqliteDb& db, int64_t account_id, int64_t target_id) {
  SqliteStatement del =
      db.Prepare("DELETE FROM follow_requests WHERE account_id = ? AND target_account_id = ?");
  del.Bind(1, account_id).Bind(2, target_id);
  if (Status st = db.Run(del); !st) return std::move(st).error();
  if (db.Changes() == 0) return false;
  if (Status st = Emit(db, EventKind::kFollowRequestRemoved, account_id, target_id, 0); !st) {
    return std::move(st).error();
  }
  return true;
}

// A table of marks accounts put on statuses (favourites, bookmarks): one
// row per account and status, with an event for each change.
struct MarkTable {
  const char* insert;  // (id, account_id, status_id, created_at); a repeat is ignored
  const char* remove;  // by account_id and status_id
  const char* among;   // status_id of the account's marks among a JSON array of ids
  const char* scan;    // id, account_id, status_id of marks of live statuses after an id
  EventKind added;
  EventKind removed;
};

constexpr MarkTable kFavourites{
    .insert =
        "INSERT OR IGNORE INTO favourites (id, account_id, status_id, created_at) "
        "VALUES (?,?,?,?)",
    .remove = "DELETE FROM favourites WHERE account_id = ? AND status_id = ?",
    .among =
        "SELECT status_id FROM favourites WHERE account_id = ? AND status_id IN (SELECT "
        "value FROM json_each(?))",
    .scan =
        "SELECT f.id, f.account_id, f.status_id FROM favourites f "
        "JOIN statuses s ON s.id = f.status_id AND s.deleted_at = 0 "
        "WHERE f.id > ? ORDER BY f.id LIMIT ?",
    .added = EventKind::kFavourited,
    .removed = EventKind::kUnfavourited};

constexpr MarkTable kBookmarks{
    .insert =
        "INSERT OR IGNORE INTO bookmarks (id, account_id, status_id, created_at) "
        "VALUES (?,?,?,?)",
    .remove = "DELETE FROM bookmarks WHERE account_id = ? AND status_id = ?",
    .among =
        "SELECT status_id FROM bookmarks WHERE account_id = ? AND status_id IN (SELECT "
        "value FROM json_each(?))",
    .scan =
        "SELECT b.id, b.account_id, b.status_id FROM bookmarks b "
        "JOIN statuses s ON s.id = b.status_id AND s.deleted_at = 0 "
        "WHERE b.id > ? ORDER BY b.id LIMIT ?",
    .added = EventKind::kBookmarked,
    .removed = EventKind::kUnbookmarked};

// Marks the live status `status_id` for the account, with its event;
// false when the mark was there already.
Result<bool> PutMark(SqliteDb& db, const MarkTable& table, int64_t account_id, int64_t status_id,
                     int64_t id, int64_t at_ms) {
  auto live = LiveStatus(db, status_id);
  if (!live) return std::move(live).error();
  if (!*live) return Error::NotFound();
  SqliteStatement ins = db.Prepare(table.insert);
  ins.Bind(1, id).Bind(2, account_id).Bind(3, status_id).Bind(4, at_ms);
  if (Status st = db.Run(ins); !st) return std::move(st).error();
  if (db.Changes() == 0) return false;
  if (Status st = Emit(db, table.added, account_id, status_id, at_ms); !st) {
    return std::move(st).error();
  }
  return true;
}

// Removes the account's mark with its event; false when there was none.
Result<bool> TakeMark(SqliteDb& db, const MarkTable& table, int64_t account_id, int64_t status_id) {
  SqliteStatement del = db.Prepare(table.remove);
  del.Bind(1, account_id).Bind(2, status_id);
  if (Status st = db.Run(del); !st) return std::move(st).error();
  if (db.Changes() == 0) return false;
  if (Status st = Emit(db, table.removed, account_id, status_id, 0); !st) {
    return std::move(st).error();
  }
  return true;
}

Result<std::vector<int64_t>> MarkedAmong(SqliteDb& db, const MarkTable& table, int64_t account_id,
                                         const std::vector<int64_t>& ids) {
  SqliteStatement q = db.Prepare(table.among);
  q.Bind(1, account_id).Bind(2, JsonIds(ids));
  std::vector<int64_t> out;
  while (q.Step()) out.push_back(q.Int(0));
  if (q.failed()) return db.Failure();
  return out;
}

// Of `ids`, the statuses the account has a live reblog of.
Result<std::vector<int64_t>> RebloggedAmongIn(SqliteDb& db, int64_t account_id,
                                              const std::vector<int64_t>& ids) {
  SqliteStatement q = db.Prepare(
      // The conditions of the partial index one_live_reblog, spelled out so
      // the planner uses it instead of scanning the account's statuses.
      "SELECT reblog_of_id FROM statuses WHERE account_id = ? AND reblog_of_id != 0 AND "
      "deleted_at = 0 "
      "AND reblog_of_id IN (SELECT value FROM json_each(?))");
  q.Bind(1, account_id).Bind(2, JsonIds(ids));
  std::vector<int64_t> out;
  while (q.Step()) out.push_back(q.Int(0));
  if (q.failed()) return db.Failure();
  return out;
}

Result<std::vector<FavouriteRow>> ScanMarks(SqliteDb& db, const MarkTable& table, int64_t after_id,
                                            int limit) {
  SqliteStatement q = db.Prepare(table.scan);
  q.Bind(1, after_id).Bind(2, limit);
  std::vector<FavouriteRow> out;
  while (q.Step()) out.push_back({q.Int(0), q.Int(1), q.Int(2)});
  if (q.failed()) return db.Failure();
  return out;
}

}  // namespace

Result<CreatedStatus> SqliteStore::CreateStatus(const StatusRecord& s,
                                                std::string_view idempotency_key,
                                                int64_t idempotency_window_ms) {
  return WriteValue<CreatedStatus>([&](SqliteDb& db) -> Result<CreatedStatus> {
    if (!idempotency_key.empty()) {
      SqliteStatement q = db.Prepare(
          "SELECT k.status_id FROM idempotency_keys k JOIN statuses s ON s.id = k.status_id "
          "WHERE k.account_id = ? AND k.key = ? AND k.created_at > ? AND s.deleted_at = 0");
      q.Bind(1, s.account_id)
          .Bind(2, idempotency_key)
          .Bind(3, s.created_at_ms - idempotency_window_ms);
      if (q.Step()) return CreatedStatus{q.Int(0), true};
      if (q.failed()) return db.Failure();
    }
    if (s.reblog_of_id != 0) {
      auto original = LiveStatus(db, s.reblog_of_id);
      if (!original) return std::move(original).error();
      if (!*original) return Error::NotFound();  // deleted meanwhile
      // Reblogging twice gives the live reblog, decided here where writes
      // are serialised, so concurrent reblogs and unreblogs cannot collide.
      SqliteStatement q = db.Prepare(
          "SELECT id FROM statuses WHERE account_id = ? AND reblog_of_id = ? AND reblog_of_id != 0 "
          "AND deleted_at = 0");
      q.Bind(1, s.account_id).Bind(2, s.reblog_of_id);
      if (q.Step()) return CreatedStatus{q.Int(0), true};
      if (q.failed()) return db.Failure();
    }
    if (Status st = InsertStatusRow(db, s); !st) {
      if (db.LastExtendedCode() == SQLITE_CONSTRAINT_UNIQUE && s.reblog_of_id != 0) {
        return Error::Unprocessable("Validation failed: Reblog of status already exists");
      }
      return std::move(st).error();
    }
    StatusRecord stored = s;
    for (size_t i = 0; i < s.media_ids.size(); ++i) {
      SqliteStatement attach = db.Prepare(
          "UPDATE media_attachments SET status_id = ?, position = ? WHERE id = ? AND "
          "account_id = ? AND status_id = 0 AND state = 1");
      attach.Bind(1, s.id).Bind(2, static_cast<int64_t>(i)).Bind(3, s.media_ids[i]);
      attach.Bind(4, s.account_id);
      if (Status st = db.Run(attach); !st) return std::move(st).error();
      if (db.Changes() != 0) {
        // (SQLite's RETURNING cannot name the columns as MEDIA_COLUMNS does.)
        SqliteStatement attached =
            db.Prepare("SELECT " MEDIA_COLUMNS " FROM media_attachments m WHERE m.id = ?");
        attached.Bind(1, s.media_ids[i]);
        if (!attached.Step()) return db.Failure();
        stored.media.push_back(ReadMediaColumns(attached));
      } else {
        SqliteStatement why = db.Prepare(
            "SELECT state FROM media_attachments WHERE id = ? AND account_id = ? AND "
            "status_id = 0");
        why.Bind(1, s.media_ids[i]).Bind(2, s.account_id);
        const bool pending = why.Step();
        if (why.failed()) return db.Failure();
        return UnattachableMedia(s.media_ids[i], pending);
      }
    }
    if (Status st = MixableMedia(stored.media); !st) return std::move(st).error();
    if (Status st = InsertMentionsAndTags(db, s, &stored.tag_display_names); !st) {
      return std::move(st).error();
    }
    if (s.visibility != Visibility::kDirect) {
      SqliteStatement a = db.Prepare(
          "UPDATE accounts SET statuses_count = statuses_count + 1, "
          "last_status_at = max(last_status_at, ?) WHERE id = ?");
      a.Bind(1, s.created_at_ms).Bind(2, s.account_id);
      if (Status st = db.Run(a); !st) return std::move(st).error();
    }
    if (s.reblog_of_id != 0) {
      if (Status st = Bump(db, kBumpReblogs, s.reblog_of_id, 1); !st) return std::move(st).error();
    }
    if (s.in_reply_to_id != 0 && Distributable(s.visibility)) {
      if (Status st = Bump(db, kBumpReplies, s.in_reply_to_id, 1); !st)
        return std::move(st).error();
    }
    if (Status st = AppendEvent(db, StatusEvent(EventKind::kStatusCreated, s, s.created_at_ms));
        !st) {
      return std::move(st).error();
    }
    const int64_t event_id = db.LastInsertRowId();
    if (!idempotency_key.empty()) {
      SqliteStatement k = db.Prepare(
          "INSERT OR REPLACE INTO idempotency_keys (account_id, key, status_id, created_at) VALUES "
          "(?,?,?,?)");
      k.Bind(1, s.account_id).Bind(2, idempotency_key).Bind(3, s.id).Bind(4, s.created_at_ms);
      if (Status st = db.Run(k); !st) return std::move(st).error();
    }
    return CreatedStatus{s.id, false, std::move(stored), event_id};
  });
}

Result<StatusRecord> SqliteStore::FindStatus(int64_t id) {
  return Read<Result<StatusRecord>>([&](SqliteDb& db) { return ReadLiveStatus(db, id); });
}

Result<StatusRecord> SqliteStore::FindDeletedStatus(int64_t id) {
  return Read<Result<StatusRecord>>([&](SqliteDb& db) -> Result<StatusRecord> {
    SqliteStatement q = db.Prepare("SELECT " STATUS_COLUMNS
                                   " FROM statuses s WHERE s.id = ? AND s.deleted_at != 0");
    q.Bind(1, id);
    if (!q.Step()) return q.failed() ? db.Failure() : Error::NotFound();
    StatusRecord s = ReadStatusRow(q);
    if (Status st = LoadStatusDetails(db, s); !st) return std::move(st).error();
    return s;
  });
}

Result<std::vector<StatusRecord>> SqliteStore::ScanStatuses(int64_t after_id, int limit) {
  return Read<Result<std::vector<StatusRecord>>>(
      [&](SqliteDb& db) -> Result<std::vector<StatusRecord>> {
        SqliteStatement q = db.Prepare("SELECT " STATUS_COLUMNS
                                       " FROM statuses s WHERE s.id > ? AND s.deleted_at = 0 "
                                       "ORDER BY s.id LIMIT ?");
        q.Bind(1, after_id).Bind(2, limit);
        std::vector<StatusRecord> out;
        while (q.Step()) out.push_back(ReadStatusRow(q));
        if (q.failed()) return db.Failure();
        if (Status st = LoadStatusDetails(db, out); !st) return std::move(st).error();
        return out;
      });
}

Result<std::vector<FavouriteRow>> SqliteStore::ScanFavourites(int64_t after_id, int limit) {
  return Read<Result<std::vector<FavouriteRow>>>(
      [&](SqliteDb& db) { return ScanMarks(db, kFavourites, after_id, limit); });
}

Result<std::vector<StatusRecord>> SqliteStore::FindStatuses(const std::vector<int64_t>& ids) {
  return Read<Result<std::vector<StatusRecord>>>(
      [&](SqliteDb& db) -> Result<std::vector<StatusRecord>> {
        SqliteStatement q =
            db.Prepare("SELECT " STATUS_COLUMNS
                       " FROM statuses s WHERE s.id IN (SELECT value FROM json_each(?)) "
                       "AND s.deleted_at = 0");
        q.Bind(1, JsonIds(ids));
        std::vector<StatusRecord> out;
        while (q.Step()) out.push_back(ReadStatusRow(q));
        if (q.failed()) return db.Failure();
        if (Status st = LoadStatusDetails(db, out); !st) return std::move(st).error();
        // In the order asked for.
        std::map<int64_t, size_t> position;
        for (size_t i = 0; i < ids.size(); ++i) position.emplace(ids[i], i);
        std::sort(out.begin(), out.end(), [&](const StatusRecord& a, const StatusRecord& b) {
          return position[a.id] < position[b.id];
        });
        return out;
      });
}

Result<DeletedStatuses> SqliteStore::DeleteStatus(int64_t id, int64_t at_ms) {
  return WriteValue<DeletedStatuses>([&](SqliteDb& db) -> Result<DeletedStatuses> {
    auto target = LiveStatus(db, id);
    if (!target) return std::move(target).error();
    if (!*target) return Error::NotFound();
    SqliteStatement reblogs = db.Prepare(
        "SELECT " STATUS_COLUMNS " FROM statuses s WHERE s.reblog_of_id = ? AND s.deleted_at = 0");
    reblogs.Bind(1, id);
    std::vector<StatusRecord> wrappers;
    while (reblogs.Step()) wrappers.push_back(ReadStatusRow(reblogs));
    if (reblogs.failed()) return db.Failure();
    DeletedStatuses deleted;
    for (const StatusRecord& w : wrappers) {
      if (Status st = DeleteOne(db, w, at_ms); !st) return std::move(st).error();
      deleted.status_ids.push_back(w.id);
      deleted.account_ids.push_back(w.account_id);
    }
    if (Status st = DeleteOne(db, **target, at_ms); !st) return std::move(st).error();
    deleted.status_ids.push_back(id);
    deleted.account_ids.push_back((*target)->account_id);
    return deleted;
  });
}

Result<std::optional<int64_t>> SqliteStore::FindReblog(int64_t account_id, int64_t status_id) {
  return Read<Result<std::optional<int64_t>>>([&](SqliteDb& db) -> Result<std::optional<int64_t>> {
    SqliteStatement q = db.Prepare(
        "SELECT id FROM statuses WHERE account_id = ? AND reblog_of_id = ? AND reblog_of_id != 0 "
        "AND deleted_at = 0");
    q.Bind(1, account_id).Bind(2, status_id);
    if (q.Step()) return std::optional<int64_t>(q.Int(0));
    if (q.failed()) return db.Failure();
    return std::optional<int64_t>();
  });
}

Result<std::vector<Paged<StatusRecord>>> SqliteStore::ListAccountStatuses(
    int64_t account_id, const AccountStatusFilter& f, const PageRequest& page) {
  int64_t mask = 0;
  for (Visibility v : f.visibilities) mask |= int64_t{1} << static_cast<int>(v);
  return Read<Result<std::vector<Paged<StatusRecord>>>>(
      [&](SqliteDb& db) -> Result<std::vector<Paged<StatusRecord>>> {
#define ACCOUNT_STATUS_FILTERS                                                            \
  " AND s.deleted_at = 0 AND ((1 << s.visibility) & ?5) != 0"                             \
  " AND (?6 = 0 OR s.in_reply_to_id = 0 OR s.in_reply_to_account_id = s.account_id)"      \
  " AND (?7 = 0 OR s.reblog_of_id = 0)"                                                   \
  " AND (?8 = 0 OR EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = s.id))"  \
  " AND (?9 = '' OR EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = st.tag_id" \
  "      WHERE st.status_id = s.id AND t.name = ?9))"
        const int64_t upper = page.max_id > 0 ? page.max_id : kNoUpperBound;
        const bool oldest = page.min_id > 0;
        SqliteStatement q =
            db.Prepare(oldest ? "SELECT " STATUS_COLUMNS
                                " FROM statuses s WHERE s.account_id = ?1 AND s.id > ?2 AND s.id < "
                                "?3" ACCOUNT_STATUS_FILTERS " ORDER BY s.id ASC LIMIT ?4"
                              : "SELECT " STATUS_COLUMNS
                                " FROM statuses s WHERE s.account_id = ?1 AND s.id < ?2 AND s.id > "
                                "?3" ACCOUNT_STATUS_FILTERS " ORDER BY s.id DESC LIMIT ?4");
#undef ACCOUNT_STATUS_FILTERS
        q.Bind(1, account_id);
        if (oldest) {
          q.Bind(2, page.min_id).Bind(3, upper);
        } else {
          q.Bind(2, upper).Bind(3, std::max<int64_t>(0, page.since_id));
        }
        q.Bind(4, int64_t{page.limit})
            .Bind(5, mask)
            .Bind(6, f.exclude_replies)
            .Bind(7, f.exclude_reblogs);
        q.Bind(8, f.only_media).Bind(9, f.tagged);
        std::vector<StatusRecord> rows;
        while (q.Step()) rows.push_back(ReadStatusRow(q));
        if (q.failed()) return db.Failure();
        if (oldest) std::reverse(rows.begin(), rows.end());
        if (Status st = LoadStatusDetails(db, rows); !st) return std::move(st).error();
        std::vector<Paged<StatusRecord>> out;
        for (StatusRecord& s : rows) out.push_back({s.id, std::move(s)});
        return out;
      });
}

Result<std::vector<StatusRecord>> SqliteStore::ListReplies(const std::vector<int64_t>& parent_ids) {
  return Read<Result<std::vector<StatusRecord>>>(
      [&](SqliteDb& db) -> Result<std::vector<StatusRecord>> {
        SqliteStatement q = db.Prepare(
            "SELECT " STATUS_COLUMNS
            " FROM statuses s WHERE s.in_reply_to_id IN (SELECT value FROM json_each(?)) "
            "AND s.deleted_at = 0 ORDER BY s.id");
        q.Bind(1, JsonIds(parent_ids));
        std::vector<StatusRecord> out;
        while (q.Step()) out.push_back(ReadStatusRow(q));
        if (q.failed()) return db.Failure();
        if (Status st = LoadStatusDetails(db, out); !st) return std::move(st).error();
        return out;
      });
}

Result<bool> SqliteStore::Favourite(int64_t account_id, int64_t status_id, int64_t id,
                                    int64_t at_ms) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    auto changed = PutMark(db, kFavourites, account_id, status_id, id, at_ms);
    if (!changed || !*changed) return changed;
    if (Status st = Bump(db, kBumpFavourites, status_id, 1); !st) return std::move(st).error();
    return true;
  });
}

Result<bool> SqliteStore::Unfavourite(int64_t account_id, int64_t status_id) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    auto changed = TakeMark(db, kFavourites, account_id, status_id);
    if (!changed || !*changed) return changed;
    if (Status st = Bump(db, kBumpFavourites, status_id, -1); !st) return std::move(st).error();
    return true;
  });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListFavouritedBy(int64_t status_id,
                                                                  const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(db,
                         "SELECT id, account_id FROM favourites WHERE status_id = ? AND id < ? AND "
                         "id > ? ORDER BY id DESC LIMIT ?",
                         "SELECT id, account_id FROM favourites WHERE status_id = ? AND id > ? AND "
                         "id < ? ORDER BY id ASC LIMIT ?",
                         status_id, page, SecondColumn);
  });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListFavourites(int64_t account_id,
                                                                const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(
        db,
        "SELECT f.id, f.status_id FROM favourites f JOIN statuses s ON s.id = f.status_id "
        "WHERE f.account_id = ? AND f.id < ? AND f.id > ? AND s.deleted_at = 0 ORDER BY f.id DESC "
        "LIMIT ?",
        "SELECT f.id, f.status_id FROM favourites f JOIN statuses s ON s.id = f.status_id "
        "WHERE f.account_id = ? AND f.id > ? AND f.id < ? AND s.deleted_at = 0 ORDER BY f.id ASC "
        "LIMIT ?",
        account_id, page, SecondColumn);
  });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListRebloggedBy(int64_t status_id,
                                                                 const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(
        db,
        "SELECT id, account_id FROM statuses WHERE reblog_of_id = ? AND id < ? AND id > ? "
        "AND deleted_at = 0 ORDER BY id DESC LIMIT ?",
        "SELECT id, account_id FROM statuses WHERE reblog_of_id = ? AND id > ? AND id < ? "
        "AND deleted_at = 0 ORDER BY id ASC LIMIT ?",
        status_id, page, SecondColumn);
  });
}

Result<std::vector<int64_t>> SqliteStore::FavouritedAmong(int64_t account_id,
                                                          const std::vector<int64_t>& ids) {
  return Read<Result<std::vector<int64_t>>>(
      [&](SqliteDb& db) { return MarkedAmong(db, kFavourites, account_id, ids); });
}

Result<std::vector<int64_t>> SqliteStore::RebloggedAmong(int64_t account_id,
                                                         const std::vector<int64_t>& ids) {
  return Read<Result<std::vector<int64_t>>>(
      [&](SqliteDb& db) { return RebloggedAmongIn(db, account_id, ids); });
}

Result<Interactions> SqliteStore::InteractionsAmong(int64_t account_id,
                                                    const std::vector<int64_t>& ids) {
  return Read<Result<Interactions>>([&](SqliteDb& db) -> Result<Interactions> {
    Interactions out;
    auto favourited = MarkedAmong(db, kFavourites, account_id, ids);
    if (!favourited) return std::move(favourited).error();
    out.favourited = std::move(favourited).value();
    auto reblogged = RebloggedAmongIn(db, account_id, ids);
    if (!reblogged) return std::move(reblogged).error();
    out.reblogged = std::move(reblogged).value();
    auto bookmarked = MarkedAmong(db, kBookmarks, account_id, ids);
    if (!bookmarked) return std::move(bookmarked).error();
    out.bookmarked = std::move(bookmarked).value();
    return out;
  });
}

Result<Interactions> SqliteStore::InteractionsSince(int64_t account_id, int64_t min_status_id) {
  return Read<Result<Interactions>>([&](SqliteDb& db) -> Result<Interactions> {
    Interactions out;
    SqliteStatement f = db.Prepare(
        "SELECT status_id FROM favourites WHERE account_id = ? AND status_id >= ? "
        "ORDER BY status_id");
    f.Bind(1, account_id).Bind(2, min_status_id);
    while (f.Step()) out.favourited.push_back(f.Int(0));
    if (f.failed()) return db.Failure();
    // The conditions of the partial index one_live_reblog, as in RebloggedAmong.
    SqliteStatement r = db.Prepare(
        "SELECT reblog_of_id FROM statuses WHERE account_id = ? AND reblog_of_id != 0 AND "
        "deleted_at = 0 AND reblog_of_id >= ? ORDER BY reblog_of_id");
    r.Bind(1, account_id).Bind(2, min_status_id);
    while (r.Step()) out.reblogged.push_back(r.Int(0));
    if (r.failed()) return db.Failure();
    SqliteStatement b = db.Prepare(
        "SELECT status_id FROM bookmarks WHERE account_id = ? AND status_id >= ? "
        "ORDER BY status_id");
    b.Bind(1, account_id).Bind(2, min_status_id);
    while (b.Step()) out.bookmarked.push_back(b.Int(0));
    if (b.failed()) return db.Failure();
    return out;
  });
}

Result<bool> SqliteStore::Bookmark(int64_t account_id, int64_t status_id, int64_t id,
                                   int64_t at_ms) {
  return WriteValue<bool>(
      [&](SqliteDb& db) { return PutMark(db, kBookmarks, account_id, status_id, id, at_ms); });
}

Result<bool> SqliteStore::Unbookmark(int64_t account_id, int64_t status_id) {
  return WriteValue<bool>(
      [&](SqliteDb& db) { return TakeMark(db, kBookmarks, account_id, status_id); });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListBookmarks(int64_t account_id,
                                                               const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(
        db,
        "SELECT b.id, b.status_id FROM bookmarks b JOIN statuses s ON s.id = b.status_id "
        "WHERE b.account_id = ? AND b.id < ? AND b.id > ? AND s.deleted_at = 0 ORDER BY b.id DESC "
        "LIMIT ?",
        "SELECT b.id, b.status_id FROM bookmarks b JOIN statuses s ON s.id = b.status_id "
        "WHERE b.account_id = ? AND b.id > ? AND b.id < ? AND s.deleted_at = 0 ORDER BY b.id ASC "
        "LIMIT ?",
        account_id, page, SecondColumn);
  });
}

Result<std::vector<int64_t>> SqliteStore::BookmarkedAmong(int64_t account_id,
                                                          const std::vector<int64_t>& ids) {
  return Read<Result<std::vector<int64_t>>>(
      [&](SqliteDb& db) { return MarkedAmong(db, kBookmarks, account_id, ids); });
}

Result<std::vector<FavouriteRow>> SqliteStore::ScanBookmarks(int64_t after_id, int limit) {
  return Read<Result<std::vector<FavouriteRow>>>(
      [&](SqliteDb& db) { return ScanMarks(db, kBookmarks, after_id, limit); });
}

Result<bool> SqliteStore::CreateFollow(const Follow& follow, FollowSettingsChange change) {
  return WriteValue<bool>([&](SqliteDb& db) { return InsertFollow(db, follow, change); });
}

Result<bool> SqliteStore::DeleteFollow(int64_t account_id, int64_t target_account_id) {
  return WriteValue<bool>(
      [&](SqliteDb& db) { return RemoveFollow(db, account_id, target_account_id); });
}

Result<SocialStore::Unfollowed> SqliteStore::Unfollow(int64_t account_id,
                                                      int64_t target_account_id) {
  return WriteValue<Unfollowed>([&](SqliteDb& db) -> Result<Unfollowed> {
    auto follow = RemoveFollow(db, account_id, target_account_id);
    if (!follow) return std::move(follow).error();
    auto request = RemoveRequest(db, account_id, target_account_id);
    if (!request) return std::move(request).error();
    return Unfollowed{*follow, *request};
  });
}

Result<std::optional<Follow>> SqliteStore::FindFollow(int64_t account_id,
                                                      int64_t target_account_id) {
  return Read<Result<std::optional<Follow>>>([&](SqliteDb& db) -> Result<std::optional<Follow>> {
    SqliteStatement q = db.Prepare(
        "SELECT id, show_reblogs, notify, created_at FROM follows WHERE account_id = ? AND "
        "target_account_id = ?");
    q.Bind(1, account_id).Bind(2, target_account_id);
    if (q.Step()) {
      return std::optional<Follow>(
          Follow{q.Int(0), account_id, target_account_id, q.Bool(1), q.Bool(2), q.Int(3)});
    }
    if (q.failed()) return db.Failure();
    return std::optional<Follow>();
  });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListFollowers(int64_t account_id,
                                                               const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(
        db,
        "SELECT id, account_id FROM follows WHERE target_account_id = ? AND id < ? AND id > ? "
        "ORDER BY id DESC LIMIT ?",
        "SELECT id, account_id FROM follows WHERE target_account_id = ? AND id > ? AND id < ? "
        "ORDER BY id ASC LIMIT ?",
        account_id, page, SecondColumn);
  });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListFollowing(int64_t account_id,
                                                               const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(
        db,
        "SELECT id, target_account_id FROM follows WHERE account_id = ? AND id < ? AND id > ? "
        "ORDER BY id DESC LIMIT ?",
        "SELECT id, target_account_id FROM follows WHERE account_id = ? AND id > ? AND id < ? "
        "ORDER BY id ASC LIMIT ?",
        account_id, page, SecondColumn);
  });
}

Result<bool> SqliteStore::CreateFollowRequest(const Follow& r) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    if (Status st = RefuseIfBlocked(db, r.account_id, r.target_account_id); !st)
      return std::move(st).error();
    SqliteStatement existing = db.Prepare(
        "UPDATE follow_requests SET show_reblogs = ?, notify = ? WHERE account_id = ? AND "
        "target_account_id = ?");
    existing.Bind(1, r.show_reblogs)
        .Bind(2, r.notify)
        .Bind(3, r.account_id)
        .Bind(4, r.target_account_id);
    if (Status st = db.Run(existing); !st) return std::move(st).error();
    if (db.Changes() > 0) return false;
    SqliteStatement ins = db.Prepare(
        "INSERT INTO follow_requests (id, account_id, target_account_id, show_reblogs, notify, "
        "created_at) "
        "VALUES (?,?,?,?,?,?)");
    ins.Bind(1, r.id).Bind(2, r.account_id).Bind(3, r.target_account_id).Bind(4, r.show_reblogs);
    ins.Bind(5, r.notify).Bind(6, r.created_at_ms);
    if (Status st = db.Run(ins); !st) return std::move(st).error();
    if (Status st = Emit(db, EventKind::kFollowRequested, r.account_id, r.target_account_id,
                         r.created_at_ms);
        !st) {
      return std::move(st).error();
    }
    return true;
  });
}

Result<bool> SqliteStore::DeleteFollowRequest(int64_t account_id, int64_t target_account_id) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    return RemoveRequest(db, account_id, target_account_id);
  });
}

Status SqliteStore::AuthorizeFollowRequest(int64_t account_id, int64_t target_account_id,
                                           int64_t follow_id, int64_t at_ms) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement q = db.Prepare(
        "SELECT show_reblogs, notify FROM follow_requests WHERE account_id = ? AND "
        "target_account_id = ?");
    q.Bind(1, account_id).Bind(2, target_account_id);
    if (!q.Step()) return q.failed() ? db.Failure() : Error::NotFound();
    Follow f{follow_id, account_id, target_account_id, q.Bool(0), q.Bool(1), at_ms};
    if (auto r = RemoveRequest(db, account_id, target_account_id); !r) return std::move(r).error();
    auto inserted = InsertFollow(db, f);
    if (!inserted) return std::move(inserted).error();
    return {};
  });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListFollowRequests(int64_t target_account_id,
                                                                    const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(
        db,
        "SELECT id, account_id FROM follow_requests WHERE target_account_id = ? AND id < ? "
        "AND id > ? ORDER BY id DESC LIMIT ?",
        "SELECT id, account_id FROM follow_requests WHERE target_account_id = ? AND id > ? "
        "AND id < ? ORDER BY id ASC LIMIT ?",
        target_account_id, page, SecondColumn);
  });
}

Result<int64_t> SqliteStore::CountFollowRequests(int64_t target_account_id) {
  return Read<Result<int64_t>>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement q =
        db.Prepare("SELECT count(*) FROM follow_requests WHERE target_account_id = ?");
    q.Bind(1, target_account_id);
    if (q.Step()) return q.Int(0);
    return db.Failure();
  });
}

Result<bool> SqliteStore::CreateBlock(int64_t id, int64_t account_id, int64_t target_account_id,
                                      int64_t at_ms) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement ins = db.Prepare(
        "INSERT OR IGNORE INTO blocks (id, account_id, target_account_id, created_at) VALUES "
        "(?,?,?,?)");
    ins.Bind(1, id).Bind(2, account_id).Bind(3, target_account_id).Bind(4, at_ms);
    if (Status st = db.Run(ins); !st) return std::move(st).error();
    const bool created = db.Changes() > 0;
    if (created) {
      if (Status st = Emit(db, EventKind::kBlocked, account_id, target_account_id, at_ms); !st) {
        return std::move(st).error();
      }
    }
    for (auto [a, b] :
         {std::pair{account_id, target_account_id}, {target_account_id, account_id}}) {
      if (auto r = RemoveFollow(db, a, b); !r) return std::move(r).error();
      if (auto r = RemoveRequest(db, a, b); !r) return std::move(r).error();
    }
    return created;
  });
}

Result<bool> SqliteStore::DeleteBlock(int64_t account_id, int64_t target_account_id) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement del =
        db.Prepare("DELETE FROM blocks WHERE account_id = ? AND target_account_id = ?");
    del.Bind(1, account_id).Bind(2, target_account_id);
    if (Status st = db.Run(del); !st) return std::move(st).error();
    if (db.Changes() == 0) return false;
    if (Status st = Emit(db, EventKind::kUnblocked, account_id, target_account_id, 0); !st)
      return std::move(st).error();
    return true;
  });
}

Result<std::vector<Paged<int64_t>>> SqliteStore::ListBlocks(int64_t account_id,
                                                            const PageRequest& page) {
  return Read<Result<std::vector<Paged<int64_t>>>>([&](SqliteDb& db) {
    return Page<int64_t>(
        db,
        "SELECT id, target_account_id FROM blocks WHERE account_id = ? AND id < ? AND id > ? "
        "ORDER BY id DESC LIMIT ?",
        "SELECT id, target_account_id FROM blocks WHERE account_id = ? AND id > ? AND id < ? "
        "ORDER BY id ASC LIMIT ?",
        account_id, page, SecondColumn);
  });
}

Result<std::vector<int64_t>> SqliteStore::FollowersAmong(int64_t account_id,
                                                         const std::vector<int64_t>& account_ids) {
  return Read<Result<std::vector<int64_t>>>([&](SqliteDb& db) -> Result<std::vector<int64_t>> {
    SqliteStatement q = db.Prepare(
        "SELECT account_id FROM follows INDEXED BY follows_by_account "
        "WHERE account_id IN (SELECT value FROM json_each(?)) AND target_account_id = ?");
    q.Bind(1, JsonIds(account_ids)).Bind(2, account_id);
    std::vector<int64_t> out;
    while (q.Step()) out.push_back(q.Int(0));
    if (q.failed()) return db.Failure();
    return out;
  });
}

Result<bool> SqliteStore::BlockedEitherWay(int64_t a, int64_t b) {
  return Read<Result<bool>>([&](SqliteDb& db) { return BlockedEitherWayIn(db, a, b); });
}

Status SqliteStore::CreateMute(const Mute& m) {
  return Write([&](SqliteDb& db) {
    SqliteStatement ins = db.Prepare(
        "INSERT INTO mutes (id, account_id, target_account_id, hide_notifications, expires_at, "
        "created_at) "
        "VALUES (?,?,?,?,?,?) ON CONFLICT(account_id, target_account_id) DO UPDATE SET "
        "hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at");
    ins.Bind(1, m.id)
        .Bind(2, m.account_id)
        .Bind(3, m.target_account_id)
        .Bind(4, m.hide_notifications);
    ins.Bind(5, m.expires_at_ms).Bind(6, m.created_at_ms);
    if (Status st = db.Run(ins); !st) return st;
    return Emit(db, EventKind::kMuted, m.account_id, m.target_account_id, m.created_at_ms);
  });
}

Result<bool> SqliteStore::DeleteMute(int64_t account_id, int64_t target_account_id) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement del =
        db.Prepare("DELETE FROM mutes WHERE account_id = ? AND target_account_id = ?");
    del.Bind(1, account_id).Bind(2, target_account_id);
    if (Status st = db.Run(del); !st) return std::move(st).error();
    if (db.Changes() == 0) return false;
    if (Status st = Emit(db, EventKind::kUnmuted, account_id, target_account_id, 0); !st)
      return std::move(st).error();
    return true;
  });
}

Result<std::vector<Paged<Mute>>> SqliteStore::ListMutes(int64_t account_id,
                                                        const PageRequest& page) {
  return Read<Result<std::vector<Paged<Mute>>>>([&](SqliteDb& db) {
    return Page<Mute>(
        db,
        "SELECT id, target_account_id, hide_notifications, expires_at, created_at FROM mutes "
        "WHERE account_id = ? AND id < ? AND id > ? ORDER BY id DESC LIMIT ?",
        "SELECT id, target_account_id, hide_notifications, expires_at, created_at FROM mutes "
        "WHERE account_id = ? AND id > ? AND id < ? ORDER BY id ASC LIMIT ?",
        account_id, page, [account_id](const SqliteStatement& q) {
          return Mute{q.Int(0), account_id, q.Int(1), q.Bool(2), q.Int(3), q.Int(4)};
        });
  });
}

Result<RelationshipRecord> SqliteStore::Relationship(int64_t account_id, int64_t target_account_id,
                                                     int64_t now_ms) {
  return Read<Result<RelationshipRecord>>([&](SqliteDb& db) -> Result<RelationshipRecord> {
    RelationshipRecord r;
    SqliteStatement q = db.Prepare(
        "SELECT "
        " (SELECT id FROM follows WHERE account_id = ?1 AND target_account_id = ?2),"
        " (SELECT show_reblogs FROM follows WHERE account_id = ?1 AND target_account_id = ?2),"
        " (SELECT notify FROM follows WHERE account_id = ?1 AND target_account_id = ?2),"
        " EXISTS (SELECT 1 FROM follows WHERE account_id = ?2 AND target_account_id = ?1),"
        " EXISTS (SELECT 1 FROM follow_requests WHERE account_id = ?1 AND target_account_id = ?2),"
        " EXISTS (SELECT 1 FROM follow_requests WHERE account_id = ?2 AND target_account_id = ?1),"
        " EXISTS (SELECT 1 FROM blocks WHERE account_id = ?1 AND target_account_id = ?2),"
        " EXISTS (SELECT 1 FROM blocks WHERE account_id = ?2 AND target_account_id = ?1),"
        " (SELECT id FROM mutes WHERE account_id = ?1 AND target_account_id = ?2 AND (expires_at = "
        "0 OR expires_at > ?3)),"
        " (SELECT hide_notifications FROM mutes WHERE account_id = ?1 AND target_account_id = ?2),"
        " (SELECT expires_at FROM mutes WHERE account_id = ?1 AND target_account_id = ?2)");
    q.Bind(1, account_id).Bind(2, target_account_id).Bind(3, now_ms);
    if (!q.Step()) return db.Failure();
    if (!q.IsNull(0))
      r.following = Follow{q.Int(0), account_id, target_account_id, q.Bool(1), q.Bool(2), 0};
    r.followed_by = q.Bool(3);
    r.requested = q.Bool(4);
    r.requested_by = q.Bool(5);
    r.blocking = q.Bool(6);
    r.blocked_by = q.Bool(7);
    if (!q.IsNull(8))
      r.muting = Mute{q.Int(8), account_id, target_account_id, q.Bool(9), q.Int(10), 0};
    return r;
  });
}

Result<bool> SqliteStore::NotificationsSilenced(int64_t recipient, int64_t from, int64_t now_ms) {
  return Read<Result<bool>>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement q = db.Prepare(
        "SELECT EXISTS (SELECT 1 FROM blocks WHERE account_id = ?1 AND target_account_id = ?2)"
        " OR EXISTS (SELECT 1 FROM blocks WHERE account_id = ?2 AND target_account_id = ?1)"
        " OR EXISTS (SELECT 1 FROM mutes WHERE account_id = ?1 AND target_account_id = ?2"
        " AND hide_notifications AND (expires_at = 0 OR expires_at > ?3))");
    q.Bind(1, recipient).Bind(2, from).Bind(3, now_ms);
    if (!q.Step()) return db.Failure();
    return q.Bool(0);
  });
}

}  // namespace chirp
