// The PostgreSQL schema, in versions applied in order, as the embedded
// store's (store/sqlite/migrations.h) are: the same tables and the same
// meaning, in PostgreSQL's types (booleans as boolean, times as bigint
// milliseconds since the epoch, as the records hold them). Version 1 is the
// embedded schema's shape at its version 9.
#pragma once

#include "core/error.h"
#include "store/postgres/pg_conn.h"

namespace chirp {

int LatestPgSchemaVersion();

// Brings the database to the latest version, each version in a transaction
// of its own; concurrent callers (several instances starting at once) wait
// for each other on an advisory lock. kUnavailable when the database is
// newer than this build or a migration fails.
Status ApplyPgMigrations(PgConn& conn);

}  // namespace chirp
