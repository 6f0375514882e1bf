#include "store/sqlite/migrations.h"

#include <iterator>
#include <string>

#include "store/sqlite/sqlite_db.h"

namespace chirp {
namespace {

// Version N is kMigrations[N - 1].
constexpr const char* kMigrations[] = {
    // 1: accounts, users, OAuth.
    R"sql(
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  username_lower TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  locked INTEGER NOT NULL DEFAULT 0,
  bot INTEGER NOT NULL DEFAULT 0,
  discoverable INTEGER NOT NULL DEFAULT 1,
  indexable INTEGER NOT NULL DEFAULT 0,
  default_privacy TEXT NOT NULL DEFAULT 'public',
  default_sensitive INTEGER NOT NULL DEFAULT 0,
  default_language TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  statuses_count INTEGER NOT NULL DEFAULT 0,
  followers_count INTEGER NOT NULL DEFAULT 0,
  following_count INTEGER NOT NULL DEFAULT 0,
  last_status_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX accounts_by_display_name ON accounts(lower(display_name));
CREATE TABLE account_fields (
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (account_id, position)
) WITHOUT ROWID;
CREATE TABLE users (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  email TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  locale TEXT NOT NULL DEFAULT '',
  date_of_birth TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_login_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE apps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  website TEXT NOT NULL DEFAULT '',
  redirect_uris TEXT NOT NULL,
  scopes TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  client_secret_digest TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE access_tokens (
  id INTEGER PRIMARY KEY,
  digest TEXT NOT NULL UNIQUE,
  app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL DEFAULT 0,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX access_tokens_by_account ON access_tokens(account_id);
CREATE TABLE authorization_codes (
  digest TEXT PRIMARY KEY,
  app_id INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  code_challenge TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
    // 2: statuses, tags, mentions, favourites and the social graph.
    R"sql(
CREATE TABLE statuses (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  text TEXT NOT NULL DEFAULT '',
  content TEXT NOT NULL DEFAULT '',
  spoiler_text TEXT NOT NULL DEFAULT '',
  visibility INTEGER NOT NULL,
  sensitive INTEGER NOT NULL DEFAULT 0,
  language TEXT NOT NULL DEFAULT '',
  in_reply_to_id INTEGER NOT NULL DEFAULT 0,
  in_reply_to_account_id INTEGER NOT NULL DEFAULT 0,
  reblog_of_id INTEGER NOT NULL DEFAULT 0,
  application_id INTEGER NOT NULL DEFAULT 0,
  replies_count INTEGER NOT NULL DEFAULT 0,
  reblogs_count INTEGER NOT NULL DEFAULT 0,
  favourites_count INTEGER NOT NULL DEFAULT 0,
  latitude REAL,
  longitude REAL,
  created_at INTEGER NOT NULL,
  deleted_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX statuses_by_account ON statuses(account_id, id);
CREATE INDEX statuses_by_parent ON statuses(in_reply_to_id) WHERE in_reply_to_id != 0;
CREATE INDEX statuses_by_reblog_of ON statuses(reblog_of_id, id) WHERE reblog_of_id != 0;
CREATE UNIQUE INDEX one_live_reblog ON statuses(account_id, reblog_of_id)
  WHERE reblog_of_id != 0 AND deleted_at = 0;
CREATE TABLE mentions (
  status_id INTEGER NOT NULL REFERENCES statuses(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (status_id, account_id)
) WITHOUT ROWID;
CREATE INDEX mentions_by_account ON mentions(account_id, status_id);
CREATE TABLE tags (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL
);
CREATE TABLE status_tags (
  status_id INTEGER NOT NULL REFERENCES statuses(id),
  tag_id INTEGER NOT NULL REFERENCES tags(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (status_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX status_tags_by_tag ON status_tags(tag_id, status_id);
CREATE TABLE media_attachments (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  status_id INTEGER NOT NULL DEFAULT 0,
  type TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX media_by_status ON media_attachments(status_id) WHERE status_id != 0;
CREATE TABLE favourites (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  status_id INTEGER NOT NULL REFERENCES statuses(id),
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_by_status ON favourites(status_id, id);
CREATE TABLE follows (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  target_account_id INTEGER NOT NULL REFERENCES accounts(id),
  show_reblogs INTEGER NOT NULL DEFAULT 1,
  notify INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX follows_by_target ON follows(target_account_id, id);
CREATE TABLE follow_requests (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  target_account_id INTEGER NOT NULL REFERENCES accounts(id),
  show_reblogs INTEGER NOT NULL DEFAULT 1,
  notify INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX follow_requests_by_target ON follow_requests(target_account_id, id);
CREATE TABLE blocks (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  target_account_id INTEGER NOT NULL REFERENCES accounts(id),
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_by_target ON blocks(target_account_id, account_id);
CREATE TABLE mutes (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  target_account_id INTEGER NOT NULL REFERENCES accounts(id),
  hide_notifications INTEGER NOT NULL DEFAULT 1,
  expires_at INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE TABLE idempotency_keys (
  account_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  status_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, key)
) WITHOUT ROWID;
)sql",
    // 3: the outbox of the event stream.
    R"sql(
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  subject_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
)sql",
    // 4: notifications, read markers, and the follows that notify.
    R"sql(
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  from_account_id INTEGER NOT NULL,
  type INTEGER NOT NULL,
  status_id INTEGER NOT NULL DEFAULT 0,
  activity_id INTEGER NOT NULL DEFAULT 0,
  group_key TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX one_notification ON notifications(from_account_id, type, status_id, account_id);
CREATE INDEX notifications_by_account ON notifications(account_id, id);
CREATE INDEX notifications_by_group ON notifications(account_id, group_key, id);
CREATE INDEX notifications_by_status ON notifications(status_id) WHERE status_id != 0;
CREATE INDEX notifications_by_activity ON notifications(activity_id) WHERE activity_id != 0;
CREATE TABLE markers (
  account_id INTEGER NOT NULL,
  timeline TEXT NOT NULL,
  last_read_id INTEGER NOT NULL,
  version INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, timeline)
) WITHOUT ROWID;
CREATE INDEX follows_notifying ON follows(target_account_id) WHERE notify != 0;
)sql",
    // 5: an author's statuses by id, covering what placing them in a home
    // timeline needs, so that a rebuild reads index pages only.
    R"sql(
DROP INDEX statuses_by_account;
CREATE INDEX statuses_by_account ON statuses(account_id, id, deleted_at, visibility,
  in_reply_to_id, in_reply_to_account_id, reblog_of_id);
)sql",
    // 6: what an event's consumers need besides its account and subject.
    R"sql(
ALTER TABLE outbox ADD COLUMN related_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
)sql",
    // 7: each durable consumer's cursor, and the events that kept failing
    // for a consumer (with every column of the outbox, the event's id as
    // event_id).
    R"sql(
CREATE TABLE event_cursors (
  consumer TEXT PRIMARY KEY,
  last_id INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  consumer TEXT NOT NULL,
  event_id INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  account_id INTEGER NOT NULL,
  subject_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  related_id INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  failed_at INTEGER NOT NULL,
  replay INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX dead_letters_by_consumer ON dead_letters(consumer, replay, id);
)sql",
    // 8: the follows of an account both ways read from an index alone. A
    // list of followers (fan-out) or of accounts followed (a rebuild, a
    // reader's relations) is hundreds of rows, which follows made over
    // time scatter across the table: one page read each without these.
    R"sql(
DROP INDEX follows_by_target;
CREATE INDEX follows_by_target ON follows(target_account_id, id, account_id, show_reblogs, notify);
CREATE INDEX follows_by_account ON follows(account_id, target_account_id, id, show_reblogs, notify);
)sql",
    // 9: bookmarks, private to the account that made them.
    R"sql(
CREATE TABLE bookmarks (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  status_id INTEGER NOT NULL REFERENCES statuses(id),
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, status_id)
);
CREATE INDEX bookmarks_by_account ON bookmarks(account_id, id);
)sql",
    // 10: uploads kept (media/media_service.h): their state, their files
    // (named in the media storage) and what clients are told of them, the
    // position of each in its status, and when its status was deleted, for
    // the job that removes files no status shows.
    R"sql(
ALTER TABLE media_attachments ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN state INTEGER NOT NULL DEFAULT 1;
ALTER TABLE media_attachments ADD COLUMN file_key TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN original_name TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN original_type TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN original_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN original_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN original_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN small_name TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN small_type TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN small_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN small_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN small_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN frame_rate TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN bitrate INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN focus_x REAL NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN focus_y REAL NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN blurhash TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN failure TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN discarded_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX media_unattached ON media_attachments(created_at) WHERE status_id = 0;
CREATE INDEX media_discarded ON media_attachments(discarded_at) WHERE discarded_at != 0;
CREATE INDEX media_processing ON media_attachments(id) WHERE state = 0;
)sql",
    // 11: accounts' avatars and headers, files in the media storage.
    R"sql(
ALTER TABLE accounts ADD COLUMN avatar TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN header TEXT NOT NULL DEFAULT '';
)sql",
    // 12: a preview an upload's owner gave (video and audio), and which
    // process holds an upload's processing until when.
    R"sql(
ALTER TABLE media_attachments ADD COLUMN thumbnail_name TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN thumbnail_type TEXT NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN thumbnail_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN thumbnail_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN thumbnail_bytes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN lease_owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
)sql",
};

int CurrentVersion(SqliteDb& db) {
  SqliteStatement stmt = db.Prepare("PRAGMA user_version");
  return stmt.Step() ? static_cast<int>(stmt.Int(0)) : 0;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status ApplyMigrations(SqliteDb& db) {
  const int current = CurrentVersion(db);
  if (current > LatestSchemaVersion()) {
    return Error::Unavailable("the database has schema version " + std::to_string(current) +
                              ", newer than this build knows (" +
                              std::to_string(LatestSchemaVersion()) + ")");
  }
  for (int version = current + 1; version <= LatestSchemaVersion(); ++version) {
    const std::string script = std::string("BEGIN IMMEDIATE;") + kMigrations[version - 1] +
                               "PRAGMA user_version=" + std::to_string(version) + ";COMMIT;";
    if (Status s = db.Exec(script.c_str()); !s) {
      (void)db.Exec("ROLLBACK");
      return Error::Unavailable("migration " + std::to_string(version) +
                                " failed: " + s.error().message);
    }
  }
  return {};
}

}  // namespace chirp
