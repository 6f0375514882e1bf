// PgStore's notifications and markers (store/notification_store.h).
#include <algorithm>
#include <limits>
#include <map>
#include <tuple>
#include <unordered_set>

#include "store/postgres/pg_store.h"

namespace chirp {
namespace {

constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

// The columns every notification query selects, in ReadNotification's order.
#define CHIRP_NOTIFICATION_COLUMNS \
  "id, account_id, from_account_id, type, status_id, activity_id, group_key, created_at"

// What a listing or a count of notifications filters on: $1 the
// recipient, $2 the type mask (a bit 1 << type per type wanted), $3 the
// actor (0: any).
#define CHIRP_NOTIFICATION_FILTER                                            \
  "account_id = $1::bigint AND ((1::bigint << type) & $2::bigint) <> 0 AND " \
  "($3::bigint = 0 OR from_account_id = $3::bigint)"

NotificationRecord ReadNotification(const PgRows& rows, int row) {
  NotificationRecord n;
  n.id = rows.Int(row, 0);
  n.account_id = rows.Int(row, 1);
  n.from_account_id = rows.Int(row, 2);
  n.type = static_cast<NotificationType>(rows.Int(row, 3));
  n.status_id = rows.Int(row, 4);
  n.activity_id = rows.Int(row, 5);
  n.group_key = rows.Text(row, 6);
  n.created_at_ms = rows.Int(row, 7);
  return n;
}

std::vector<NotificationRecord> ReadNotifications(const PgRows& rows) {
  std::vector<NotificationRecord> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadNotification(rows, i));
  return out;
}

// PostgreSQL refuses a negative LIMIT, where SQLite reads it as no limit;
// LIMIT NULL is PostgreSQL's way to say the same.
void AddLimit(PgParams& params, int64_t limit) {
  if (limit < 0) {
    params.AddNull();
  } else {
    params.Add(limit);
  }
}

// What tells the rows of one INSERT apart: the id and one_notification's
// columns.
using AddedKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>;

AddedKey KeyOf(const NotificationRecord& n) {
  return {n.id, n.from_account_id, static_cast<int64_t>(n.type), n.status_id, n.account_id};
}

// Adds `adds` (a run of consecutive kAdd writes) in one statement and
// appends those really added to `added`. ON CONFLICT DO NOTHING without a
// target skips a row that would break any unique index, as SQLite's
// INSERT OR IGNORE does: an equal notification (one_notification) or a
// taken id, also one taken by an earlier row of the same run. It also
// settles concurrent writers of the same notification: the second waits
// for the first and adds nothing.
Status AddNotifications(PgTx& tx, const std::vector<const NotificationRecord*>& adds,
                        std::vector<NotificationRecord>& added) {
  std::vector<int64_t> ids, recipients, actors, types, statuses, activities, times;
  std::vector<std::string> group_keys;
  for (const NotificationRecord* n : adds) {
    ids.push_back(n->id);
    recipients.push_back(n->account_id);
    actors.push_back(n->from_account_id);
    types.push_back(static_cast<int64_t>(n->type));
    statuses.push_back(n->status_id);
    activities.push_back(n->activity_id);
    group_keys.push_back(n->group_key);
    times.push_back(n->created_at_ms);
  }
  PgParams params;
  params.AddIds(ids).AddIds(recipients).AddIds(actors).AddIds(types).AddIds(statuses);
  params.AddIds(activities).AddTexts(group_keys).AddIds(times);
  auto rows =
      tx.Exec("INSERT INTO notifications (" CHIRP_NOTIFICATION_COLUMNS
              ") SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::integer[], "
              "$5::bigint[], $6::bigint[], $7::text[], $8::bigint[]) ON CONFLICT DO NOTHING "
              "RETURNING id, from_account_id, type, status_id, account_id",
              params);
  if (!rows) return std::move(rows).error();
  // A row returned is one write of the run; two writes with the same key
  // cannot both go in, so the key names the one that did.
  std::map<AddedKey, int> inserted;
  for (int i = 0; i < rows->size(); ++i) {
    ++inserted[{rows->Int(i, 0), rows->Int(i, 1), rows->Int(i, 2), rows->Int(i, 3),
                rows->Int(i, 4)}];
  }
  for (const NotificationRecord* n : adds) {
    auto it = inserted.find(KeyOf(*n));
    if (it == inserted.end() || it->second == 0) continue;
    --it->second;
    added.push_back(*n);
  }
  return {};
}

// The status of a statement whose rows do not matter.
Status Ran(Result<PgRows> rows) {
  if (!rows) return std::move(rows).error();
  return {};
}

Status Withdraw(PgTx& tx, const NotificationWrite& w) {
  const NotificationRecord& n = w.notification;
  switch (w.kind) {
    case NotificationWrite::Kind::kAdd:
      break;
    case NotificationWrite::Kind::kWithdraw:
      return Ran(tx.Exec(
          "DELETE FROM notifications WHERE from_account_id = $1 AND type = $2 AND status_id = $3 "
          "AND ($4::bigint = 0 OR account_id = $4::bigint)",
          PgParams()
              .Add(n.from_account_id)
              .Add(static_cast<int64_t>(n.type))
              .Add(n.status_id)
              .Add(n.account_id)));
    case NotificationWrite::Kind::kWithdrawOfStatus:
      return Ran(
          tx.Exec("DELETE FROM notifications WHERE (status_id = $1::bigint AND status_id <> 0) "
                  "OR (activity_id = $1::bigint AND activity_id <> 0)",
                  PgParams().Add(n.status_id)));
    case NotificationWrite::Kind::kWithdrawBetween:
      return Ran(tx.Exec("DELETE FROM notifications WHERE account_id = $1 AND from_account_id = $2",
                         PgParams().Add(n.account_id).Add(n.from_account_id)));
  }
  return {};
}

// Keeps of `added` those still present: a notification added and
// withdrawn in the same batch is not news.
Status KeepPresent(PgTx& tx, std::vector<NotificationRecord>& added) {
  std::vector<int64_t> ids;
  for (const NotificationRecord& n : added) ids.push_back(n.id);
  auto rows =
      tx.Exec("SELECT id FROM notifications WHERE id = ANY($1::bigint[])", PgParams().AddIds(ids));
  if (!rows) return std::move(rows).error();
  std::unordered_set<int64_t> present;
  for (int i = 0; i < rows->size(); ++i) present.insert(rows->Int(i, 0));
  std::erase_if(added, [&](const NotificationRecord& n) { return !present.contains(n.id); });
  return {};
}

}  // namespace

