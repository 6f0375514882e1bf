#include "store/postgres/pg_status_rows.h"

#include <algorithm>
#include <map>

#include "store/media_rows.h"

namespace chirp {

PgParams PgStatusRowParams(const StatusRecord& s) {
  PgParams p;
  p.Add(s.id).Add(s.account_id).Add(s.text).Add(s.content).Add(s.spoiler_text);
  p.Add(static_cast<int64_t>(s.visibility)).Add(s.sensitive).Add(s.language);
  p.Add(s.in_reply_to_id).Add(s.in_reply_to_account_id).Add(s.reblog_of_id);
  p.Add(s.application_id);
  if (s.latitude)
    p.Add(*s.latitude);
  else
    p.AddNull();
  if (s.longitude)
    p.Add(*s.longitude);
  else
    p.AddNull();
  p.Add(s.created_at_ms);
  return p;
}

Status InsertPgStatusRow(PgConn& conn, const StatusRecord& s) {
  auto rows = conn.Exec(PG_INSERT_STATUS_ROW, PgStatusRowParams(s));
  if (!rows) return std::move(rows).error();
  return {};
}

Status InsertPgMentionsAndTags(PgConn& conn, const StatusRecord& s,
                               std::vector<std::string>* tag_display_names) {
  if (!s.mentioned_account_ids.empty()) {
    // One statement for every mention; a repeated account keeps its first
    // position, as the rows go in in order and a repeat is ignored.
    auto rows = conn.Exec(
        "INSERT INTO mentions (status_id, account_id, position) "
        "SELECT $1, m.account_id, m.ordinality - 1 "
        "FROM unnest($2::bigint[]) WITH ORDINALITY AS m(account_id, ordinality) "
        "ORDER BY m.ordinality ON CONFLICT DO NOTHING",
        PgParams().Add(s.id).AddIds(s.mentioned_account_ids));
    if (!rows) return std::move(rows).error();
  }
  tag_display_names->clear();
  for (size_t i = 0; i < s.tags.size(); ++i) {
    const std::string& display =
        i < s.tag_display_names.size() ? s.tag_display_names[i] : s.tags[i];
    auto ins = conn.Exec(
        "INSERT INTO tags (name, display_name) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        PgParams().Add(s.tags[i]).Add(display));
    if (!ins) return std::move(ins).error();
    // A statement of its own: under READ COMMITTED it sees the tag a
    // concurrent transaction committed while the insert above waited on it.
    auto tag =
        conn.Exec("SELECT id, display_name FROM tags WHERE name = $1", PgParams().Add(s.tags[i]));
    if (!tag) return std::move(tag).error();
    if (tag->empty()) return Error::Internal("tag " + s.tags[i] + " vanished after its insert");
    tag_display_names->push_back(tag->Text(0, 1));
    auto link = conn.Exec(
        "INSERT INTO status_tags (status_id, tag_id, position) VALUES ($1, $2, $3) "
        "ON CONFLICT DO NOTHING",
        PgParams().Add(s.id).Add(tag->Int(0, 0)).Add(static_cast<int64_t>(i)));
    if (!link) return std::move(link).error();
  }
  return {};
}

StatusRecord ReadPgStatusRow(const PgRows& rows, int row, int first_column) {
  const int c = first_column;
  StatusRecord s;
  s.id = rows.Int(row, c + 0);
  s.account_id = rows.Int(row, c + 1);
  s.text = rows.Text(row, c + 2);
  s.content = rows.Text(row, c + 3);
  s.spoiler_text = rows.Text(row, c + 4);
  s.visibility = static_cast<Visibility>(std::clamp<int64_t>(rows.Int(row, c + 5), 0, 3));
  s.sensitive = rows.Bool(row, c + 6);
  s.language = rows.Text(row, c + 7);
  s.in_reply_to_id = rows.Int(row, c + 8);
  s.in_reply_to_account_id = rows.Int(row, c + 9);
  s.reblog_of_id = rows.Int(row, c + 10);
  s.application_id = rows.Int(row, c + 11);
  s.replies_count = rows.Int(row, c + 12);
  s.reblogs_count = rows.Int(row, c + 13);
  s.favourites_count = rows.Int(row, c + 14);
  if (!rows.IsNull(row, c + 15)) s.latitude = rows.Real(row, c + 15);
  if (!rows.IsNull(row, c + 16)) s.longitude = rows.Real(row, c + 16);
  s.created_at_ms = rows.Int(row, c + 17);
  s.deleted_at_ms = rows.Int(row, c + 18);
  return s;
}

Status LoadPgStatusDetails(PgConn& conn, StatusRecord& s) {
  auto m = conn.Exec("SELECT account_id FROM mentions WHERE status_id = $1 ORDER BY position",
                     PgParams().Add(s.id));
  if (!m) return std::move(m).error();
  for (int i = 0; i < m->size(); ++i) s.mentioned_account_ids.push_back(m->Int(i, 0));
  auto t = conn.Exec(
      "SELECT t.name, t.display_name FROM status_tags st JOIN tags t ON t.id = st.tag_id "
      "WHERE st.status_id = $1 ORDER BY st.position",
      PgParams().Add(s.id));
  if (!t) return std::move(t).error();
  for (int i = 0; i < t->size(); ++i) {
    s.tags.push_back(t->Text(i, 0));
    s.tag_display_names.push_back(t->Text(i, 1));
  }
  auto media = conn.Exec("SELECT " MEDIA_COLUMNS
                         " FROM media_attachments m WHERE m.status_id = $1 AND "
                         "m.status_id <> 0 ORDER BY m.position",
                         PgParams().Add(s.id));
  if (!media) return std::move(media).error();
  for (int i = 0; i < media->size(); ++i) AddMedia(s, ReadMediaColumns(PgRow{*media, i}));
  return {};
}

Result<std::optional<StatusRecord>> PgLiveStatus(PgConn& conn, int64_t id) {
  auto rows =
      conn.Exec("SELECT " PG_STATUS_COLUMNS " FROM statuses s WHERE s.id = $1 AND s.deleted_at = 0",
                PgParams().Add(id));
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<StatusRecord>();
  return std::optional<StatusRecord>(ReadPgStatusRow(*rows, 0));
}

Result<StatusRecord> ReadPgLiveStatus(PgConn& conn, int64_t id) {
  auto found = PgLiveStatus(conn, id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound();
  StatusRecord s = std::move(**found);
  if (Status st = LoadPgStatusDetails(conn, s); !st) return std::move(st).error();
  return s;
}

Status LoadPgStatusDetails(PgConn& conn, std::vector<StatusRecord>& statuses) {
  if (statuses.empty()) return {};
  if (statuses.size() == 1) return LoadPgStatusDetails(conn, statuses.front());
  std::map<int64_t, StatusRecord*> by_id;
  std::vector<int64_t> ids;
  for (StatusRecord& s : statuses) {
    by_id[s.id] = &s;
    ids.push_back(s.id);
  }
  auto m = conn.Exec(
      "SELECT status_id, account_id FROM mentions WHERE status_id = ANY($1::bigint[]) "
      "ORDER BY status_id, position",
      PgParams().AddIds(ids));
  if (!m) return std::move(m).error();
  for (int i = 0; i < m->size(); ++i)
    by_id[m->Int(i, 0)]->mentioned_account_ids.push_back(m->Int(i, 1));
  auto t = conn.Exec(
      "SELECT st.status_id, t.name, t.display_name FROM status_tags st "
      "JOIN tags t ON t.id = st.tag_id "
      "WHERE st.status_id = ANY($1::bigint[]) ORDER BY st.status_id, st.position",
      PgParams().AddIds(ids));
  if (!t) return std::move(t).error();
  for (int i = 0; i < t->size(); ++i) {
    StatusRecord* s = by_id[t->Int(i, 0)];
    s->tags.push_back(t->Text(i, 1));
    s->tag_display_names.push_back(t->Text(i, 2));
  }
  auto media = conn.Exec("SELECT " MEDIA_COLUMNS
                         " FROM media_attachments m WHERE m.status_id = ANY($1::bigint[]) "
                         "AND m.status_id <> 0 "              // the condition of the partial index
                         "ORDER BY m.status_id, m.position",  // media_by_status
                         PgParams().AddIds(ids));
  if (!media) return std::move(media).error();
  for (int i = 0; i < media->size(); ++i) {
    MediaAttachment m = ReadMediaColumns(PgRow{*media, i});
    AddMedia(*by_id[m.status_id], std::move(m));
  }
  return {};
}

}  // namespace chirp
