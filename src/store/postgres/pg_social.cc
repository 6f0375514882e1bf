// PgStore's statuses and social graph (store/social_store.h), translated
// from the embedded store's (sqlite/sqlite_social.cc).
//
// SQLite runs one write at a time, so it may read and then decide ("is
// there a reblog already?", "is there a block?"). PostgreSQL runs writes
// side by side under READ COMMITTED, so here the write that matters
// decides itself (ON CONFLICT, DELETE/UPDATE ... and what they report), or
// a lock taken first makes the read and the write one step; each place
// says which.
#include <algorithm>
#include <limits>
#include <map>

#include "store/events.h"
#include "store/media_rows.h"
#include "store/postgres/pg_status_rows.h"
#include "store/postgres/pg_store.h"

namespace chirp {
namespace {

constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

// How many times CreateStatus tries a reblog whose live twin vanishes
// between the insert that met it and the read that looks for it (an
// unreblog committed in between); past that something is wrong.
constexpr int kReblogAttempts = 3;

bool Distributable(Visibility v) { return v == Visibility::kPublic || v == Visibility::kUnlisted; }

// PostgreSQL refuses a negative LIMIT, where SQLite reads it as no limit;
// LIMIT NULL says the same to PostgreSQL.
void AddLimit(PgParams& params, int64_t limit) {
  if (limit < 0) {
    params.AddNull();
  } else {
    params.Add(limit);
  }
}

// Runs a paged listing: `newest_sql` takes (key, upper bound, lower bound,
// limit) and orders by cursor descending; `oldest_sql` takes (key, lower
// bound, upper bound, limit) ordered ascending, for min_id pages. The first
// column of each row is the cursor.
template <typename T, typename ReadRow>
Result<std::vector<Paged<T>>> Page(PgConn& conn, const char* newest_sql, const char* oldest_sql,
                                   int64_t key, const PageRequest& page, ReadRow read) {
  const int64_t upper = page.max_id > 0 ? page.max_id : kNoUpperBound;
  const bool oldest = page.min_id > 0;
  PgParams params;
  params.Add(key);
  if (oldest) {
    params.Add(page.min_id).Add(upper);
  } else {
    params.Add(upper).Add(std::max<int64_t>(0, page.since_id));
  }
  AddLimit(params, page.limit);
  auto rows = conn.Exec(oldest ? oldest_sql : newest_sql, params);
  if (!rows) return std::move(rows).error();
  std::vector<Paged<T>> out;
  out.reserve(rows->size());
  for (int i = 0; i < rows->size(); ++i) out.push_back({rows->Int(i, 0), read(*rows, i)});
  if (oldest) std::reverse(out.begin(), out.end());
  return out;
}

int64_t SecondColumn(const PgRows& rows, int row) { return rows.Int(row, 1); }

// The first column of every row.
std::vector<int64_t> FirstColumn(const PgRows& rows) {
  std::vector<int64_t> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) out.push_back(rows.Int(i, 0));
  return out;
}

Result<std::vector<int64_t>> Ids(PgConn& conn, const char* sql, const PgParams& params) {
  auto rows = conn.Exec(sql, params);
  if (!rows) return std::move(rows).error();
  return FirstColumn(*rows);
}

// Every status of `rows`, with their mentions, tags and media.
Result<std::vector<StatusRecord>> StatusesWithDetails(PgConn& conn, const PgRows& rows) {
  std::vector<StatusRecord> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadPgStatusRow(rows, i));
  if (Status st = LoadPgStatusDetails(conn, out); !st) return std::move(st).error();
  return out;
}

// Appends an event to the transaction's outbox writes.
void Emit(PgTx& tx, EventKind kind, int64_t account_id, int64_t subject_id, int64_t at_ms) {
  tx.AppendEvent(
      {.kind = kind, .account_id = account_id, .subject_id = subject_id, .created_at_ms = at_ms});
}

// Adds `delta` to a counter column of one row; counters never go below zero.
Status Bump(PgTx& tx, const char* sql, int64_t id, int64_t delta) {
  auto rows = tx.Exec(sql, PgParams().Add(delta).Add(id));
  if (!rows) return std::move(rows).error();
  return {};
}

constexpr const char* kBumpStatuses =
    "UPDATE accounts SET statuses_count = greatest(0, statuses_count + $1) WHERE id = $2";
constexpr const char* kBumpFollowers =
    "UPDATE accounts SET followers_count = greatest(0, followers_count + $1) WHERE id = $2";
constexpr const char* kBumpFollowing =
    "UPDATE accounts SET following_count = greatest(0, following_count + $1) WHERE id = $2";
constexpr const char* kBumpReplies =
    "UPDATE statuses SET replies_count = greatest(0, replies_count + $1) WHERE id = $2";
constexpr const char* kBumpReblogs =
    "UPDATE statuses SET reblogs_count = greatest(0, reblogs_count + $1) WHERE id = $2";
constexpr const char* kBumpFavourites =
    "UPDATE statuses SET favourites_count = greatest(0, favourites_count + $1) WHERE id = $2";

// The counters a follow of `target_id` by `account_id` moves. The two rows
// are updated smaller id first, as every transaction here does, so that two
// transactions bumping the same pair cannot wait for each other in a cycle.
Status BumpFollowCounters(PgTx& tx, int64_t account_id, int64_t target_id, int64_t delta) {
  if (account_id <= target_id) {
    if (Status st = Bump(tx, kBumpFollowing, account_id, delta); !st) return st;
    return Bump(tx, kBumpFollowers, target_id, delta);
  }
  if (Status st = Bump(tx, kBumpFollowers, target_id, delta); !st) return st;
  return Bump(tx, kBumpFollowing, account_id, delta);
}

// Serialises, until the transaction ends, every write that decides on a
// follow, a follow request or a block between two accounts (either way).
// A follow must not be created beside a block committed a moment earlier,
// nor a block leave a follow committed a moment later in place: under READ
// COMMITTED neither transaction sees the other's uncommitted row, and the
// block rows that would guard the decision may not exist yet (there is
// nothing to lock, and no predicate locks at this level). So both take
// this transaction-scoped advisory lock on the unordered pair first and
// read the blocks after it: whichever comes second sees what the first
// committed. Taken before any row lock and at most for one pair per
// transaction, it cannot close a cycle of waits. The key is a 64-bit hash
// of the pair; a collision only makes two unrelated pairs wait in turn.
Status LockPair(PgTx& tx, int64_t a, int64_t b) {
  auto rows = tx.Exec(
      "SELECT pg_advisory_xact_lock(hashint8extended(least($1::bigint, $2::bigint), "
      "greatest($1::bigint, $2::bigint)))",
      PgParams().Add(a).Add(b));
  if (!rows) return std::move(rows).error();
  return {};
}

