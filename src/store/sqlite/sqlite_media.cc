// Media attachments' records in SQLite (store/attachment_store.h).
#include <string>
#include <vector>

#include "store/media_rows.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/status_rows.h"

namespace chirp {

namespace {

Result<std::vector<MediaAttachment>> ReadMediaRows(SqliteDb& db, SqliteStatement& q) {
  std::vector<MediaAttachment> out;
  while (q.Step()) out.push_back(ReadMediaColumns(q));
  if (q.failed()) return db.Failure();
  return out;
}

}  // namespace

Status SqliteStore::CreateMedia(const MediaAttachment& m) {
  return Write([&](SqliteDb& db) {
    SqliteStatement ins = db.Prepare(MEDIA_INSERT);
    int i = 0;
    WithNewMedia(m, [&](auto value) { ins.Bind(++i, value); });
    return db.Run(ins);
  });
}

Result<MediaAttachment> SqliteStore::FindMedia(int64_t id) {
  return Read<Result<MediaAttachment>>([&](SqliteDb& db) -> Result<MediaAttachment> {
    SqliteStatement q =
        db.Prepare("SELECT " MEDIA_COLUMNS " FROM media_attachments m WHERE m.id = ?");
    q.Bind(1, id);
    if (q.Step()) return ReadMediaColumns(q);
    if (q.failed()) return db.Failure();
    return Error::NotFound();
  });
}

Status SqliteStore::RecordMediaProcessed(const MediaAttachment& m) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement up = db.Prepare(MEDIA_PROCESSED_UPDATE);
    int i = 0;
    WithProcessedMedia(m, [&](auto value) { up.Bind(++i, value); });
    up.Bind(++i, m.id);
    if (Status st = db.Run(up); !st) return st;
    if (db.Changes() == 0) return Error::NotFound();
    return {};
  });
}

Status SqliteStore::DescribeMedia(int64_t id, int64_t account_id, const std::string& description,
                                  double focus_x, double focus_y) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement up = db.Prepare(MEDIA_DESCRIBE);
    up.Bind(1, description).Bind(2, focus_x).Bind(3, focus_y).Bind(4, id).Bind(5, account_id);
    if (Status st = db.Run(up); !st) return st;
    if (db.Changes() == 0) return Error::NotFound();
    return {};
  });
}

Status SqliteStore::SetMediaThumbnail(int64_t id, int64_t account_id,
                                      const MediaFileInfo& thumbnail, const std::string& blurhash) {
  return Write([&](SqliteDb& db) -> Status {
    SqliteStatement up = db.Prepare(MEDIA_SET_THUMBNAIL);
    up.Bind(1, thumbnail.name)
        .Bind(2, thumbnail.mime_type)
        .Bind(3, int64_t{thumbnail.width})
        .Bind(4, int64_t{thumbnail.height})
        .Bind(5, thumbnail.bytes)
        .Bind(6, blurhash)
        .Bind(7, id)
        .Bind(8, account_id);
    if (Status st = db.Run(up); !st) return st;
    if (db.Changes() == 0) return Error::NotFound();
    return {};
  });
}

Result<MediaAttachment> SqliteStore::DeleteMedia(int64_t id, int64_t account_id) {
  return WriteValue<MediaAttachment>([&](SqliteDb& db) -> Result<MediaAttachment> {
    SqliteStatement q = db.Prepare("SELECT " MEDIA_COLUMNS
                                   " FROM media_attachments m "
                                   "WHERE m.id = ? AND m.account_id = ? AND m.status_id = 0");
    q.Bind(1, id).Bind(2, account_id);
    if (!q.Step()) return q.failed() ? Result<MediaAttachment>(db.Failure()) : Error::NotFound();
    MediaAttachment found = ReadMediaColumns(q);
    SqliteStatement del = db.Prepare("DELETE FROM media_attachments WHERE id = ?");
    del.Bind(1, id);
    if (Status st = db.Run(del); !st) return std::move(st).error();
    return found;
  });
}

Result<bool> SqliteStore::ClaimMediaProcessing(int64_t id, int64_t owner, int64_t now_ms,
                                               int64_t until_ms) {
  return WriteValue<bool>([&](SqliteDb& db) -> Result<bool> {
    SqliteStatement up = db.Prepare(MEDIA_CLAIM_PROCESSING);
    up.Bind(1, owner).Bind(2, until_ms).Bind(3, id).Bind(4, now_ms);
    if (Status st = db.Run(up); !st) return std::move(st).error();
    return db.Changes() != 0;
  });
}

Result<std::vector<MediaAttachment>> SqliteStore::ListProcessingMedia(int64_t owner, int64_t now_ms,
                                                                      int limit) {
  return Read<Result<std::vector<MediaAttachment>>>([&](SqliteDb& db) {
    SqliteStatement q = db.Prepare(MEDIA_LIST_PROCESSING);
    q.Bind(1, owner).Bind(2, now_ms).Bind(3, limit);
    return ReadMediaRows(db, q);
  });
}

Result<std::vector<MediaAttachment>> SqliteStore::ListDisposableMedia(int64_t unattached_before_ms,
                                                                      int64_t deleted_before_ms,
                                                                      int limit) {
  return Read<Result<std::vector<MediaAttachment>>>([&](SqliteDb& db) {
    // Each half reads its own partial index.
    SqliteStatement q = db.Prepare(
        "SELECT * FROM ("
        " SELECT " MEDIA_COLUMNS
        " FROM media_attachments m INDEXED BY media_unattached"
        " WHERE m.status_id = 0 AND m.created_at < ?1"
        " UNION ALL"
        " SELECT " MEDIA_COLUMNS
        " FROM media_attachments m INDEXED BY media_discarded"
        " WHERE m.discarded_at != 0 AND m.discarded_at < ?2"
        ") ORDER BY 1 LIMIT ?3");
    q.Bind(1, unattached_before_ms).Bind(2, deleted_before_ms).Bind(3, limit);
    return ReadMediaRows(db, q);
  });
}

Status SqliteStore::ForgetMedia(const std::vector<int64_t>& ids) {
  if (ids.empty()) return {};
  return Write([&](SqliteDb& db) {
    SqliteStatement del =
        db.Prepare("DELETE FROM media_attachments WHERE id IN (SELECT value FROM json_each(?))");
    del.Bind(1, JsonIds(ids));
    return db.Run(del);
  });
}

}  // namespace chirp
