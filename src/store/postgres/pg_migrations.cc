#include "store/postgres/pg_migrations.h"

#include <iterator>
#include <string>

namespace chirp {
namespace {

// Version N is kMigrations[N - 1].
constexpr const char* kMigrations[] = {
    // 1: everything the embedded schema held at its version 9.
    R"sql(
CREATE TABLE accounts (
  id bigint PRIMARY KEY,
  username text NOT NULL,
  username_lower text NOT NULL UNIQUE,
  display_name text NOT NULL DEFAULT '',
  note text NOT NULL DEFAULT '',
  locked boolean NOT NULL DEFAULT false,
  bot boolean NOT NULL DEFAULT false,
  discoverable boolean NOT NULL DEFAULT true,
  indexable boolean NOT NULL DEFAULT false,
  default_privacy text NOT NULL DEFAULT 'public',
  default_sensitive boolean NOT NULL DEFAULT false,
  default_language text NOT NULL DEFAULT '',
  created_at bigint NOT NULL,
  statuses_count bigint NOT NULL DEFAULT 0,
  followers_count bigint NOT NULL DEFAULT 0,
  following_count bigint NOT NULL DEFAULT 0,
  last_status_at bigint NOT NULL DEFAULT 0
);
CREATE INDEX accounts_by_display_name ON accounts (lower(display_name));
CREATE TABLE account_fields (
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  position integer NOT NULL,
  name text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (account_id, position)
);
CREATE TABLE users (
  account_id bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
  email text NOT NULL UNIQUE,
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT '',
  date_of_birth text NOT NULL DEFAULT '',
  reason text NOT NULL DEFAULT '',
  created_at bigint NOT NULL,
  last_login_at bigint NOT NULL DEFAULT 0
);
CREATE TABLE apps (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  website text NOT NULL DEFAULT '',
  redirect_uris text NOT NULL,
  scopes text NOT NULL,
  client_id text NOT NULL UNIQUE,
  client_secret_digest text NOT NULL,
  created_at bigint NOT NULL
);
CREATE TABLE access_tokens (
  id bigint PRIMARY KEY,
  digest text NOT NULL UNIQUE,
  app_id bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  account_id bigint NOT NULL DEFAULT 0,
  scopes text NOT NULL,
  created_at bigint NOT NULL,
  revoked_at bigint NOT NULL DEFAULT 0
);
CREATE INDEX access_tokens_by_account ON access_tokens (account_id);
CREATE TABLE authorization_codes (
  digest text PRIMARY KEY,
  app_id bigint NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  redirect_uri text NOT NULL,
  scopes text NOT NULL,
  code_challenge text NOT NULL DEFAULT '',
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);

CREATE TABLE statuses (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  text text NOT NULL DEFAULT '',
  content text NOT NULL DEFAULT '',
  spoiler_text text NOT NULL DEFAULT '',
  visibility integer NOT NULL,
  sensitive boolean NOT NULL DEFAULT false,
  language text NOT NULL DEFAULT '',
  in_reply_to_id bigint NOT NULL DEFAULT 0,
  in_reply_to_account_id bigint NOT NULL DEFAULT 0,
  reblog_of_id bigint NOT NULL DEFAULT 0,
  application_id bigint NOT NULL DEFAULT 0,
  replies_count bigint NOT NULL DEFAULT 0,
  reblogs_count bigint NOT NULL DEFAULT 0,
  favourites_count bigint NOT NULL DEFAULT 0,
  latitude double precision,
  longitude double precision,
  created_at bigint NOT NULL,
  deleted_at bigint NOT NULL DEFAULT 0
);
-- An author's statuses by id, covering what placing them in a home
-- timeline needs, so that a rebuild reads the index alone.
CREATE INDEX statuses_by_account ON statuses (account_id, id)
  INCLUDE (deleted_at, visibility, in_reply_to_id, in_reply_to_account_id, reblog_of_id);
CREATE INDEX statuses_by_parent ON statuses (in_reply_to_id) WHERE in_reply_to_id <> 0;
CREATE INDEX statuses_by_reblog_of ON statuses (reblog_of_id, id) WHERE reblog_of_id <> 0;
CREATE UNIQUE INDEX one_live_reblog ON statuses (account_id, reblog_of_id)
  WHERE reblog_of_id <> 0 AND deleted_at = 0;
CREATE TABLE mentions (
  status_id bigint NOT NULL REFERENCES statuses (id),
  account_id bigint NOT NULL REFERENCES accounts (id),
  position integer NOT NULL,
  PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_by_account ON mentions (account_id, status_id);
CREATE TABLE tags (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  display_name text NOT NULL
);
CREATE TABLE status_tags (
  status_id bigint NOT NULL REFERENCES statuses (id),
  tag_id bigint NOT NULL REFERENCES tags (id),
  position integer NOT NULL,
  PRIMARY KEY (status_id, tag_id)
);
CREATE INDEX status_tags_by_tag ON status_tags (tag_id, status_id);
CREATE TABLE media_attachments (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  status_id bigint NOT NULL DEFAULT 0,
  type text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX media_by_status ON media_attachments (status_id) WHERE status_id <> 0;
CREATE TABLE favourites (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  status_id bigint NOT NULL REFERENCES statuses (id),
  created_at bigint NOT NULL,
  UNIQUE (account_id, status_id)
);
CREATE INDEX favourites_by_status ON favourites (status_id, id);
CREATE TABLE bookmarks (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  status_id bigint NOT NULL REFERENCES statuses (id),
  created_at bigint NOT NULL,
  UNIQUE (account_id, status_id)
);
CREATE INDEX bookmarks_by_account ON bookmarks (account_id, id);
-- A follow is read both ways from an index alone: followers for fan-out,
-- accounts followed for a rebuild.
CREATE TABLE follows (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  target_account_id bigint NOT NULL REFERENCES accounts (id),
  show_reblogs boolean NOT NULL DEFAULT true,
  notify boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX follows_by_target ON follows (target_account_id, id)
  INCLUDE (account_id, show_reblogs, notify);
CREATE INDEX follows_by_account ON follows (account_id, target_account_id)
  INCLUDE (id, show_reblogs, notify);
CREATE INDEX follows_notifying ON follows (target_account_id) WHERE notify;
CREATE TABLE follow_requests (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  target_account_id bigint NOT NULL REFERENCES accounts (id),
  show_reblogs boolean NOT NULL DEFAULT true,
  notify boolean NOT NULL DEFAULT false,
  created_at bigint NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX follow_requests_by_target ON follow_requests (target_account_id, id);
CREATE TABLE blocks (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  target_account_id bigint NOT NULL REFERENCES accounts (id),
  created_at bigint NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE INDEX blocks_by_target ON blocks (target_account_id, account_id);
CREATE TABLE mutes (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  target_account_id bigint NOT NULL REFERENCES accounts (id),
  hide_notifications boolean NOT NULL DEFAULT true,
  expires_at bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  UNIQUE (account_id, target_account_id)
);
CREATE TABLE idempotency_keys (
  account_id bigint NOT NULL,
  key text NOT NULL,
  status_id bigint NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (account_id, key)
);

-- The outbox. Ids come from outbox_head (see pg_store.h), whose row lock
-- is held from a transaction's first event to its commit, so that they
-- increase in commit order. Rows are deleted once every consumer has
-- passed them: the table stays small, and autovacuum visits it often.
CREATE TABLE outbox_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  last_id bigint NOT NULL
);
INSERT INTO outbox_head VALUES (true, 0);
CREATE TABLE outbox (
  id bigint PRIMARY KEY,
  kind integer NOT NULL,
  account_id bigint NOT NULL,
  subject_id bigint NOT NULL,
  created_at bigint NOT NULL,
  related_id bigint NOT NULL DEFAULT 0,
  flags integer NOT NULL DEFAULT 0
) WITH (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
CREATE TABLE event_cursors (
  consumer text PRIMARY KEY,
  last_id bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  consumer text NOT NULL,
  event_id bigint NOT NULL,
  kind integer NOT NULL,
  account_id bigint NOT NULL,
  subject_id bigint NOT NULL,
  created_at bigint NOT NULL,
  related_id bigint NOT NULL,
  flags integer NOT NULL,
  attempts integer NOT NULL,
  last_error text NOT NULL,
  failed_at bigint NOT NULL,
  replay boolean NOT NULL DEFAULT false
);
CREATE INDEX dead_letters_by_consumer ON dead_letters (consumer, replay, id);

CREATE TABLE notifications (
  id bigint PRIMARY KEY,
  account_id bigint NOT NULL,
  from_account_id bigint NOT NULL,
  type integer NOT NULL,
  status_id bigint NOT NULL DEFAULT 0,
  activity_id bigint NOT NULL DEFAULT 0,
  group_key text NOT NULL,
  created_at bigint NOT NULL
);
CREATE UNIQUE INDEX one_notification ON notifications (from_account_id, type, status_id, account_id);
CREATE INDEX notifications_by_account ON notifications (account_id, id);
CREATE INDEX notifications_by_group ON notifications (account_id, group_key, id);
CREATE INDEX notifications_by_status ON notifications (status_id) WHERE status_id <> 0;
CREATE INDEX notifications_by_activity ON notifications (activity_id) WHERE activity_id <> 0;
CREATE TABLE markers (
  account_id bigint NOT NULL,
  timeline text NOT NULL,
  last_read_id bigint NOT NULL,
  version bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (account_id, timeline)
);
)sql",
    // 2: the search index (search/pg_search_index.h), derived from the rest
    // by the indexer lane and rebuilt by chirpd admin reindex. Tags and
    // usernames compare bytewise, so that a prefix is a range of the index.
    R"sql(
CREATE TABLE search_statuses (
  id bigint PRIMARY KEY,
  author_id bigint NOT NULL,
  visibility smallint NOT NULL,
  features integer NOT NULL,
  language text NOT NULL,
  body tsvector NOT NULL
);
-- New entries wait in a short pending list that every search reads
-- through (the default's 4 MB made a rare word's lookup take 27 ms).
CREATE INDEX search_statuses_text ON search_statuses USING gin (body)
  WITH (gin_pending_list_limit = 256);
CREATE INDEX search_statuses_of_author ON search_statuses (author_id, id);
CREATE TABLE search_status_tags (
  tag text COLLATE "C" NOT NULL,
  status_id bigint NOT NULL,
  author_id bigint NOT NULL,
  PRIMARY KEY (tag, status_id)
);
CREATE INDEX search_status_tags_by_status ON search_status_tags (status_id);
CREATE TABLE search_tags (
  name text COLLATE "C" PRIMARY KEY,
  last_used_at bigint NOT NULL
);
CREATE INDEX search_tags_by_use ON search_tags (last_used_at);
CREATE TABLE search_tag_days (
  tag text COLLATE "C" NOT NULL,
  day bigint NOT NULL,
  uses bigint NOT NULL,
  accounts bigint NOT NULL,
  PRIMARY KEY (tag, day)
);
CREATE TABLE search_tag_day_accounts (
  tag text COLLATE "C" NOT NULL,
  day bigint NOT NULL,
  account_id bigint NOT NULL,
  PRIMARY KEY (tag, day, account_id)
);
CREATE TABLE search_library (
  account_id bigint NOT NULL,
  status_id bigint NOT NULL,
  reasons integer NOT NULL,
  PRIMARY KEY (account_id, status_id)
);
CREATE INDEX search_library_by_status ON search_library (status_id);
CREATE TABLE search_accounts (
  id bigint PRIMARY KEY,
  username_lower text COLLATE "C" NOT NULL,
  indexable boolean NOT NULL,
  followers_count bigint NOT NULL,
  last_status_at bigint NOT NULL,
  names tsvector NOT NULL
);
CREATE INDEX search_accounts_by_username ON search_accounts (username_lower);
-- The few accounts whose public statuses only their libraries find, read
-- by every status search.
CREATE INDEX search_accounts_not_indexable ON search_accounts (id) WHERE NOT indexable;
CREATE INDEX search_accounts_names ON search_accounts USING gin (names);
)sql",
    // 3: uploads kept (media/media_service.h): their state, their files
    // (named in the media storage) and what clients are told of them, the
    // position of each in its status, and when its status was deleted, for
    // the job that removes files no status shows.
    R"sql(
ALTER TABLE media_attachments ADD COLUMN position bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN state bigint NOT NULL DEFAULT 1;
ALTER TABLE media_attachments ADD COLUMN file_key text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN original_name text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN original_type text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN original_width bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN original_height bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN original_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN small_name text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN small_type text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN small_width bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN small_height bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN small_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN duration_ms bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN frame_rate text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN bitrate bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN description text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN focus_x double precision NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN focus_y double precision NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN blurhash text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN failure text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN discarded_at bigint NOT NULL DEFAULT 0;
CREATE INDEX media_unattached ON media_attachments (created_at) WHERE status_id = 0;
CREATE INDEX media_discarded ON media_attachments (discarded_at) WHERE discarded_at <> 0;
CREATE INDEX media_processing ON media_attachments (id) WHERE state = 0;
)sql",
    // 4: accounts' avatars and headers, files in the media storage.
    R"sql(
ALTER TABLE accounts ADD COLUMN avatar text NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN header text NOT NULL DEFAULT '';
)sql",
    // 5: a preview an upload's owner gave (video and audio), and which
    // process holds an upload's processing until when.
    R"sql(
ALTER TABLE media_attachments ADD COLUMN thumbnail_name text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN thumbnail_type text NOT NULL DEFAULT '';
ALTER TABLE media_attachments ADD COLUMN thumbnail_width bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN thumbnail_height bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN thumbnail_bytes bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN lease_owner bigint NOT NULL DEFAULT 0;
ALTER TABLE media_attachments ADD COLUMN lease_until bigint NOT NULL DEFAULT 0;
)sql",
};

// Any 64-bit number, the same for every instance: the key of the advisory
// lock migrations run under.
constexpr int64_t kMigrationLock = 0x63686972706d6967;  // "chirpmig"

Result<int> CurrentVersion(PgConn& conn) {
  auto rows = conn.Exec("SELECT coalesce((SELECT max(version) FROM schema_versions), 0)");
  if (!rows) return std::move(rows).error();
  return static_cast<int>(rows->Int(0, 0));
}

}  // namespace

int LatestPgSchemaVersion() { return static_cast<int>(std::size(kMigrations)); }

Status ApplyPgMigrations(PgConn& conn) {
  if (Status s = conn.Script(
          "CREATE TABLE IF NOT EXISTS schema_versions ("
          "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
      !s) {
    // Two instances creating it at once: one of them loses the race.
    if (conn.last_state() != "23505" && conn.last_state() != "42P07") return s;
  }
  if (auto locked = conn.Exec("SELECT pg_advisory_lock($1)", PgParams().Add(kMigrationLock));
      !locked) {
    return std::move(locked).error();
  }
  auto current = CurrentVersion(conn);
  Status result;
  if (!current) {
    result = std::move(current).error();
  } else if (*current > LatestPgSchemaVersion()) {
    result = Error::Unavailable("the database has schema version " + std::to_string(*current) +
                                ", newer than this build knows (" +
                                std::to_string(LatestPgSchemaVersion()) + ")");
  } else {
    for (int version = *current + 1; version <= LatestPgSchemaVersion(); ++version) {
      const std::string script = std::string("BEGIN;") + kMigrations[version - 1] +
                                 ";INSERT INTO schema_versions (version) VALUES (" +
                                 std::to_string(version) + ");COMMIT;";
      if (Status s = conn.Script(script); !s) {
        (void)conn.Script("ROLLBACK");
        result = Error::Unavailable("migration " + std::to_string(version) +
                                    " failed: " + s.error().message);
        break;
      }
    }
  }
  (void)conn.Exec("SELECT pg_advisory_unlock($1)", PgParams().Add(kMigrationLock));
  return result;
}

}  // namespace chirp
