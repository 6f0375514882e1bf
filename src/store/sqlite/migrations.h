// Versioned schema migrations of the embedded store. Each migration runs once,
// in order, inside its own transaction; PRAGMA user_version records how far a
// database has come. Migrations are only ever appended.
#pragma once

#include "core/error.h"

namespace chirp {

class SqliteDb;

// Brings the schema of `db` up to the newest version.
Status ApplyMigrations(SqliteDb& db);

// The newest schema version this build knows.
int LatestSchemaVersion();

}  // namespace chirp