Result<bool> BlockedEitherWayIn(PgConn& conn, int64_t a, int64_t b) {
  auto rows = conn.Exec(
      "SELECT 1 FROM blocks WHERE (account_id = $1 AND target_account_id = $2) "
      "OR (account_id = $2 AND target_account_id = $1) LIMIT 1",
      PgParams().Add(a).Add(b));
  if (!rows) return std::move(rows).error();
  return !rows->empty();
}

// Checked inside the writing transaction, under the pair's lock (LockPair),
// so that no follow or request can slip in beside a block committed a
// moment earlier or committing at the same time.
Status RefuseIfBlocked(PgTx& tx, int64_t a, int64_t b) {
  if (Status st = LockPair(tx, a, b); !st) return st;
  auto blocked = BlockedEitherWayIn(tx.conn(), a, b);
  if (!blocked) return std::move(blocked).error();
  if (*blocked) return Error::Forbidden("This action is not allowed");
  return {};
}

// Removes the follow of b by a, if any, with its counters. The DELETE
// decides: of two concurrent removals, the second waits for the first and
// removes nothing, so the counters move once.
Result<bool> RemoveFollow(PgTx& tx, int64_t account_id, int64_t target_id) {
  auto del = tx.Exec("DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2",
                     PgParams().Add(account_id).Add(target_id));
  if (!del) return std::move(del).error();
  if (del->affected() == 0) return false;
  Emit(tx, EventKind::kUnfollowed, account_id, target_id, 0);
  if (Status st = BumpFollowCounters(tx, account_id, target_id, -1); !st) {
    return std::move(st).error();
  }
  return true;
}

// Inserts the follow or updates the settings `change` names of the one
// there. The upsert decides, where SQLite tries an UPDATE and then an
// INSERT: a concurrent follow of the same pair waits for it and updates
// instead, and `xmax = 0` tells a row it inserted from one it updated.
Result<bool> InsertFollow(PgTx& tx, const Follow& f,
                          SocialStore::FollowSettingsChange change = {}) {
  if (Status st = RefuseIfBlocked(tx, f.account_id, f.target_account_id); !st) {
    return std::move(st).error();
  }
  auto upsert = tx.Exec(
      "INSERT INTO follows (id, account_id, target_account_id, show_reblogs, notify, created_at) "
      "VALUES ($1, $2, $3, $4, $5, $6) "
      "ON CONFLICT (account_id, target_account_id) DO UPDATE SET "
      "show_reblogs = CASE WHEN $7::boolean THEN excluded.show_reblogs "
      "ELSE follows.show_reblogs END, "
      "notify = CASE WHEN $8::boolean THEN excluded.notify ELSE follows.notify END "
      "RETURNING (xmax = 0) AS inserted",
      PgParams()
          .Add(f.id)
          .Add(f.account_id)
          .Add(f.target_account_id)
          .Add(f.show_reblogs)
          .Add(f.notify)
          .Add(f.created_at_ms)
          .Add(change.show_reblogs)
          .Add(change.notify));
  if (!upsert) return std::move(upsert).error();
  if (upsert->empty()) return Error::Internal("the follow upsert returned no row");
  if (!upsert->Bool(0, 0)) {
    Emit(tx, EventKind::kFollowChanged, f.account_id, f.target_account_id, f.created_at_ms);
    return false;
  }
  Emit(tx, EventKind::kFollowed, f.account_id, f.target_account_id, f.created_at_ms);
  if (Status st = BumpFollowCounters(tx, f.account_id, f.target_account_id, 1); !st) {
    return std::move(st).error();
  }
  return true;
}

// Removes the request of a to follow b, if any, with its event; reports
// whether there was one.
Result<bool> RemoveRequest(PgTx& tx, int64_t account_id, int64_t target_id) {
  auto del = tx.Exec("DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2",
                     PgParams().Add(account_id).Add(target_id));
  if (!del) return std::move(del).error();
  if (del->affected() == 0) return false;
  Emit(tx, EventKind::kFollowRequestRemoved, account_id, target_id, 0);
  return true;
}

// A table of marks accounts put on statuses (favourites, bookmarks): one
// row per account and status, with an event for each change.
struct MarkTable {
  const char* insert;  // (id, account_id, status_id, created_at); a repeat is ignored
  const char* remove;  // by account_id and status_id
  const char* among;   // status_id of the account's marks among an array of ids
  const char* scan;    // id, account_id, status_id of marks of live statuses after an id
  EventKind added;
  EventKind removed;
};

// ON CONFLICT DO NOTHING without a target ignores a repeat of the pair and
// a taken id alike, as SQLite's INSERT OR IGNORE does; of two concurrent
// marks, the second waits for the first and inserts nothing.
constexpr MarkTable kFavourites{
    .insert =
        "INSERT INTO favourites (id, account_id, status_id, created_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    .remove = "DELETE FROM favourites WHERE account_id = $1 AND status_id = $2",
    .among =
        "SELECT status_id FROM favourites WHERE account_id = $1 AND status_id = ANY($2::bigint[])",
    .scan =
        "SELECT f.id, f.account_id, f.status_id FROM favourites f "
        "JOIN statuses s ON s.id = f.status_id AND s.deleted_at = 0 "
        "WHERE f.id > $1 ORDER BY f.id LIMIT $2",
    .added = EventKind::kFavourited,
    .removed = EventKind::kUnfavourited};

constexpr MarkTable kBookmarks{
    .insert =
        "INSERT INTO bookmarks (id, account_id, status_id, created_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    .remove = "DELETE FROM bookmarks WHERE account_id = $1 AND status_id = $2",
    .among =
        "SELECT status_id FROM bookmarks WHERE account_id = $1 AND status_id = ANY($2::bigint[])",
    .scan =
        "SELECT b.id, b.account_id, b.status_id FROM bookmarks b "
        "JOIN statuses s ON s.id = b.status_id AND s.deleted_at = 0 "
        "WHERE b.id > $1 ORDER BY b.id LIMIT $2",
    .added = EventKind::kBookmarked,
    .removed = EventKind::kUnbookmarked};

// Whether the status is live, keeping it so until the transaction ends:
// FOR KEY SHARE waits for a DeleteStatus of it in progress (which locks it
// FOR UPDATE first) and then finds it deleted, while counter updates (FOR
// NO KEY UPDATE) of other transactions go on beside it.
Result<bool> KeepLive(PgTx& tx, int64_t status_id) {
  auto rows = tx.Exec("SELECT 1 FROM statuses WHERE id = $1 AND deleted_at = 0 FOR KEY SHARE",
                      PgParams().Add(status_id));
  if (!rows) return std::move(rows).error();
  return !rows->empty();
}

// Marks the live status `status_id` for the account, with its event;
// false when the mark was there already.
Result<bool> PutMark(PgTx& tx, const MarkTable& table, int64_t account_id, int64_t status_id,
                     int64_t id, int64_t at_ms) {
  auto live = KeepLive(tx, status_id);
  if (!live) return std::move(live).error();
  if (!*live) return Error::NotFound();
  auto ins = tx.Exec(table.insert, PgParams().Add(id).Add(account_id).Add(status_id).Add(at_ms));
  if (!ins) return std::move(ins).error();
  if (ins->affected() == 0) return false;
  Emit(tx, table.added, account_id, status_id, at_ms);
  return true;
}

