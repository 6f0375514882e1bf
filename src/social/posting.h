// Posting and deleting statuses: the rules a new status must meet (length as
// Mastodon counts it, visibility, language, media, the status replied to),
// its text rendered with mentions, hashtags and links, and the write with
// its idempotency key. The consequences (fan-out, notifications, streaming,
// caches) follow from the event the store writes with the status.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "social/lookups.h"
#include "social/viewer_cache.h"
#include "store/store.h"

namespace chirp {

struct PostingLimits {
  int max_characters = 280;
  int max_media_attachments = 4;
};

// What a client asked to post, as sent; Posting validates it. Absent
// optional values take the author's defaults.
struct StatusDraft {
  int64_t account_id = 0;
  int64_t application_id = 0;
  std::string text;
  std::string spoiler_text;
  std::vector<std::string> media_ids;
  std::optional<bool> sensitive;
  std::optional<std::string> visibility;  // public, unlisted, private or direct
  std::optional<std::string> language;
  std::string in_reply_to_id;  // "" for none
  std::optional<double> latitude;
  std::optional<double> longitude;
  std::string idempotency_key;
  // Where the server is reached ("https://chirp.example"): links to mentioned
  // accounts are written under it, and a mention of user@host is local when
  // host is this one.
  std::string base_url;
};

// A status just posted (or the earlier one an idempotency key names).
struct PostedStatus {
  CreatedStatus created;
  // Taken before the write: caching `created.stored` with it is safe
  // (social/lookups.h).
  uint64_t cache_token = 0;
};

// Parses a visibility's wire name.
std::optional<Visibility> ParseVisibility(std::string_view name);

// Writes `status` (SocialStore::CreateStatus, with its idempotency key or
// live-reblog rule), taking the cache token first, and applies its event to
// the writer's caches when the status is new. For posting and reblogging.
Result<PostedStatus> WriteNewStatus(Store& store, StatusLookup& statuses, OwnWrites& own_writes,
                                    const StatusRecord& status, std::string_view idempotency_key,
                                    int64_t idempotency_window_ms);

class Posting {
 public:
  // Everything must outlive the service.
  Posting(Store& store, const Clock& clock, SnowflakeGenerator& ids, AccountLookup& accounts,
          StatusLookup& statuses, ViewerCache& viewers, OwnWrites& own_writes,
          PostingLimits limits);

  // Validates and writes a new status. kUnprocessable for what Mastodon
  // refuses with 422 (the message says why), kNotFound for a status replied
  // to that the author may not see.
  Result<PostedStatus> Post(const StatusDraft& draft);

  // Deletes the account's own status `status_id` with the reblogs of it.
  // kNotFound when the account may not see it, kForbidden when it is
  // someone else's. Returns the status as it was.
  Result<StatusRecord> Delete(int64_t account_id, int64_t status_id);

 private:
  Status Validate(const StatusDraft& draft, const Account& author, StatusRecord& status);
  Status SetReplyTarget(const StatusDraft& draft, StatusRecord& status);

  Store& store_;
  const Clock& clock_;
  SnowflakeGenerator& ids_;
  AccountLookup& accounts_;
  StatusLookup& statuses_;
  ViewerCache& viewers_;
  OwnWrites& own_writes_;
  const PostingLimits limits_;
};

}  // namespace chirp