Result<std::vector<NotificationRecord>> PgStore::ApplyNotificationWrites(
    const std::vector<NotificationWrite>& writes) {
  if (writes.empty()) return std::vector<NotificationRecord>{};
  return Write<std::vector<NotificationRecord>>(
      [&](PgTx& tx) -> Result<std::vector<NotificationRecord>> {
        std::vector<NotificationRecord> added;
        // Consecutive adds go in together (a batch is mostly adds: one per
        // follower notified of a status); withdrawals keep their place in
        // the order.
        std::vector<const NotificationRecord*> run;
        bool withdrawn_after_add = false;
        for (const NotificationWrite& w : writes) {
          if (w.kind == NotificationWrite::Kind::kAdd) {
            run.push_back(&w.notification);
            continue;
          }
          if (!run.empty()) {
            if (Status st = AddNotifications(tx, run, added); !st) return std::move(st).error();
            run.clear();
          }
          withdrawn_after_add = withdrawn_after_add || !added.empty();
          if (Status st = Withdraw(tx, w); !st) return std::move(st).error();
        }
        if (!run.empty()) {
          if (Status st = AddNotifications(tx, run, added); !st) return std::move(st).error();
        }
        if (withdrawn_after_add) {
          if (Status st = KeepPresent(tx, added); !st) return std::move(st).error();
        }
        // The processes that stream to the recipients learn of them from
        // the outbox: the notifier runs in one process of many.
        for (const NotificationRecord& n : added) {
          tx.AppendEvent({.kind = EventKind::kNotificationAdded,
                          .account_id = n.account_id,
                          .subject_id = n.id,
                          .created_at_ms = n.created_at_ms});
        }
        return added;
      });
}

