// Reading statuses out of PostgreSQL and writing them in, shared by the
// store's statuses, timelines and bulk import (internal to store/postgres).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/postgres/pg_conn.h"
#include "store/records.h"

namespace chirp {

// The columns ReadPgStatusRow expects, in order, from `statuses s`.
#define PG_STATUS_COLUMNS                                                                          \
  "s.id, s.account_id, s.text, s.content, s.spoiler_text, s.visibility, s.sensitive, s.language, " \
  "s.in_reply_to_id, s.in_reply_to_account_id, s.reblog_of_id, s.application_id, "                 \
  "s.replies_count, s.reblogs_count, s.favourites_count, s.latitude, s.longitude, "                \
  "s.created_at, s.deleted_at"

// The status in row `row` of `rows`, its columns from `first_column` on in
// PG_STATUS_COLUMNS' order.
StatusRecord ReadPgStatusRow(const PgRows& rows, int row, int first_column = 0);

// Fills mentions, tags and media of `statuses` with a few queries.
Status LoadPgStatusDetails(PgConn& conn, std::vector<StatusRecord>& statuses);
// The same for one status, by its id alone.
Status LoadPgStatusDetails(PgConn& conn, StatusRecord& status);

// One status that is not deleted, without its details; empty when absent.
Result<std::optional<StatusRecord>> PgLiveStatus(PgConn& conn, int64_t id);
// The same with its mentions, tags and media; kNotFound when absent.
Result<StatusRecord> ReadPgLiveStatus(PgConn& conn, int64_t id);

// The INSERT of a status row, to which a caller may append a conflict
// clause (a reblog's ON CONFLICT on one_live_reblog), and its parameters.
#define PG_INSERT_STATUS_ROW                                                                   \
  "INSERT INTO statuses (id, account_id, text, content, spoiler_text, visibility, sensitive, " \
  "language, in_reply_to_id, in_reply_to_account_id, reblog_of_id, application_id, latitude, " \
  "longitude, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)"
PgParams PgStatusRowParams(const StatusRecord& status);

// Inserts the row of `status` (not its mentions, tags or media). On
// failure conn.last_state() tells why (23505: a taken id or a second live
// reblog; the message names the constraint).
Status InsertPgStatusRow(PgConn& conn, const StatusRecord& status);
// Inserts the mentions and tags of `status`, creating tags not seen before.
// `tag_display_names` receives each tag as it was first written anywhere,
// which is how every status shows it.
Status InsertPgMentionsAndTags(PgConn& conn, const StatusRecord& status,
                               std::vector<std::string>* tag_display_names);

}  // namespace chirp
