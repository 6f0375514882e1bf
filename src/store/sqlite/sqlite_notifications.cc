// SqliteStore's notifications and markers (store/notification_store.h).
#include <algorithm>
#include <limits>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"

namespace chirp {
namespace {

constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

// The columns every notification query selects, in ReadNotification's order.
#define CHIRP_NOTIFICATION_COLUMNS \
  "id, account_id, from_account_id, type, status_id, activity_id, group_key, created_at"

NotificationRecord ReadNotification(const SqliteStatement& q) {
  NotificationRecord n;
  n.id = q.Int(0);
  n.account_id = q.Int(1);
  n.from_account_id = q.Int(2);
  n.type = static_cast<NotificationType>(q.Int(3));
  n.status_id = q.Int(4);
  n.activity_id = q.Int(5);
  n.group_key = q.Text(6);
  n.created_at_ms = q.Int(7);
  return n;
}

// Adds one notification; false when an equal one exists.
Result<bool> AddNotification(SqliteDb& db, const NotificationRecord& n) {
  SqliteStatement ins =
      db.Prepare("INSERT OR IGNORE INTO notifications (" CHIRP_NOTIFICATION_COLUMNS
                 ") VALUES (?,?,?,?,?,?,?,?)");
  ins.Bind(1, n.id).Bind(2, n.account_id).Bind(3, n.from_account_id);
  ins.Bind(4, static_cast<int64_t>(n.type)).Bind(5, n.status_id).Bind(6, n.activity_id);
  ins.Bind(7, std::string_view(n.group_key)).Bind(8, n.created_at_ms);
  if (Status st = db.Run(ins); !st) return std::move(st).error();
  return db.Changes() > 0;
}

Status Withdraw(SqliteDb& db, const NotificationWrite& w) {
  const NotificationRecord& n = w.notification;
  switch (w.kind) {
    case NotificationWrite::Kind::kAdd:
      break;
    case NotificationWrite::Kind::kWithdraw: {
      SqliteStatement del = db.Prepare(
          "DELETE FROM notifications WHERE from_account_id = ?1 AND type = ?2 AND status_id = ?3 "
          "AND (?4 = 0 OR account_id = ?4)");
      del.Bind(1, n.from_account_id).Bind(2, static_cast<int64_t>(n.type));
      del.Bind(3, n.status_id).Bind(4, n.account_id);
      return db.Run(del);
    }
    case NotificationWrite::Kind::kWithdrawOfStatus: {
      SqliteStatement del = db.Prepare(
          "DELETE FROM notifications WHERE (status_id = ?1 AND status_id != 0) "
          "OR (activity_id = ?1 AND activity_id != 0)");
      del.Bind(1, n.status_id);
      return db.Run(del);
    }
    case NotificationWrite::Kind::kWithdrawBetween: {
      SqliteStatement del =
          db.Prepare("DELETE FROM notifications WHERE account_id = ? AND from_account_id = ?");
      del.Bind(1, n.account_id).Bind(2, n.from_account_id);
      return db.Run(del);
    }
  }
  return {};
}

}  // namespace

Result<std::vector<NotificationRecord>> SqliteStore::ApplyNotificationWrites(
    const std::vector<NotificationWrite>& writes) {
  if (writes.empty()) return std::vector<NotificationRecord>{};
  return WriteValue<std::vector<NotificationRecord>>(
      [&](SqliteDb& db) -> Result<std::vector<NotificationRecord>> {
        std::vector<NotificationRecord> added;
        for (const NotificationWrite& w : writes) {
          if (w.kind != NotificationWrite::Kind::kAdd) {
            if (Status st = Withdraw(db, w); !st) return std::move(st).error();
            continue;
          }
          auto fresh = AddNotification(db, w.notification);
          if (!fresh) return std::move(fresh).error();
          if (*fresh) added.push_back(w.notification);
        }
        // A notification added and withdrawn in the same batch is not news.
        std::erase_if(added, [&](const NotificationRecord& n) {
          SqliteStatement q = db.Prepare("SELECT 1 FROM notifications WHERE id = ?");
          q.Bind(1, n.id);
          return !q.Step();
        });
        return added;
      });
}

Result<std::vector<NotificationRecord>> SqliteStore::ListNotifications(
    int64_t account_id, const NotificationFilter& filter, const PageRequest& page) {
  return Read<Result<std::vector<NotificationRecord>>>(
      [&](SqliteDb& db) -> Result<std::vector<NotificationRecord>> {
        const int64_t upper = page.max_id > 0 ? page.max_id : kNoUpperBound;
        std::vector<NotificationRecord> out;
        if (page.min_id > 0) {
          SqliteStatement q =
              db.Prepare("SELECT " CHIRP_NOTIFICATION_COLUMNS
                         " FROM notifications WHERE account_id = ?1 AND id > ?2 AND id < ?3 "
                         "AND ((1 << type) & ?4) != 0 AND (?5 = 0 OR from_account_id = ?5) "
                         "ORDER BY id ASC LIMIT ?6");
          q.Bind(1, account_id).Bind(2, page.min_id).Bind(3, upper).Bind(4, filter.type_mask);
          q.Bind(5, filter.from_account_id).Bind(6, int64_t{page.limit});
          while (q.Step()) out.push_back(ReadNotification(q));
          if (q.failed()) return db.Failure();
          std::reverse(out.begin(), out.end());
        } else {
          SqliteStatement q =
              db.Prepare("SELECT " CHIRP_NOTIFICATION_COLUMNS
                         " FROM notifications WHERE account_id = ?1 AND id < ?2 AND id > ?3 "
                         "AND ((1 << type) & ?4) != 0 AND (?5 = 0 OR from_account_id = ?5) "
                         "ORDER BY id DESC LIMIT ?6");
          q.Bind(1, account_id).Bind(2, upper).Bind(3, std::max<int64_t>(0, page.since_id));
          q.Bind(4, filter.type_mask).Bind(5, filter.from_account_id);
          q.Bind(6, int64_t{page.limit});
          while (q.Step()) out.push_back(ReadNotification(q));
          if (q.failed()) return db.Failure();
        }
        return out;
      });
}

Result<NotificationRecord> SqliteStore::FindNotification(int64_t account_id, int64_t id) {
  return Read<Result<NotificationRecord>>([&](SqliteDb& db) -> Result<NotificationRecord> {
    SqliteStatement q = db.Prepare("SELECT " CHIRP_NOTIFICATION_COLUMNS
                                   " FROM notifications WHERE id = ? AND account_id = ?");
    q.Bind(1, id).Bind(2, account_id);
    if (q.Step()) return ReadNotification(q);
    return q.failed() ? db.Failure() : Error::NotFound();
  });
}

Result<int64_t> SqliteStore::CountNotifications(int64_t account_id,
                                                const NotificationFilter& filter, int64_t after_id,
                                                int64_t cap) {
  return Read<Result<int64_t>>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement q = db.Prepare(
        "SELECT count(*) FROM (SELECT 1 FROM notifications WHERE account_id = ?1 AND id > ?2 "
        "AND ((1 << type) & ?3) != 0 AND (?4 = 0 OR from_account_id = ?4) LIMIT ?5)");
    q.Bind(1, account_id).Bind(2, after_id).Bind(3, filter.type_mask);
    q.Bind(4, filter.from_account_id).Bind(5, cap);
    if (q.Step()) return q.Int(0);
    return db.Failure();
  });
}