// Removes the account's mark with its event; false when there was none.
Result<bool> TakeMark(PgTx& tx, const MarkTable& table, int64_t account_id, int64_t status_id) {
  auto del = tx.Exec(table.remove, PgParams().Add(account_id).Add(status_id));
  if (!del) return std::move(del).error();
  if (del->affected() == 0) return false;
  Emit(tx, table.removed, account_id, status_id, 0);
  return true;
}

Result<std::vector<int64_t>> MarkedAmong(PgConn& conn, const MarkTable& table, int64_t account_id,
                                         const std::vector<int64_t>& ids) {
  return Ids(conn, table.among, PgParams().Add(account_id).AddIds(ids));
}

// Of `ids`, the statuses the account has a live reblog of.
Result<std::vector<int64_t>> RebloggedAmongIn(PgConn& conn, int64_t account_id,
                                              const std::vector<int64_t>& ids) {
  return Ids(conn,
             // The conditions of the partial index one_live_reblog, spelled
             // out so the planner uses it instead of scanning the account's
             // statuses.
             "SELECT reblog_of_id FROM statuses WHERE account_id = $1 AND reblog_of_id <> 0 AND "
             "deleted_at = 0 AND reblog_of_id = ANY($2::bigint[])",
             PgParams().Add(account_id).AddIds(ids));
}

Result<std::vector<FavouriteRow>> ScanMarks(PgConn& conn, const MarkTable& table, int64_t after_id,
                                            int limit) {
  PgParams params;
  params.Add(after_id);
  AddLimit(params, limit);
  auto rows = conn.Exec(table.scan, params);
  if (!rows) return std::move(rows).error();
  std::vector<FavouriteRow> out;
  out.reserve(rows->size());
  for (int i = 0; i < rows->size(); ++i) {
    out.push_back({rows->Int(i, 0), rows->Int(i, 1), rows->Int(i, 2)});
  }
  return out;
}

// The account's live reblog of `status_id`, if any. `reblog_of_id <> 0`
// is the condition of the partial index statuses_by_reblog_of /
// one_live_reblog, which a generic plan cannot infer from `= $2`.
Result<std::optional<int64_t>> LiveReblog(PgConn& conn, int64_t account_id, int64_t status_id) {
  auto rows = conn.Exec(
      "SELECT id FROM statuses WHERE account_id = $1 AND reblog_of_id = $2 AND reblog_of_id <> 0 "
      "AND deleted_at = 0",
      PgParams().Add(account_id).Add(status_id));
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows->Int(0, 0));
}

// The status the account posted with `key` within the window, if it is
// still live. The key is locked first (a transaction-scoped advisory lock
// on its hash) and read after: two requests with the same key at once then
// run one after the other, and the second, reading after the first
// committed, returns its status instead of posting a twin. SQLite gets the
// same from its serial writes.
Result<std::optional<int64_t>> EarlierWithKey(PgTx& tx, const StatusRecord& s, std::string_view key,
                                              int64_t window_ms) {
  auto locked = tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended($1, $2::bigint))",
                        PgParams().Add(key).Add(s.account_id));
  if (!locked) return std::move(locked).error();
  auto rows = tx.Exec(
      "SELECT k.status_id FROM idempotency_keys k JOIN statuses s ON s.id = k.status_id "
      "WHERE k.account_id = $1 AND k.key = $2 AND k.created_at > $3 AND s.deleted_at = 0",
      PgParams().Add(s.account_id).Add(key).Add(s.created_at_ms - window_ms));
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<int64_t>();
  return std::optional<int64_t>(rows->Int(0, 0));
}

// Inserts the row of a reblog, or finds the account's live reblog of the
// same status: reblogging twice gives the live reblog. The insert decides,
// on the partial unique index one_live_reblog: a concurrent reblog of the
// same status by the same account makes it wait, and then insert nothing.
// Returns the id of the reblog that was there, empty when this one went in.
Result<std::optional<int64_t>> InsertReblogRow(PgTx& tx, const StatusRecord& s) {
  for (int attempt = 0; attempt < kReblogAttempts; ++attempt) {
    auto ins = tx.Exec(PG_INSERT_STATUS_ROW
                       " ON CONFLICT (account_id, reblog_of_id) "
                       "WHERE reblog_of_id <> 0 AND deleted_at = 0 DO NOTHING RETURNING id",
                       PgStatusRowParams(s));
    if (!ins) return std::move(ins).error();
    if (!ins->empty()) return std::optional<int64_t>();
    // A new statement, so a new snapshot: it sees the reblog the insert met,
    // unless an unreblog removed it since, when the insert is tried again.
    auto existing = LiveReblog(tx.conn(), s.account_id, s.reblog_of_id);
    if (!existing) return std::move(existing).error();
    if (*existing) return existing;
  }
  return Error::Unavailable("the reblog kept changing; try again");
}

// Attaches the media of the new status `s`, adding each attachment to
// s.media; kUnprocessable for one that is not the author's, is attached
// already or is still processing, or that may not go with the others
// (MixableMedia). The conditional UPDATE decides: of two
// statuses attaching the same media at once, the second finds it taken.
Status AttachMedia(PgTx& tx, StatusRecord& s) {
  for (size_t i = 0; i < s.media_ids.size(); ++i) {
    auto attach = tx.Exec(
        "UPDATE media_attachments m SET status_id = $1, position = $2 WHERE m.id = $3 AND "
        "m.account_id = $4 AND m.status_id = 0 AND m.state = 1 RETURNING " MEDIA_COLUMNS,
        PgParams().Add(s.id).Add(static_cast<int64_t>(i)).Add(s.media_ids[i]).Add(s.account_id));
    if (!attach) return std::move(attach).error();
    if (!attach->empty()) {
      s.media.push_back(ReadMediaColumns(PgRow{*attach, 0}));
    } else {
      auto why = tx.Exec(
          "SELECT state FROM media_attachments WHERE id = $1 AND account_id = $2 AND "
          "status_id = 0",
          PgParams().Add(s.media_ids[i]).Add(s.account_id));
      if (!why) return std::move(why).error();
      return UnattachableMedia(s.media_ids[i], !why->empty());
    }
  }
  return MixableMedia(s.media);
}

// The counters a new status moves.
Status CountNewStatus(PgTx& tx, const StatusRecord& s) {
  if (s.visibility != Visibility::kDirect) {
    auto a = tx.Exec(
        "UPDATE accounts SET statuses_count = statuses_count + 1, "
        "last_status_at = greatest(last_status_at, $1) WHERE id = $2",
        PgParams().Add(s.created_at_ms).Add(s.account_id));
    if (!a) return std::move(a).error();
  }
  if (s.reblog_of_id != 0) {
    if (Status st = Bump(tx, kBumpReblogs, s.reblog_of_id, 1); !st) return st;
  }
  if (s.in_reply_to_id != 0 && Distributable(s.visibility)) {
    if (Status st = Bump(tx, kBumpReplies, s.in_reply_to_id, 1); !st) return st;
  }
  return {};
}