Result<std::vector<NotificationRecord>> PgStore::ListNotifications(int64_t account_id,
                                                                   const NotificationFilter& filter,
                                                                   const PageRequest& page) {
  return Read<std::vector<NotificationRecord>>(
      [&](PgConn& conn) -> Result<std::vector<NotificationRecord>> {
        const int64_t upper = page.max_id > 0 ? page.max_id : kNoUpperBound;
        const bool oldest = page.min_id > 0;
        PgParams params;
        params.Add(account_id).Add(filter.type_mask).Add(filter.from_account_id);
        params.Add(oldest ? page.min_id : std::max<int64_t>(0, page.since_id)).Add(upper);
        AddLimit(params, page.limit);
        auto rows = conn.Exec(oldest ? "SELECT " CHIRP_NOTIFICATION_COLUMNS
                                       " FROM notifications WHERE " CHIRP_NOTIFICATION_FILTER
                                       " AND id > $4::bigint AND id < $5::bigint "
                                       "ORDER BY id ASC LIMIT $6"
                                     : "SELECT " CHIRP_NOTIFICATION_COLUMNS
                                       " FROM notifications WHERE " CHIRP_NOTIFICATION_FILTER
                                       " AND id < $5::bigint AND id > $4::bigint "
                                       "ORDER BY id DESC LIMIT $6",
                              params);
        if (!rows) return std::move(rows).error();
        std::vector<NotificationRecord> out = ReadNotifications(*rows);
        if (oldest) std::reverse(out.begin(), out.end());
        return out;
      });
}

Result<NotificationRecord> PgStore::FindNotification(int64_t account_id, int64_t id) {
  return Read<NotificationRecord>([&](PgConn& conn) -> Result<NotificationRecord> {
    auto rows = conn.Exec("SELECT " CHIRP_NOTIFICATION_COLUMNS
                          " FROM notifications WHERE id = $1 AND account_id = $2",
                          PgParams().Add(id).Add(account_id));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::NotFound();
    return ReadNotification(*rows, 0);
  });
}

Result<int64_t> PgStore::CountNotifications(int64_t account_id, const NotificationFilter& filter,
                                            int64_t after_id, int64_t cap) {
  return Read<int64_t>([&](PgConn& conn) -> Result<int64_t> {
    PgParams params;
    params.Add(account_id).Add(filter.type_mask).Add(filter.from_account_id).Add(after_id);
    AddLimit(params, cap);
    auto rows = conn.Exec(
        "SELECT count(*) FROM (SELECT 1 FROM notifications WHERE " CHIRP_NOTIFICATION_FILTER
        " AND id > $4::bigint LIMIT $5) AS capped",
        params);
    if (!rows) return std::move(rows).error();
    return rows->Int(0, 0);
  });
}

Result<bool> PgStore::DismissNotification(int64_t account_id, int64_t id) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    auto rows = tx.Exec("DELETE FROM notifications WHERE id = $1 AND account_id = $2",
                        PgParams().Add(id).Add(account_id));
    if (!rows) return std::move(rows).error();
    return rows->affected() > 0;
  });
}

Status PgStore::ClearNotifications(int64_t account_id) {
  return WriteStatus([&](PgTx& tx) -> Status {
    return Ran(
        tx.Exec("DELETE FROM notifications WHERE account_id = $1", PgParams().Add(account_id)));
  });
}

