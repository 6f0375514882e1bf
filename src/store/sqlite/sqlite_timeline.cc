// SqliteStore's queries for timelines (store/timeline_store.h).
#include <algorithm>
#include <limits>

#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/status_rows.h"

namespace chirp {
namespace {

Result<std::vector<Follow>> Follows(SqliteDb& db, const char* sql, int64_t account_id,
                                    bool by_target) {
  SqliteStatement q = db.Prepare(sql);
  q.Bind(1, account_id);
  std::vector<Follow> out;
  while (q.Step()) {
    Follow f{q.Int(0), 0, 0, q.Bool(2), q.Bool(3), 0};
    f.account_id = by_target ? q.Int(1) : account_id;
    f.target_account_id = by_target ? account_id : q.Int(1);
    out.push_back(f);
  }
  if (q.failed()) return db.Failure();
  return out;
}

Result<std::vector<int64_t>> Ids(SqliteDb& db, SqliteStatement& q) {
  std::vector<int64_t> out;
  while (q.Step()) out.push_back(q.Int(0));
  if (q.failed()) return db.Failure();
  return out;
}

}  // namespace

Result<std::vector<Follow>> SqliteStore::FollowersOf(int64_t account_id) {
  return Read<Result<std::vector<Follow>>>([&](SqliteDb& db) {
    return Follows(
        db, "SELECT id, account_id, show_reblogs, notify FROM follows WHERE target_account_id = ?",
        account_id, true);
  });
}

Result<std::vector<Follow>> SqliteStore::FollowingOf(int64_t account_id) {
  return Read<Result<std::vector<Follow>>>([&](SqliteDb& db) {
    return Follows(
        db, "SELECT id, target_account_id, show_reblogs, notify FROM follows WHERE account_id = ?",
        account_id, false);
  });
}

Result<std::vector<int64_t>> SqliteStore::FollowersAlsoFollowing(int64_t author_id,
                                                                 int64_t other_id) {
  return Read<Result<std::vector<int64_t>>>([&](SqliteDb& db) {
    SqliteStatement q = db.Prepare(
        "SELECT f.account_id FROM follows f JOIN follows g ON g.account_id = f.account_id "
        "WHERE f.target_account_id = ? AND g.target_account_id = ?");
    q.Bind(1, author_id).Bind(2, other_id);
    return Ids(db, q);
  });
}

Result<std::vector<StatusRecord>> SqliteStore::RecentPlacementsOf(
    const std::vector<int64_t>& authors, int per_author, int64_t before_id) {
  const int64_t upper = before_id > 0 ? before_id : std::numeric_limits<int64_t>::max();
  return Read<Result<std::vector<StatusRecord>>>(
      [&](SqliteDb& db) -> Result<std::vector<StatusRecord>> {
        // One range read per author, from the index alone
        // (statuses_by_account covers these columns): an author's recent
        // statuses sit together there, where their rows are spread over the
        // table. The cost is bounded by authors × per_author, whatever the
        // size of the table.
        std::vector<StatusRecord> out;
        for (int64_t author : authors) {
          SqliteStatement q = db.Prepare(
              "SELECT s.id, s.visibility, s.in_reply_to_id, s.in_reply_to_account_id, "
              "s.reblog_of_id FROM statuses s INDEXED BY statuses_by_account WHERE "
              "s.account_id = ? AND s.id < ? AND s.deleted_at = 0 ORDER BY s.id DESC LIMIT ?");
          q.Bind(1, author).Bind(2, upper).Bind(3, int64_t{per_author});
          while (q.Step()) {
            StatusRecord& s = out.emplace_back();
            s.id = q.Int(0);
            s.account_id = author;
            s.visibility = static_cast<Visibility>(std::clamp<int64_t>(q.Int(1), 0, 3));
            s.in_reply_to_id = q.Int(2);
            s.in_reply_to_account_id = q.Int(3);
            s.reblog_of_id = q.Int(4);
          }
          if (q.failed()) return db.Failure();
        }
        std::sort(out.begin(), out.end(),
                  [](const StatusRecord& a, const StatusRecord& b) { return a.id > b.id; });
        for (StatusRecord& s : out) {
          const bool placed_by_mentions =
              s.visibility == Visibility::kDirect ||
              (s.in_reply_to_id != 0 && s.in_reply_to_account_id != s.account_id);
          if (!placed_by_mentions) continue;
          SqliteStatement m =
              db.Prepare("SELECT account_id FROM mentions WHERE status_id = ? ORDER BY position");
          m.Bind(1, s.id);
          while (m.Step()) s.mentioned_account_ids.push_back(m.Int(0));
          if (m.failed()) return db.Failure();
        }
        return out;
      });
}

Result<Delivery> SqliteStore::DeliveryOf(int64_t status_id) {
  return Read<Result<Delivery>>([&](SqliteDb& db) -> Result<Delivery> {
    Delivery d;
    auto status = ReadLiveStatus(db, status_id);
    if (!status) return std::move(status).error();
    d.status = std::move(status).value();
    SqliteStatement a = db.Prepare("SELECT followers_count FROM accounts WHERE id = ?");
    a.Bind(1, d.status.account_id);
    if (a.Step()) d.author_followers = a.Int(0);
    if (a.failed()) return db.Failure();
    if (d.status.reblog_of_id != 0) {
      SqliteStatement o =
          db.Prepare("SELECT account_id FROM statuses WHERE id = ? AND deleted_at = 0");
      o.Bind(1, d.status.reblog_of_id);
      if (o.Step()) d.original_author_id = o.Int(0);
      if (o.failed()) return db.Failure();
    }
    return d;
  });
}

Result<std::vector<int64_t>> SqliteStore::AccountsWithFollowersAtLeast(int64_t min_followers) {
  return Read<Result<std::vector<int64_t>>>([&](SqliteDb& db) -> Result<std::vector<int64_t>> {
    SqliteStatement q =
        db.Prepare("SELECT id FROM accounts WHERE followers_count >= ? ORDER BY id");
    q.Bind(1, min_followers);
    return Ids(db, q);
  });
}

Result<bool> SqliteStore::TagExists(std::string_view normalized_name) {
  return Read<Result<bool>>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement q = db.Prepare("SELECT 1 FROM tags WHERE name = ?");
    q.Bind(1, normalized_name);
    if (q.Step()) return true;
    if (q.failed()) return db.Failure();
    return false;
  });
}