Status RememberKey(PgTx& tx, const StatusRecord& s, std::string_view key) {
  auto k = tx.Exec(
      "INSERT INTO idempotency_keys (account_id, key, status_id, created_at) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO UPDATE SET "
      "status_id = excluded.status_id, created_at = excluded.created_at",
      PgParams().Add(s.account_id).Add(key).Add(s.id).Add(s.created_at_ms));
  if (!k) return std::move(k).error();
  return {};
}

// Writes a new status; an existing one (the same key, the live reblog)
// comes back with `existing` set. The event's id is the caller's to fill.
Result<CreatedStatus> WriteNewStatus(PgTx& tx, const StatusRecord& s, std::string_view key,
                                     int64_t window_ms) {
  if (!key.empty()) {
    auto earlier = EarlierWithKey(tx, s, key, window_ms);
    if (!earlier) return std::move(earlier).error();
    if (*earlier) return CreatedStatus{**earlier, true};
  }
  if (s.reblog_of_id != 0) {
    auto original = KeepLive(tx, s.reblog_of_id);
    if (!original) return std::move(original).error();
    if (!*original) return Error::NotFound();  // deleted meanwhile
    auto existing = InsertReblogRow(tx, s);
    if (!existing) return std::move(existing).error();
    if (*existing) return CreatedStatus{**existing, true};
  } else if (Status st = InsertPgStatusRow(tx.conn(), s); !st) {
    return std::move(st).error();
  }
  StatusRecord stored = s;
  if (Status st = AttachMedia(tx, stored); !st) return std::move(st).error();
  if (Status st = InsertPgMentionsAndTags(tx.conn(), s, &stored.tag_display_names); !st) {
    return std::move(st).error();
  }
  if (!key.empty()) {
    if (Status st = RememberKey(tx, s, key); !st) return std::move(st).error();
  }
  // The author's row last: its lock, which every status of the author
  // takes, is then held for the fewest statements before the commit.
  if (Status st = CountNewStatus(tx, s); !st) return std::move(st).error();
  tx.AppendEvent(StatusEvent(EventKind::kStatusCreated, s, s.created_at_ms));
  return CreatedStatus{s.id, false, std::move(stored)};
}

// Marks one status deleted and undoes what it counted; false when it was
// deleted already (by a concurrent deletion, which counted it).
Result<bool> DeleteOne(PgTx& tx, const StatusRecord& s, int64_t at_ms) {
  auto del = tx.Exec("UPDATE statuses SET deleted_at = $1 WHERE id = $2 AND deleted_at = 0",
                     PgParams().Add(at_ms).Add(s.id));
  if (!del) return std::move(del).error();
  if (del->affected() == 0) return false;
  tx.AppendEvent(StatusEvent(EventKind::kStatusDeleted, s, at_ms));
  if (s.visibility != Visibility::kDirect) {
    if (Status st = Bump(tx, kBumpStatuses, s.account_id, -1); !st) return std::move(st).error();
  }
  if (s.reblog_of_id != 0) {
    if (Status st = Bump(tx, kBumpReblogs, s.reblog_of_id, -1); !st) {
      return std::move(st).error();
    }
  }
  if (s.in_reply_to_id != 0 && Distributable(s.visibility)) {
    if (Status st = Bump(tx, kBumpReplies, s.in_reply_to_id, -1); !st) {
      return std::move(st).error();
    }
  }
  // Its media's files may go (AttachmentStore::ListDisposableMedia).
  auto discard = tx.Exec(
      "UPDATE media_attachments SET discarded_at = $1 WHERE status_id = $2 AND status_id <> 0",
      PgParams().Add(at_ms).Add(s.id));
  if (!discard) return std::move(discard).error();
  return true;
}

// The filters of an account's status listing, after its paging bounds
// ($1 to $4). `m.status_id <> 0` is the condition of the partial index
// media_by_status, which the planner cannot infer from `= s.id`.
#define PG_ACCOUNT_STATUS_FILTERS                                                      \
  " AND s.deleted_at = 0 AND s.visibility = ANY($5::int[])"                            \
  " AND (NOT $6::boolean OR s.in_reply_to_id = 0"                                      \
  "      OR s.in_reply_to_account_id = s.account_id)"                                  \
  " AND (NOT $7::boolean OR s.reblog_of_id = 0)"                                       \
  " AND (NOT $8::boolean OR EXISTS (SELECT 1 FROM media_attachments m"                 \
  "      WHERE m.status_id = s.id AND m.status_id <> 0))"                              \
  " AND ($9::text = '' OR EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = " \
  "st.tag_id WHERE st.status_id = s.id AND t.name = $9::text))"

constexpr const char* kAccountStatusesNewest =
    "SELECT " PG_STATUS_COLUMNS
    " FROM statuses s WHERE s.account_id = $1 AND s.id < $2 AND s.id > $3" PG_ACCOUNT_STATUS_FILTERS
    " ORDER BY s.id DESC LIMIT $4";
constexpr const char* kAccountStatusesOldest =
    "SELECT " PG_STATUS_COLUMNS
    " FROM statuses s WHERE s.account_id = $1 AND s.id > $2 AND s.id < $3" PG_ACCOUNT_STATUS_FILTERS
    " ORDER BY s.id ASC LIMIT $4";

#undef PG_ACCOUNT_STATUS_FILTERS

PgParams AccountStatusParams(int64_t account_id, const AccountStatusFilter& f,
                             const PageRequest& page) {
  const int64_t upper = page.max_id > 0 ? page.max_id : kNoUpperBound;
  PgParams params;
  params.Add(account_id);
  if (page.min_id > 0) {
    params.Add(page.min_id).Add(upper);
  } else {
    params.Add(upper).Add(std::max<int64_t>(0, page.since_id));
  }
  AddLimit(params, page.limit);
  std::vector<int64_t> visibilities;
  for (Visibility v : f.visibilities) visibilities.push_back(static_cast<int64_t>(v));
  params.AddIds(visibilities);  // an int[] literal as well
  params.Add(f.exclude_replies).Add(f.exclude_reblogs).Add(f.only_media).Add(f.tagged);
  return params;
}

}  // namespace

Result<CreatedStatus> PgStore::CreateStatus(const StatusRecord& s, std::string_view idempotency_key,
                                            int64_t idempotency_window_ms) {
  std::vector<int64_t> event_ids;
  auto created = Write<CreatedStatus>(
      [&](PgTx& tx) { return WriteNewStatus(tx, s, idempotency_key, idempotency_window_ms); },
      &event_ids);
  if (!created) return created;
  // The status's event is the only one its transaction appends.
  if (!created->existing && !event_ids.empty()) created->event_id = event_ids.front();
  return created;
}

