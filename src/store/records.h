// Plain records that the store reads and writes. They carry no behaviour; the
// rules that govern them live in the modules that use them (api/, social/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chirp {

struct ProfileField {
  std::string name;
  std::string value;
};

struct Account {
  int64_t id = 0;
  std::string username;  // as registered; unique case-insensitively
  std::string display_name;
  std::string note;  // plain-text source; rendered to HTML when served
  bool locked = false;
  bool bot = false;
  bool discoverable = true;
  bool indexable = true;  // public statuses found by anyone's search
  std::vector<ProfileField> fields;
  std::string default_privacy = "public";
  bool default_sensitive = false;
  std::string default_language;  // "" when unset
  // The files of its avatar and header in the media storage
  // (media/media_storage.h); "" for none. An animated one is a GIF, with
  // its first frame beside it (StillImageName).
  std::string avatar;
  std::string header;
  int64_t created_at_ms = 0;
  int64_t statuses_count = 0;
  int64_t followers_count = 0;
  int64_t following_count = 0;
  int64_t last_status_at_ms = 0;  // 0 when the account never posted
};

// An account with the event stream's position when it was read
// (Store::FindAccountAsOf).
struct AccountAsOf {
  Account account;
  int64_t as_of_event = 0;
};

struct User {
  int64_t account_id = 0;
  std::string email;  // stored lower-cased; unique
  std::string password_hash;
  std::string locale;
  std::string date_of_birth;  // "YYYY-MM-DD" or ""
  std::string registration_reason;
  int64_t created_at_ms = 0;
  int64_t last_login_ms = 0;
};

struct App {
  int64_t id = 0;
  std::string name;
  std::string website;  // "" when unset
  std::vector<std::string> redirect_uris;
  std::string scopes;  // space separated, as registered
  std::string client_id;
  std::string client_secret_digest;
  int64_t created_at_ms = 0;
};

struct AccessToken {
  int64_t id = 0;
  std::string digest;  // TokenDigest of the bearer token
  int64_t app_id = 0;
  int64_t account_id = 0;  // 0 for an app token (client_credentials)
  std::string scopes;      // space separated
  int64_t created_at_ms = 0;
  int64_t revoked_at_ms = 0;  // 0 while valid
};

struct AuthorizationCode {
  std::string digest;
  int64_t app_id = 0;
  int64_t account_id = 0;
  std::string redirect_uri;
  std::string scopes;
  std::string code_challenge;  // "" when PKCE was not used
  int64_t created_at_ms = 0;
  int64_t expires_at_ms = 0;
};

enum class Visibility { kPublic = 0, kUnlisted = 1, kPrivate = 2, kDirect = 3 };

// A media attachment's kind, as Mastodon names them.
enum class MediaType { kUnknown = 0, kImage = 1, kGifv = 2, kVideo = 3, kAudio = 4 };
// "image", "gifv", "video", "audio" or "unknown", as Mastodon names them.
std::string_view MediaTypeName(MediaType type);
MediaType MediaTypeFromName(std::string_view name);

// Whether an upload's files are made yet (video, GIF and audio are
// processed after the upload is answered).
enum class MediaState { kProcessing = 0, kReady = 1, kFailed = 2 };

// One version of an upload's files: the original as kept, or its preview.
struct MediaFileInfo {
  std::string name;  // "" when there is none; else the file in the media storage
  std::string mime_type;
  int width = 0;
  int height = 0;
  int64_t bytes = 0;
};

// An uploaded file, attached to at most one status of its account. Its
// files are named by `file_key`, 128 random bits, so that a URL cannot be
// guessed from an id.
struct MediaAttachment {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t status_id = 0;  // 0 until attached
  MediaType type = MediaType::kUnknown;
  MediaState state = MediaState::kProcessing;
  std::string file_key;  // 32 hexadecimal digits
  MediaFileInfo original;
  MediaFileInfo small;      // the preview (a video's poster)
  // A preview its owner gave (video and audio), shown instead of `small`;
  // `blurhash` is then its blurhash.
  MediaFileInfo thumbnail;
  int64_t duration_ms = 0;  // video and audio
  std::string frame_rate;   // video: "30/1"
  int64_t bitrate = 0;      // video and audio, bits per second
  std::string description;  // alt text
  double focus_x = 0;       // -1..1, left to right
  double focus_y = 0;       // -1..1, bottom to top
  std::string blurhash;
  std::string failure;  // why processing failed (kFailed)
  int64_t created_at_ms = 0;
};