Result<ReaderFilters> SqliteStore::FiltersOf(int64_t reader_id, int64_t now_ms) {
  return Read<Result<ReaderFilters>>([&](SqliteDb& db) -> Result<ReaderFilters> {
    ReaderFilters f;
    SqliteStatement muted = db.Prepare(
        "SELECT target_account_id, expires_at FROM mutes WHERE account_id = ? AND (expires_at = 0 "
        "OR expires_at > ?)");
    muted.Bind(1, reader_id).Bind(2, now_ms);
    while (muted.Step()) {
      f.muted.push_back(muted.Int(0));
      const int64_t expires = muted.Int(1);
      if (expires != 0 && (f.next_expiry_ms == 0 || expires < f.next_expiry_ms))
        f.next_expiry_ms = expires;
    }
    if (muted.failed()) return db.Failure();
    SqliteStatement blocked = db.Prepare(
        "SELECT target_account_id FROM blocks WHERE account_id = ?1 "
        "UNION SELECT account_id FROM blocks WHERE target_account_id = ?1");
    blocked.Bind(1, reader_id);
    auto b = Ids(db, blocked);
    if (!b) return std::move(b).error();
    f.blocked = std::move(*b);
    std::sort(f.muted.begin(), f.muted.end());
    std::sort(f.blocked.begin(), f.blocked.end());
    return f;
  });
}

Result<std::vector<StatusRecord>> SqliteStore::PublicTimeline(const PublicTimelineQuery& query,
                                                              const PageRequest& page) {
  return Read<Result<std::vector<StatusRecord>>>(
      [&](SqliteDb& db) -> Result<std::vector<StatusRecord>> {
        const bool tagged = !query.any_tags.empty();
        const int64_t upper = page.max_id > 0 ? page.max_id : std::numeric_limits<int64_t>::max();
        const bool oldest = page.min_id > 0;
#define PUBLIC_FILTERS                                                                            \
  " AND s.visibility = 0 AND s.reblog_of_id = 0 AND s.deleted_at = 0"                             \
  " AND (?8 = 1 OR s.in_reply_to_id = 0 OR s.in_reply_to_account_id = s.account_id)"              \
  " AND (?4 = 0 OR EXISTS (SELECT 1 FROM media_attachments m WHERE m.status_id = s.id))"          \
  " AND (?5 = '[]' OR s.id IN (SELECT st.status_id FROM status_tags st JOIN tags t ON t.id = "    \
  "st.tag_id"                                                                                     \
  "      WHERE t.name IN (SELECT value FROM json_each(?5))))"                                     \
  " AND (SELECT count(*) FROM status_tags st JOIN tags t ON t.id = st.tag_id WHERE st.status_id " \
  "= s.id"                                                                                        \
  "      AND t.name IN (SELECT value FROM json_each(?6))) = json_array_length(?6)"                \
  " AND NOT EXISTS (SELECT 1 FROM status_tags st JOIN tags t ON t.id = st.tag_id WHERE "          \
  "st.status_id = s.id"                                                                           \
  "      AND t.name IN (SELECT value FROM json_each(?7)))"
        SqliteStatement q =
            db.Prepare(oldest ? "SELECT " STATUS_COLUMNS
                                " FROM statuses s WHERE s.id > ?1 AND s.id < ?2" PUBLIC_FILTERS
                                " ORDER BY s.id ASC LIMIT ?3"
                              : "SELECT " STATUS_COLUMNS
                                " FROM statuses s WHERE s.id < ?2 AND s.id > ?1" PUBLIC_FILTERS
                                " ORDER BY s.id DESC LIMIT ?3");
#undef PUBLIC_FILTERS
        const auto json_strings = [](const std::vector<std::string>& v) {
          std::string out = "[";
          for (size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += ',';
            out += '"';
            for (char c : v[i]) {
              if (c == '"' || c == '\\') out += '\\';
              out += c;
            }
            out += '"';
          }
          return out + "]";
        };
        q.Bind(1, oldest ? page.min_id : std::max<int64_t>(0, page.since_id)).Bind(2, upper);
        q.Bind(3, int64_t{page.limit}).Bind(4, query.only_media);
        q.Bind(5, tagged ? json_strings(query.any_tags) : std::string("[]"));
        q.Bind(6, json_strings(query.all_tags)).Bind(7, json_strings(query.none_tags));
        q.Bind(8, query.include_replies);
        std::vector<StatusRecord> out;
        while (q.Step()) out.push_back(ReadStatusRow(q));
        if (q.failed()) return db.Failure();
        if (oldest) std::reverse(out.begin(), out.end());
        if (Status st = LoadStatusDetails(db, out); !st) return std::move(st).error();
        return out;
      });
}

}  // namespace chirp
