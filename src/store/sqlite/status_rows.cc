#include "store/sqlite/status_rows.h"

#include <algorithm>
#include <map>

#include "store/media_rows.h"

namespace chirp {

Status InsertStatusRow(SqliteDb& db, const StatusRecord& s) {
  SqliteStatement ins = db.Prepare(
      "INSERT INTO statuses (id, account_id, text, content, spoiler_text, visibility, sensitive, "
      "language, in_reply_to_id, in_reply_to_account_id, reblog_of_id, application_id, latitude, "
      "longitude, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  ins.Bind(1, s.id)
      .Bind(2, s.account_id)
      .Bind(3, s.text)
      .Bind(4, s.content)
      .Bind(5, s.spoiler_text);
  ins.Bind(6, static_cast<int64_t>(s.visibility)).Bind(7, s.sensitive).Bind(8, s.language);
  ins.Bind(9, s.in_reply_to_id).Bind(10, s.in_reply_to_account_id).Bind(11, s.reblog_of_id);
  ins.Bind(12, s.application_id);
  if (s.latitude)
    ins.Bind(13, *s.latitude);
  else
    ins.BindNull(13);
  if (s.longitude)
    ins.Bind(14, *s.longitude);
  else
    ins.BindNull(14);
  ins.Bind(15, s.created_at_ms);
  return db.Run(ins);
}

Status InsertMentionsAndTags(SqliteDb& db, const StatusRecord& s,
                             std::vector<std::string>* tag_display_names) {
  for (size_t i = 0; i < s.mentioned_account_ids.size(); ++i) {
    SqliteStatement m = db.Prepare(
        "INSERT OR IGNORE INTO mentions (status_id, account_id, position) VALUES (?,?,?)");
    m.Bind(1, s.id).Bind(2, s.mentioned_account_ids[i]).Bind(3, static_cast<int64_t>(i));
    if (Status st = db.Run(m); !st) return st;
  }
  tag_display_names->clear();
  for (size_t i = 0; i < s.tags.size(); ++i) {
    const std::string& display =
        i < s.tag_display_names.size() ? s.tag_display_names[i] : s.tags[i];
    SqliteStatement t = db.Prepare(
        "INSERT INTO tags (name, display_name) VALUES (?, ?) ON CONFLICT(name) DO NOTHING");
    t.Bind(1, s.tags[i]).Bind(2, display);
    if (Status st = db.Run(t); !st) return st;
    SqliteStatement tag = db.Prepare("SELECT id, display_name FROM tags WHERE name = ?");
    tag.Bind(1, s.tags[i]);
    if (!tag.Step()) return db.Failure();
    tag_display_names->push_back(tag.Text(1));
    SqliteStatement link = db.Prepare(
        "INSERT OR IGNORE INTO status_tags (status_id, tag_id, position) VALUES (?, ?, ?)");
    link.Bind(1, s.id).Bind(2, tag.Int(0)).Bind(3, static_cast<int64_t>(i));
    if (Status st = db.Run(link); !st) return st;
  }
  return {};
}

std::string JsonIds(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    out += std::to_string(ids[i]);
  }
  return out + "]";
}

StatusRecord ReadStatusRow(const SqliteStatement& q) {
  StatusRecord s;
  s.id = q.Int(0);
  s.account_id = q.Int(1);
  s.text = q.Text(2);
  s.content = q.Text(3);
  s.spoiler_text = q.Text(4);
  s.visibility = static_cast<Visibility>(std::clamp<int64_t>(q.Int(5), 0, 3));
  s.sensitive = q.Bool(6);
  s.language = q.Text(7);
  s.in_reply_to_id = q.Int(8);
  s.in_reply_to_account_id = q.Int(9);
  s.reblog_of_id = q.Int(10);
  s.application_id = q.Int(11);
  s.replies_count = q.Int(12);
  s.reblogs_count = q.Int(13);
  s.favourites_count = q.Int(14);
  if (!q.IsNull(15)) s.latitude = q.Real(15);
  if (!q.IsNull(16)) s.longitude = q.Real(16);
  s.created_at_ms = q.Int(17);
  s.deleted_at_ms = q.Int(18);
  return s;
}

Status LoadStatusDetails(SqliteDb& db, StatusRecord& s) {
  SqliteStatement m =
      db.Prepare("SELECT account_id FROM mentions WHERE status_id = ? ORDER BY position");
  m.Bind(1, s.id);
  while (m.Step()) s.mentioned_account_ids.push_back(m.Int(0));
  if (m.failed()) return db.Failure();
  SqliteStatement t = db.Prepare(
      "SELECT t.name, t.display_name FROM status_tags st JOIN tags t ON t.id = st.tag_id "
      "WHERE st.status_id = ? ORDER BY st.position");
  t.Bind(1, s.id);
  while (t.Step()) {
    s.tags.push_back(t.Text(0));
    s.tag_display_names.push_back(t.Text(1));
  }
  if (t.failed()) return db.Failure();
  SqliteStatement media = db.Prepare("SELECT " MEDIA_COLUMNS
                                     " FROM media_attachments m WHERE m.status_id = ? AND "
                                     "m.status_id != 0 ORDER BY m.position");
  media.Bind(1, s.id);
  while (media.Step()) AddMedia(s, ReadMediaColumns(media));
  if (media.failed()) return db.Failure();
  return {};
}

Result<std::optional<StatusRecord>> LiveStatus(SqliteDb& db, int64_t id) {
  SqliteStatement q =
      db.Prepare("SELECT " STATUS_COLUMNS " FROM statuses s WHERE s.id = ? AND s.deleted_at = 0");
  q.Bind(1, id);
  if (q.Step()) return std::optional<StatusRecord>(ReadStatusRow(q));
  if (q.failed()) return db.Failure();
  return std::optional<StatusRecord>();
}

Result<StatusRecord> ReadLiveStatus(SqliteDb& db, int64_t id) {
  auto found = LiveStatus(db, id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound();
  StatusRecord s = std::move(**found);
  if (Status st = LoadStatusDetails(db, s); !st) return std::move(st).error();
  return s;
}

Status LoadStatusDetails(SqliteDb& db, std::vector<StatusRecord>& statuses) {
  if (statuses.empty()) return {};
  if (statuses.size() == 1) return LoadStatusDetails(db, statuses.front());
  std::map<int64_t, StatusRecord*> by_id;
  std::vector<int64_t> ids;
  for (StatusRecord& s : statuses) {
    by_id[s.id] = &s;
    ids.push_back(s.id);
  }
  const std::string json = JsonIds(ids);
  SqliteStatement m = db.Prepare(
      "SELECT status_id, account_id FROM mentions WHERE status_id IN (SELECT value FROM "
      "json_each(?)) "
      "ORDER BY status_id, position");
  m.Bind(1, json);
  while (m.Step()) by_id[m.Int(0)]->mentioned_account_ids.push_back(m.Int(1));
  if (m.failed()) return db.Failure();
  SqliteStatement t = db.Prepare(
      "SELECT st.status_id, t.name, t.display_name FROM status_tags st JOIN tags t ON t.id = "
      "st.tag_id "
      "WHERE st.status_id IN (SELECT value FROM json_each(?)) ORDER BY st.status_id, st.position");
  t.Bind(1, json);
  while (t.Step()) {
    StatusRecord* s = by_id[t.Int(0)];
    s->tags.push_back(t.Text(1));
    s->tag_display_names.push_back(t.Text(2));
  }
  if (t.failed()) return db.Failure();
  SqliteStatement media = db.Prepare(
      "SELECT " MEDIA_COLUMNS
      " FROM media_attachments m WHERE m.status_id IN (SELECT value FROM json_each(?)) AND "
      "m.status_id != 0 "  // the condition of the partial index media_by_status
      "ORDER BY m.status_id, m.position");
  media.Bind(1, json);
  while (media.Step()) {
    MediaAttachment m = ReadMediaColumns(media);
    AddMedia(*by_id[m.status_id], std::move(m));
  }
  if (media.failed()) return db.Failure();
  return {};
}

}  // namespace chirp