Result<StatusRecord> PgStore::FindStatus(int64_t id) {
  return Read<StatusRecord>([&](PgConn& conn) { return ReadPgLiveStatus(conn, id); });
}

Result<StatusRecord> PgStore::FindDeletedStatus(int64_t id) {
  return Read<StatusRecord>([&](PgConn& conn) -> Result<StatusRecord> {
    auto rows = conn.Exec("SELECT " PG_STATUS_COLUMNS
                          " FROM statuses s WHERE s.id = $1 AND s.deleted_at <> 0",
                          PgParams().Add(id));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::NotFound();
    StatusRecord s = ReadPgStatusRow(*rows, 0);
    if (Status st = LoadPgStatusDetails(conn, s); !st) return std::move(st).error();
    return s;
  });
}

Result<std::vector<StatusRecord>> PgStore::ScanStatuses(int64_t after_id, int limit) {
  return Read<std::vector<StatusRecord>>([&](PgConn& conn) -> Result<std::vector<StatusRecord>> {
    PgParams params;
    params.Add(after_id);
    AddLimit(params, limit);
    auto rows = conn.Exec("SELECT " PG_STATUS_COLUMNS
                          " FROM statuses s WHERE s.id > $1 AND s.deleted_at = 0 "
                          "ORDER BY s.id LIMIT $2",
                          params);
    if (!rows) return std::move(rows).error();
    return StatusesWithDetails(conn, *rows);
  });
}

Result<std::vector<FavouriteRow>> PgStore::ScanFavourites(int64_t after_id, int limit) {
  return Read<std::vector<FavouriteRow>>(
      [&](PgConn& conn) { return ScanMarks(conn, kFavourites, after_id, limit); });
}

Result<std::vector<StatusRecord>> PgStore::FindStatuses(const std::vector<int64_t>& ids) {
  return Read<std::vector<StatusRecord>>([&](PgConn& conn) -> Result<std::vector<StatusRecord>> {
    auto rows = conn.Exec("SELECT " PG_STATUS_COLUMNS
                          " FROM statuses s WHERE s.id = ANY($1::bigint[]) AND s.deleted_at = 0",
                          PgParams().AddIds(ids));
    if (!rows) return std::move(rows).error();
    auto out = StatusesWithDetails(conn, *rows);
    if (!out) return out;
    // In the order asked for.
    std::map<int64_t, size_t> position;
    for (size_t i = 0; i < ids.size(); ++i) position.emplace(ids[i], i);
    std::sort(out->begin(), out->end(), [&](const StatusRecord& a, const StatusRecord& b) {
      return position[a.id] < position[b.id];
    });
    return out;
  });
}

Result<DeletedStatuses> PgStore::DeleteStatus(int64_t id, int64_t at_ms) {
  return Write<DeletedStatuses>([&](PgTx& tx) -> Result<DeletedStatuses> {
    // FOR UPDATE, the one lock that conflicts with the FOR KEY SHARE of a
    // reblog or a favourite being written (KeepLive): either that write
    // commits first and the reblogs read below see it, or it waits and
    // then finds the status deleted.
    auto target = tx.Exec("SELECT " PG_STATUS_COLUMNS
                          " FROM statuses s WHERE s.id = $1 AND s.deleted_at = 0 FOR UPDATE",
                          PgParams().Add(id));
    if (!target) return std::move(target).error();
    if (target->empty()) return Error::NotFound();
    const StatusRecord status = ReadPgStatusRow(*target, 0);
    // `reblog_of_id <> 0`: the condition of the partial index
    // statuses_by_reblog_of. In id order, so that deletions lock alike.
    auto reblogs = tx.Exec("SELECT " PG_STATUS_COLUMNS
                           " FROM statuses s WHERE s.reblog_of_id = $1 AND s.reblog_of_id <> 0 "
                           "AND s.deleted_at = 0 ORDER BY s.id",
                           PgParams().Add(id));
    if (!reblogs) return std::move(reblogs).error();
    DeletedStatuses deleted;
    for (int i = 0; i < reblogs->size(); ++i) {
      const StatusRecord w = ReadPgStatusRow(*reblogs, i);
      auto removed = DeleteOne(tx, w, at_ms);
      if (!removed) return std::move(removed).error();
      if (!*removed) continue;  // unreblogged meanwhile
      deleted.status_ids.push_back(w.id);
      deleted.account_ids.push_back(w.account_id);
    }
    if (auto removed = DeleteOne(tx, status, at_ms); !removed) return std::move(removed).error();
    deleted.status_ids.push_back(id);
    deleted.account_ids.push_back(status.account_id);
    return deleted;
  });
}

Result<std::optional<int64_t>> PgStore::FindReblog(int64_t account_id, int64_t status_id) {
  return Read<std::optional<int64_t>>(
      [&](PgConn& conn) { return LiveReblog(conn, account_id, status_id); });
}

Result<std::vector<Paged<StatusRecord>>> PgStore::ListAccountStatuses(int64_t account_id,
                                                                      const AccountStatusFilter& f,
                                                                      const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<StatusRecord>>>(
      [&](PgConn& conn) -> Result<std::vector<Paged<StatusRecord>>> {
        const bool oldest = page.min_id > 0;
        auto rows = conn.Exec(oldest ? kAccountStatusesOldest : kAccountStatusesNewest,
                              AccountStatusParams(account_id, f, page));
        if (!rows) return std::move(rows).error();
        auto statuses = StatusesWithDetails(conn, *rows);
        if (!statuses) return std::move(statuses).error();
        if (oldest) std::reverse(statuses->begin(), statuses->end());
        std::vector<Paged<StatusRecord>> out;
        out.reserve(statuses->size());
        for (StatusRecord& s : *statuses) out.push_back({s.id, std::move(s)});
        return out;
      });
}

Result<std::vector<StatusRecord>> PgStore::ListReplies(const std::vector<int64_t>& parent_ids) {
  return ReadMayLag<std::vector<StatusRecord>>(
      [&](PgConn& conn) -> Result<std::vector<StatusRecord>> {
        // `in_reply_to_id <> 0`: the condition of the partial index
        // statuses_by_parent, which the planner cannot infer from `= ANY($1)`.
        auto rows = conn.Exec("SELECT " PG_STATUS_COLUMNS
                              " FROM statuses s WHERE s.in_reply_to_id = ANY($1::bigint[]) "
                              "AND s.in_reply_to_id <> 0 AND s.deleted_at = 0 ORDER BY s.id",
                              PgParams().AddIds(parent_ids));
        if (!rows) return std::move(rows).error();
        return StatusesWithDetails(conn, *rows);
      });
}

Result<bool> PgStore::Favourite(int64_t account_id, int64_t status_id, int64_t id, int64_t at_ms) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    auto changed = PutMark(tx, kFavourites, account_id, status_id, id, at_ms);
    if (!changed || !*changed) return changed;
    if (Status st = Bump(tx, kBumpFavourites, status_id, 1); !st) return std::move(st).error();
    return true;
  });
}