Result<bool> SqliteStore::DismissNotification(int64_t account_id, int64_t id) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement del = db.Prepare("DELETE FROM notifications WHERE id = ? AND account_id = ?");
    del.Bind(1, id).Bind(2, account_id);
    if (Status st = db.Run(del); !st) return std::move(st).error();
    return db.Changes() > 0;
  });
}

Status SqliteStore::ClearNotifications(int64_t account_id) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement del = db.Prepare("DELETE FROM notifications WHERE account_id = ?");
    del.Bind(1, account_id);
    return db.Run(del);
  });
}

Result<std::vector<NotificationRecord>> SqliteStore::ListNotificationGroup(
    int64_t account_id, const std::string& group_key, int limit) {
  return Read<Result<std::vector<NotificationRecord>>>(
      [&](SqliteDb& db) -> Result<std::vector<NotificationRecord>> {
        SqliteStatement q = db.Prepare("SELECT " CHIRP_NOTIFICATION_COLUMNS
                                       " FROM notifications WHERE account_id = ? AND "
                                       "group_key = ? ORDER BY id DESC LIMIT ?");
        q.Bind(1, account_id).Bind(2, std::string_view(group_key)).Bind(3, int64_t{limit});
        std::vector<NotificationRecord> out;
        while (q.Step()) out.push_back(ReadNotification(q));
        if (q.failed()) return db.Failure();
        return out;
      });
}

