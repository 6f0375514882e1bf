// SqliteStore's bulk path for operators (Store's Import* methods): big
// transactions of plain inserts, no events, counters recomputed at the end.
#include <sqlite3.h>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/status_rows.h"

namespace chirp {

Result<std::vector<int64_t>> SqliteStore::ImportAccounts(const std::vector<Account>& accounts) {
  std::vector<int64_t> ids;
  ids.reserve(accounts.size());
  Status s = Write([&](SqliteDb& db) -> Status {
    ids.clear();
    for (const Account& a : accounts) {
      SqliteStatement ins = db.Prepare(
          "INSERT OR IGNORE INTO accounts (id, username, username_lower, display_name, "
          "indexable, created_at) VALUES (?, ?, lower(?), ?, ?, ?)");
      ins.Bind(1, a.id)
          .Bind(2, a.username)
          .Bind(3, a.username)
          .Bind(4, a.display_name)
          .Bind(5, a.indexable)
          .Bind(6, a.created_at_ms);
      ins.Step();
      if (ins.failed()) return db.Failure();
      if (db.Changes() == 0) {  // the username exists: its account stands
        SqliteStatement existing =
            db.Prepare("SELECT id FROM accounts WHERE username_lower = lower(?)");
        existing.Bind(1, a.username);
        if (!existing.Step()) return db.Failure();
        ids.push_back(existing.Int(0));
        continue;
      }
      ids.push_back(a.id);
      // An unusable password: the account signs in once an operator sets one.
      SqliteStatement user = db.Prepare(
          "INSERT INTO users (account_id, email, password_hash, created_at) VALUES (?, ?, '', ?)");
      user.Bind(1, a.id).Bind(2, a.username + "@import.invalid").Bind(3, a.created_at_ms);
      user.Step();
      if (user.failed()) return db.Failure();
    }
    return {};
  });
  if (!s) return std::move(s).error();
  return ids;
}

Result<int64_t> SqliteStore::ImportFollows(const std::vector<std::pair<int64_t, int64_t>>& follows,
                                           int64_t first_follow_id) {
  int64_t added = 0;
  Status s = Write([&](SqliteDb& db) -> Status {
    added = 0;
    int64_t next_id = first_follow_id;
    for (const auto& [follower, followed] : follows) {
      const int64_t id = next_id++;
      if (follower == followed) continue;
      SqliteStatement ins = db.Prepare(
          "INSERT OR IGNORE INTO follows (id, account_id, target_account_id, created_at) "
          "VALUES (?, ?, ?, 0)");
      ins.Bind(1, id).Bind(2, follower).Bind(3, followed);
      ins.Step();
      if (ins.failed()) return db.Failure();
      added += db.Changes();
    }
    return {};
  });
  if (!s) return std::move(s).error();
  return added;
}

Status SqliteStore::RecountFollows() {
  return Write([&](SqliteDb& db) -> Status {
    // One pass over each index, grouped, instead of two counts per account.
    if (Status st = db.Exec("UPDATE accounts SET followers_count = 0, following_count = 0"); !st)
      return st;
    if (Status st = db.Exec(
            "UPDATE accounts SET followers_count = c.n FROM (SELECT target_account_id AS id, "
            "count(*) AS n FROM follows GROUP BY target_account_id) AS c WHERE accounts.id = c.id");
        !st) {
      return st;
    }
    return db.Exec(
        "UPDATE accounts SET following_count = c.n FROM (SELECT account_id AS id, count(*) AS n "
        "FROM follows GROUP BY account_id) AS c WHERE accounts.id = c.id");
  });
}

Result<int64_t> SqliteStore::ImportStatuses(const std::vector<StatusRecord>& statuses) {
  for (const StatusRecord& s : statuses) {
    if (s.in_reply_to_id != 0 || s.reblog_of_id != 0 || !s.media_ids.empty()) {
      return Error::BadRequest("imported statuses are neither replies, reblogs nor with media");
    }
  }
  int64_t added = 0;
  Status s = Write([&](SqliteDb& db) -> Status {
    added = 0;
    std::vector<std::string> tag_names;
    for (StatusRecord status : statuses) {
      // A taken id moves up to the next free one: imports of history pick
      // ids from their times, and two statuses may share a millisecond.
      Status inserted = InsertStatusRow(db, status);
      while (!inserted && db.LastExtendedCode() == SQLITE_CONSTRAINT_PRIMARYKEY) {
        ++status.id;
        inserted = InsertStatusRow(db, status);
      }
      if (!inserted) return inserted;
      if (Status st = InsertMentionsAndTags(db, status, &tag_names); !st) return st;
      ++added;
    }
    return {};
  });
  if (!s) return std::move(s).error();
  return added;
}

Status SqliteStore::RecountStatuses() {
  return Write([&](SqliteDb& db) -> Status {
    if (Status st = db.Exec("UPDATE accounts SET statuses_count = 0, last_status_at = 0"); !st)
      return st;
    SqliteStatement q = db.Prepare(
        "UPDATE accounts SET statuses_count = c.n, last_status_at = c.last FROM (SELECT "
        "account_id AS id, count(*) AS n, max(created_at) AS last FROM statuses WHERE "
        "visibility != ? AND deleted_at = 0 GROUP BY account_id) AS c WHERE accounts.id = c.id");
    q.Bind(1, static_cast<int64_t>(Visibility::kDirect));
    return db.Run(q);
  });
}

}  // namespace chirp
