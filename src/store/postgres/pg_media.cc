// Media attachments' records in PostgreSQL (store/attachment_store.h).
#include <string>
#include <vector>

#include "store/media_rows.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/pg_store.h"

namespace chirp {

namespace {

std::vector<MediaAttachment> MediaOf(const PgRows& rows) {
  std::vector<MediaAttachment> out;
  out.reserve(rows.size());
  for (int i = 0; i < rows.size(); ++i) out.push_back(ReadMediaColumns(PgRow{rows, i}));
  return out;
}

}  // namespace

Status PgStore::CreateMedia(const MediaAttachment& m) {
  return WriteStatus([&](PgTx& tx) -> Status {
    PgParams params;
    WithNewMedia(m, [&](auto value) { params.Add(value); });
    auto ins = tx.Exec(MEDIA_INSERT, params);
    if (!ins) return std::move(ins).error();
    return {};
  });
}

Result<MediaAttachment> PgStore::FindMedia(int64_t id) {
  return Read<MediaAttachment>([&](PgConn& conn) -> Result<MediaAttachment> {
    auto rows = conn.Exec("SELECT " MEDIA_COLUMNS " FROM media_attachments m WHERE m.id = $1",
                          PgParams().Add(id));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::NotFound();
    return ReadMediaColumns(PgRow{*rows, 0});
  });
}

Status PgStore::RecordMediaProcessed(const MediaAttachment& m) {
  return WriteStatus([&](PgTx& tx) -> Status {
    PgParams params;
    WithProcessedMedia(m, [&](auto value) { params.Add(value); });
    auto up = tx.Exec(MEDIA_PROCESSED_UPDATE, params.Add(m.id));
    if (!up) return std::move(up).error();
    if (up->affected() == 0) return Error::NotFound();
    return {};
  });
}

Status PgStore::DescribeMedia(int64_t id, int64_t account_id, const std::string& description,
                              double focus_x, double focus_y) {
  return WriteStatus([&](PgTx& tx) -> Status {
    auto up =
        tx.Exec(MEDIA_DESCRIBE,
                PgParams().Add(description).Add(focus_x).Add(focus_y).Add(id).Add(account_id));
    if (!up) return std::move(up).error();
    if (up->affected() == 0) return Error::NotFound();
    return {};
  });
}

Status PgStore::SetMediaThumbnail(int64_t id, int64_t account_id, const MediaFileInfo& thumbnail,
                                  const std::string& blurhash) {
  return WriteStatus([&](PgTx& tx) -> Status {
    auto up = tx.Exec(MEDIA_SET_THUMBNAIL, PgParams()
                                               .Add(thumbnail.name)
                                               .Add(thumbnail.mime_type)
                                               .Add(int64_t{thumbnail.width})
                                               .Add(int64_t{thumbnail.height})
                                               .Add(thumbnail.bytes)
                                               .Add(blurhash)
                                               .Add(id)
                                               .Add(account_id));
    if (!up) return std::move(up).error();
    if (up->affected() == 0) return Error::NotFound();
    return {};
  });
}

Result<MediaAttachment> PgStore::DeleteMedia(int64_t id, int64_t account_id) {
  return Write<MediaAttachment>([&](PgTx& tx) -> Result<MediaAttachment> {
    auto rows = tx.Exec(
        "DELETE FROM media_attachments m WHERE m.id = $1 AND m.account_id = $2 AND "
        "m.status_id = 0 RETURNING " MEDIA_COLUMNS,
        PgParams().Add(id).Add(account_id));
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return Error::NotFound();
    return ReadMediaColumns(PgRow{*rows, 0});
  });
}

Result<bool> PgStore::ClaimMediaProcessing(int64_t id, int64_t owner, int64_t now_ms,
                                           int64_t until_ms) {
  return Write<bool>([&](PgTx& tx) -> Result<bool> {
    auto up =
        tx.Exec(MEDIA_CLAIM_PROCESSING, PgParams().Add(owner).Add(until_ms).Add(id).Add(now_ms));
    if (!up) return std::move(up).error();
    return up->affected() != 0;
  });
}

Result<std::vector<MediaAttachment>> PgStore::ListProcessingMedia(int64_t owner, int64_t now_ms,
                                                                  int limit) {
  return Read<std::vector<MediaAttachment>>(
      [&](PgConn& conn) -> Result<std::vector<MediaAttachment>> {
        auto rows = conn.Exec(MEDIA_LIST_PROCESSING, PgParams().Add(owner).Add(now_ms).Add(limit));
        if (!rows) return std::move(rows).error();
        return MediaOf(*rows);
      });
}

Result<std::vector<MediaAttachment>> PgStore::ListDisposableMedia(int64_t unattached_before_ms,
                                                                  int64_t deleted_before_ms,
                                                                  int limit) {
  return Read<std::vector<MediaAttachment>>(
      [&](PgConn& conn) -> Result<std::vector<MediaAttachment>> {
        // Each half reads its own partial index (media_unattached,
        // media_discarded), whose conditions it repeats.
        auto rows =
            conn.Exec("(SELECT " MEDIA_COLUMNS
                      " FROM media_attachments m WHERE m.status_id = 0 AND m.created_at < $1"
                      " ORDER BY m.created_at LIMIT $3)"
                      " UNION ALL "
                      "(SELECT " MEDIA_COLUMNS
                      " FROM media_attachments m WHERE m.discarded_at <> 0 AND m.discarded_at < $2"
                      " ORDER BY m.discarded_at LIMIT $3)"
                      " ORDER BY 1 LIMIT $3",
                      PgParams().Add(unattached_before_ms).Add(deleted_before_ms).Add(limit));
        if (!rows) return std::move(rows).error();
        return MediaOf(*rows);
      });
}

Status PgStore::ForgetMedia(const std::vector<int64_t>& ids) {
  if (ids.empty()) return {};
  return WriteStatus([&](PgTx& tx) -> Status {
    auto del = tx.Exec("DELETE FROM media_attachments WHERE id = ANY($1::bigint[])",
                       PgParams().AddIds(ids));
    if (!del) return std::move(del).error();
    return {};
  });
}

}  // namespace chirp