Result<std::vector<NotificationRecord>> PgStore::ListNotificationGroup(int64_t account_id,
                                                                       const std::string& group_key,
                                                                       int limit) {
  return Read<std::vector<NotificationRecord>>(
      [&](PgConn& conn) -> Result<std::vector<NotificationRecord>> {
        PgParams params;
        params.Add(account_id).Add(group_key);
        AddLimit(params, limit);
        auto rows = conn.Exec("SELECT " CHIRP_NOTIFICATION_COLUMNS
                              " FROM notifications WHERE account_id = $1 AND group_key = $2 "
                              "ORDER BY id DESC LIMIT $3",
                              params);
        if (!rows) return std::move(rows).error();
        return ReadNotifications(*rows);
      });
}

Result<int64_t> PgStore::CountNotificationGroup(int64_t account_id, const std::string& group_key) {
  return Read<int64_t>([&](PgConn& conn) -> Result<int64_t> {
    auto rows =
        conn.Exec("SELECT count(*) FROM notifications WHERE account_id = $1 AND group_key = $2",
                  PgParams().Add(account_id).Add(group_key));
    if (!rows) return std::move(rows).error();
    return rows->Int(0, 0);
  });
}

Result<bool> PgStore::DismissNotificationGroup(int64_t account_id, const std::string& group_key) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    auto rows = tx.Exec("DELETE FROM notifications WHERE account_id = $1 AND group_key = $2",
                        PgParams().Add(account_id).Add(group_key));
    if (!rows) return std::move(rows).error();
    return rows->affected() > 0;
  });
}

Result<std::vector<int64_t>> PgStore::NotifyingFollowersOf(int64_t account_id) {
  return Read<std::vector<int64_t>>([&](PgConn& conn) -> Result<std::vector<int64_t>> {
    // In follow order, as SQLite's follows_notifying yields them (by rowid).
    auto rows = conn.Exec(
        "SELECT account_id FROM follows WHERE target_account_id = $1 AND notify ORDER BY id",
        PgParams().Add(account_id));
    if (!rows) return std::move(rows).error();
    std::vector<int64_t> out;
    out.reserve(rows->size());
    for (int i = 0; i < rows->size(); ++i) out.push_back(rows->Int(i, 0));
    return out;
  });
}

Result<bool> PgStore::FollowRequested(int64_t account_id, int64_t target_account_id) {
  return Read<bool>([&](PgConn& conn) -> Result<bool> {
    auto rows =
        conn.Exec("SELECT 1 FROM follow_requests WHERE account_id = $1 AND target_account_id = $2",
                  PgParams().Add(account_id).Add(target_account_id));
    if (!rows) return std::move(rows).error();
    return !rows->empty();
  });
}

Result<std::optional<Marker>> PgStore::FindMarker(int64_t account_id, const std::string& timeline) {
  return Read<std::optional<Marker>>([&](PgConn& conn) -> Result<std::optional<Marker>> {
    auto rows = conn.Exec(
        "SELECT last_read_id, version, updated_at FROM markers WHERE account_id = $1 AND "
        "timeline = $2",
        PgParams().Add(account_id).Add(timeline));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<Marker>();
    return std::optional<Marker>(
        Marker{timeline, rows->Int(0, 0), rows->Int(0, 1), rows->Int(0, 2)});
  });
}

Result<Marker> PgStore::SaveMarker(int64_t account_id, const std::string& timeline,
                                   int64_t last_read_id, int64_t at_ms) {
  return Write<Marker>([&](PgTx& tx) -> Result<Marker> {
    // The upsert locks the marker's row, so concurrent saves each bump the
    // version once.
    auto rows = tx.Exec(
        "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) "
        "VALUES ($1, $2, $3, 1, $4) ON CONFLICT (account_id, timeline) DO UPDATE SET "
        "last_read_id = excluded.last_read_id, version = markers.version + 1, "
        "updated_at = excluded.updated_at RETURNING version",
        PgParams().Add(account_id).Add(timeline).Add(last_read_id).Add(at_ms));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::Internal("PostgreSQL: no version for a marker");
    return Marker{timeline, last_read_id, rows->Int(0, 0), at_ms};
  });
}

#undef CHIRP_NOTIFICATION_FILTER
#undef CHIRP_NOTIFICATION_COLUMNS

}  // namespace chirp