Result<bool> PgStore::Unfavourite(int64_t account_id, int64_t status_id) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    auto changed = TakeMark(tx, kFavourites, account_id, status_id);
    if (!changed || !*changed) return changed;
    if (Status st = Bump(tx, kBumpFavourites, status_id, -1); !st) return std::move(st).error();
    return true;
  });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListFavouritedBy(int64_t status_id,
                                                              const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(conn,
                         "SELECT id, account_id FROM favourites WHERE status_id = $1 AND id < $2 "
                         "AND id > $3 ORDER BY id DESC LIMIT $4",
                         "SELECT id, account_id FROM favourites WHERE status_id = $1 AND id > $2 "
                         "AND id < $3 ORDER BY id ASC LIMIT $4",
                         status_id, page, SecondColumn);
  });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListFavourites(int64_t account_id,
                                                            const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(
        conn,
        "SELECT f.id, f.status_id FROM favourites f JOIN statuses s ON s.id = f.status_id "
        "WHERE f.account_id = $1 AND f.id < $2 AND f.id > $3 AND s.deleted_at = 0 "
        "ORDER BY f.id DESC LIMIT $4",
        "SELECT f.id, f.status_id FROM favourites f JOIN statuses s ON s.id = f.status_id "
        "WHERE f.account_id = $1 AND f.id > $2 AND f.id < $3 AND s.deleted_at = 0 "
        "ORDER BY f.id ASC LIMIT $4",
        account_id, page, SecondColumn);
  });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListRebloggedBy(int64_t status_id,
                                                             const PageRequest& page) {
  // `reblog_of_id <> 0`: the condition of the partial index
  // statuses_by_reblog_of, which a generic plan cannot infer from `= $1`.
  return ReadMayLag<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(
        conn,
        "SELECT id, account_id FROM statuses WHERE reblog_of_id = $1 AND reblog_of_id <> 0 "
        "AND id < $2 AND id > $3 AND deleted_at = 0 ORDER BY id DESC LIMIT $4",
        "SELECT id, account_id FROM statuses WHERE reblog_of_id = $1 AND reblog_of_id <> 0 "
        "AND id > $2 AND id < $3 AND deleted_at = 0 ORDER BY id ASC LIMIT $4",
        status_id, page, SecondColumn);
  });
}

Result<std::vector<int64_t>> PgStore::FavouritedAmong(int64_t account_id,
                                                      const std::vector<int64_t>& ids) {
  return Read<std::vector<int64_t>>(
      [&](PgConn& conn) { return MarkedAmong(conn, kFavourites, account_id, ids); });
}

Result<std::vector<int64_t>> PgStore::RebloggedAmong(int64_t account_id,
                                                     const std::vector<int64_t>& ids) {
  return Read<std::vector<int64_t>>(
      [&](PgConn& conn) { return RebloggedAmongIn(conn, account_id, ids); });
}

Result<Interactions> PgStore::InteractionsAmong(int64_t account_id,
                                                const std::vector<int64_t>& ids) {
  return ReadMayLag<Interactions>([&](PgConn& conn) -> Result<Interactions> {
    Interactions out;
    auto favourited = MarkedAmong(conn, kFavourites, account_id, ids);
    if (!favourited) return std::move(favourited).error();
    out.favourited = std::move(favourited).value();
    auto reblogged = RebloggedAmongIn(conn, account_id, ids);
    if (!reblogged) return std::move(reblogged).error();
    out.reblogged = std::move(reblogged).value();
    auto bookmarked = MarkedAmong(conn, kBookmarks, account_id, ids);
    if (!bookmarked) return std::move(bookmarked).error();
    out.bookmarked = std::move(bookmarked).value();
    return out;
  });
}

Result<Interactions> PgStore::InteractionsSince(int64_t account_id, int64_t min_status_id) {
  return Read<Interactions>([&](PgConn& conn) -> Result<Interactions> {
    const PgParams params = PgParams().Add(account_id).Add(min_status_id);
    Interactions out;
    auto favourited = Ids(conn,
                          "SELECT status_id FROM favourites WHERE account_id = $1 AND "
                          "status_id >= $2 ORDER BY status_id",
                          params);
    if (!favourited) return std::move(favourited).error();
    out.favourited = std::move(favourited).value();
    // The conditions of the partial index one_live_reblog, as in RebloggedAmong.
    auto reblogged = Ids(conn,
                         "SELECT reblog_of_id FROM statuses WHERE account_id = $1 AND "
                         "reblog_of_id <> 0 AND deleted_at = 0 AND reblog_of_id >= $2 "
                         "ORDER BY reblog_of_id",
                         params);
    if (!reblogged) return std::move(reblogged).error();
    out.reblogged = std::move(reblogged).value();
    auto bookmarked = Ids(conn,
                          "SELECT status_id FROM bookmarks WHERE account_id = $1 AND "
                          "status_id >= $2 ORDER BY status_id",
                          params);
    if (!bookmarked) return std::move(bookmarked).error();
    out.bookmarked = std::move(bookmarked).value();
    return out;
  });
}

Result<bool> PgStore::Bookmark(int64_t account_id, int64_t status_id, int64_t id, int64_t at_ms) {
  return Write<bool>(
      [&](PgTx& tx) { return PutMark(tx, kBookmarks, account_id, status_id, id, at_ms); });
}

Result<bool> PgStore::Unbookmark(int64_t account_id, int64_t status_id) {
  return Write<bool>([&](PgTx& tx) { return TakeMark(tx, kBookmarks, account_id, status_id); });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListBookmarks(int64_t account_id,
                                                           const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(
        conn,
        "SELECT b.id, b.status_id FROM bookmarks b JOIN statuses s ON s.id = b.status_id "
        "WHERE b.account_id = $1 AND b.id < $2 AND b.id > $3 AND s.deleted_at = 0 "
        "ORDER BY b.id DESC LIMIT $4",
        "SELECT b.id, b.status_id FROM bookmarks b JOIN statuses s ON s.id = b.status_id "
        "WHERE b.account_id = $1 AND b.id > $2 AND b.id < $3 AND s.deleted_at = 0 "
        "ORDER BY b.id ASC LIMIT $4",
        account_id, page, SecondColumn);
  });
}

Result<std::vector<int64_t>> PgStore::BookmarkedAmong(int64_t account_id,
                                                      const std::vector<int64_t>& ids) {
  return Read<std::vector<int64_t>>(
      [&](PgConn& conn) { return MarkedAmong(conn, kBookmarks, account_id, ids); });
}

Result<std::vector<FavouriteRow>> PgStore::ScanBookmarks(int64_t after_id, int limit) {
  return Read<std::vector<FavouriteRow>>(
      [&](PgConn& conn) { return ScanMarks(conn, kBookmarks, after_id, limit); });
}

Result<bool> PgStore::CreateFollow(const Follow& follow, FollowSettingsChange change) {
  return Write<bool>([&](PgTx& tx) { return InsertFollow(tx, follow, change); });
}