Result<int64_t> SqliteStore::CountNotificationGroup(int64_t account_id,
                                                    const std::string& group_key) {
  return Read<Result<int64_t>>([&](SqliteDb& db) -> Result<int64_t> {
    SqliteStatement q =
        db.Prepare("SELECT count(*) FROM notifications WHERE account_id = ? AND group_key = ?");
    q.Bind(1, account_id).Bind(2, std::string_view(group_key));
    if (q.Step()) return q.Int(0);
    return db.Failure();
  });
}

Result<bool> SqliteStore::DismissNotificationGroup(int64_t account_id,
                                                   const std::string& group_key) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement del =
        db.Prepare("DELETE FROM notifications WHERE account_id = ? AND group_key = ?");
    del.Bind(1, account_id).Bind(2, std::string_view(group_key));
    if (Status st = db.Run(del); !st) return std::move(st).error();
    return db.Changes() > 0;
  });
}

Result<std::vector<int64_t>> SqliteStore::NotifyingFollowersOf(int64_t account_id) {
  return Read<Result<std::vector<int64_t>>>([&](SqliteDb& db) -> Result<std::vector<int64_t>> {
    SqliteStatement q =
        db.Prepare("SELECT account_id FROM follows WHERE target_account_id = ? AND notify != 0");
    q.Bind(1, account_id);
    std::vector<int64_t> out;
    while (q.Step()) out.push_back(q.Int(0));
    if (q.failed()) return db.Failure();
    return out;
  });
}

Result<bool> SqliteStore::FollowRequested(int64_t account_id, int64_t target_account_id) {
  return Read<Result<bool>>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement q =
        db.Prepare("SELECT 1 FROM follow_requests WHERE account_id = ? AND target_account_id = ?");
    q.Bind(1, account_id).Bind(2, target_account_id);
    if (q.Step()) return true;
    if (q.failed()) return db.Failure();
    return false;
  });
}

Result<std::optional<Marker>> SqliteStore::FindMarker(int64_t account_id,
                                                      const std::string& timeline) {
  return Read<Result<std::optional<Marker>>>([&](SqliteDb& db) -> Result<std::optional<Marker>> {
    SqliteStatement q = db.Prepare(
        "SELECT last_read_id, version, updated_at FROM markers WHERE account_id = ? AND "
        "timeline = ?");
    q.Bind(1, account_id).Bind(2, std::string_view(timeline));
    if (q.Step()) return std::optional<Marker>(Marker{timeline, q.Int(0), q.Int(1), q.Int(2)});
    if (q.failed()) return db.Failure();
    return std::optional<Marker>();
  });
}

Result<Marker> SqliteStore::SaveMarker(int64_t account_id, const std::string& timeline,
                                       int64_t last_read_id, int64_t at_ms) {
  return WriteValue<Marker>([&](SqliteDb& db) -> Result<Marker> {
    SqliteStatement up = db.Prepare(
        "INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) "
        "VALUES (?1, ?2, ?3, 1, ?4) ON CONFLICT (account_id, timeline) DO UPDATE SET "
        "last_read_id = ?3, version = version + 1, updated_at = ?4 "
        "RETURNING version");
    up.Bind(1, account_id).Bind(2, std::string_view(timeline)).Bind(3, last_read_id);
    up.Bind(4, at_ms);
    if (!up.Step()) return db.Failure();
    const int64_t version = up.Int(0);
    return Marker{timeline, last_read_id, version, at_ms};
  });
}

}  // namespace chirp
