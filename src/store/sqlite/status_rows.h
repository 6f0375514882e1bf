// Reading statuses out of SQLite and writing them in, shared by the store's
// statuses, timelines and bulk import (internal to store/sqlite).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/records.h"
#include "store/sqlite/sqlite_db.h"

namespace chirp {

// The columns ReadStatusRow expects, in order, from `statuses s`.
#define STATUS_COLUMNS                                                                             \
  "s.id, s.account_id, s.text, s.content, s.spoiler_text, s.visibility, s.sensitive, s.language, " \
  "s.in_reply_to_id, s.in_reply_to_account_id, s.reblog_of_id, s.application_id, "                 \
  "s.replies_count, s.reblogs_count, s.favourites_count, s.latitude, s.longitude, "                \
  "s.created_at, s.deleted_at"

StatusRecord ReadStatusRow(const SqliteStatement& q);

// Fills mentions, tags and media of `statuses` with a few queries.
Status LoadStatusDetails(SqliteDb& db, std::vector<StatusRecord>& statuses);
// The same for one status, by its id alone.
Status LoadStatusDetails(SqliteDb& db, StatusRecord& status);

// One status that is not deleted, without its details; empty when absent.
Result<std::optional<StatusRecord>> LiveStatus(SqliteDb& db, int64_t id);
// The same with its mentions, tags and media; kNotFound when absent.
Result<StatusRecord> ReadLiveStatus(SqliteDb& db, int64_t id);

// Inserts the row of `status` (not its mentions, tags or media). On failure
// db.LastExtendedCode() tells why (a taken id, a second live reblog).
Status InsertStatusRow(SqliteDb& db, const StatusRecord& status);
// Inserts the mentions and tags of `status`, creating tags not seen before.
// `tag_display_names` receives each tag as it was first written anywhere,
// which is how every status shows it.
Status InsertMentionsAndTags(SqliteDb& db, const StatusRecord& status,
                             std::vector<std::string>* tag_display_names);

// "[1,2,3]": how id lists travel into json_each() in static statements.
std::string JsonIds(const std::vector<int64_t>& ids);

}  // namespace chirp