Result<bool> PgStore::DeleteFollow(int64_t account_id, int64_t target_account_id) {
  return Write<bool>([&](PgTx& tx) { return RemoveFollow(tx, account_id, target_account_id); });
}

Result<SocialStore::Unfollowed> PgStore::Unfollow(int64_t account_id, int64_t target_account_id) {
  return Write<Unfollowed>([&](PgTx& tx) -> Result<Unfollowed> {
    auto follow = RemoveFollow(tx, account_id, target_account_id);
    if (!follow) return std::move(follow).error();
    auto request = RemoveRequest(tx, account_id, target_account_id);
    if (!request) return std::move(request).error();
    return Unfollowed{*follow, *request};
  });
}

Result<std::optional<Follow>> PgStore::FindFollow(int64_t account_id, int64_t target_account_id) {
  return Read<std::optional<Follow>>([&](PgConn& conn) -> Result<std::optional<Follow>> {
    auto rows = conn.Exec(
        "SELECT id, show_reblogs, notify, created_at FROM follows WHERE account_id = $1 AND "
        "target_account_id = $2",
        PgParams().Add(account_id).Add(target_account_id));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<Follow>();
    return std::optional<Follow>(Follow{rows->Int(0, 0), account_id, target_account_id,
                                        rows->Bool(0, 1), rows->Bool(0, 2), rows->Int(0, 3)});
  });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListFollowers(int64_t account_id,
                                                           const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(conn,
                         "SELECT id, account_id FROM follows WHERE target_account_id = $1 AND "
                         "id < $2 AND id > $3 ORDER BY id DESC LIMIT $4",
                         "SELECT id, account_id FROM follows WHERE target_account_id = $1 AND "
                         "id > $2 AND id < $3 ORDER BY id ASC LIMIT $4",
                         account_id, page, SecondColumn);
  });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListFollowing(int64_t account_id,
                                                           const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(conn,
                         "SELECT id, target_account_id FROM follows WHERE account_id = $1 AND "
                         "id < $2 AND id > $3 ORDER BY id DESC LIMIT $4",
                         "SELECT id, target_account_id FROM follows WHERE account_id = $1 AND "
                         "id > $2 AND id < $3 ORDER BY id ASC LIMIT $4",
                         account_id, page, SecondColumn);
  });
}

Result<bool> PgStore::CreateFollowRequest(const Follow& r) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    if (Status st = RefuseIfBlocked(tx, r.account_id, r.target_account_id); !st) {
      return std::move(st).error();
    }
    // One upsert where SQLite tries an UPDATE and then an INSERT: a repeat
    // updates the settings and announces nothing.
    auto upsert = tx.Exec(
        "INSERT INTO follow_requests (id, account_id, target_account_id, show_reblogs, notify, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (account_id, target_account_id) DO UPDATE SET "
        "show_reblogs = excluded.show_reblogs, notify = excluded.notify "
        "RETURNING (xmax = 0) AS inserted",
        PgParams()
            .Add(r.id)
            .Add(r.account_id)
            .Add(r.target_account_id)
            .Add(r.show_reblogs)
            .Add(r.notify)
            .Add(r.created_at_ms));
    if (!upsert) return std::move(upsert).error();
    if (upsert->empty()) return Error::Internal("the follow request upsert returned no row");
    if (!upsert->Bool(0, 0)) return false;
    Emit(tx, EventKind::kFollowRequested, r.account_id, r.target_account_id, r.created_at_ms);
    return true;
  });
}

Result<bool> PgStore::DeleteFollowRequest(int64_t account_id, int64_t target_account_id) {
  return Write<bool>([&](PgTx& tx) { return RemoveRequest(tx, account_id, target_account_id); });
}

Status PgStore::AuthorizeFollowRequest(int64_t account_id, int64_t target_account_id,
                                       int64_t follow_id, int64_t at_ms) {
  return WriteStatus([&](PgTx& tx) -> Status {
    // The pair's lock before the request's row lock, in the order
    // CreateBlock takes them (it removes requests under the same lock).
    if (Status st = LockPair(tx, account_id, target_account_id); !st) return st;
    // The DELETE decides and reads the settings at once: of two concurrent
    // authorisations, the second finds no request.
    auto removed = tx.Exec(
        "DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2 "
        "RETURNING show_reblogs, notify",
        PgParams().Add(account_id).Add(target_account_id));
    if (!removed) return std::move(removed).error();
    if (removed->empty()) return Error::NotFound();
    Follow f{follow_id,           account_id,          target_account_id,
             removed->Bool(0, 0), removed->Bool(0, 1), at_ms};
    Emit(tx, EventKind::kFollowRequestRemoved, account_id, target_account_id, 0);
    auto inserted = InsertFollow(tx, f);
    if (!inserted) return std::move(inserted).error();
    return {};
  });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListFollowRequests(int64_t target_account_id,
                                                                const PageRequest& page) {
  return Read<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(conn,
                         "SELECT id, account_id FROM follow_requests WHERE target_account_id = $1 "
                         "AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4",
                         "SELECT id, account_id FROM follow_requests WHERE target_account_id = $1 "
                         "AND id > $2 AND id < $3 ORDER BY id ASC LIMIT $4",
                         target_account_id, page, SecondColumn);
  });
}

Result<int64_t> PgStore::CountFollowRequests(int64_t target_account_id) {
  return Read<int64_t>([&](PgConn& conn) -> Result<int64_t> {
    auto rows = conn.Exec("SELECT count(*) FROM follow_requests WHERE target_account_id = $1",
                          PgParams().Add(target_account_id));
    if (!rows) return std::move(rows).error();
    return rows->Int(0, 0);
  });
}

Result<bool> PgStore::CreateBlock(int64_t id, int64_t account_id, int64_t target_account_id,
                                  int64_t at_ms) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    // Under the pair's lock, so that a follow or request being written at
    // the same time either commits first (and is removed below) or waits
    // and then sees this block (RefuseIfBlocked).
    if (Status st = LockPair(tx, account_id, target_account_id); !st) {
      return std::move(st).error();
    }
    auto ins = tx.Exec(
        "INSERT INTO blocks (id, account_id, target_account_id, created_at) "
        "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        PgParams().Add(id).Add(account_id).Add(target_account_id).Add(at_ms));
    if (!ins) return std::move(ins).error();
    const bool created = ins->affected() > 0;
    if (created) Emit(tx, EventKind::kBlocked, account_id, target_account_id, at_ms);
    for (auto [a, b] :
         {std::pair{account_id, target_account_id}, {target_account_id, account_id}}) {
      if (auto r = RemoveFollow(tx, a, b); !r) return std::move(r).error();
      if (auto r = RemoveRequest(tx, a, b); !r) return std::move(r).error();
    }
    return created;
  });
}

Result<bool> PgStore::DeleteBlock(int64_t account_id, int64_t target_account_id) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    auto del = tx.Exec("DELETE FROM blocks WHERE account_id = $1 AND target_account_id = $2",
                       PgParams().Add(account_id).Add(target_account_id));
    if (!del) return std::move(del).error();
    if (del->affected() == 0) return false;
    Emit(tx, EventKind::kUnblocked, account_id, target_account_id, 0);
    return true;
  });
}