struct StatusRecord {
  int64_t id = 0;
  int64_t account_id = 0;
  std::string text;     // the source as posted
  std::string content;  // rendered HTML
  std::string spoiler_text;
  Visibility visibility = Visibility::kPublic;
  bool sensitive = false;
  std::string language;  // "" when unknown
  int64_t in_reply_to_id = 0;
  int64_t in_reply_to_account_id = 0;
  int64_t reblog_of_id = 0;  // a reblog wraps another status and has no text
  int64_t application_id = 0;
  int64_t replies_count = 0;
  int64_t reblogs_count = 0;
  int64_t favourites_count = 0;
  std::optional<double> latitude;  // the design documents' location fields
  std::optional<double> longitude;
  int64_t created_at_ms = 0;
  int64_t deleted_at_ms = 0;       // 0 while the status exists
  std::vector<int64_t> media_ids;  // attachments, in order
  // The attachments themselves, in the same order, as read with the status
  // (none in what a caller gives CreateStatus: it attaches media_ids).
  std::vector<MediaAttachment> media;
  std::vector<int64_t> mentioned_account_ids;
  std::vector<std::string> tags;               // normalised names, in order of appearance
  std::vector<std::string> tag_display_names;  // as first written
};

// One edge of the social graph with its settings.
struct Follow {
  int64_t id = 0;
  int64_t account_id = 0;         // the follower
  int64_t target_account_id = 0;  // the followed
  bool show_reblogs = true;
  bool notify = false;
  int64_t created_at_ms = 0;
};

struct Mute {
  int64_t id = 0;
  int64_t account_id = 0;
  int64_t target_account_id = 0;
  bool hide_notifications = true;
  int64_t expires_at_ms = 0;  // 0: never
  int64_t created_at_ms = 0;
};

// The relations between one viewer and one other account, both ways.
struct RelationshipRecord {
  std::optional<Follow> following;  // viewer follows target
  bool followed_by = false;         // target follows viewer
  bool requested = false;           // viewer asked to follow target (locked)
  bool requested_by = false;        // target asked to follow viewer
  bool blocking = false;
  bool blocked_by = false;
  std::optional<Mute> muting;
};

// Store figures for /metrics.
// A streaming replica's state (the scaled-out store's).
struct ReplicaLag {
  bool reachable = false;
  uint64_t lag_bytes = 0;  // of the primary's write-ahead log not replayed
  int64_t lag_ms = 0;      // how long ago the primary first held what it lacks
};

struct StoreStats {
  uint64_t write_transactions = 0;  // group commits
  uint64_t write_operations = 0;    // requests' writes inside them
  uint64_t write_failures = 0;
  uint64_t reads = 0;
  uint64_t write_queue_depth = 0;
  uint64_t max_batch = 0;
  // The write-ahead log: pages it held at the last commit, and how many
  // times it was checkpointed and started again (an embedded store's own).
  uint64_t log_pages = 0;
  uint64_t log_restarts = 0;
  uint64_t log_restart_pause_us = 0;  // writes held for the restarts, in total
  // Memory the store's engine holds in this process (page caches, statements).
  uint64_t memory_bytes = 0;
  // Streaming replicas: reads they served; reads that might have gone to
  // one but went to the primary (none had replayed the reader's last
  // write, or none was within the lag allowed); writes whose position
  // could not be recorded or read; and each replica.
  uint64_t replica_reads = 0;
  uint64_t replica_passed_over = 0;
  uint64_t write_position_failures = 0;
  std::vector<ReplicaLag> replicas;
};

// How an app's redirect URIs are kept in one text column by both stores:
// one a line (a URI holds no line break).
std::string RedirectUrisToText(const std::vector<std::string>& uris);

// The still version of an account's avatar or header file `name`: the
// file itself, or for an animated one (a GIF) the PNG of its first frame,
// named the same with ".png" for ".gif".
std::string StillImageName(std::string_view name);
std::vector<std::string> RedirectUrisFromText(std::string_view text);

}  // namespace chirp