Result<std::vector<Paged<int64_t>>> PgStore::ListBlocks(int64_t account_id,
                                                        const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<int64_t>>>([&](PgConn& conn) {
    return Page<int64_t>(conn,
                         "SELECT id, target_account_id FROM blocks WHERE account_id = $1 AND "
                         "id < $2 AND id > $3 ORDER BY id DESC LIMIT $4",
                         "SELECT id, target_account_id FROM blocks WHERE account_id = $1 AND "
                         "id > $2 AND id < $3 ORDER BY id ASC LIMIT $4",
                         account_id, page, SecondColumn);
  });
}

Result<std::vector<int64_t>> PgStore::FollowersAmong(int64_t account_id,
                                                     const std::vector<int64_t>& account_ids) {
  // One look-up of follows_by_account (account_id, target_account_id) each.
  return Read<std::vector<int64_t>>([&](PgConn& conn) {
    return Ids(conn,
               "SELECT account_id FROM follows "
               "WHERE account_id = ANY($1::bigint[]) AND target_account_id = $2",
               PgParams().AddIds(account_ids).Add(account_id));
  });
}

Result<bool> PgStore::BlockedEitherWay(int64_t a, int64_t b) {
  return Read<bool>([&](PgConn& conn) { return BlockedEitherWayIn(conn, a, b); });
}

Status PgStore::CreateMute(const Mute& m) {
  return WriteStatus([&](PgTx& tx) -> Status {
    auto ins = tx.Exec(
        "INSERT INTO mutes (id, account_id, target_account_id, hide_notifications, expires_at, "
        "created_at) VALUES ($1, $2, $3, $4, $5, $6) "
        "ON CONFLICT (account_id, target_account_id) DO UPDATE SET "
        "hide_notifications = excluded.hide_notifications, expires_at = excluded.expires_at",
        PgParams()
            .Add(m.id)
            .Add(m.account_id)
            .Add(m.target_account_id)
            .Add(m.hide_notifications)
            .Add(m.expires_at_ms)
            .Add(m.created_at_ms));
    if (!ins) return std::move(ins).error();
    Emit(tx, EventKind::kMuted, m.account_id, m.target_account_id, m.created_at_ms);
    return {};
  });
}

Result<bool> PgStore::DeleteMute(int64_t account_id, int64_t target_account_id) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    auto del = tx.Exec("DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2",
                       PgParams().Add(account_id).Add(target_account_id));
    if (!del) return std::move(del).error();
    if (del->affected() == 0) return false;
    Emit(tx, EventKind::kUnmuted, account_id, target_account_id, 0);
    return true;
  });
}

Result<std::vector<Paged<Mute>>> PgStore::ListMutes(int64_t account_id, const PageRequest& page) {
  return ReadMayLag<std::vector<Paged<Mute>>>([&](PgConn& conn) {
    return Page<Mute>(
        conn,
        "SELECT id, target_account_id, hide_notifications, expires_at, created_at FROM mutes "
        "WHERE account_id = $1 AND id < $2 AND id > $3 ORDER BY id DESC LIMIT $4",
        "SELECT id, target_account_id, hide_notifications, expires_at, created_at FROM mutes "
        "WHERE account_id = $1 AND id > $2 AND id < $3 ORDER BY id ASC LIMIT $4",
        account_id, page, [account_id](const PgRows& rows, int i) {
          return Mute{rows.Int(i, 0),  account_id,     rows.Int(i, 1),
                      rows.Bool(i, 2), rows.Int(i, 3), rows.Int(i, 4)};
        });
  });
}

Result<RelationshipRecord> PgStore::Relationship(int64_t account_id, int64_t target_account_id,
                                                 int64_t now_ms) {
  return Read<RelationshipRecord>([&](PgConn& conn) -> Result<RelationshipRecord> {
    // One statement, so one snapshot: the parts agree with each other.
    auto rows = conn.Exec(
        "SELECT "
        " (SELECT id FROM follows WHERE account_id = $1 AND target_account_id = $2),"
        " (SELECT show_reblogs FROM follows WHERE account_id = $1 AND target_account_id = $2),"
        " (SELECT notify FROM follows WHERE account_id = $1 AND target_account_id = $2),"
        " EXISTS (SELECT 1 FROM follows WHERE account_id = $2 AND target_account_id = $1),"
        " EXISTS (SELECT 1 FROM follow_requests WHERE account_id = $1 AND target_account_id = $2),"
        " EXISTS (SELECT 1 FROM follow_requests WHERE account_id = $2 AND target_account_id = $1),"
        " EXISTS (SELECT 1 FROM blocks WHERE account_id = $1 AND target_account_id = $2),"
        " EXISTS (SELECT 1 FROM blocks WHERE account_id = $2 AND target_account_id = $1),"
        " (SELECT id FROM mutes WHERE account_id = $1 AND target_account_id = $2"
        "  AND (expires_at = 0 OR expires_at > $3)),"
        " (SELECT hide_notifications FROM mutes WHERE account_id = $1 AND target_account_id = $2),"
        " (SELECT expires_at FROM mutes WHERE account_id = $1 AND target_account_id = $2)",
        PgParams().Add(account_id).Add(target_account_id).Add(now_ms));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::Internal("the relationship query returned no row");
    const PgRows& q = *rows;
    RelationshipRecord r;
    if (!q.IsNull(0, 0)) {
      r.following =
          Follow{q.Int(0, 0), account_id, target_account_id, q.Bool(0, 1), q.Bool(0, 2), 0};
    }
    r.followed_by = q.Bool(0, 3);
    r.requested = q.Bool(0, 4);
    r.requested_by = q.Bool(0, 5);
    r.blocking = q.Bool(0, 6);
    r.blocked_by = q.Bool(0, 7);
    if (!q.IsNull(0, 8)) {
      r.muting = Mute{q.Int(0, 8), account_id, target_account_id, q.Bool(0, 9), q.Int(0, 10), 0};
    }
    return r;
  });
}

Result<bool> PgStore::NotificationsSilenced(int64_t recipient, int64_t from, int64_t now_ms) {
  return Read<bool>([&](PgConn& conn) -> Result<bool> {
    auto rows = conn.Exec(
        "SELECT EXISTS (SELECT 1 FROM blocks WHERE account_id = $1 AND target_account_id = $2)"
        " OR EXISTS (SELECT 1 FROM blocks WHERE account_id = $2 AND target_account_id = $1)"
        " OR EXISTS (SELECT 1 FROM mutes WHERE account_id = $1 AND target_account_id = $2"
        " AND hide_notifications AND (expires_at = 0 OR expires_at > $3))",
        PgParams().Add(recipient).Add(from).Add(now_ms));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::Internal("the silence query returned no row");
    return rows->Bool(0, 0);
  });
}

}  // namespace chirp
